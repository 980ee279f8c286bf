"""The risk lines of a review: what a change does that a green check must not hide.

``crane diff`` compares two rendered plans (:mod:`crane_it.review.plan_diff`); most of what it
finds is routine. The kinds below are not, and each gets its own line at the top of the
review, its own pull-request label that says "intended", and its own exit status, so a
workflow (or a person at a terminal) can tell them apart:

======================  =========================  ====  ============================================
risk                    label                      exit  when
======================  =========================  ====  ============================================
data at risk            allow-data-replacement     3     a bucket, database, vault or key is replaced
                                                         or deleted
stack removed           retire-stack               4     a stack disappears from the repo (removed or
                                                         renamed): nothing destroys it, its data and
                                                         domain stay where they are
major engine upgrade    allow-engine-upgrade       5     a database's engine major version changes:
                                                         irreversible, and the database is down while
                                                         it upgrades, as soon as the change deploys
service down            allow-downtime             6     maintenance mode turns on, or the service's
                                                         desired count goes to 0
domain or certificate   allow-domain-change        7     a served domain, its certificate or the host
                                                         a listener rule routes changes
deletion protection     allow-protection-change    8     a resource's ``protect``, ``retain_on_delete``
                                                         or deletion protection is turned off or on
======================  =========================  ====  ============================================

Several risks at once exit with the lowest status among those not allowed. A stack removed
after a deploy with ``retire: true`` (the first step of the retire flow) is intended and not a
risk. The invalid-spec status (2) comes before all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..facts.rds import ENGINES
from ..facts.tags import RETIRING
from .plan_diff import Change
from .plan_json import parsed

INVALID = 2


@dataclass(frozen=True)
class RiskKind:
    """One kind of risk: its key in the JSON report, its label, its exit status, its heading."""

    key: str
    label: str
    exit: int
    title: str


DATA = RiskKind("data", "allow-data-replacement", 3, "data at risk")
REMOVED = RiskKind("removed_stack", "retire-stack", 4, "stack removed")
ENGINE = RiskKind("engine_upgrade", "allow-engine-upgrade", 5, "major engine upgrade")
DOWNTIME = RiskKind("downtime", "allow-downtime", 6, "service down")
DOMAIN = RiskKind("domain", "allow-domain-change", 7, "domain or certificate change")
PROTECTION = RiskKind("protection", "allow-protection-change", 8, "deletion protection change")
KINDS: tuple[RiskKind, ...] = (DATA, REMOVED, ENGINE, DOWNTIME, DOMAIN, PROTECTION)
"""Every kind, in the order of their exit statuses (the most serious first)."""
BY_KEY = {kind.key: kind for kind in KINDS}
LABELS = frozenset(kind.label for kind in KINDS)


@dataclass(frozen=True)
class Risk:
    """One risk line: which kind, which stack, which resource, and the sentence a reviewer reads."""

    kind: RiskKind
    stack: str
    line: str
    urn: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.key,
            "label": self.kind.label,
            "exit": self.kind.exit,
            "stack": self.stack,
            "urn": self.urn,
            "line": self.line,
        }


def exit_status(risks: Iterable[Risk], allowed: Iterable[str] = ()) -> int:
    """0, or the lowest exit status among the risks whose label is not in ``allowed``."""
    allowed = set(allowed)
    statuses = [r.kind.exit for r in risks if r.kind.label not in allowed]
    return min(statuses, default=0)


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _major(engine: str, version: Any) -> str | None:
    """The major version of ``version`` for ``engine`` (facts.rds): postgres 16.4 -> 16, mysql 8.0.39 -> 8.0."""
    if not isinstance(version, str) or not version:
        return None
    known = ENGINES.get(engine)
    return known.major_of(version) if known else version.split(".")[0]


def stack_risks(
    stack: str, changes: list[Change], base: list[dict[str, Any]], head: list[dict[str, Any]]
) -> list[Risk]:
    """The risk lines of one stack's changes (``base``/``head``: its two plan documents)."""
    old = {r["urn"]: r for r in base}
    new = {r["urn"]: r for r in head}
    found: list[Risk] = []
    retiring = retiring_plan(head)
    for change in changes:
        before, after = old.get(change.urn, {}), new.get(change.urn, {})
        found += _data(stack, change)
        found += _engine(stack, change, before, after)
        found += _downtime(stack, change, before, after)
        if base:  # a new stack's first certificate is its start, not a change of domain
            found += _domain(stack, change, before, after)
        found += _protection(stack, change, before, after, retiring)
    retired = [r for r in found if r.kind is REMOVED]
    if len(retired) > 1:  # one line for the retirement, not one per resource
        names = sorted({_name(r.urn) for r in retired})
        shown = ", ".join(f"`{n}`" for n in names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        line = (
            f"retiring: protection off on {len(names)} resources ({shown}) so that `pulumi destroy` can run; "
            "the destroy deletes the database (after its final snapshot) and the load balancer"
        )
        found = [r for r in found if r.kind is not REMOVED] + [Risk(REMOVED, stack, line, retired[0].urn)]
    return found


def retiring_plan(plan: list[dict[str, Any]]) -> bool:
    """Whether the plan is of a stack being retired (``retire: true``: its provider tags every
    resource ``retiring=true``)."""
    for resource in plan:
        if resource.get("type") == "pulumi:providers:aws":
            # Provider inputs arrive as JSON text.
            default_tags = parsed(_inputs(resource).get("defaultTags"))
            tags = default_tags.get("tags") if isinstance(default_tags, dict) else None
            if isinstance(tags, dict) and tags.get(RETIRING) == "true":
                return True
    return False


def _data(stack: str, change: Change) -> list[Risk]:
    if not change.at_risk:
        return []
    return [
        Risk(
            DATA,
            stack,
            f"`{_name(change.urn)}` ({change.type.split(':')[-1]}) would be {change.action}d: it holds client data",
            change.urn,
        )
    ]


def _inputs(resource: Mapping[str, Any]) -> dict[str, Any]:
    inputs = resource.get("inputs")
    return inputs if isinstance(inputs, dict) else {}


def _engine(stack: str, change: Change, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Risk]:
    if change.type != "aws:rds/instance:Instance" or change.action not in ("update", "replace"):
        return []
    old, new = _inputs(before), _inputs(after)
    if old.get("engine") != new.get("engine"):
        return []  # another engine: a new database, reported as data at risk
    engine = str(new.get("engine") or "")
    was, now = _major(engine, old.get("engineVersion")), _major(engine, new.get("engineVersion"))
    if was is None or now is None or was == now:
        return []
    when = "as soon as this deploys" if new.get("applyImmediately") else "in its next maintenance window"
    return [
        Risk(
            ENGINE,
            stack,
            f"`{_name(change.urn)}`: {engine} {old.get('engineVersion')} → {new.get('engineVersion')} is a major "
            f"engine upgrade: irreversible (going back means restoring a snapshot), and the database is down "
            f"while it upgrades, {when}",
            change.urn,
        )
    ]


def _serves_503(resource: Mapping[str, Any]) -> bool:
    actions = _inputs(resource).get("actions")
    return isinstance(actions, list) and any(
        isinstance(a, dict)
        and a.get("type") == "fixed-response"
        and str((a.get("fixedResponse") or {}).get("statusCode", "")).startswith("5")
        for a in actions
    )


def _downtime(stack: str, change: Change, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Risk]:
    turned_on = _serves_503(after) and not (before and _serves_503(before))
    if change.type == "aws:lb/listenerRule:ListenerRule" and change.action != "delete" and turned_on:
        line = f"maintenance mode on: `{_name(change.urn)}` answers every request with 503 until it is turned off"
        return [Risk(DOWNTIME, stack, line, change.urn)]
    if change.type == "aws:ecs/service:Service" and change.action in ("update", "replace"):
        was, now = _inputs(before).get("desiredCount"), _inputs(after).get("desiredCount")
        if now == 0 and was != 0:
            return [
                Risk(DOWNTIME, stack, f"`{_name(change.urn)}`: desired count {was} → 0 stops every task", change.urn)
            ]
    return []


_DOMAIN_TYPES = {
    "aws:acm/certificate:Certificate": ("domainName", "subjectAlternativeNames"),
    "aws:route53/record:Record": ("name",),
    "aws:lb/listenerRule:ListenerRule": ("conditions",),
    "aws:lb/listener:Listener": ("certificateArn",),
    "aws:lb/listenerCertificate:ListenerCertificate": ("certificateArn",),
}


def _domain(stack: str, change: Change, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Risk]:
    keys = _DOMAIN_TYPES.get(change.type)
    if keys is None or (change.action == "create" and change.type != "aws:acm/certificate:Certificate"):
        return []
    old, new = _inputs(before), _inputs(after)
    if change.action in ("update", "replace"):
        changed = [k for k in keys if old.get(k) != new.get(k)]
        if not changed or (change.type == "aws:lb/listenerRule:ListenerRule" and _hosts(old) == _hosts(new)):
            return []
        what = ", ".join(f"{k} {_short(old.get(k))} → {_short(new.get(k))}" for k in changed)
        if change.type == "aws:acm/certificate:Certificate":
            what += (
                ": a new certificate, which serves HTTPS only once its DNS validation record exists; the old "
                "domain is no longer served"
            )
        return [Risk(DOMAIN, stack, f"`{_name(change.urn)}`: {what}", change.urn)]
    if change.type == "aws:acm/certificate:Certificate":
        domain = (new if change.action == "create" else old).get("domainName")
        verb = "a new certificate for" if change.action == "create" else "the certificate of"
        tail = (
            ": HTTPS serves it only once its DNS validation record exists"
            if change.action == "create"
            else " is deleted"
        )
        return [Risk(DOMAIN, stack, f"{verb} {domain}{tail}", change.urn)]
    return []


def _hosts(inputs: Mapping[str, Any]) -> list[Any]:
    conditions = inputs.get("conditions")
    return [c.get("hostHeader") for c in conditions if isinstance(c, dict)] if isinstance(conditions, list) else []


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


_PROTECTION_INPUTS = {
    "aws:rds/instance:Instance": "deletionProtection",
    "aws:lb/loadBalancer:LoadBalancer": "enableDeletionProtection",
}


def _protection(
    stack: str, change: Change, before: Mapping[str, Any], after: Mapping[str, Any], retiring: bool
) -> list[Risk]:
    """A protection turned off or on; for a stack being retired, that is the retirement itself
    (gated by ``retire-stack``), not a stray setting."""
    if change.action not in ("update", "replace"):
        return []
    kind = REMOVED if retiring else PROTECTION
    found = []
    for option, words in (("protect", "Pulumi protect"), ("retain_on_delete", "retain on delete")):
        if bool(before.get(option)) != bool(after.get(option)):
            state = "on → off" if before.get(option) else "off → on"
            found.append(Risk(kind, stack, f"`{_name(change.urn)}`: {words} {state}", change.urn))
    key = _PROTECTION_INPUTS.get(change.type)
    if key:
        was, now = _inputs(before).get(key), _inputs(after).get(key)
        if bool(was) != bool(now):
            state = "on → off" if was else "off → on"
            found.append(Risk(kind, stack, f"`{_name(change.urn)}`: deletion protection {state}", change.urn))
    return found


__all__ = [
    "DATA",
    "DOMAIN",
    "DOWNTIME",
    "ENGINE",
    "KINDS",
    "LABELS",
    "PROTECTION",
    "REMOVED",
    "Risk",
    "RiskKind",
    "exit_status",
    "stack_risks",
]
