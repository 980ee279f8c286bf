"""Plan a reset of a versioned S3 bucket from its listing alone, without calling S3.

The types, the planning rules, the time checks and the part-size arithmetic live here so they
can be read and tested without boto3; cli/reset_listing.py lists the bucket and cli/reset_copying.py
applies the plan.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from ...errors import ResetError

DEFAULT_PART_SIZE = 512 * 1024**2
"""Part size of a multipart copy when the original upload's part size is unknown."""
MIN_PART_SIZE = 5 * 1024**2
MAX_PART_SIZE = 5 * 1024**3
MAX_PARTS = 10_000
ARCHIVE_CLASSES = frozenset({"GLACIER", "DEEP_ARCHIVE"})
"""Storage classes whose versions cannot be copied until restored from the archive."""

ActionKind = Literal["restore", "delete", "undelete"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One object version or delete marker as ListObjectVersions reports it."""

    key: str
    version_id: str
    last_modified: datetime
    is_latest: bool
    is_delete_marker: bool = False
    etag: str | None = None
    size: int = 0
    storage_class: str | None = None


@dataclass(frozen=True, slots=True)
class Action:
    """One change to a key: copy `to_version` on top of it, or add a delete marker if None."""

    key: str
    kind: ActionKind
    from_version: str
    to_version: str | None
    size: int = 0
    storage_class: str | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A key the reset leaves alone: its state at the target time is unknowable or not copyable."""

    key: str
    reason: str


@dataclass(frozen=True)
class Plan:
    """Everything a reset would change, computed from a single listing of the bucket."""

    to_time: datetime
    actions: tuple[Action, ...]
    unchanged: int
    skipped: tuple[Skipped, ...] = ()

    def counts(self) -> dict[str, int]:
        """Count actions per kind, plus unchanged and skipped keys."""
        kinds = Counter(action.kind for action in self.actions)
        return {
            "restore": kinds["restore"],
            "undelete": kinds["undelete"],
            "delete": kinds["delete"],
            "unchanged": self.unchanged,
            "skipped": len(self.skipped),
        }


# --- planning ---------------------------------------------------------------------------


def plan_reset(history: Mapping[str, Sequence[Entry]], to_time: datetime) -> Plan:
    """Decide what each key needs so that its current state becomes its state at to_time."""
    actions: list[Action] = []
    skipped: list[Skipped] = []
    unchanged = 0
    for key in sorted(history):
        decision = _decide(key, _newest_first(history[key]), to_time)
        if decision is None:
            unchanged += 1
        elif isinstance(decision, Skipped):
            skipped.append(decision)
        else:
            actions.append(decision)
    return Plan(to_time, tuple(actions), unchanged, tuple(skipped))


def _newest_first(entries: Sequence[Entry]) -> list[Entry]:
    """Merge a key's versions and delete markers into one list, newest first."""
    # S3 lists each key newest first, but boto3 splits versions and delete markers into two
    # lists. A stable sort keeps each list's own order; on equal (1-second) LastModified the
    # IsLatest entry goes first and any other version/marker tie stays unresolved.
    return sorted(entries, key=lambda e: (-e.last_modified.timestamp(), not e.is_latest))


def _decide(key: str, entries: Sequence[Entry], to_time: datetime) -> Action | Skipped | None:
    """Compare the key's current entry with the one current at to_time (entries newest first)."""
    current = next((entry for entry in entries if entry.is_latest), entries[0])
    past = next((entry for entry in entries if entry.last_modified <= to_time), None)
    if past is not None and _tied_with_other_kind(past, entries):
        return Skipped(
            key,
            f"a version and a delete marker both have LastModified "
            f"{isoformat(past.last_modified)}; S3 lists times to the second, so "
            f"which one was current at {isoformat(to_time)} is unknown",
        )
    if past is None or past.is_delete_marker:
        if current.is_delete_marker:
            return None
        return Action(key, "delete", current.version_id, None)
    if current.version_id == past.version_id:
        return None
    if current.is_delete_marker:
        kind: ActionKind = "undelete"
    elif past.etag is not None and (current.etag, current.size) == (past.etag, past.size):
        return None  # already a copy of that version, e.g. from an earlier reset to the same time
    else:
        kind = "restore"
    if past.storage_class in ARCHIVE_CLASSES:
        return Skipped(
            key,
            f"version {past.version_id} is in {past.storage_class}; restore it from the archive, then copy it by hand",
        )
    return Action(key, kind, current.version_id, past.version_id, past.size, past.storage_class)


def _tied_with_other_kind(past: Entry, entries: Sequence[Entry]) -> bool:
    """Tell whether past shares its second with an entry of the other kind in unknown order."""
    tied = [entry for entry in entries if entry.last_modified == past.last_modified]
    kinds = {entry.is_delete_marker for entry in tied}
    return len(kinds) == 2 and not any(entry.is_latest for entry in tied)


def check_time(bucket: str, to_time: datetime, *, now: datetime, earliest: tuple[datetime, str] | None = None) -> None:
    """Refuse a target time in the future or before the earliest restorable time."""
    if to_time > now:
        raise ResetError(
            f"bucket {bucket}: {isoformat(to_time)} is in the future "
            f"(now is {isoformat(now)}); a reset can only go back in time"
        )
    if earliest is not None and to_time < earliest[0]:
        raise ResetError(
            f"bucket {bucket}: cannot reset to {isoformat(to_time)}: {earliest[1]}; "
            f"earliest restorable time is {isoformat(earliest[0])}"
        )


# --- part sizes -------------------------------------------------------------------------


def choose_part_size(size: int, original: int | None, default: int = DEFAULT_PART_SIZE) -> int:
    """Pick a valid part size for a multipart copy, preferring the original upload's own."""
    floor = math.ceil(size / MAX_PARTS)
    for candidate in (original, default):
        if candidate and max(floor, MIN_PART_SIZE) <= candidate <= MAX_PART_SIZE:
            return candidate
    return max(floor, MIN_PART_SIZE)


def part_ranges(size: int, part_size: int) -> list[tuple[int, int]]:
    """Split size bytes into inclusive (first, last) byte ranges of part_size bytes."""
    return [(start, min(start + part_size, size) - 1) for start in range(0, size, part_size)]


# --- times ------------------------------------------------------------------------------


def parse_time(text: str) -> datetime:
    """Parse an ISO-8601 time that names its timezone; a naive time is refused as ambiguous."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise ResetError(f"--to {text!r} is not an ISO-8601 time such as 2026-11-20T10:00:00Z") from error
    if value.tzinfo is None:
        raise ResetError(
            f"--to {text!r} has no timezone, so it could mean different instants; "
            "add Z for UTC or an offset such as +01:00"
        )
    return value.astimezone(UTC)


def isoformat(value: datetime) -> str:
    """Format a time in UTC with a Z suffix."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
