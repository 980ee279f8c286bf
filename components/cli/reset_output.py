"""What `crane reset-bucket` tells the person running it: progress, the plan, the question, the result.

Progress and questions go to stderr, so stdout holds only the plan and result (a table, or
JSON with `--json`) and can be piped. Per-key lines are printed only on request
(`--verbose`, or in the JSON): a bucket can hold millions of keys.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from typing import IO, TYPE_CHECKING, Any

from ..ops.reset.bucket_plan import Plan, isoformat

if TYPE_CHECKING:
    from ..ops.reset.bucket_copying import Report

Clock = Callable[[], float]


def _duration(seconds: float) -> str:
    """``75`` -> ``1m15s``; short enough for a progress line."""
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def _pages(count: int) -> str:
    return f"{count:,} page" + ("" if count == 1 else "s")


class ProgressLines:
    """Progress of the listing and of the copying, at most one line per ``every`` seconds.

    The copying line gives the rate so far and the time left at that rate (ETA):
    ``applied 1,200/5,000 (24%), 85.3/s, ETA 45s``. The last line is always printed.
    """

    def __init__(self, stream: IO[str], *, every: float = 1.0, clock: Clock = time.monotonic) -> None:
        self._stream, self._every, self._clock = stream, every, clock
        self._started = clock()
        self._last: float | None = None
        self.pages = self.entries = 0

    def _due(self, final: bool) -> bool:
        now = self._clock()
        if final or self._last is None or now - self._last >= self._every:
            self._last = now
            return True
        return False

    def _print(self, line: str) -> None:
        print(line, file=self._stream, flush=True)

    def listed_page(self, pages: int, entries: int) -> None:
        """Called after each page of ListObjectVersions."""
        self.pages, self.entries = pages, entries
        if self._due(final=False):
            self._print(f"listing: {entries:,} versions and delete markers ({_pages(pages)}) ...")

    def listing_done(self) -> None:
        self._print(
            f"listed {self.entries:,} versions and delete markers in {_pages(self.pages)} "
            f"({_duration(self._clock() - self._started)})"
        )

    def start_applying(self) -> None:
        self._started, self._last = self._clock(), None

    def applied(self, done: int, total: int) -> None:
        """Called after each action; prints the rate so far and the time left at that rate."""
        if not self._due(final=done == total):
            return
        elapsed = max(self._clock() - self._started, 1e-9)
        rate = done / elapsed
        left = f"ETA {_duration((total - done) / rate)}" if done < total else f"took {_duration(elapsed)}"
        self._print(f"applied {done:,}/{total:,} ({done * 100 // max(total, 1)}%), {rate:,.1f}/s, {left}")


def confirm(question: str, stdin: IO[str], stderr: IO[str]) -> bool | None:
    """Ask ``question`` on the terminal: True for yes, False for anything else, None without a terminal."""
    if not stdin.isatty():
        return None
    print(f"{question} [y/N] ", end="", file=stderr, flush=True)
    return stdin.readline().strip().lower() in ("y", "yes")


def summary(plan: Plan) -> str:
    """``restore 1, undelete 1, delete 2, unchanged 2, skipped 0``."""
    return ", ".join(f"{kind} {count}" for kind, count in plan.counts().items())


def print_plan(bucket: str, plan: Plan, *, dry_run: bool, verbose: bool, stream: IO[str]) -> None:
    """The header, the per-key table when ``verbose``, and the plan's counts."""
    mode = "dry run, nothing changed" if dry_run else "plan"
    print(f"reset s3://{bucket} to {isoformat(plan.to_time)} ({mode})", file=stream)
    if verbose:
        rows = [("ACTION", "KEY", "FROM VERSION", "TO VERSION")] + [
            (a.kind, a.key, a.from_version, a.to_version or "(new delete marker)") for a in plan.actions
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        for row in rows:
            print(
                "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[3],
                file=stream,
            )
    print(f"plan: {summary(plan)}", file=stream)


def print_result(report: Report, stream: IO[str]) -> None:
    applied = ", ".join(f"{kind} {report.applied[kind]}" for kind in ("restore", "undelete", "delete"))
    print(f"done: {applied}, failed {len(report.failures)} in {report.seconds:.1f}s", file=stream)


def as_json(bucket: str, plan: Plan, report: Report | None) -> dict[str, Any]:
    """Describe the plan and, when it ran, its result as JSON-ready data."""
    data: dict[str, Any] = {
        "bucket": bucket,
        "to": isoformat(plan.to_time),
        "dry_run": report is None,
        "actions": [
            {"key": a.key, "kind": a.kind, "from_version": a.from_version, "to_version": a.to_version}
            for a in plan.actions
        ],
        "skipped": [asdict(skipped) for skipped in plan.skipped],
        "summary": plan.counts(),
    }
    if report is not None:
        data["applied"] = dict(report.applied)
        data["failures"] = [{"key": f.action.key, "kind": f.action.kind, "error": f.error} for f in report.failures]
    return data
