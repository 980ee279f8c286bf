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


def run(args: argparse.Namespace) -> int:
    """Print the affected stacks; git or the project failing raises (exit 2 in crane_it.cli.main)."""
    from ..project import find_project
    from ..review.affected import affected, stacks_in

    project = find_project(args.project)
    stacks, removed = (stacks_in(project), []) if args.all else affected(project, args.base)
    for stack in removed:
        # Nothing deploys a stack without a spec; its resources stay until someone destroys it.
        print(f"note: stacks/{stack}.yaml was removed; its stack is not deployed or destroyed", file=sys.stderr)
    if args.json:
        print(json.dumps(stacks))
    elif stacks:
        print("\n".join(stacks))
    return 0
