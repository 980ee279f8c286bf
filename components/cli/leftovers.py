"""``crane leftovers STACK``: the stack's database instances no longer declared (crane_it.ops.leftovers).

It changes nothing: it lists each instance and prints how to delete it with a final snapshot.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

HELP = "list a stack's database instances that are no longer declared (left over by an undo or a second reset)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `crane leftovers`."""
    parser.add_argument("stack", help="the client stack, e.g. acme (reads stacks/<stack>.yaml)")
    parser.add_argument("--spec", type=Path, help="the stack's spec file, if not stacks/<stack>.yaml")
    parser.add_argument("--project", type=Path, help="the Pulumi project directory (default: found from here upward)")
    parser.add_argument("--endpoint-url", help="RDS endpoint, e.g. a local moto server")
    parser.add_argument("--json", action="store_true", help="print the leftovers as JSON")


def run(args: argparse.Namespace) -> int:
    """0: no leftovers; 1: leftovers listed (delete them before a major upgrade or a retire); 2: refused
    (a bad spec, no boto3: the CraneError, in crane_it.cli.main)."""
    from ..errors import AwsError
    from ..loader import spec_path
    from ..ops.leftovers import stack_leftovers
    from ..project import find_project, stacks_dir

    path = args.spec or spec_path(args.stack, stacks_dir(find_project(args.project)))
    try:
        leftovers = stack_leftovers(args.stack, path, args.endpoint_url)
    except AwsError as error:
        print(f"leftovers: could not list the database instances: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([asdict(leftover) | {"commands": leftover.commands()} for leftover in leftovers], indent=2))
    elif not leftovers:
        print(f"stack {args.stack}: no leftover database instances")
    else:
        print(f"stack {args.stack}: {len(leftovers)} database instance(s) no longer in the spec:")
        for leftover in leftovers:
            protection = "deletion-protected" if leftover.deletion_protection else "not deletion-protected"
            print(
                f"  {leftover.identifier}  {leftover.status}, created {leftover.created}, {protection}, "
                f"parameter group {', '.join(leftover.parameter_groups) or '?'}, subnet group {leftover.subnet_group}"
            )
        print("Check that nothing in them is still needed, then delete each (a final snapshot is kept):")
        for leftover in leftovers:
            for command in leftover.commands():
                print(f"  {command}")
    return 1 if leftovers else 0
