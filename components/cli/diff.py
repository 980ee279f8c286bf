"""`crane diff [STACK ...] --base REF`: what a change does to each client, before it touches one.

Each stack is rendered at REF with that revision's own library and in the working tree, and
the two plans are compared resource by resource (crane_it.review.diff_report).

Exit status: 0 when no data is at risk, 3 when some is, 2 when a spec is invalid (at REF or in
the working tree: the message says which) or git cannot give REF.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = "diff each stack's plan at git REF against the working tree: create/update/replace/delete, data at risk, cost"

DATA_AT_RISK = 3
INVALID = 2


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
    from ..project import find_project
    from ..review.diff_report import compare, markdown, text

    report = compare(find_project(args.project), args.base, args.stacks)
    if report is None:
        print("no stack is affected by this change")
        return 0
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
