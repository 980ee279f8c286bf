"""RDS facts: engine versions, ports, storage limits and Performance Insights support."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Engine:
    """What Crane It needs to know about one RDS engine."""

    name: str
    majors: tuple[str, ...]
    """Major versions RDS offers under standard support (no extended-support charges)."""
    port: int
    log_exports: tuple[str, ...]
    """CloudWatch log types the engine can export without an option group."""
    tls_parameter: tuple[str, str]
    """The parameter (name, value) that refuses unencrypted connections."""
    min_storage_gb: int = 20
    max_storage_gb: int = 65536

    def major_of(self, version: str) -> str:
        """The major part of ``version``: ``16.4`` -> ``16``, ``8.0.39`` -> ``8.0``."""
        parts = version.split(".")
        return ".".join(parts[:2]) if self.name == "mysql" else parts[0]

    def family(self, version: str) -> str:
        """The parameter group family of ``version`` (``postgres16``, ``mysql8.0``)."""
        return f"{self.name}{self.major_of(version)}"


ENGINES: dict[str, Engine] = {
    "postgres": Engine(
        name="postgres",
        majors=("14", "15", "16", "17", "18"),
        port=5432,
        log_exports=("postgresql", "upgrade"),
        tls_parameter=("rds.force_ssl", "1"),
    ),
    "mysql": Engine(
        name="mysql",
        majors=("8.0", "8.4"),
        port=3306,
        log_exports=("error", "general", "slowquery"),
        tls_parameter=("require_secure_transport", "1"),
    ),
}

# Instance families Crane It offers; sizes are checked by pattern, families by this list.
INSTANCE_FAMILIES: frozenset[str] = frozenset(
    {"t3", "t4g", "m5", "m6g", "m6i", "m7g", "m7i", "m8g", "r5", "r6g", "r6i", "r7g", "r7i", "r8g"}
)
INSTANCE_SIZES: tuple[str, ...] = (
    "micro",
    "small",
    "medium",
    "large",
    "xlarge",
    "2xlarge",
    "4xlarge",
    "8xlarge",
    "12xlarge",
    "16xlarge",
    "24xlarge",
)

# The RDS user guide: Performance Insights is not available for MySQL (and MariaDB) on the
# smallest burstable classes. PostgreSQL supports it on every class.
_NO_PERFORMANCE_INSIGHTS_MYSQL = frozenset({"db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small"})

# Rough memory (GiB) of the burstable classes, for connection-count alarm defaults.
INSTANCE_MEMORY_GIB: dict[str, float] = {
    "micro": 1,
    "small": 2,
    "medium": 4,
    "large": 8,
    "xlarge": 16,
    "2xlarge": 32,
    "4xlarge": 64,
    "8xlarge": 128,
    "12xlarge": 192,
    "16xlarge": 256,
    "24xlarge": 384,
}


def supports_performance_insights(engine: str, instance_class: str) -> bool:
    """Whether RDS offers Performance Insights for ``engine`` on ``instance_class``."""
    return not (engine == "mysql" and instance_class in _NO_PERFORMANCE_INSIGHTS_MYSQL)


def default_max_connections(engine: str, instance_class: str) -> int:
    """The engine's default ``max_connections`` for the class (RDS parameter formulas)."""
    size = instance_class.rsplit(".", 1)[-1]
    memory_bytes = INSTANCE_MEMORY_GIB.get(size, 1) * 1024**3
    if engine == "postgres":  # LEAST({DBInstanceClassMemory/9531392}, 5000)
        return int(min(memory_bytes / 9531392, 5000))
    return int(memory_bytes / 12582880)  # mysql: {DBInstanceClassMemory/12582880}
