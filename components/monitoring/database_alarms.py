"""The alarms on a client's database: CPU, free storage and connections.

Thresholds are shares (percent) in the client's ``alerts`` spec; this module turns them into
absolute figures from what the instance has (its storage, its class's max_connections), so
each alarm description tells the reader the number that fired.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..facts.rds import default_max_connections, usable_connections
from ..spec.alerts import AlertsSpec
from .metric_alarm import PERIOD, Alarm, NewAlarm

if TYPE_CHECKING:  # read through their contract attributes only
    from ..core.contracts import DatabaseMetrics

GIB = 1024**3


def database_alarms(alarm: NewAlarm, name: str, spec: AlertsSpec, database: DatabaseMetrics) -> dict[str, Alarm]:
    """The alarms on the RDS instance, by key."""
    # RDS publishes every minute while the instance runs; a gap means it is stopped or
    # being replaced, which none of these alarms is about: gaps count neither way
    # ("missing": no data at all turns INSUFFICIENT_DATA, which mails nobody).
    rds = {"DBInstanceIdentifier": database.identifier}
    db = database
    minutes = spec.sustained_minutes
    sustained = {
        "namespace": "AWS/RDS",
        "dimensions": rds,
        "period": PERIOD,
        "evaluation_periods": minutes,
        "datapoints_to_alarm": minutes,
        "treat_missing_data": "missing",
    }
    # RDS sizes max_connections from DBInstanceClassMemory (below the nominal memory),
    # and PostgreSQL keeps some of it for superusers: the share is of what the app can use.
    max_connections = default_max_connections(db.engine, db.instance_class)
    usable = usable_connections(db.engine, db.instance_class)
    connections = spec.database_connections_percent * usable / 100
    # Storage autoscaling grows the disk when free space falls under 10 % of the
    # allocated size, so free space stays above 10 % of storage_gb while it works. With
    # the default 10 %, a share of storage_gb fires only when autoscaling cannot keep up
    # or max_storage_gb is reached. A share of max_storage_gb could exceed the whole disk
    # of a young database (20 of 200 GiB) and alarm from day one.
    free_bytes = spec.database_free_storage_percent * db.storage_gb * GIB / 100
    return {
        "db-cpu": alarm(
            name,
            "db-cpu",
            "database CPU high",
            f"The {name} database has used over {spec.database_cpu_percent} % CPU for {minutes} min; queries "
            "slow down. Check first: Performance Insights for the top queries, the request graph, whether "
            "a burstable class ran out of CPU credits.",
            metric_name="CPUUtilization",
            statistic="Average",
            threshold=spec.database_cpu_percent,
            comparison_operator="GreaterThanThreshold",
            **sustained,
        ),
        "db-storage": alarm(
            name,
            "db-storage",
            "database storage low",
            f"The {name} database has under {free_bytes / GIB:g} GiB free ({spec.database_free_storage_percent} % "
            f"of its initial {db.storage_gb} GiB): storage autoscaling cannot keep up or the disk reached "
            f"max_storage_gb={db.max_storage_gb}. A full disk stops all writes. Check first: the free storage "
            "graph, then raise database.max_storage_gb or delete data.",
            metric_name="FreeStorageSpace",
            statistic="Minimum",
            threshold=free_bytes,
            comparison_operator="LessThanThreshold",
            **sustained,
        ),
        "db-connections": alarm(
            name,
            "db-connections",
            "database connections high",
            f"The {name} database has had over {connections:g} connections ({spec.database_connections_percent} % "
            f"of the {usable} the app can open: max_connections on {db.instance_class} is about "
            f"{max_connections}) for {minutes} min; "
            "new connections will be refused. Check first: the tasks graph (every task opens its own pool), "
            "the app's pool size, long-running queries.",
            metric_name="DatabaseConnections",
            statistic="Maximum",
            threshold=connections,
            comparison_operator="GreaterThanThreshold",
            **sustained,
        ),
    }
