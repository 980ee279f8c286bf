"""``crane run``: a one-off task with the app's task definition and network (crane_it.ops.one_off_task)."""

from __future__ import annotations

import argparse
import sys

from .arguments import add_aws_arguments, command_after_dashes
from .exits import INTERRUPTED, guarded

HELP = "run a one-off task with the app's task definition and network (migrations); return its exit code"


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options of this command, also accepted between the client and ``--``."""
    parser.add_argument("--force", action="store_true", help="run even while a deployment is in progress")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the run options on parser."""
    add_aws_arguments(parser)
    add_options(parser)
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND", help="the command to run")
    parser.epilog = "exit status: the task's exit code; 1 the task could not start or was stopped; 2 refused"


def run(args: argparse.Namespace) -> int:
    """Start the task and wait for it; its exit code, or 2 refused before starting."""
    from ..errors import OpsError
    from ..ops.aws import Aws, find_app, short_arn
    from ..ops.one_off_task import start_task, wait_for_exit

    def body() -> int:
        command = command_after_dashes(args, add_options)
        if not command:
            raise OpsError("give the command after --, like: crane run acme -- python manage.py migrate")
        aws = Aws(args.region, args.endpoint_url)
        app = find_app(aws, args.client, args.stack)
        task_arn = start_task(aws, app, command, force=args.force)
        task_id = short_arn(task_arn)
        print(f"{app.client}: started task {task_id} ({short_arn(app.task_definition_arn)})", file=sys.stderr)
        try:
            return wait_for_exit(aws, app, task_arn)
        except KeyboardInterrupt:
            print(f"task {task_id} keeps running; stop it with `aws ecs stop-task --task {task_arn}`", file=sys.stderr)
            return INTERRUPTED

    return guarded("run", body)
