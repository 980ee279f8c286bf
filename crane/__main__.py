"""Run an operational command: `python -m crane <command> ...`."""

import argparse
import sys
from types import ModuleType

from crane import plan, reset, schema

COMMANDS: dict[str, ModuleType] = {
    "plan": plan,
    "reset-bucket": reset,
    "schema": schema,
}
"""Subcommand name -> module with `HELP`, `add_arguments(parser)` and `run(args) -> int`."""


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with one subparser per entry of COMMANDS."""
    parser = argparse.ArgumentParser(prog="python -m crane")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        subparser = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(subparser)
        subparser.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse argv, run the chosen subcommand and return its exit code."""
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
