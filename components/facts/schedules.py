"""The time zone Crane It's own schedules run in, and what EventBridge Scheduler accepts from a spec."""

import re as _re
import zoneinfo as _zoneinfo
from functools import cache as _cache

SCHEDULE_TIMEZONE = "Etc/UTC"
"""Backup and restore-test schedules are written in UTC, like every time in a spec."""

# --- EventBridge Scheduler expressions (Scheduler user guide, "Schedule types") -----------
#
# A recurring schedule is `cron(minutes hours day-of-month month day-of-week year)` or
# `rate(value unit)`; it is evaluated in an IANA time zone (`ScheduleExpressionTimezone`).
# These checks run on the spec, before any resource, so a typo fails `crane plan` with the
# field and an example instead of `pulumi up` half-way with a ValidationException.

CRON_EXAMPLE = "cron(0 3 * * ? *) (every day at 03:00) or rate(15 minutes)"
"""The valid forms, in words, for every error message about a schedule."""

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_FIELDS = (  # name, low, high, names for values, extra wildcards
    ("minutes", 0, 59, (), ""),
    ("hours", 0, 23, (), ""),
    ("day-of-month", 1, 31, (), "?LW"),
    ("month", 1, 12, _MONTHS, ""),
    ("day-of-week", 1, 7, _DAYS, "?L#"),
    ("year", 1970, 2199, (), ""),
)
_RATE = _re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = _re.compile(r"^cron\((.*)\)$")


def _value(text: str, low: int, high: int, names: tuple[str, ...]) -> int | None:
    if text.upper() in names:
        return names.index(text.upper()) + 1
    if text.isdigit() and low <= int(text) <= high:
        return int(text)
    return None


def _field_problem(text: str, name: str, low: int, high: int, names: tuple[str, ...], extra: str) -> str | None:
    """Why ``text`` is not a valid value of cron field ``name``, or None."""
    if text in ("*", "?") and (text == "*" or "?" in extra):
        return None
    if "L" in extra and (
        text == "L" or (name == "day-of-week" and text.endswith("L") and _value(text[:-1], low, high, names))
    ):
        return None
    if "W" in extra and text.endswith("W") and _value(text[:-1], low, high, names):
        return None
    if "#" in extra and "#" in text:
        day, _, nth = text.partition("#")
        return (
            None
            if _value(day, low, high, names) and nth in "12345" and nth
            else f"{name} {text!r}: use DAY#N, like 2#1"
        )
    for part in text.split(","):
        base, _, step = part.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            return f"{name} {text!r}: the step after / must be a positive number"
        if base == "*" and step:
            continue
        start, dash, end = base.partition("-")
        if _value(start, low, high, names) is None or (dash and _value(end, low, high, names) is None):
            span = f"{low}-{high}" + (f" or {names[0]}-{names[-1]}" if names else "")
            return f"{name} {text!r}: values must be {span}, with , - * /" + (f" {' '.join(extra)}" if extra else "")
    return None


def schedule_problem(expression: str) -> str | None:
    """Why ``expression`` is not a recurring EventBridge Scheduler expression, or None."""
    rate = _RATE.match(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value < 1:
            return f"{expression!r}: the rate must be at least 1"
        if (value == 1) != (not unit.endswith("s")):
            singular = unit.rstrip("s")
            return f"{expression!r}: write rate(1 {singular}) for one and rate(N {singular}s) for more"
        return None
    cron = _CRON.match(expression)
    if not cron:
        return f"{expression!r} is neither cron(...) nor rate(...)"
    parts = cron.group(1).split()
    if len(parts) != 6:
        return (
            f"{expression!r} has {len(parts)} fields; Scheduler cron has 6: minutes hours day-of-month month "
            "day-of-week year (a Unix crontab line has 5: add the year, usually *, and put ? in one day field)"
        )
    for text, (name, low, high, names, extra) in zip(parts, _FIELDS, strict=True):
        problem = _field_problem(text, name, low, high, names, extra)
        if problem:
            return f"{expression!r}: {problem}"
    if (parts[2] == "?") == (parts[4] == "?"):
        return f"{expression!r}: exactly one of day-of-month and day-of-week must be ?"
    return None


@_cache
def time_zones() -> frozenset[str]:
    """The IANA time zone names this Python knows (the tz database Scheduler also uses)."""
    return frozenset(_zoneinfo.available_timezones())


def time_zone_problem(name: str) -> str | None:
    """Why ``name`` is not an IANA time zone, or None."""
    if name in time_zones() or name == "UTC":
        return None
    close = sorted(z for z in time_zones() if z.lower() == name.lower() or z.split("/")[-1].lower() == name.lower())
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"{name!r} is not an IANA time zone name, like Europe/Berlin or UTC{hint}"


def runs_per_month(expression: str) -> float:
    """How often a valid ``expression`` fires in a 30-day month (an estimate, for the cost report).

    A rate is exact; a cron counts the matching minutes of its minute and hour fields times
    the fraction of days its day fields match (named or numbered values and ranges, ``L``,
    ``W`` and ``#`` counted as once a month).
    """
    rate = _RATE.match(expression)
    if rate:
        unit = {"minute": 1, "hour": 60, "day": 1440}[rate.group(2).rstrip("s")]
        return 30 * 1440 / (int(rate.group(1)) * unit)
    parts = expression[5:-1].split()
    minutes, hours = (_count(parts[i], *_FIELDS[i][1:4]) for i in (0, 1))
    month_share = _count(parts[3], *_FIELDS[3][1:4]) / 12
    if parts[2] != "?":
        days = 1.0 if any(c in parts[2] for c in "LW") else _count(parts[2], *_FIELDS[2][1:4])
        days_a_month = min(days, 30.0)
    else:
        weekdays = 1.0 if any(c in parts[4] for c in "L#") else _count(parts[4], *_FIELDS[4][1:4])
        days_a_month = weekdays * 30 / 7 if not any(c in parts[4] for c in "L#") else 1.0
    return minutes * hours * days_a_month * month_share


def _count(text: str, low: int, high: int, names: tuple[str, ...]) -> float:
    if text in ("*", "?"):
        return float(high - low + 1)
    hits: set[int] = set()
    for part in text.split(","):
        base, _, step = part.partition("/")
        start, dash, end = base.partition("-")
        first = low if base == "*" else (_value(start, low, high, names) or low)
        last = (
            high if base == "*" or (step and not dash) else (_value(end, low, high, names) or first) if dash else first
        )
        hits.update(range(first, last + 1, int(step) if step else 1))
    return float(len(hits))
