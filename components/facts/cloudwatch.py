"""CloudWatch Logs facts."""

from typing import TYPE_CHECKING, Literal

# The only retention periods CloudWatch Logs accepts, in days (PutRetentionPolicy).
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


if TYPE_CHECKING:  # a Literal built from the table above is opaque to type checkers
    LogRetention = int
else:
    LogRetention = Literal[LOG_RETENTION_DAYS]
"""A retention CloudWatch Logs accepts, as a spec field type."""
