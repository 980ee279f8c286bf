"""`crane diff [STACK ...] --base REF`: what a change does to each client, before it touches one.

Each stack is rendered at REF with that revision's own library and in the working tree, and
the two plans are compared resource by resource (crane_it.review.diff_report).

Exit status: 0 when no risk line lacks its label, 2 when a spec is invalid (at REF or in the
working tree: the message says which), a stack cannot be placed or git cannot give REF, else the
status of the most serious risk not allowed: 3 data at risk, 4 stack removed, 5 major engine
upgrade, 6 service down, 7 domain or certificate change, 8 deletion protection change
(crane_it.review.risks; labels through ``--allow``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = "diff each stack's plan at git REF against the working tree: create/update/replace/delete, data at risk, cost"

DATA_AT_RISK = 3
INVALID = 2
"""Also crane_it.review.risks' exit statuses; kept here for callers of 0.4."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `crane diff`."""
    parser.add_argument("stacks", nargs="*", metavar="STACK", help="stacks to diff (default: those the change affects)")
    parser.add_argument("--base", required=True, help="git ref to diff against, e.g. origin/main")
    parser.add_argument("--project", type=Path, help="the Pulumi project directory (default: found from here upward)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the diff as JSON")
    output.add_argument("--markdown", action="store_true", help="print the diff as a pull-request comment")
    parser.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="LABEL[,LABEL]",
        help="risk labels that say a risk is intended (the pull request's labels), e.g. allow-data-replacement",
    )
    parser.add_argument(
        "--comments",
        type=Path,
        metavar="DIR",
        help="also write one pull-request comment per client to DIR/<client>.md (its first line is its marker)",
    )


def run(args: argparse.Namespace) -> int:
    """Diff the stacks and print the report; the exit status names the most serious risk not allowed."""
    from ..project import find_project
    from ..review.diff_report import comments, compare, markdown, text

    allowed = [label.strip() for value in args.allow for label in value.split(",") if label.strip()]
    report = compare(find_project(args.project), args.base, args.stacks, allowed)
    if report is None:
        print("no stack is affected by this change")
        return 0
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    elif args.markdown:
        print(markdown(report))
    else:
        print(text(report))
    if args.comments:
        args.comments.mkdir(parents=True, exist_ok=True)
        for client, body in comments(report).items():
            (args.comments / f"{client}.md").write_text(body + "\n", encoding="utf-8")
    for message in report["invalid"]:
        print(f"error: {message}", file=sys.stderr)
    status: int = report["exit"]
    return status
