"""`crane cost STACK` (or `--all`, the fleet): a monthly list-price estimate of a client, every line with its source.

The estimate prices the stack's rendered plan (crane_it.review.cost), so it covers exactly what
`pulumi up` would declare. A client on a platform is shown with its share of the platform
beside its own cost, and a platform with its cost per client (crane_it.review.cost_share).
Usage the plan cannot know (traffic, logs, stored data) comes from named assumptions, shown
with the lines that use them; change one with ``--assume NAME=VALUE``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..review.cost import USAGE

HELP = "estimate a stack's monthly AWS list-price cost, line by line with sources (offline)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `crane cost`."""
    parser.add_argument("stack", nargs="?", help="the client stack, e.g. example (reads stacks/<stack>.yaml)")
    parser.add_argument(
        "--all", action="store_true", help="the fleet: every stack in stacks/, own cost and platform share"
    )
    parser.add_argument("--spec", type=Path, help="price this spec file instead of stacks/<stack>.yaml")
    parser.add_argument("--project", type=Path, help="the Pulumi project directory (default: found from here upward)")
    parser.add_argument(
        "--assume",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"override a usage assumption; names: {', '.join(USAGE)}",
    )
    parser.add_argument("--json", action="store_true", help="print the estimate as JSON")


def _usage(pairs: list[str]) -> dict[str, float]:
    usage = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in USAGE:
            raise ValueError(f"--assume {pair}: unknown assumption {name!r}; valid: {', '.join(USAGE)}")
        try:
            usage[name] = float(value)
        except ValueError:
            raise ValueError(f"--assume {pair}: {value!r} is not a number") from None
    return usage


def run(args: argparse.Namespace) -> int:
    """Print the estimate (or the fleet's); exit 2 for a bad --assume or a bad choice of stacks,
    or a bad spec (SpecError, in crane_it.cli.main)."""
    from ..review.cost import format_lines
    from ..review.cost_share import fleet, stack_cost

    if bool(args.stack) == bool(args.all) or (args.all and args.spec):
        print("error: name one STACK, or --all (without --spec) for every stack in stacks/", file=sys.stderr)
        return 2
    try:
        usage = _usage(args.assume)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.all:
        everything = fleet(args.project, usage)
        print(
            json.dumps(everything.as_json(), indent=2, sort_keys=True) if args.json else "\n".join(everything.lines())
        )
        return 0
    result = stack_cost(args.stack, args.spec, args.project, usage)
    if args.json:
        print(json.dumps(result.as_json(), indent=2, sort_keys=True))
        return 0
    print(f"{args.stack}: " + "\n".join(format_lines(result.own)))
    if result.share is not None:
        own = None if result.share.platform == args.stack else result.own.total
        print("  " + result.share.line(own))
    return 0
