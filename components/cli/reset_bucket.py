"""``crane reset-bucket``: roll a versioned S3 bucket back to its state at a past time, keeping every version.

The reset only ever adds versions (crane_it.ops.reset.bucket_plan), so it is undone by
resetting again to a later time. This module parses, asks, prints (crane_it.cli.reset_output)
and sets the exit code; the engine is crane_it.ops.reset.bucket.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ..ops.reset.bucket_copying import DEFAULT_WORKERS
from .arguments import positive
from .reset_output import ProgressLines, as_json, confirm, print_plan, print_result, summary

if TYPE_CHECKING:
    from ..ops.reset.bucket_plan import Plan

HELP = "roll a versioned S3 bucket back to its state at a past time, keeping every version"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the reset-bucket options on parser."""
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--bucket", help="name of the versioned bucket to reset")
    target.add_argument("--client", metavar="SLUG", help="reset the bucket tagged client=SLUG and managed-by=crane-it")
    parser.add_argument(
        "--to", required=True, metavar="TIME", help="target time, ISO-8601 with timezone, e.g. 2026-11-20T10:00:00Z"
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    parser.add_argument(
        "--yes", action="store_true", help="apply without asking (for scripts; needed without a terminal)"
    )
    parser.add_argument("--verbose", action="store_true", help="print one line per key in the plan")
    parser.add_argument("--prefix", default="", help="only reset keys under this prefix")
    parser.add_argument("--region", help="AWS region of the bucket")
    parser.add_argument("--endpoint-url", help="S3 endpoint, e.g. a local moto server")
    parser.add_argument(
        "--workers", type=positive, default=DEFAULT_WORKERS, help=f"parallel S3 requests (default {DEFAULT_WORKERS})"
    )
    parser.add_argument("--json", action="store_true", help="print the plan and result as JSON, every key included")
    parser.epilog = (
        "exit status: 0 done; 1 some keys failed or were skipped (listed on stderr); "
        "2 nothing changed: refused, cancelled, or S3 unreachable (message on stderr)"
    )


def run(args: argparse.Namespace) -> int:
    """Run reset-bucket: 0 done, 1 some keys failed or were skipped, 2 nothing changed."""
    from ..errors import AwsError, ResetError
    from ..ops.reset.bucket import client_bucket, plan_bucket, s3_client
    from ..ops.reset.bucket_copying import execute_plan
    from ..ops.reset.bucket_plan import parse_time

    progress = ProgressLines(sys.stderr)
    try:
        to_time = parse_time(args.to)
        client = s3_client(args.region, args.endpoint_url, args.workers)
        bucket = args.bucket or client_bucket(client, args.client)
        if args.client:
            print(f"client {args.client}: bucket {bucket}", file=sys.stderr)
        plan = plan_bucket(client, bucket, to_time, prefix=args.prefix, on_page=progress.listed_page)
        progress.listing_done()
    except ResetError as error:
        print(f"reset-bucket refused: {error}; nothing changed", file=sys.stderr)
        return 2
    except AwsError as error:
        # Credentials, endpoint, permissions: nothing was written yet.
        print(f"reset-bucket could not read the bucket: {error}; nothing changed", file=sys.stderr)
        return 2
    for skipped in plan.skipped:
        print(f"skipped {skipped.key}: {skipped.reason}", file=sys.stderr)
    if not args.json:
        print_plan(bucket, plan, dry_run=args.dry_run, verbose=args.verbose, stream=sys.stdout)
    report = None
    if not args.dry_run and plan.actions:
        refusal = _confirmation_refused(args, bucket, plan)
        if refusal:
            print(refusal, file=sys.stderr)
            return 2
        progress.start_applying()
        report = execute_plan(client, bucket, plan, workers=args.workers, progress=progress.applied)
        for failure in report.failures:
            action = failure.action
            print(f"failed {action.kind} {action.key}: {failure.error}", file=sys.stderr)
    if args.json:
        print(json.dumps(as_json(bucket, plan, report if not args.dry_run else None), indent=2))
    elif report is not None:
        print_result(report, sys.stdout)
    return 1 if plan.skipped or (report and report.failures) else 0


def _confirmation_refused(args: argparse.Namespace, bucket: str, plan: Plan) -> str | None:
    """Why the reset must not run (not confirmed), or None to go ahead."""
    if args.yes:
        return None
    answer = confirm(f"Apply {len(plan.actions):,} changes to s3://{bucket} ({summary(plan)})?", sys.stdin, sys.stderr)
    if answer is None:
        return (
            f"reset-bucket refused: {len(plan.actions):,} changes to s3://{bucket} need confirmation and there is "
            "no terminal to ask on; rerun with --yes; nothing changed"
        )
    return None if answer else "reset-bucket cancelled; nothing changed"


def main(argv: list[str] | None = None) -> int:
    """Run reset-bucket on its own, without the `crane` dispatcher."""
    parser = argparse.ArgumentParser(prog="reset-bucket", description=HELP)
    add_arguments(parser)
    return run(parser.parse_args(argv))
