"""Compare two rendered plans of one stack: what ``pulumi up`` would create, update, replace, delete.

Both sides are :func:`crane_it.review.plan_json.document` lists. A resource is matched by URN, as
Pulumi matches it: a URN only on the new side is a ``create``, one only on the old side a
``delete`` (a renamed resource is both). A matched resource whose inputs differ is an
``update``, or a ``replace`` when one of the changed inputs is replace-forcing for its type
(:mod:`crane_it.review.replacements`). A replaced resource gets a new id and ARN, so whatever
references it changes too: that is followed through the plan's ``references``.

Data-holding resources are marked ``data``; a replace or delete of one is *data at risk*.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .plan_json import UNKNOWN, parsed
from .replacements import forces_replace, holds_data

OPTION_KEYS = (
    "protect",
    "retain_on_delete",
    "delete_before_replace",
    "ignore_changes",
    "import_id",
    "custom_timeouts",
    "replace_on_changes",
)
"""Resource options a diff reports (changing them changes no cloud resource, but matters).
A document from an older library may lack the last three: absent, empty and unset are equal."""

ACTIONS = ("create", "update", "replace", "delete")


@dataclass
class Change:
    """One resource's planned action, with the inputs that cause it."""

    urn: str
    type: str
    action: str
    keys: list[str]
    data: bool
    protect: bool = False
    details: list[tuple[str, Any, Any]] = field(default_factory=list)
    """(input path, old, new) for every changed leaf, old → new."""
    replaced_by: list[str] = field(default_factory=list)
    """The keys that force the replace."""
    import_id: str = ""
    """The ``import_`` option of the new side: Pulumi adopts this existing resource instead of creating it."""
    why: list[str] = field(default_factory=list)
    """What the resource's options do to this deploy, in words (:func:`option_notes`)."""

    @property
    def at_risk(self) -> bool:
        """A data-holding resource that would be replaced or deleted."""
        return self.data and self.action in ("replace", "delete")

    def as_json(self) -> dict[str, Any]:
        """The JSON form ``crane diff --json`` prints."""
        return {
            "urn": self.urn,
            "type": self.type,
            "action": self.action,
            "keys": self.keys,
            "data": self.data,
            "protect": self.protect,
            "import_id": self.import_id,
            "why": self.why,
            "inputs": [{"path": p, "old": o, "new": n} for p, o, n in self.details],
        }


def option(resource: Mapping[str, Any], key: str) -> Any:
    """``resource``'s option ``key``, None when absent or empty (older documents lack some)."""
    return resource.get(key) or None


def option_notes(resource: Mapping[str, Any]) -> list[str]:
    """Why a reviewer should look twice: the import, replace-on-change and timeout options, in words."""
    notes = []
    if option(resource, "import_id"):
        notes.append(
            f"imported: Pulumi adopts the existing {resource['import_id']} instead of creating it, and the "
            "deploy fails unless every declared input not in ignore_changes equals what AWS reads back"
        )
    replace_on = option(resource, "replace_on_changes")
    if replace_on:
        notes.append(f"replaced, not updated, on any change of {', '.join(replace_on)} (replace_on_changes)")
    timeouts = option(resource, "custom_timeouts")
    if timeouts:
        waits = ", ".join(f"{kind} {limit}" for kind, limit in sorted(timeouts.items()))
        notes.append(f"`pulumi up` waits up to {waits} (custom timeouts; the provider's default would be shorter)")
    return notes


def diff(base: list[dict[str, Any]], head: list[dict[str, Any]]) -> list[Change]:
    """The custom resources that change from ``base`` to ``head``, sorted by action then URN.

    Component resources are left out: they exist only in Pulumi's state, not in AWS.
    """
    old = {r["urn"]: r for r in _by_reference(base) if r["custom"]}
    new = {r["urn"]: r for r in _by_reference(head) if r["custom"]}
    changes: dict[str, Change] = {}
    for urn in new.keys() - old.keys():
        r = new[urn]
        changes[urn] = Change(
            urn, r["type"], "create", [], holds_data(r["type"]), r["protect"], import_id=option(r, "import_id") or ""
        )
    for urn in old.keys() - new.keys():
        r = old[urn]
        changes[urn] = Change(urn, r["type"], "delete", [], holds_data(r["type"]), r["protect"])
    for urn in old.keys() & new.keys():
        change = _compare(old[urn], new[urn])
        if change:
            changes[urn] = change
    _follow_replacements(new, changes)
    for urn, change in changes.items():
        change.why = option_notes(new.get(urn) or old[urn]) if change.action != "delete" else []
    order = {a: i for i, a in enumerate(ACTIONS)}
    return sorted(changes.values(), key=lambda c: (order[c.action], c.urn))


def _by_reference(plan: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plan with every id or ARN of a resource it depends on written as ``<id of NAME>``.

    Offline, those values are the mock engine's inventions (its ARN shapes may change between
    revisions); what a reviewer needs is *which* resource an input points at. Two revisions
    that point at the same resource then compare equal, whatever the mock answered. A document
    without ``handles`` (written before they were recorded) is left as it is.
    """
    handles = {r["urn"]: r.get("handles") or [] for r in plan}
    out = []
    for resource in plan:
        swaps = sorted(
            (
                (h, f"<id of {dep.rsplit('::', 1)[-1]}>")
                for dep in resource.get("dependencies", [])
                for h in handles.get(dep, [])
            ),
            key=lambda pair: -len(pair[0]),
        )
        if not swaps:
            out.append(resource)
            continue
        text = json.dumps(resource["inputs"], sort_keys=True)
        for handle, token in swaps:
            text = text.replace(json.dumps(handle)[1:-1], token)
        out.append({**resource, "inputs": json.loads(text)})
    return out


def _compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> Change | None:
    type_ = new["type"]
    keys = sorted(
        k for k in old["inputs"].keys() | new["inputs"].keys() if old["inputs"].get(k) != new["inputs"].get(k)
    )
    options = [k for k in OPTION_KEYS if option(old, k) != option(new, k)]
    # Another provider (a new URN or id) manages it from now on: Pulumi replaces the resource.
    provider_replaced = (old.get("provider") or "") != (new.get("provider") or "")
    if not keys and not options and not provider_replaced:
        return None
    # replace_on_changes makes Pulumi replace on a change of the inputs it names ("*": any).
    replace_on = set(option(new, "replace_on_changes") or ())
    forcing = [k for k in keys if forces_replace(type_, k) or k in replace_on or "*" in replace_on]
    forcing += ["provider"] if provider_replaced else []
    details = [d for k in keys for d in leaf_changes(k, old["inputs"].get(k), new["inputs"].get(k))]
    details += [(f"({k})", old.get(k), new.get(k)) for k in options]
    return Change(
        urn=new["urn"],
        type=type_,
        action="replace" if forcing else "update",
        keys=keys + [f"({k})" for k in options] + (["provider"] if provider_replaced else []),
        data=holds_data(type_),
        protect=bool(old.get("protect")),
        details=details,
        replaced_by=forcing,
        import_id=option(new, "import_id") or "",
    )


def _follow_replacements(new: Mapping[str, dict[str, Any]], changes: dict[str, Change]) -> None:
    """Whoever references a replaced resource's id or ARN sees it change; repeat until stable."""
    while True:
        replaced = {urn for urn, c in changes.items() if c.action == "replace"}
        grew = False
        for urn, r in new.items():
            current = changes.get(urn)
            if current and current.action in ("create", "delete"):
                continue
            keys = sorted(k for k, deps in r.get("references", {}).items() if replaced & set(deps))
            # A provider reference is ``<provider urn>::<id>``: a replaced provider replaces its resources.
            if r.get("provider", "").rsplit("::", 1)[0] in replaced:
                keys.append("provider")
            keys = [k for k in keys if not current or k not in current.keys]
            if not keys:
                continue
            change = current or Change(urn, r["type"], "update", [], holds_data(r["type"]), r["protect"])
            for key in keys:
                change.keys.append(key)
                change.details.append((key, "(replaced resource)", UNKNOWN))
                if key == "provider" or forces_replace(r["type"], key):
                    change.action = "replace"
                    change.replaced_by.append(key)
            change.keys.sort()
            changes[urn] = change
            grew = True
        if not grew:
            return


def leaf_changes(path: str, old: Any, new: Any) -> Iterator[tuple[str, Any, Any]]:
    """Each changed leaf under ``path``, so a review reads ``memory: 512 → 1024``, not two blobs.

    JSON documents inside strings (container definitions, policies) are opened; lists of
    objects with a ``name`` (containers, env vars) are matched by name, not position.
    """
    old, new = parsed(old), parsed(new)
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            yield from leaf_changes(f"{path}.{key}", old.get(key), new.get(key))
        return
    if isinstance(old, list) and isinstance(new, list):
        old_named, new_named = _by_name(old), _by_name(new)
        if old_named is not None and new_named is not None:
            for name in sorted(old_named.keys() | new_named.keys()):
                yield from leaf_changes(f"{path}[{name}]", old_named.get(name), new_named.get(name))
            return
        if len(old) == len(new):
            for i, (a, b) in enumerate(zip(old, new, strict=True)):
                yield from leaf_changes(f"{path}[{i}]", a, b)
            return
    yield path, old, new


def _by_name(items: list[Any]) -> dict[str, Any] | None:
    """``items`` keyed by their ``name`` when every one is an object with a unique name."""
    if not items or not all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items):
        return None
    named = {i["name"]: i for i in items}
    return named if len(named) == len(items) else None


def at_risk(changes: list[Change]) -> list[str]:
    """URNs of data-holding resources that would be replaced or deleted."""
    return sorted(c.urn for c in changes if c.at_risk)
