"""The body of a client's CloudWatch dashboard: one screen to answer "is this client healthy?".

A pure function of plain strings, so it is tested without Pulumi: the Alarms component
resolves the resource identifiers and JSON-encodes what this returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..spec.alerts import AlertsSpec

Widget = dict[str, Any]

WIDTH = 12
HEIGHT = 6
GRID = 24
"""CloudWatch dashboards are 24 units wide; two graphs sit side by side."""


def dashboard_body(
    *,
    client: str,
    region: str,
    cluster: str,
    service: str,
    load_balancer: str,
    target_group: str,
    spec: AlertsSpec,
    alarm_arns: Sequence[str] = (),
    database: str | None = None,
) -> dict[str, Any]:
    """The dashboard JSON (as a dict) for one client's service, load balancer and database.

    ``load_balancer`` and ``target_group`` are the ARN suffixes CloudWatch uses as dimension
    values (``app/<name>/<id>``, ``targetgroup/<name>/<id>``); ``database`` is the RDS
    instance identifier, or None when the client has no database.
    """
    ecs = {"ClusterName": cluster, "ServiceName": service}
    alb = {"LoadBalancer": load_balancer, "TargetGroup": target_group}
    graphs = [
        _graph(
            "Service memory (% of the task limit)",
            region,
            [
                _metric("AWS/ECS", "MemoryUtilization", ecs, stat="Maximum", label="busiest task"),
                _metric("AWS/ECS", "MemoryUtilization", ecs, stat="Average", label="average task"),
            ],
            percent=True,
            alarm_at=spec.memory_percent,
        ),
        _graph(
            "Service CPU (% of the task size)",
            region,
            [
                _metric("AWS/ECS", "CPUUtilization", ecs, stat="Maximum", label="busiest task"),
                _metric("AWS/ECS", "CPUUtilization", ecs, stat="Average", label="average task"),
            ],
            percent=True,
            alarm_at=spec.cpu_percent,
        ),
        # Container Insights publishes the task counts; running below desired means tasks
        # crash, are OOM-killed or cannot start.
        _graph(
            "Tasks",
            region,
            [
                _metric("ECS/ContainerInsights", "RunningTaskCount", ecs, label="running"),
                _metric("ECS/ContainerInsights", "DesiredTaskCount", ecs, label="desired"),
                _metric("ECS/ContainerInsights", "PendingTaskCount", ecs, label="pending"),
            ],
        ),
        _graph(
            "Requests per minute",
            region,
            [
                _metric("AWS/ApplicationELB", "RequestCount", alb, stat="Sum", label="requests"),
            ],
        ),
        _graph(
            "Target response time (seconds)",
            region,
            [
                _metric("AWS/ApplicationELB", "TargetResponseTime", alb, stat=stat, label=stat)
                for stat in ("p50", "p95", "p99")
            ],
        ),
        _graph(
            "Server errors",
            region,
            [
                _metric(
                    "AWS/ApplicationELB",
                    "HTTPCode_Target_5XX_Count",
                    alb,
                    stat="Sum",
                    label="5xx from the app",
                    id="errors",
                ),
                _metric("AWS/ApplicationELB", "RequestCount", alb, stat="Sum", id="requests", visible=False),
                # ELB 5xx (502/503/504) come from the load balancer itself: no healthy target,
                # a target that closed the connection, or a timeout.
                _metric(
                    "AWS/ApplicationELB",
                    "HTTPCode_ELB_5XX_Count",
                    {"LoadBalancer": load_balancer},
                    stat="Sum",
                    label="5xx from the load balancer",
                ),
                [
                    {
                        "expression": "100 * FILL(errors, 0) / requests",
                        "label": "app 5xx % of requests",
                        "id": "rate",
                        "yAxis": "right",
                    }
                ],
            ],
            alarm_at=spec.http_5xx_percent,
            alarm_axis="right",
        ),
        _graph(
            "Load balancer targets",
            region,
            [
                _metric("AWS/ApplicationELB", "HealthyHostCount", alb, stat="Minimum", label="healthy"),
                _metric("AWS/ApplicationELB", "UnHealthyHostCount", alb, stat="Maximum", label="unhealthy"),
            ],
        ),
    ]
    if database is not None:
        rds = {"DBInstanceIdentifier": database}
        graphs += [
            _graph(
                "Database CPU (%)",
                region,
                [
                    _metric("AWS/RDS", "CPUUtilization", rds, stat="Maximum", label="CPU"),
                ],
                percent=True,
                alarm_at=spec.database_cpu_percent,
            ),
            _graph(
                "Database free storage (bytes)",
                region,
                [
                    _metric("AWS/RDS", "FreeStorageSpace", rds, stat="Minimum", label="free storage"),
                ],
            ),
            _graph(
                "Database connections",
                region,
                [
                    _metric("AWS/RDS", "DatabaseConnections", rds, stat="Maximum", label="connections"),
                ],
            ),
            _graph(
                "Database read/write latency (seconds)",
                region,
                [
                    _metric("AWS/RDS", "ReadLatency", rds, label="read"),
                    _metric("AWS/RDS", "WriteLatency", rds, label="write"),
                ],
            ),
        ]
    header = [_header(client, cluster, service, database), _alarm_status(alarm_arns)]
    return {"widgets": _lay_out(header + graphs)}


def _metric(namespace: str, name: str, dimensions: dict[str, str], stat: str = "Average", **options: Any) -> list[Any]:
    """One line of a graph in CloudWatch's array form: namespace, name, dimension pairs, options."""
    pairs = [part for key, value in dimensions.items() for part in (key, value)]
    return [namespace, name, *pairs, {"stat": stat, **options}]


def _graph(
    title: str,
    region: str,
    metrics: list[Any],
    *,
    percent: bool = False,
    alarm_at: float | None = None,
    alarm_axis: str = "left",
) -> Widget:
    properties: dict[str, Any] = {
        "title": title,
        "region": region,
        "view": "timeSeries",
        "stacked": False,
        "period": 60,
        "metrics": metrics,
    }
    if percent:
        properties["yAxis"] = {"left": {"min": 0, "max": 100}}
    if alarm_at is not None:
        properties["annotations"] = {
            "horizontal": [{"label": "alarm threshold", "value": alarm_at, "yAxis": alarm_axis}]
        }
    return {"type": "metric", "width": WIDTH, "height": HEIGHT, "properties": properties}


def _header(client: str, cluster: str, service: str, database: str | None) -> Widget:
    lines = [
        f"# {client}",
        f"Service `{service}` in cluster `{cluster}`" + (f", database `{database}`." if database else "."),
        "An alarm email names the graph to look at first; ECS service events and the app's "
        "log group explain crashes and failed deployments.",
    ]
    return {"type": "text", "width": WIDTH, "height": HEIGHT, "properties": {"markdown": "\n\n".join(lines)}}


def _alarm_status(alarm_arns: Sequence[str]) -> Widget:
    return {
        "type": "alarm",
        "width": WIDTH,
        "height": HEIGHT,
        "properties": {"title": "Alarms", "alarms": list(alarm_arns), "sortBy": "stateUpdatedTimestamp"},
    }


def _lay_out(widgets: list[Widget]) -> list[Widget]:
    """Place the widgets left to right, top to bottom, two per row."""
    per_row = GRID // WIDTH
    return [{**widget, "x": (i % per_row) * WIDTH, "y": (i // per_row) * HEIGHT} for i, widget in enumerate(widgets)]
