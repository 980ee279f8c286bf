"""The ``crane`` command (also ``python -m crane_it``): plan, schema and the operational commands."""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__

COMMANDS: dict[str, str] = {
    "affected": "affected",
    "cost": "cost",
    "diff": "diff",
    "exec": "exec",
    "history": "history",
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
    """Parse argv, run the chosen subcommand and return its exit code."""
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
