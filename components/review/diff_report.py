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

from .affected import affected
from .cost import estimate
from .plan_diff import ACTIONS, at_risk, diff
from .revisions import Side, merge_base, render_both

LABEL = "allow-data-replacement"
"""The pull-request label that lets CI pass with data at risk (see .github/workflows/preview.yml)."""


def compare(project: Path, ref: str, stacks: Sequence[str] = ()) -> dict[str, Any] | None:
    """The report of ``stacks`` (default: those the change affects) at ``ref`` against the working tree.

    None when no stack is named and the change affects none. A spec invalid at either side is
    in the report (``invalid``); git failing raises RevisionError, no project ProjectError.
    """
    commit = merge_base(project, ref)
    chosen = sorted(set(stacks)) or _affected(project, ref)
    if not chosen:
        return None
    base, head = render_both(project, commit, f"{ref} ({commit[:10]})", chosen)
    report = build_report(chosen, base, head)
    add_shares(report, project)
    report["base"] = {"ref": ref, "commit": commit, "library": base.library}
    report["head"] = {"library": head.library}
    return report


def _affected(project: Path, base: str) -> list[str]:
    present, removed = affected(project, base)
    return sorted(present + removed)


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


def build_report(stacks: list[str], base: Side, head: Side) -> dict[str, Any]:
    """The diff of every stack, in the JSON shape ``crane diff --json`` prints."""
    entries: list[dict[str, Any]] = []
    risky: list[str] = []
    invalid: list[str] = []
    for stack in stacks:
        notes: list[str] = []
        for side in (base, head):
            if stack in side.errors:
                invalid.append(f"{stack}: invalid at {side.label}: {side.errors[stack]}")
            if stack in side.missing:
                notes.append(f"no stacks/{stack}.yaml at {side.label}")
        if any(stack in side.errors for side in (base, head)):
            entries.append({"stack": stack, "changes": [], "cost": None, "notes": notes, "invalid": True})
            continue
        old, new = base.plans.get(stack, []), head.plans.get(stack, [])
        changes = diff(old, new)
        risky += at_risk(changes)
        cost = {"base": estimate(old).total if old else 0.0, "head": estimate(new).total if new else 0.0}
        entries.append(
            {"stack": stack, "changes": [c.as_json() for c in changes], "cost": cost, "notes": notes, "invalid": False}
        )
    return {"stacks": entries, "data_at_risk": sorted(risky), "invalid": invalid}


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


def text(report: dict[str, Any]) -> str:
    """The report for a terminal."""
    out = []
    for entry in report["stacks"]:
        risky = [c for c in entry["changes"] if _risk(c)]
        state = "INVALID" if entry["invalid"] else f"{_counts(entry['changes'])}; data at risk: {len(risky) or 'none'}"
        out.append(f"{entry['stack']}: {state}")
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


def markdown(report: dict[str, Any]) -> str:
    """The report as a pull-request comment; one ``crane-diff:<stack>`` marker per stack."""
    out = []
    for entry in report["stacks"]:
        stack = entry["stack"]
        risky = [c for c in entry["changes"] if _risk(c)]
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
                f"> [!CAUTION]\n> **Data at risk**: {len(risky)} resource(s) holding client data would be replaced or "
                f"deleted. This check fails unless the pull request carries the label `{LABEL}`.",
            ]
        if entry["changes"]:
            out += ["", "| action | resource | type | what changes |", "|---|---|---|---|"]
        for c in entry["changes"]:
            mark = " ⚠️ **data at risk**" if _risk(c) else " (data)" if c["data"] else ""
            mark += f" (import `{c['import_id']}`)" if c.get("import_id") else ""
            what = "<br>".join(
                f"`{i['path']}`: `{_short(i['old'], 60)}` → `{_short(i['new'], 60)}`" for i in c["inputs"][:8]
            )
            more = len(c["inputs"]) - 8
            what += f"<br>… {more} more" if more > 0 else ""
            why = "<br>".join(f"_{note}_" for note in c.get("why", []))
            what = "<br>".join(part for part in (what, why) if part)
            out.append(f"| {c['action']}{mark} | `{_name(c['urn'])}` | {c['type'].split(':')[-1]} | {what} |")
        out.append("")
    return "\n".join(out)
