"""RDS facts: engine versions and their support dates, ports, logs, storage limits and Performance Insights."""

import datetime as dt
from dataclasses import dataclass

EXTENDED_SUPPORT = "open-source-rds-extended-support"
"""`engine_lifecycle_support` that lets a major run past its end of standard support, billed."""
NO_EXTENDED_SUPPORT = "open-source-rds-extended-support-disabled"
"""`engine_lifecycle_support` that refuses Extended Support: creating or restoring an instance of
a major past its end of standard support fails, and RDS upgrades running ones to the next major
after that date instead of billing Extended Support."""


@dataclass(frozen=True)
class Engine:
    """What Crane It needs to know about one RDS engine."""

    name: str
    standard_support_ends: dict[str, dt.date]
    """Major version -> last day of RDS standard support. After it, an instance of that major
    is billed RDS Extended Support per vCPU-hour (more than a micro instance itself costs)."""
    port: int
    log_exports: tuple[str, ...]
    """CloudWatch log types exported: only logs the parameter group makes the engine write."""
    tls_parameter: tuple[str, str]
    """The parameter (name, value) that refuses unencrypted connections."""
    log_parameters: tuple[tuple[str, str], ...] = ()
    """Parameters (name, value) that make the engine write the exported logs; all dynamic."""
    upgrade_logs: tuple[str, ...] = ()
    """Exported log types written only while a major version upgrade runs (pg_upgrade's
    output), not steadily: the cost estimate assumes no ingestion for them."""
    min_storage_gb: int = 20
    max_storage_gb: int = 65536

    def major_of(self, version: str) -> str:
        """The major part of ``version``: ``16.4`` -> ``16``, ``8.0.39`` -> ``8.0``."""
        parts = version.split(".")
        return ".".join(parts[:2]) if self.name == "mysql" else parts[0]

    def family(self, version: str) -> str:
        """The parameter group family of ``version`` (``postgres16``, ``mysql8.0``)."""
        return f"{self.name}{self.major_of(version)}"

    @property
    def majors(self) -> tuple[str, ...]:
        """Every major version Crane It offers, oldest first."""
        return tuple(self.standard_support_ends)

    def supported_majors(self, today: dt.date) -> tuple[str, ...]:
        """The majors still under RDS standard support on ``today``."""
        return tuple(major for major, last in self.standard_support_ends.items() if today <= last)


def lifecycle_support(extended_support: bool) -> str:
    """The `engine_lifecycle_support` (EngineLifecycleSupport) an instance states, explicitly either way."""
    return EXTENDED_SUPPORT if extended_support else NO_EXTENDED_SUPPORT


SLOW_QUERY_SECONDS = 1
"""Statements slower than this are logged (the threshold AWS's Database Insights guide uses)."""

# End of RDS standard support per major, from the RDS for MySQL "Supported MySQL major
# versions" table and the RDS for PostgreSQL release calendar.
ENGINES: dict[str, Engine] = {
    "postgres": Engine(
        name="postgres",
        standard_support_ends={
            "14": dt.date(2027, 2, 28),
            "15": dt.date(2028, 2, 29),
            "16": dt.date(2029, 2, 28),
            "17": dt.date(2030, 2, 28),
            "18": dt.date(2031, 2, 28),
        },
        port=5432,
        # `postgresql` holds errors and, with the parameter below, slow statements; `upgrade`
        # is written by every major version upgrade.
        log_exports=("postgresql", "upgrade"),
        upgrade_logs=("upgrade",),
        tls_parameter=("rds.force_ssl", "1"),
        log_parameters=(("log_min_duration_statement", str(SLOW_QUERY_SECONDS * 1000)),),
    ),
    "mysql": Engine(
        name="mysql",
        standard_support_ends={"8.0": dt.date(2026, 7, 31), "8.4": dt.date(2029, 7, 31)},
        port=3306,
        # The error log is always written; the slow query log only with slow_query_log=1, and
        # only to files (which is what RDS exports) with log_output=FILE. The general log
        # (every statement) is left off: it slows the engine and costs more than it tells.
        log_exports=("error", "slowquery"),
        tls_parameter=("require_secure_transport", "1"),
        log_parameters=(
            ("slow_query_log", "1"),
            ("long_query_time", str(SLOW_QUERY_SECONDS)),
            ("log_output", "FILE"),
        ),
    ),
}

MANUAL_SNAPSHOT_QUOTA = 100
"""RDS "Manual DB instance snapshots" per account and region (adjustable in Service Quotas);
AWS Backup's RDS snapshots count against it."""

# Instance classes Crane It offers: family -> its sizes and their memory in GiB (the RDS
# instance class tables). Burstable t classes run micro to 2xlarge; m classes have 4 GiB per
# vCPU and r classes 8 GiB, from large up; Graviton 2 and 3 (6g, 7g) stop at 16xlarge. The
# table stops at 24xlarge.
_BURSTABLE = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32}
_GENERAL = {
    "large": 8,
    "xlarge": 16,
    "2xlarge": 32,
    "4xlarge": 64,
    "8xlarge": 128,
    "12xlarge": 192,
    "16xlarge": 256,
    "24xlarge": 384,
}
_UP_TO_16XLARGE = {size: gib for size, gib in _GENERAL.items() if size != "24xlarge"}


def _memory_optimized(sizes: dict[str, int]) -> dict[str, int]:
    return {size: 2 * gib for size, gib in sizes.items()}


INSTANCE_MEMORY_GIB: dict[str, dict[str, int]] = {
    "t3": _BURSTABLE,
    "t4g": _BURSTABLE,
    "m5": _GENERAL,
    "m6g": _UP_TO_16XLARGE,
    "m6i": _GENERAL,
    "m7g": _UP_TO_16XLARGE,
    "m7i": _GENERAL,
    "m8g": _GENERAL,
    "r5": _memory_optimized(_GENERAL),
    "r6g": _memory_optimized(_UP_TO_16XLARGE),
    "r6i": _memory_optimized(_GENERAL),
    "r7g": _memory_optimized(_UP_TO_16XLARGE),
    "r7i": _memory_optimized(_GENERAL),
    "r8g": _memory_optimized(_GENERAL),
}
"""Nominal memory of each class, GiB, by family and size."""
INSTANCE_FAMILIES: frozenset[str] = frozenset(INSTANCE_MEMORY_GIB)

# The RDS user guide: Performance Insights is not available for MySQL (and MariaDB) on the
# smallest burstable classes. PostgreSQL supports it on every class.
_NO_PERFORMANCE_INSIGHTS_MYSQL = frozenset({"db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small"})

MIB = 1024**2
RESERVED_MIB = 256
RESERVED_SHARE = 0.03
"""DBInstanceClassMemory, the memory RDS parameter formulas see, is the class's memory less
what the OS and RDS's own processes take. AWS does not publish it; nominal - 256 MiB - 3 %
stays just below what real instances report: PostgreSQL's default max_connections is 198 on
2 GiB, 413 on 4 GiB, 856 on 8 GiB and 1660 on 15.25 GiB classes, where this estimate gives
190, 408, 846 and 1638."""
POSTGRES_RESERVED_CONNECTIONS = 3 + 2
"""RDS for PostgreSQL keeps superuser_reserved_connections (3) and
rds.rds_superuser_reserved_connections (2) out of max_connections for ordinary users."""


def split_class(instance_class: str) -> tuple[str, str]:
    """``db.r6g.large`` -> (``r6g``, ``large``)."""
    family, _, size = instance_class.removeprefix("db.").partition(".")
    return family, size


def offers_class(instance_class: str) -> bool:
    """Whether ``instance_class`` is in the table (a family that really has that size)."""
    family, size = split_class(instance_class)
    return size in INSTANCE_MEMORY_GIB.get(family, {})


def class_memory_bytes(instance_class: str) -> int:
    """Estimated DBInstanceClassMemory of ``instance_class`` (see RESERVED_MIB)."""
    family, size = split_class(instance_class)
    nominal = INSTANCE_MEMORY_GIB[family][size] * 1024 * MIB
    return int(nominal - RESERVED_MIB * MIB - RESERVED_SHARE * nominal)


def supports_performance_insights(engine: str, instance_class: str) -> bool:
    """Whether RDS offers Performance Insights for ``engine`` on ``instance_class``."""
    return not (engine == "mysql" and instance_class in _NO_PERFORMANCE_INSIGHTS_MYSQL)


def default_max_connections(engine: str, instance_class: str) -> int:
    """The engine's default ``max_connections`` on the class (the default parameter groups'
    formulas): PostgreSQL ``LEAST({DBInstanceClassMemory/9531392}, 5000)``, MySQL
    ``{DBInstanceClassMemory/12582880}``."""
    memory = class_memory_bytes(instance_class)
    if engine == "postgres":
        return min(memory // 9531392, 5000)
    return memory // 12582880


def usable_connections(engine: str, instance_class: str) -> int:
    """Connections the app's user can open before the engine refuses it: PostgreSQL keeps
    some for superusers; MySQL's extra slot for CONNECTION_ADMIN is on top of max_connections."""
    limit = default_max_connections(engine, instance_class)
    return limit - POSTGRES_RESERVED_CONNECTIONS if engine == "postgres" else limit


UPGRADE_LOGS = frozenset(log for engine in ENGINES.values() for log in engine.upgrade_logs)
"""Every engine's upgrade-only log types (:attr:`Engine.upgrade_logs`)."""
