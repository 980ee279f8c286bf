"""What `crane diff` reports: each stack's plan at a git revision against the working tree.

Each stack is rendered twice, offline: at REF (its merge base with HEAD, from a temporary git
worktree, with *that* revision's library code) and in the working tree (crane_it.review.revisions).
The two plans are compared resource by resource (crane_it.review.plan_diff): ``create``, ``update``
with the changed inputs old → new, ``replace`` when a replace-forcing input changed, ``delete``.
A replace or delete of a resource that holds data is *data at risk*. The report is one JSON-ready
dict (``crane diff --json``), shown as terminal text (:func:`text`) or as a pull-request
comment (:func:`markdown`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .affected import Affected, affected, retired_at
from .cost import estimate
from .plan_diff import ACTIONS, at_risk, diff
from .plan_json import parsed
from .revisions import Side, merge_base, render_both
from .risks import BY_KEY, DATA, REMOVED, Risk, exit_status, stack_risks
from .stacks import find_stack

LABEL = DATA.label
"""The pull-request label that lets CI pass with data at risk (see .github/workflows/preview.yml)."""

FOLD_ROWS = 12
"""A stack's table of changes longer than this is folded in the pull-request comment."""


def compare(project: Path, ref: str, stacks: Sequence[str] = (), allowed: Sequence[str] = ()) -> dict[str, Any] | None:
    """The report of ``stacks`` (default: those the change affects, removed ones included) at ``ref``
    against the working tree; ``allowed``: the risk labels the pull request carries.

    None when no stack is named and the change affects none. A spec invalid at either side is
    in the report (``invalid``); a named stack neither side declares raises UnknownStackError,
    git failing RevisionError, no project ProjectError.
    """
    commit = merge_base(project, ref)
    found = affected(project, ref)
    for name in stacks:
        if name not in found.head and name not in found.base:
            find_stack(project, name, found.head)  # raises, saying how to declare it
    chosen = sorted(set(stacks)) or sorted(set(found.stacks) | set(found.removed))
    if not chosen:
        return None
    base, head = render_both(
        project, commit, f"{ref} ({commit[:10]})", chosen, base_stacks=found.base, head_stacks=found.head
    )
    retired = {s for s in chosen if s in found.removed and retired_at(project, commit, found.base[s])}
    report = build_report(chosen, base, head, retired=retired, allowed=allowed, found=found)
    add_shares(report, project)
    report["base"] = {"ref": ref, "commit": commit, "library": base.library}
    report["head"] = {"library": head.library}
    return report


def add_shares(report: dict[str, Any], project: Path) -> None:
    """Each platform stack's, or client-on-a-platform's, platform share at head (crane_it.review.cost_share).

    Head only: the base's share would need the base's platform and clients rendered with the
    base's library. The ``cost`` base/head figures stay each stack's own cost.
    """
    from ..errors import SpecError
    from ..project import stacks_dir
    from .cost_share import platform_of, share_of  # imports the renderer (Pulumi): only when a report runs

    shares: dict[str, Any] = {}
    for entry in report["stacks"]:
        if entry["invalid"] or entry["cost"] is None or not (stacks_dir(project) / f"{entry['stack']}.yaml").is_file():
            continue
        try:
            kind = platform_of(entry["stack"], None, project)
            if kind is not None and kind[0] not in shares:
                shares[kind[0]] = share_of(kind[0], project)
        except SpecError:
            continue  # the head's own render already reported it
        if kind is not None:
            entry["cost"]["platform_share_head"] = shares[kind[0]].as_json()


def client_of(plan: list[dict[str, Any]]) -> str | None:
    """The client a rendered plan deploys: its AWS provider's ``client`` default tag."""
    for resource in plan:
        if resource.get("type") == "pulumi:providers:aws":
            tags = parsed(resource.get("inputs", {}).get("defaultTags"))
            client = tags.get("tags", {}).get("client") if isinstance(tags, dict) else None
            if isinstance(client, str):
                return client
    return None


def domains_of(plan: list[dict[str, Any]]) -> list[str]:
    """The domains a plan serves (its certificates' domain names)."""
    return sorted(
        {
            r["inputs"]["domainName"]
            for r in plan
            if r.get("type") == "aws:acm/certificate:Certificate" and isinstance(r["inputs"].get("domainName"), str)
        }
    )


def _served(plan: list[dict[str, Any]]) -> str:
    domains = domains_of(plan)
    return f"still serves {', '.join(domains)}" if domains else "keeps running"


def build_report(
    stacks: list[str],
    base: Side,
    head: Side,
    *,
    retired: set[str] | frozenset[str] = frozenset(),
    allowed: Sequence[str] = (),
    found: Affected | None = None,
) -> dict[str, Any]:
    """The diff of every stack, in the JSON shape ``crane diff --json`` prints.

    ``risks`` lists every risk line (crane_it.review.risks) with whether its label is ``allowed``;
    ``lines`` the one-line causes a reviewer reads first (a renamed stack, a changed slug);
    ``exit`` the status ``crane diff`` exits with.
    """
    entries: list[dict[str, Any]] = []
    risky: list[str] = []
    invalid: list[str] = []
    risks: list[Risk] = []
    lines: list[str] = []
    for stack in stacks:
        notes: list[str] = []
        old, new = base.plans.get(stack, []), head.plans.get(stack, [])
        for side in (base, head):
            if stack in side.errors:
                invalid.append(f"{stack}: invalid at {side.label}: {side.errors[stack]}")
            if stack in side.missing:
                notes.append(f"stack {stack} is not declared at {side.label}")
        if stack in head.errors and old and "is neither stack" in head.errors[stack]:
            was = client_of(old)
            lines.append(
                f"stack `{stack}`: the client slug changed from `{was}`: every resource name derives from it, so "
                "every resource, the database and bucket too, would be replaced by an empty one; keep "
                f"`client: {was}`, or start a new stack for the new slug"
            )
        client = client_of(new) or client_of(old)
        if any(stack in side.errors for side in (base, head)):
            entries.append(
                {"stack": stack, "client": client, "changes": [], "cost": None, "notes": notes, "invalid": True}
            )
            continue
        if stack in head.missing and old:  # removed (or renamed): nothing deploys or destroys it
            line = (
                f"stack `{stack}` is no longer in the repo, but nothing destroys it: it keeps its data and "
                f"{_served(old)}"
            )
            if stack not in retired:
                risks.append(Risk(REMOVED, stack, line))
            notes.append(line + (" (retired first: intended)" if stack in retired else ""))
            cost = {"base": estimate(old).total, "head": estimate(old).total}
            entries.append(
                {
                    "stack": stack,
                    "client": client,
                    "changes": [],
                    "cost": cost,
                    "notes": notes,
                    "invalid": False,
                    "removed": True,
                }
            )
            continue
        changes = diff(old, new)
        risky += at_risk(changes)
        risks += stack_risks(stack, changes, old, new)
        if old and new and client_of(old) != client_of(new):
            lines.append(
                f"stack `{stack}`: the client slug changed `{client_of(old)}` → `{client_of(new)}`: every name derived "
                f"from it changes, so {sum(c.action in ('delete', 'replace') for c in changes)} resources are "
                "replaced or deleted, the data resources among them"
            )
        cost = {"base": estimate(old).total if old else 0.0, "head": estimate(new).total if new else 0.0}
        entries.append(
            {
                "stack": stack,
                "client": client,
                "changes": [c.as_json() for c in changes],
                "cost": cost,
                "notes": notes,
                "invalid": False,
            }
        )
    lines += _renames(entries, base, head)
    allowed_set = set(allowed)
    status = 2 if invalid else exit_status(risks, allowed_set)
    return {
        "stacks": entries,
        "data_at_risk": sorted(risky),
        "invalid": invalid,
        "risks": [dict(r.as_json(), allowed=r.kind.label in allowed_set) for r in risks],
        "lines": lines,
        "exit": status,
    }


def _renames(entries: list[dict[str, Any]], base: Side, head: Side) -> list[str]:
    """One line per new stack with data that takes over from a removed one (same client or domain)."""
    removed = [e for e in entries if e.get("removed")]
    found = []
    for entry in entries:
        stack = entry["stack"]
        if stack not in base.missing or stack not in head.plans:
            continue
        new = head.plans[stack]
        data = [c for c in entry["changes"] if c["data"] and c["action"] == "create"]
        if not data:
            continue
        for gone in removed:
            old = base.plans.get(gone["stack"], [])
            if client_of(old) == client_of(new) or set(domains_of(old)) & set(domains_of(new)):
                found.append(
                    f"new stack `{stack}` starts with an empty database and bucket; stack `{gone['stack']}` keeps "
                    f"the data and {_served(old)}"
                )
    return found


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _short(value: Any, width: int = 80) -> str:
    text_ = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)
    return text_ if len(text_) <= width else text_[: width - 3] + "..."


def _counts(changes: list[dict[str, Any]]) -> str:
    counted = Counter(c["action"] for c in changes)
    return ", ".join(f"{counted[a]} to {a}" for a in ACTIONS)


def cost_text(stack: str, cost: dict[str, Any] | None) -> str:
    if not cost:
        return "cost: not estimated"
    delta = cost["head"] - cost["base"]
    line = f"cost: {cost['base']:.2f} → {cost['head']:.2f} USD/month ({delta:+.2f})"
    share = cost.get("platform_share_head")
    if share and share["per_client_usd"] is not None:
        of = f"({share['platform_total_usd']:.2f} / {len(share['clients'])} clients)"
        if share["platform"] == stack:  # the platform itself: what each client pays of it
            line += f"; {share['per_client_usd']:.2f} per client at head {of}"
        else:
            line += f"; plus {share['per_client_usd']:.2f} share of platform {share['platform']} at head {of}"
    return line


def _risk(change: dict[str, Any]) -> bool:
    return bool(change["data"]) and change["action"] in ("replace", "delete")


def _risk_lines(report: dict[str, Any], stacks: set[str] | None = None) -> list[dict[str, Any]]:
    return [r for r in report.get("risks", []) if stacks is None or r["stack"] in stacks]


def text(report: dict[str, Any]) -> str:
    """The report for a terminal: the one-line causes and risk lines first, then each stack."""
    out = [f"cause: {line}" for line in report.get("lines", [])]
    for risk in _risk_lines(report):
        state = "allowed" if risk["allowed"] else f"needs label {risk['label']}, exit {risk['exit']}"
        out.append(f"RISK {BY_KEY[risk['kind']].title} ({state}): {risk['stack']}: {risk['line']}")
    for entry in report["stacks"]:
        risky = [c for c in entry["changes"] if _risk(c)]
        state = "INVALID" if entry["invalid"] else f"{_counts(entry['changes'])}; data at risk: {len(risky) or 'none'}"
        out.append(f"{entry['stack']}: {'REMOVED' if entry.get('removed') else state}")
        out += [f"  note: {n}" for n in entry["notes"]]
        for c in entry["changes"]:
            flags = (" [DATA AT RISK]" if _risk(c) else " [data]" if c["data"] else "") + (
                " [protected]" if c["protect"] else ""
            )
            flags += f" [import {c['import_id']}]" if c.get("import_id") else ""
            keys = f"  ({', '.join(c['keys'])})" if c["keys"] else ""
            out.append(f"  {c['action']:<8} {c['type']}  {_name(c['urn'])}{flags}{keys}")
            out += [f"      {i['path']}: {_short(i['old'])} → {_short(i['new'])}" for i in c["inputs"]]
            out += [f"      why: {note}" for note in c.get("why", [])]
        out.append(f"  {cost_text(entry['stack'], entry['cost'])}")
    out.append(
        f"data at risk: {len(report['data_at_risk'])} resource(s)" if report["data_at_risk"] else "data at risk: none"
    )
    return "\n".join(out)


def markdown(report: dict[str, Any], stacks: Sequence[str] | None = None, marker: str | None = None) -> str:
    """The report (or its ``stacks``) as a pull-request comment: the causes and risk lines first,
    then one section per stack, long tables folded. ``marker`` heads the comment (CI finds the
    comment to update by it); default one ``crane-diff:<stack>`` marker per stack."""
    chosen = [e for e in report["stacks"] if stacks is None or e["stack"] in stacks]
    names = {e["stack"] for e in chosen}
    out = [f"<!-- {marker} -->"] if marker else []
    causes = [line for line in report.get("lines", []) if any(f"`{n}`" in line for n in names)]
    risks = _risk_lines(report, names)
    if causes or [r for r in risks if not r["allowed"]]:
        out.append("> [!CAUTION]")
    elif risks:
        out.append("> [!NOTE]")
    for line in causes:
        out.append(f"> **{line}**")
    for risk in risks:
        gate = "allowed by the label" if risk["allowed"] else "this check fails unless the pull request carries"
        out.append(
            f"> - **{BY_KEY[risk['kind']].title}** (`{risk['stack']}`): {risk['line']} ({gate} `{risk['label']}`)"
        )
    if causes or risks:
        out.append("")
    for entry in chosen:
        stack = entry["stack"]
        risky = [c for c in entry["changes"] if _risk(c)]
        if not marker:
            out.append(f"<!-- crane-diff:{stack} -->")
        out.append(f"### Crane It preview: `{stack}`")
        if entry["invalid"]:
            out += ["", "**The spec is invalid**; see the check's log. Nothing can be deployed.", ""]
            continue
        out.append("")
        out.append(f"{_counts(entry['changes'])} · {cost_text(entry['stack'], entry['cost'])}")
        out += [f"> {n}" for n in entry["notes"]]
        if risky:
            out += [
                "",
                f"**Data at risk**: {len(risky)} resource(s) holding client data would be replaced or deleted "
                f"(label `{LABEL}`).",
            ]
        rows = [_row(c) for c in entry["changes"]]
        if rows:
            table = ["| action | resource | type | what changes |", "|---|---|---|---|", *rows]
            if len(rows) > FOLD_ROWS:
                out += ["", f"<details><summary>{len(rows)} changes</summary>", "", *table, "", "</details>"]
            else:
                out += ["", *table]
        out.append("")
    return "\n".join(out)


def _row(c: dict[str, Any]) -> str:
    mark = " ⚠️ **data at risk**" if _risk(c) else " (data)" if c["data"] else ""
    what = "<br>".join(f"`{i['path']}`: `{_short(i['old'], 60)}` → `{_short(i['new'], 60)}`" for i in c["inputs"][:8])
    more = len(c["inputs"]) - 8
    what += f"<br>… {more} more" if more > 0 else ""
    mark += f" (import `{c['import_id']}`)" if c.get("import_id") else ""
    why = "<br>".join(f"_{note}_" for note in c.get("why", []))
    what = "<br>".join(part for part in (what, why) if part)
    return f"| {c['action']}{mark} | `{_name(c['urn'])}` | {c['type'].split(':')[-1]} | {what} |"


def comments(report: dict[str, Any]) -> dict[str, str]:
    """One pull-request comment per client (a client's stacks together), headed by its marker
    ``crane-diff:client:<client>``; a stack whose client is unknown gets its own."""
    by_client: dict[str, list[str]] = {}
    for entry in report["stacks"]:
        by_client.setdefault(entry.get("client") or entry["stack"], []).append(entry["stack"])
    return {
        client: markdown(report, stacks, marker=f"crane-diff:client:{client}") for client, stacks in by_client.items()
    }
