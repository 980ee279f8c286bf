"""``crane reset CLIENT --to TIME``: a client's app and data back to an earlier time, in one command.

The engine is crane_it.ops.reset (engine: check and plan; steps: run, resume, undo); this
module parses, prints the plan, asks for confirmation and sets the exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import OpsError
from ..ops.reset.bucket_copying import DEFAULT_WORKERS
from .arguments import add_aws_arguments
from .exits import guarded

HELP = "reset a client, app and data, to an earlier time in one command (plan, maintenance, restore, bucket, rollout)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the reset options on parser."""
    add_aws_arguments(parser)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--to", metavar="TIME", help="the time to go back to, ISO-8601 with a zone: 2026-11-20T10:00:00Z")
    what.add_argument("--resume", action="store_true", help="continue the reset recorded in the state file")
    what.add_argument("--undo", action="store_true", help="revert the reset recorded in the state file")
    parser.add_argument("--dry-run", action="store_true", help="check and print the plan; change nothing")
    parser.add_argument("--apply", action="store_true", help="also run `pulumi up` (needs the Pulumi CLI)")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument("--image", help="run this image after the reset instead of the one found in the history")
    parser.add_argument("--spec", type=Path, help="the client's spec (default: stacks/<stack>.yaml of the project)")
    parser.add_argument("--commit", action="store_true", help="git commit the spec change for the pull request")
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help=f"parallel S3 copies (default {DEFAULT_WORKERS})",
    )


def print_plan(result: dict[str, Any], dry_run: bool) -> None:
    """The plan as a person reads it."""
    mode = " (dry run: nothing changed)" if dry_run else ""
    print(f"reset {result['client']} (stack {result['stack']}) to {result['to']}{mode}")
    db = result.get("database")
    if db:
        print(f"  database  {db['source']} restored into {db['restored']} (restore id {db['restore_id']})")
        print(f"            restorable now: {db['window'][0]} .. {db['window'][1]} ({db['window_from']})")
    app = result["app"]
    revision = f" ({app['revision']})" if app["revision"] else ""
    where = {"ecs": "the ECS deployment history", "git": "the spec's git history", "given": "--image"}[app["source"]]
    print(f"  app       {app['image']}{revision}, from {where}" + (f"; {app['note']}" if app["note"] else ""))
    bucket = result.get("bucket")
    if bucket:
        counts = bucket["counts"]
        print(
            f"  bucket    {bucket['name']}: restore {counts['restore']}, undelete {counts['undelete']}, "
            f"delete {counts['delete']} (unchanged {counts['unchanged']}, skipped {counts['skipped']})"
        )
    print("  spec      service.image, service.maintenance: true, database.restore (started by a targeted pulumi up)")
    quiet = result.get("quiet")
    if quiet:
        stopped = [f"worker {w} scaled to 0" for w in quiet["workers"]] + [f"job {j} disabled" for j in quiet["jobs"]]
        print(f"  quiet     {', '.join(stopped)}, from maintenance on until it is off")
    minutes = result["minutes"]
    print(
        f"  duration  about {minutes['after']:.0f} min to a verified app with --apply "
        f"(the README's manual procedure: about {minutes['before']:.0f} min)"
    )
    print(f"  undo      {result['undo']}")


def run(args: argparse.Namespace) -> int:
    """0 done (or planned), 1 a step failed (resume or undo), 2 refused before any change."""

    import datetime as dt

    from ..errors import ResetError
    from ..ops.reset import flow
    from ..ops.reset.bucket_plan import parse_time
    from ..ops.reset.engine import context, plan
    from ..ops.reset.steps import resume, start, undo

    def body() -> int:
        now = dt.datetime.now(dt.UTC)
        ctx = context(args, now)
        path = flow.state_path(ctx.spec_path, ctx.stack)
        if args.undo:
            return undo(ctx, flow.ResetState.load(path), path)
        if args.resume:
            return resume(ctx, flow.ResetState.load(path), path)
        if path.exists() and not flow.ResetState.load(path).finished:
            raise OpsError(f"a reset is recorded in {path} and not finished: use --resume or --undo")
        try:
            to = parse_time(args.to)
        except ResetError as error:
            raise OpsError(str(error)) from error
        try:
            result = plan(ctx, to)
        except ResetError as error:
            raise OpsError(str(error)) from error
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            print_plan(result, args.dry_run)
        if args.dry_run:
            return 0
        if not args.yes and not _confirmed(ctx.spec.client):
            raise OpsError("not confirmed")
        return start(ctx, result, path)

    return guarded("reset", body)


def _confirmed(client: str) -> bool:
    if not sys.stdin.isatty():
        raise OpsError("no terminal to confirm on: pass --yes")
    return input(f"type {client} to reset it: ").strip() == client
