"""The alarms on a client's service and its load balancer: memory, CPU, tasks, 5xx and health.

Memory is watched twice, by a threshold and by its trend, because the outage behind Crane It
was memory creeping up for weeks until tasks died. The thresholds come from the client's
``alerts`` spec; :class:`~crane_it.monitoring.alarms.Alarms` declares each alarm through its factory.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from ..facts import alarm_names
from ..spec.alerts import AlertsSpec
from .metric_alarm import PERIOD, Alarm, NewAlarm

if TYPE_CHECKING:  # read through their contract attributes only
    from ..core.contracts import ServiceMetrics

TREND_PERIOD = 300
TREND_PERIODS = 12
"""The memory trend alarm needs an hour (12 x 5 min) above the band, so spikes never page."""

Dimensions = Mapping[str, pulumi.Input[str]]


def service_alarms(alarm: NewAlarm, name: str, spec: AlertsSpec, service: ServiceMetrics) -> dict[str, Alarm]:
    """The alarms on the ECS service and its load balancer target group, by key."""
    ecs = {"ClusterName": service.cluster_name, "ServiceName": service.service_name}
    alb = {"LoadBalancer": service.load_balancer_arn_suffix, "TargetGroup": service.target_group_arn_suffix}
    minutes = spec.sustained_minutes
    sustained = {"period": PERIOD, "evaluation_periods": minutes, "datapoints_to_alarm": minutes}
    return {
        # Maximum is the busiest task (AWS/ECS service metrics): one leaking task dies
        # even while the average looks fine. No data means no running task, which the
        # task-count alarm reports: "missing" turns it INSUFFICIENT_DATA, mailing nobody
        # (an OK mail would claim memory recovered).
        "service-memory": alarm(
            name,
            "service-memory",
            alarm_names.SERVICE_MEMORY,
            f"A task of the {name} service has used over {spec.memory_percent} % of its memory limit for "
            f"{minutes} min; at 100 % ECS kills it (OutOfMemoryError). Check first: the memory graph "
            "(a steady climb since the last deploy is a leak), recent deploys, stopped tasks in the ECS "
            "service events. Relief: force a new deployment or raise service.memory.",
            namespace="AWS/ECS",
            metric_name="MemoryUtilization",
            dimensions=ecs,
            statistic="Maximum",
            threshold=spec.memory_percent,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="missing",
            **sustained,
        ),
        "service-memory-trend": _memory_trend(alarm, name, spec, ecs),
        "service-cpu": alarm(
            name,
            "service-cpu",
            "service CPU high",
            f"The {name} service has averaged over {spec.cpu_percent} % CPU for {minutes} min: requests "
            "slow down and health checks may time out. Check first: request count and response time "
            "graphs (traffic spike or slow code?), whether autoscaling is at its max.",
            namespace="AWS/ECS",
            metric_name="CPUUtilization",
            dimensions=ecs,
            statistic="Average",
            threshold=spec.cpu_percent,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="missing",
            **sustained,
        ),
        "service-tasks": _missing_tasks(alarm, name, spec, ecs),
        "http-5xx": _error_rate(alarm, name, spec, alb),
        # Minimum over the minute: a target that flaps for a few seconds does not count.
        # Without registered targets ALB publishes nothing; the task alarm covers that.
        "unhealthy-targets": alarm(
            name,
            "unhealthy-targets",
            "unhealthy load balancer targets",
            f"The load balancer has judged at least one {name} task unhealthy for {minutes} min: its "
            "health check path fails or times out. Check first: the targets graph, the app log group, "
            "the health check path (it should not depend on the database).",
            namespace="AWS/ApplicationELB",
            metric_name="UnHealthyHostCount",
            dimensions=alb,
            statistic="Minimum",
            threshold=0,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
            **sustained,
        ),
    }


def _memory_trend(alarm: NewAlarm, name: str, spec: AlertsSpec, ecs: Dimensions) -> Alarm:
    """Memory above its learned band for an hour: a slow leak, found before the threshold.

    CloudWatch anomaly detection learns the metric's normal daily and weekly shape (deploys
    resetting memory included) and ANOMALY_DETECTION_BAND draws a band
    ``memory_trend_band`` standard deviations wide around it. A leak pushes memory above
    the band while it is still far below ``memory_percent``; requiring every 5-minute
    point of an hour above the band keeps single spikes (a big report, a cache warm-up)
    from paging. The model trains for up to two weeks and keeps learning, so a leak slow
    enough to become the norm is left to the threshold alarm, the backstop.
    """
    return alarm(
        name,
        "service-memory-trend",
        "service memory trend",
        f"Memory of the {name} service has stayed above its usual band for an hour, though it may still "
        f"be under {spec.memory_percent} %: this is how a memory leak looks days before tasks are killed. "
        "Check first: the memory graph over the last days and which deploy the climb started with; "
        "plan a fix before the memory alarm fires.",
        # Both returned, as PutMetricAlarm requires for an anomaly detection alarm.
        metric_queries=[
            _query("memory", "AWS/ECS", "MemoryUtilization", ecs, "Maximum", period=TREND_PERIOD, returned=True),
            _expression("band", f"ANOMALY_DETECTION_BAND(memory, {spec.memory_trend_band})", "usual memory"),
        ],
        threshold_metric_id="band",
        comparison_operator="GreaterThanUpperThreshold",
        evaluation_periods=TREND_PERIODS,
        datapoints_to_alarm=TREND_PERIODS,
        # A gap (no running task) says nothing about a trend: keep the current state.
        treat_missing_data="ignore",
    )


def _missing_tasks(alarm: NewAlarm, name: str, spec: AlertsSpec, ecs: Dimensions) -> Alarm:
    # Desired minus running from Container Insights, so it follows autoscaling instead of
    # a fixed floor. Half of a double window: a crash loop that sometimes reaches the
    # count still alarms, one task being replaced does not. Missing data is breaching:
    # no task metrics means Container Insights is off or the service is gone.
    window = tasks_window_minutes(spec)
    return alarm(
        name,
        "service-tasks",
        alarm_names.SERVICE_TASKS,
        f"Fewer {name} tasks are running than ECS wants, for {spec.sustained_minutes} of the last {window} "
        "min: tasks crash, are OOM-killed, fail health checks or cannot start (image, secrets, capacity). "
        "Check first: ECS service events and the stopped reason of stopped tasks, the app log group, "
        "the tasks graph. No data also alarms: check that Container Insights is on.",
        metric_queries=[
            _query("desired", "ECS/ContainerInsights", "DesiredTaskCount", ecs, "Average"),
            _query("running", "ECS/ContainerInsights", "RunningTaskCount", ecs, "Average"),
            _expression("missing", "desired - FILL(running, 0)", "tasks missing"),
        ],
        threshold=0,
        comparison_operator="GreaterThanThreshold",
        evaluation_periods=window,
        datapoints_to_alarm=spec.sustained_minutes,
        treat_missing_data="breaching",
    )


def _error_rate(alarm: NewAlarm, name: str, spec: AlertsSpec, alb: Dimensions) -> Alarm:
    # ALB publishes no 5XX count in a minute without errors (FILL makes it 0) and no
    # request count without traffic: a quiet minute is a good minute (notBreaching).
    minutes = spec.sustained_minutes
    return alarm(
        name,
        "http-5xx",
        alarm_names.HTTP_5XX,
        f"Over {spec.http_5xx_percent} % of requests to the {name} app were answered with 5xx by the app "
        f"itself for {minutes} min. Check first: the app log group for exceptions, recent deploys, the "
        "database graphs (connections, CPU).",
        metric_queries=[
            _query("errors", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", alb, "Sum"),
            _query("requests", "AWS/ApplicationELB", "RequestCount", alb, "Sum"),
            _expression("rate", "100 * FILL(errors, 0) / requests", "5xx % of requests"),
        ],
        threshold=spec.http_5xx_percent,
        comparison_operator="GreaterThanThreshold",
        evaluation_periods=minutes,
        datapoints_to_alarm=minutes,
        treat_missing_data="notBreaching",
    )


def tasks_window_minutes(spec: AlertsSpec) -> int:
    """The tasks-missing alarm's window, the longest of the deployment alarms (ECS's bake time follows it)."""
    return 2 * spec.sustained_minutes


def _query(
    id: str,
    namespace: str,
    metric: str,
    dimensions: Dimensions,
    stat: str,
    period: int = PERIOD,
    returned: bool = False,
) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    """A metric of a metric-math alarm; by default only an input of the expression."""
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=id,
        return_data=returned,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            namespace=namespace, metric_name=metric, dimensions=dimensions, stat=stat, period=period
        ),
    )


def _expression(id: str, expression: str, label: str) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    """The metric-math expression whose value the alarm judges."""
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(id=id, expression=expression, label=label, return_data=True)
