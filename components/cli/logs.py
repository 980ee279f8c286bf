"""``crane logs``: the app's CloudWatch log lines, interleaved across tasks, each with its task id.

The log group and stream prefix come from the running task definition's awslogs options, so
the command reads exactly where the tasks write. ECS names each stream
``<prefix>/<container>/<task id>``, which is where the task id of a line comes from.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from ..ops import aws as ops

HELP = "print a client's app logs, interleaved across tasks, each line with its task id"
POLL_SECONDS = 2.0
"""How often --follow asks CloudWatch for new lines (FilterLogEvents allows 5 calls a second)."""


@dataclass(frozen=True)
class Line:
    """One log event of the app."""

    time: str
    task: str
    message: str
    event_id: str


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the logs options on parser."""
    ops.add_aws_arguments(parser)
    parser.add_argument(
        "--since", type=ops.parse_duration, default=timedelta(hours=1), help="how far back: 15m, 1h, 2d (default 1h)"
    )
    parser.add_argument("--follow", "-f", action="store_true", help="keep printing new lines until Ctrl-C")
    parser.add_argument("--filter", metavar="TEXT", help="only lines containing TEXT")


def filter_pattern(text: str | None) -> str | None:
    """A CloudWatch Logs filter pattern matching lines that contain ``text`` literally."""
    if not text:
        return None
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_lines(
    logs: ops.AwsClient, group: str, prefix: str, start: datetime, pattern: str | None = None
) -> Iterator[Line]:
    """Every event of the app's streams since ``start``, oldest first across all tasks.

    FilterLogEvents searches the streams in parallel and does not promise one time order
    across them, so the events are sorted here (by timestamp, then stream) before printing.
    """
    request = {"logGroupName": group, "logStreamNamePrefix": prefix, "startTime": int(start.timestamp() * 1000)}
    if pattern:
        request["filterPattern"] = pattern
    events = [
        event
        for page in logs.get_paginator("filter_log_events").paginate(**request)
        for event in page.get("events", [])
        if event["logStreamName"].startswith(prefix)
    ]
    for event in sorted(events, key=lambda e: (e["timestamp"], e["logStreamName"])):
        yield Line(
            ops.iso(datetime.fromtimestamp(event["timestamp"] / 1000, UTC)),
            event["logStreamName"].rsplit("/", 1)[-1],
            event["message"].rstrip("\n"),
            event["eventId"],
        )


def follow(
    logs: ops.AwsClient,
    group: str,
    prefix: str,
    start: datetime,
    pattern: str | None,
    emit: Callable[[Line], None],
    *,
    sleep: Callable[[float], None] = time.sleep,
    polls: int | None = None,
) -> None:
    """Print what there is since ``start``, then poll for new lines (``polls`` rounds, or forever).

    Each round asks again from the newest second already printed: events arriving late in
    that second are not lost, and the event ids already printed are skipped.
    """
    seen: set[str] = set()
    rounds = 0
    while True:
        newest = start
        for line in read_lines(logs, group, prefix, start, pattern):
            if line.event_id not in seen:
                seen.add(line.event_id)
                emit(line)
            newest = max(newest, datetime.fromisoformat(line.time))
        start = newest
        rounds += 1
        if polls is not None and rounds >= polls:
            return
        sleep(POLL_SECONDS)


def run(args: argparse.Namespace) -> int:
    """Print the lines; 0 when done (or Ctrl-C under --follow), 2 refused."""

    def body() -> int:
        aws = ops.Aws(args.region, args.endpoint_url)
        app = ops.find_app(aws, args.client, args.stack)
        group, prefix = ops.log_target(ops.task_definition(aws, app.task_definition_arn))
        start = datetime.now(UTC) - args.since
        emit = _print_json if args.json else _print_text
        if not args.json:
            print(f"{args.client}: log group {group}, since {ops.iso(start)}", file=sys.stderr)
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

    return ops.guarded("logs", body)


def _print_text(line: Line) -> None:
    print(f"{line.time}  {line.task}  {line.message}", flush=True)


def _print_json(line: Line) -> None:
    record = asdict(line)
    del record["event_id"]
    print(json.dumps(record), flush=True)
