"""`crane affected --base REF`: the client stacks a change touches, one per line (crane_it.review.affected)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = "list the client stacks a change touches (against git REF), for CI to preview or deploy"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `crane affected`."""
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--base", help="git ref the change is compared with, e.g. origin/main")
    which.add_argument("--all", action="store_true", help="every stack (a first deploy, a new repository)")
    parser.add_argument("--project", type=Path, help="the Pulumi project directory (default: found from here upward)")
    parser.add_argument("--json", action="store_true", help="print a JSON list (for a CI matrix)")
    parser.add_argument(
        "--removed",
        action="store_true",
        help="list the stacks the change removed (or renamed) instead, each with whether it was retired first",
    )


def run(args: argparse.Namespace) -> int:
    """Print the affected stacks; git or the project failing raises (exit 2 in crane_it.cli.main)."""
    from ..project import find_project
    from ..review.affected import affected, retired_at, stacks_in
    from ..review.revisions import merge_base

    project = find_project(args.project)
    if args.all:
        print(json.dumps(stacks_in(project)) if args.json else "\n".join(stacks_in(project)))
        return 0
    found = affected(project, args.base)
    if args.removed:
        commit = merge_base(project, args.base)
        rows = []
        for stack in found.removed:
            retired = retired_at(project, commit, found.base[stack])
            rows.append({"stack": stack, "retired": retired, "line": removed_line(stack, retired)})
        if args.json:
            print(json.dumps(rows))
        else:
            print("\n".join(f"{row['stack']}: {row['line']}" for row in rows))
        return 0
    for stack in found.removed:
        print(f"note: {removed_line(stack, False)} (crane affected --removed lists them)", file=sys.stderr)
    if args.json:
        print(json.dumps(found.stacks))
    elif found.stacks:
        print("\n".join(found.stacks))
    return 0


def removed_line(stack: str, retired: bool) -> str:
    """What a removed stack means, in one line."""
    if retired:
        return (
            f"stack {stack} was retired (retire: true) before its spec left the repo; `pulumi destroy --stack "
            f"{stack}` finishes the retirement"
        )
    return (
        f"stack {stack} is no longer in the repo, but nothing destroys it: its resources, data and domain stay "
        f"as they are. Retire it first (retire: true, deployed) or label the pull request retire-stack"
    )
