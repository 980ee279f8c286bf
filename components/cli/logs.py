"""``crane logs``: the app's log lines, interleaved across tasks, each with its task id (crane_it.ops.logs)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .arguments import add_aws_arguments, duration
from .exits import guarded

if TYPE_CHECKING:
    from ..ops.logs import Line

HELP = "print a client's app logs, interleaved across tasks, each line with its task id"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the logs options on parser."""
    add_aws_arguments(parser)
    parser.add_argument(
        "--since", type=duration, default=timedelta(hours=1), help="how far back: 15m, 1h, 2d (default 1h)"
    )
    parser.add_argument("--follow", "-f", action="store_true", help="keep printing new lines until Ctrl-C")
    parser.add_argument("--filter", metavar="TEXT", help="only lines containing TEXT")


def run(args: argparse.Namespace) -> int:
    """Print the lines; 0 when done (or Ctrl-C under --follow), 2 refused."""
    from ..ops.aws import Aws, find_app, iso, log_target, task_definition
    from ..ops.logs import filter_pattern, follow, read_lines

    def body() -> int:
        aws = Aws(args.region, args.endpoint_url)
        app = find_app(aws, args.client, args.stack)
        group, prefix = log_target(task_definition(aws, app.task_definition_arn))
        start = datetime.now(UTC) - args.since
        emit = _print_json if args.json else _print_text
        if not args.json:
            print(f"{args.client}: log group {group}, since {iso(start)}", file=sys.stderr)
        logs = aws.client("logs")
        pattern = filter_pattern(args.filter)
        if not args.follow:
            for line in read_lines(logs, group, prefix, start, pattern):
                emit(line)
            return 0
        try:
            follow(logs, group, prefix, start, pattern, emit)
        except KeyboardInterrupt:
            return 0
        return 0

    return guarded("logs", body)


def _print_text(line: Line) -> None:
    print(f"{line.time}  {line.task}  {line.message}", flush=True)


def _print_json(line: Line) -> None:
    record = asdict(line)
    del record["event_id"]
    print(json.dumps(record), flush=True)
