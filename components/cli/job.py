"""``crane job run CLIENT NAME`` and ``crane job list CLIENT``: a client's scheduled jobs (crane_it.ops.jobs)."""

from __future__ import annotations

import argparse
import json
import sys

from .arguments import add_aws_arguments
from .exits import INTERRUPTED, guarded
from .output import table

HELP = "list a client's scheduled jobs, or run one now as its schedule would (its exit code)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``run`` and ``list`` subcommands, each with the day-two options."""
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    run_parser = actions.add_parser("run", help="start one run now with the job's command; stream its log")
    add_aws_arguments(run_parser)
    run_parser.add_argument("job", metavar="NAME", help="the job's name in the spec's `jobs:`")
    run_parser.epilog = "exit status: the task's exit code; 1 it could not start or was stopped; 2 refused"
    list_parser = actions.add_parser("list", help="schedules, state, last run and outcome")
    add_aws_arguments(list_parser)


def run(args: argparse.Namespace) -> int:
    """Dispatch to ``run`` or ``list``."""
    return guarded(f"job {args.action}", lambda: _run(args) if args.action == "run" else _list(args))


def _run(args: argparse.Namespace) -> int:
    from ..ops.aws import Aws, find_app, short_arn
    from ..ops.jobs import find_job, start_job
    from ..ops.one_off_task import wait_for_exit

    aws = Aws(args.region, args.endpoint_url)
    app = find_app(aws, args.client, args.stack)
    job = find_job(aws, app, args.job)
    task_arn = start_job(aws, app, job)
    print(f"{app.client}: job {job.name} started task {short_arn(task_arn)}: {' '.join(job.command)}", file=sys.stderr)
    try:
        return wait_for_exit(aws, app, task_arn, definition_arn=job.task_definition_arn)
    except KeyboardInterrupt:
        print(
            f"task {short_arn(task_arn)} keeps running; stop it with `aws ecs stop-task --task {task_arn}`",
            file=sys.stderr,
        )
        return INTERRUPTED


def _list(args: argparse.Namespace) -> int:
    from ..ops.aws import Aws, find_app, iso, log_target, short_arn, task_definition
    from ..ops.jobs import last_run, list_jobs

    aws = Aws(args.region, args.endpoint_url)
    app = find_app(aws, args.client, args.stack)
    jobs = list_jobs(aws, app)
    rows = []
    for job in jobs:
        group, _ = log_target(task_definition(aws, job.task_definition_arn))
        last = last_run(aws, app, job, group)
        rows.append(
            {
                "job": job.name,
                "schedule": job.expression,
                "state": job.state,
                "command": " ".join(job.command),
                "last_run": iso(last.started) if last else "never",
                "outcome": last.status if last else "",
                "task": short_arn(last.task) if last and last.task else "",
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print(f"{app.client} has no scheduled jobs")
        return 0
    for line in table([[key.upper() for key in rows[0]]] + [list(row.values()) for row in rows]):
        print(line)
    return 0
