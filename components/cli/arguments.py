"""Argument types and options the `crane` commands share: the day-two options, durations, ``--``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import timedelta

from ..errors import OpsError


def add_aws_arguments(parser: argparse.ArgumentParser, *, client: bool = True) -> None:
    """The options every day-two command takes: the client, --stack, --region, --endpoint-url, --json."""
    parser.set_defaults(command_name=parser.prog.rsplit(" ", 1)[-1])
    if client:
        parser.add_argument("client", metavar="CLIENT", help="the client's slug (its `client` tag)")
    parser.add_argument("--stack", help="the stack (its `stack` tag), when the client has several in the region")
    parser.add_argument("--region", help="AWS region of the client (default: the AWS profile's region)")
    parser.add_argument("--endpoint-url", help="AWS endpoint for every service, e.g. a local moto server")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def command_after_dashes(args: argparse.Namespace, add_options: Callable[[argparse.ArgumentParser], None]) -> list[str]:
    """The command after ``--`` in ``args.command``; options written before the ``--`` are parsed.

    argparse cannot mix options with a positional command that follows them, so the command
    is declared with ``nargs=REMAINDER`` and everything between the client and ``--``
    (``crane run acme --force -- python manage.py migrate``) is parsed here into ``args``.
    """
    rest = list(args.command)
    if "--" not in rest:
        if rest and rest[0].startswith("-"):
            raise OpsError(f"put the command after --, like: crane {args.command_name} CLIENT {rest[0]} -- COMMAND")
        return rest
    split = rest.index("--")
    options = argparse.ArgumentParser(prog=f"crane {args.command_name}", add_help=False)
    add_aws_arguments(options, client=False)
    add_options(options)
    try:
        options.parse_args(rest[:split], namespace=args)
    except SystemExit as exit_:
        raise OpsError(f"unreadable options before --: {' '.join(rest[:split])}") from exit_
    return rest[split + 1 :]


def duration(text: str) -> timedelta:
    """``90s``, ``15m``, ``1h``, ``30d`` -> timedelta, refusing anything else by name."""
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    number, unit = text[:-1], text[-1:]
    if unit not in units or not number.isdigit() or int(number) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 90s, 15m, 1h or 30d")
    return timedelta(**{units[unit]: int(number)})


def positive(text: str) -> int:
    """A strictly positive integer option."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value
