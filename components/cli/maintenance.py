"""``crane maintenance on|off CLIENT``: turn a client's maintenance page on or off, now.

It sets ``service.maintenance`` in the client's spec (comments kept), so the change is
declarative and goes through review like any other, and, where the Pulumi CLI is on PATH,
runs a `pulumi up` targeted at the maintenance rule alone: the page is up (or down) in about
a minute without deploying anything else of the spec (crane_it.ops.maintenance). Commit the
spec change afterwards, or the next `pulumi up` from the main branch undoes it. Without the
CLI it prints the command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "turn a client's maintenance page (503 from the load balancer) on or off: spec field + targeted pulumi up"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the maintenance options on parser."""
    parser.add_argument("state", choices=("on", "off"))
    parser.add_argument("client", metavar="CLIENT")
    parser.add_argument("--stack", help="the stack (default: the client's slug)")
    parser.add_argument("--spec", type=Path, help="the spec file (default: stacks/<stack>.yaml)")
    parser.add_argument("--no-up", action="store_true", help="only edit the spec; do not run pulumi up")


def run(args: argparse.Namespace) -> int:
    """0 done, 1 pulumi up failed, 2 refused (nothing changed)."""
    from ..errors import CraneError
    from ..ops import pulumi_cli
    from ..ops.maintenance import switch

    try:
        switched = switch(args.client, args.state == "on", args.stack, args.spec)
    except CraneError as error:
        print(f"crane maintenance: {error}; nothing changed", file=sys.stderr)
        return 2
    path = switched.spec_path
    print(f"{path.name}: service.maintenance {'true' if args.state == 'on' else 'removed (off)'}")
    if args.no_up or pulumi_cli.installed() is None:
        why = "--no-up" if args.no_up else "no Pulumi CLI on PATH"
        print(f"not deployed ({why}); run: pulumi {' '.join(switched.up)} --stack {switched.stack}")
        return 0
    try:
        pulumi_cli.run(switched.project, switched.stack, *switched.up)
    except Exception as error:  # CalledProcessError, OSError: the spec stays changed, say so
        print(
            f"crane maintenance: pulumi up failed ({error}); the spec is changed, re-run or revert it", file=sys.stderr
        )
        return 1
    print(f"maintenance {args.state} for {switched.client}; commit {path.name} so the next deploy keeps it")
    return 0
