"""`crane plan STACK`: print a stack's plan, rendered offline (crane_it.review.render).

The tree shows every resource `pulumi up` would declare for the stack, grouped by component,
with the settings a reviewer cares about and the data-protection options on each resource
(crane_it.review.plan_text), then the monthly estimate and, for a platform or a client on one,
the platform share. Exit 2 for a bad spec or no Pulumi project (the message says which).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "render a stack's plan offline (no Pulumi CLI, no AWS), from the Pulumi project in this directory"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `crane plan`."""
    parser.add_argument(
        "stack",
        nargs="?",
        help="the stack, e.g. example (stacks/example.yaml) or acme-staging (Pulumi.acme-staging.yaml)",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="every stack the project declares, rendered in one process (exit 2 if any fails)",
    )
    parser.add_argument("--spec", type=Path, help="render this spec file instead of stacks/<stack>.yaml")
    parser.add_argument("--project", type=Path, help="the Pulumi project directory (default: found from here upward)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument(
        "--json", action="store_true", help="print every resource with all its inputs as stable, sorted JSON"
    )
    output.add_argument("--urns", action="store_true", help="print only the sorted resource URNs")


def run(args: argparse.Namespace) -> int:
    """Print the plan of ``args.stack`` (or of every stack); a bad spec raises SpecError (exit 2 in crane_it.cli.main)."""
    if args.all == bool(args.stack) or (args.all and args.spec):
        print("crane plan: name one stack (optionally with --spec), or pass --all", file=sys.stderr)
        return 2
    if not args.all:
        return _one(args.stack, args)
    from ..errors import CraneError
    from ..project import find_project
    from ..review.stacks import stacks_of

    project = find_project(args.project)
    failed = []
    for stack in stacks_of(project):
        if not (args.json or args.urns):
            print(f"== {stack}")
        try:
            _one(stack, args, project)
        except CraneError as err:
            failed.append(stack)
            print(f"error: {stack}: {err}", file=sys.stderr)
    if failed:
        print(f"error: {len(failed)} stack(s) do not render: {', '.join(failed)}", file=sys.stderr)
    return 2 if failed else 0


def _one(stack: str, args: argparse.Namespace, project: Path | None = None) -> int:
    from ..review import plan_json
    from ..review.cost import cost_line, estimate
    from ..review.cost_share import stack_cost
    from ..review.plan_text import summary, tree_lines
    from ..review.render import render_stack

    project = project or args.project
    plan = render_stack(stack, args.spec, project)
    if args.json:
        # Byte-identical across runs: sorted, unknowns and secrets as fixed markers (plan_json).
        sys.stdout.write(plan_json.dumps(plan_json.document(plan)))
        return 0
    if args.urns:
        print("\n".join(sorted(r.urn for r in plan)))
        return 0
    print("\n".join(tree_lines(plan)))
    print(summary(plan))
    print(cost_line(estimate(plan_json.document(plan))) + "  (crane cost for every line)")
    result = stack_cost(stack, args.spec, project, plan=plan)
    if result.share is not None:
        print(result.share.line(None if result.share.platform == stack else result.own.total))
    return 0
