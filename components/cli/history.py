"""``crane history``: a client's deployments and what each one changed (crane_it.ops.history)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import timedelta
from typing import TYPE_CHECKING

from .arguments import add_aws_arguments, duration
from .exits import guarded
from .output import table

if TYPE_CHECKING:
    from ..ops.history import Deployment

HELP = "list a client's deployments: revision, image, outcome and what changed from the revision before"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the history options on parser."""
    add_aws_arguments(parser)
    parser.add_argument(
        "--since", type=duration, default=timedelta(days=30), help="how far back: 7d, 12h (default 30d)"
    )


def run(args: argparse.Namespace) -> int:
    """Print the deployments; 0 done, 2 refused."""
    from ..ops.aws import Aws, find_app
    from ..ops.history import read_history, read_releases

    def body() -> int:
        aws = Aws(args.region, args.endpoint_url)
        app = find_app(aws, args.client, args.stack)
        deployments = read_history(aws, app, args.since)
        if args.json:
            print(json.dumps([asdict(d) for d in deployments], indent=2))
            return 0
        releases = read_releases(aws, app, args.since)
        if releases:
            # Each service.release run, before its revision took traffic (or was refused).
            print("releases:")
            rows = [[r.start, r.end, r.revision, _exit(r.exit_code), r.status, r.command] for r in releases]
            for line in table([["STARTED", "ENDED", "REVISION", "EXIT", "OUTCOME", "COMMAND"], *rows]):
                print(f"  {line}")
            print()
        if not deployments:
            print(f"{app.client}: no deployments in the last {args.since.days or args.since}", file=sys.stderr)
            return 0
        for line in table([["STARTED", "REVISION", "IMAGE", "OUTCOME"]] + [_row(d) for d in deployments]):
            print(line)
        for deployment in deployments:
            if deployment.changes:
                print(f"\n{deployment.revision} changed from the revision before:")
                for change in deployment.changes:
                    print(f"  {change}")
        return 0

    return guarded("history", body)


def _row(deployment: Deployment) -> list[str]:
    outcome = f"{deployment.outcome} ({deployment.reason})" if deployment.reason else deployment.outcome
    return [deployment.started, deployment.revision, deployment.image, outcome]


def _exit(code: int | None) -> str:
    return "-" if code is None else str(code)
