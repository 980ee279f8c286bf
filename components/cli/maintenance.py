"""``crane maintenance on|off CLIENT``: turn a client's maintenance page on or off, now.

It sets ``service.maintenance`` in the client's spec (comments kept), so the change is
declarative and goes through review like any other, and, where the Pulumi CLI is on PATH,
runs a `pulumi up` targeted at the maintenance rule alone: the page is up (or down) in about
a minute without deploying anything else of the spec. Commit the spec change afterwards, or
the next `pulumi up` from the main branch undoes it. Without the CLI it prints the command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.naming import base_name
from ..loader import SpecError, load_stack_spec
from ..ops.spec_edit import edit_spec
from ..project import ProjectError, find_project, stacks_dir
from ..spec import ClientSpec
from . import reset

HELP = "turn a client's maintenance page (503 from the load balancer) on or off: spec field + targeted pulumi up"
RULE = "aws:lb/listenerRule:ListenerRule"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the maintenance options on parser."""
    parser.add_argument("state", choices=("on", "off"))
    parser.add_argument("client", metavar="CLIENT")
    parser.add_argument("--stack", help="the stack (default: the client's slug)")
    parser.add_argument("--spec", type=Path, help="the spec file (default: stacks/<stack>.yaml)")
    parser.add_argument("--no-up", action="store_true", help="only edit the spec; do not run pulumi up")


def run(args: argparse.Namespace) -> int:
    """0 done, 1 pulumi up failed, 2 refused (nothing changed)."""
    try:
        project = find_project(args.spec.parent if args.spec else None)
        stack = args.stack or args.client
        path = (args.spec or stacks_dir(project) / f"{stack}.yaml").resolve()
        spec = load_stack_spec(path, stack=stack)
    except (SpecError, ProjectError) as error:
        print(f"crane maintenance: {error}; nothing changed", file=sys.stderr)
        return 2
    if not isinstance(spec, ClientSpec) or spec.client != args.client:
        print(f"crane maintenance: {path} is not the spec of client {args.client}; nothing changed", file=sys.stderr)
        return 2
    on = args.state == "on"
    rule = f"{base_name(spec.client, stack)}-maintenance"
    # The rule's URN exists in the spec only while maintenance is on: take it from the "on" spec.
    text = path.read_text(encoding="utf-8")
    path.write_text(edit_spec(text, maintenance=True), encoding="utf-8")
    try:
        urn = reset.urn_of(project, stack, path, RULE, rule)
    finally:
        path.write_text(edit_spec(text, maintenance=True if on else None), encoding="utf-8")
    print(f"{path.name}: service.maintenance {'true' if on else 'removed (off)'}")
    command = ["up", "--yes", "--target", urn]
    if args.no_up or reset.pulumi_cli() is None:
        why = "--no-up" if args.no_up else "no Pulumi CLI on PATH"
        print(f"not deployed ({why}); run: pulumi {' '.join(command)} --stack {stack}")
        return 0
    try:
        reset.run_pulumi(project, stack, *command)
    except Exception as error:  # CalledProcessError, OSError: the spec stays changed, say so
        print(
            f"crane maintenance: pulumi up failed ({error}); the spec is changed, re-run or revert it", file=sys.stderr
        )
        return 1
    print(f"maintenance {args.state} for {spec.client}; commit {path.name} so the next deploy keeps it")
    return 0
