"""The time zone Crane It's own schedules run in, and what EventBridge Scheduler accepts from a spec."""

import re as _re
import zoneinfo as _zoneinfo
from collections.abc import Mapping
from functools import cache as _cache

from .prices import HOURS_PER_MONTH

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


_DAY_NUMBERS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MONTH_NUMBERS = {
    m: i + 1 for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])
}
DAYS_PER_MONTH = HOURS_PER_MONTH / 24


def runs_per_month(expression: str) -> float | None:
    """How often an AWS schedule expression (``cron(...)`` or ``rate(...)``) fires in an average month.

    None when the expression uses a form this count does not know (``L``, ``W``, a year list).
    """
    rate = _re.fullmatch(r"rate\((\d+) (minute|hour|day)s?\)", expression.strip())
    if rate:
        every = int(rate.group(1)) * {"minute": 1 / 60, "hour": 1, "day": 24}[rate.group(2)]
        return HOURS_PER_MONTH / every if every else None
    cron = _re.fullmatch(r"cron\(([^()]+)\)", expression.strip())
    if not cron or len(fields := cron.group(1).split()) != 6:
        return None
    minute, hour, dom, month, dow, year = fields
    if year not in ("*", "?"):
        return None
    try:
        per_day = _cron_count(minute, 0, 59) * _cron_count(hour, 0, 23)
        months = 1.0 if month in ("*", "?") else _cron_count(month, 1, 12, _MONTH_NUMBERS) / 12
        if dom not in ("*", "?"):
            days = float(_cron_count(dom, 1, 31))
        elif dow not in ("*", "?"):
            nth = [part for part in dow.split(",") if "#" in part]
            plain = ",".join(part for part in dow.split(",") if "#" not in part)
            days = len(nth) + (_cron_count(plain, 1, 7, _DAY_NUMBERS) * DAYS_PER_MONTH / 7 if plain else 0)
        else:
            days = DAYS_PER_MONTH
    except ValueError:
        return None
    return per_day * days * months


def _cron_count(field: str, low: int, high: int, names: Mapping[str, int] | None = None) -> int:
    """Values a cron field names: ``*``, lists, ranges and steps (``0,30``, ``MON-FRI``, ``*/15``)."""
    total = 0
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = low, high
        else:
            first_s, _, last_s = span.partition("-")
            first = _cron_value(first_s, names)
            last = _cron_value(last_s, names) if last_s else (high if step else first)
        if not low <= first <= last <= high:
            raise ValueError(part)
        total += len(range(first, last + 1, int(step) if step else 1))
    return total


def _cron_value(text: str, names: Mapping[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise ValueError(text)
    return int(text)
