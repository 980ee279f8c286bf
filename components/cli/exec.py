"""``crane exec``: a shell, or one command, in a running task of the app (ECS Exec, crane_it.ops.ecs_exec)."""

from __future__ import annotations

import argparse

from .arguments import add_aws_arguments, command_after_dashes
from .exits import guarded

HELP = "open a shell, or run one command, in a running task of a client's app (ECS Exec)"
DEFAULT_SHELL = "/bin/sh"
"""What a session runs without a command: the image's shell."""


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options of this command, also accepted between the client and ``--``."""
    parser.add_argument("--task", metavar="ID", help="the task to enter (default: the first running one)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the exec options on parser."""
    add_aws_arguments(parser)
    add_options(parser)
    parser.add_argument(
        "command", nargs=argparse.REMAINDER, metavar="-- COMMAND", help=f"command to run (default {DEFAULT_SHELL})"
    )


def run(args: argparse.Namespace) -> int:
    """Enter the task; the session's exit code, or 2 refused."""
    from ..ops.aws import Aws, find_app
    from ..ops.ecs_exec import choose_task, open_session, require_exec_enabled, require_plugin

    def body() -> int:
        command = command_after_dashes(args, add_options)
        aws = Aws(args.region, args.endpoint_url)
        app = find_app(aws, args.client, args.stack)
        require_exec_enabled(app)
        plugin = require_plugin()
        task = choose_task(aws, app, args.task)
        return open_session(aws, app, task, command or [DEFAULT_SHELL], plugin)

    return guarded("exec", body)
