"""The time zone every Crane It schedule runs in."""

SCHEDULE_TIMEZONE = "Etc/UTC"
"""Backup and restore-test schedules are written in UTC, like every time in a spec."""
