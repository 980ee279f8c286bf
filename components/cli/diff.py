"""`crane diff [STACK ...] --base REF`: what a change does to each client, before it touches one.

Each stack is rendered twice, offline: at REF (its merge base with HEAD, from a temporary git
worktree, with *that* revision's library code) and in the working tree (crane_it.review.revisions).
The two plans are compared resource by resource (crane_it.review.plan_diff): ``create``, ``update``
with the changed inputs old → new, ``replace`` when a replace-forcing input changed, ``delete``.
A replace or delete of a resource that holds data is *data at risk*.

Exit status: 0 when no data is at risk, 3 when some is, 2 when a spec is invalid (at REF or in
the working tree: the message says which) or git cannot give REF.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from ..project import ProjectError, find_project
from ..review.cost import estimate
from ..review.plan_diff import ACTIONS, Change, at_risk, diff
from ..review.revisions import RevisionError, Side, merge_base, render_both
from .affected import affected

HELP = "diff each stack's plan at git REF against the working tree: create/update/replace/delete, data at risk, cost"

DATA_AT_RISK = 3
INVALID = 2
LABEL = "allow-data-replacement"
"""The pull-request label that lets CI pass with data at risk (see .github/workflows/preview.yml)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `crane diff`."""
    parser.add_argument("stacks", nargs="*", metavar="STACK", help="stacks to diff (default: those the change affects)")
    parser.add_argument("--base", required=True, help="git ref to diff against, e.g. origin/main")
    parser.add_argument("--project", type=Path, help="the Pulumi project directory (default: found from here upward)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the diff as JSON")
    output.add_argument("--markdown", action="store_true", help="print the diff as a pull-request comment")


def run(args: argparse.Namespace) -> int:
    """Diff the stacks and print the report; the exit status says whether data is at risk."""
    try:
        project = find_project(args.project)
        commit = merge_base(project, args.base)
        stacks = sorted(set(args.stacks)) or _affected(project, args.base)
        if not stacks:
            print("no stack is affected by this change")
            return 0
        base, head = render_both(project, commit, f"{args.base} ({commit[:10]})", stacks)
    except (ProjectError, RevisionError) as err:
        print(f"error: {err}", file=sys.stderr)
        return INVALID
    report = build_report(stacks, base, head)
    _add_shares(report, project)
    report["base"] = {"ref": args.base, "commit": commit, "library": base.library}
    report["head"] = {"library": head.library}
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    elif args.markdown:
        print(markdown(report))
    else:
        print(text(report))
    if report["invalid"]:
        for message in report["invalid"]:
            print(f"error: {message}", file=sys.stderr)
        return INVALID
    return DATA_AT_RISK if report["data_at_risk"] else 0


def _add_shares(report: dict[str, Any], project: Path) -> None:
    """Each platform stack's, or client-on-a-platform's, platform share at head (crane_it.review.cost_share).

    Head only: the base's share would need the base's platform and clients rendered with the
    base's library. The ``cost`` base/head figures stay each stack's own cost.
    """
    from ..loader import SpecError
    from ..project import stacks_dir
    from ..review.cost_share import platform_of, share_of  # renders offline: loaded when needed

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


def _affected(project: Path, base: str) -> list[str]:
    present, removed = affected(project, base)
    return sorted(present + removed)


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


def _cost(stack: str, cost: dict[str, Any] | None) -> str:
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
            keys = f"  ({', '.join(c['keys'])})" if c["keys"] else ""
            out.append(f"  {c['action']:<8} {c['type']}  {_name(c['urn'])}{flags}{keys}")
            out += [f"      {i['path']}: {_short(i['old'])} → {_short(i['new'])}" for i in c["inputs"]]
        out.append(f"  {_cost(entry['stack'], entry['cost'])}")
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
        out.append(f"{_counts(entry['changes'])} · {_cost(entry['stack'], entry['cost'])}")
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
            what = "<br>".join(
                f"`{i['path']}`: `{_short(i['old'], 60)}` → `{_short(i['new'], 60)}`" for i in c["inputs"][:8]
            )
            more = len(c["inputs"]) - 8
            what += f"<br>… {more} more" if more > 0 else ""
            out.append(f"| {c['action']}{mark} | `{_name(c['urn'])}` | {c['type'].split(':')[-1]} | {what} |")
        out.append("")
    return "\n".join(out)


__all__ = ["Change", "build_report", "markdown", "text"]
