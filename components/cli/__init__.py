"""The ``crane`` command (also ``python -m crane_it``): plan, schema and the operational commands.

Each module named in COMMANDS only parses, prints and sets exit codes; it imports its engine
(crane_it.review, crane_it.ops) inside ``run``, so building the parser (``crane --help``)
imports neither the Pulumi SDK nor boto3. Nothing but ``__main__`` and the console script
imports this package.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__
from ..errors import CraneError

COMMANDS: dict[str, str] = {
    "affected": "affected",
    "cost": "cost",
    "diff": "diff",
    "exec": "exec",
    "history": "history",
    "job": "job",
    "logs": "logs",
    "plan": "plan",
    "leftovers": "leftovers",
    "maintenance": "maintenance",
    "reset": "reset",
    "reset-bucket": "reset_bucket",
    "run": "run",
    "schema": "schema",
    "status": "status",
}
"""Subcommand name -> module in crane_it.cli with ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``."""


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with one subparser per entry of COMMANDS."""
    parser = argparse.ArgumentParser(prog="crane", description="Crane It: stateless client web apps on AWS.")
    parser.add_argument("--version", action="version", version=f"crane-it {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"{__name__}.{module_name}")
        subparser = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(subparser)
        subparser.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse argv, run the chosen subcommand and return its exit code.

    A CraneError a command does not handle itself (a bad spec, no project, git or a missing
    extra) is one line on stderr and exit 2: the input was refused, nothing changed.
    """
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except CraneError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
