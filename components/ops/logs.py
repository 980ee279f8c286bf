"""The app's CloudWatch log lines, interleaved across tasks, each with its task id (``crane logs``).

The log group and stream prefix come from the running task definition's awslogs options, so
the command reads exactly where the tasks write. ECS names each stream
``<prefix>/<container>/<task id>``, which is where the task id of a line comes from.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from .aws import AwsClient, iso

POLL_SECONDS = 2.0
"""How often --follow asks CloudWatch for new lines (FilterLogEvents allows 5 calls a second)."""


@dataclass(frozen=True)
class Line:
    """One log event of the app."""

    time: str
    task: str
    message: str
    event_id: str


def filter_pattern(text: str | None) -> str | None:
    """A CloudWatch Logs filter pattern matching lines that contain ``text`` literally."""
    if not text:
        return None
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_lines(logs: AwsClient, group: str, prefix: str, start: datetime, pattern: str | None = None) -> Iterator[Line]:
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
            iso(datetime.fromtimestamp(event["timestamp"] / 1000, UTC)),
            event["logStreamName"].rsplit("/", 1)[-1],
            event["message"].rstrip("\n"),
            event["eventId"],
        )


def follow(
    logs: AwsClient,
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
