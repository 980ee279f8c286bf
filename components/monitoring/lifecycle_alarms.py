"""Alerts on what runs beside the web app: workers like the service, jobs that fail to start or exit non-zero.

A worker gets the web service's memory and missing-task alarms, under its own name. A job
alerts twice: an EventBridge rule on ECS "Task State Change" for a stopped task of a job's
task group whose container exited non-zero (or that never started), and an alarm on
EventBridge Scheduler's ``TargetErrorCount`` of the client's schedule group, for a run whose
RunTask call itself failed (permissions, capacity, a deregistered revision).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pulumi

from ..spec.alerts import AlertsSpec
from .alert_rules import AlertRule
from .metric_alarm import PERIOD, Alarm, NewAlarm
from .service_alarms import _expression, _query, tasks_window_minutes

if TYPE_CHECKING:
    from ..core.contracts import JobsWatch, WorkerMetrics


def worker_alarms(alarm: NewAlarm, name: str, spec: AlertsSpec, worker: WorkerMetrics) -> dict[str, Alarm]:
    """The worker's memory and missing-task alarms, by key."""
    ecs = {"ClusterName": worker.cluster_name, "ServiceName": worker.service_name}
    minutes = spec.sustained_minutes
    label = f"worker {worker.worker}"
    return {
        f"worker-{worker.worker}-memory": alarm(
            name,
            f"worker-{worker.worker}-memory",
            f"{label} memory high",
            f"A task of the {name} {label} has used over {spec.memory_percent} % of its memory limit for "
            f"{minutes} min; at 100 % ECS kills it. Check first: its memory graph, recent deploys, the "
            f"worker-{worker.worker} streams of the app log group. Relief: raise the worker's memory.",
            namespace="AWS/ECS",
            metric_name="MemoryUtilization",
            dimensions=ecs,
            statistic="Maximum",
            threshold=spec.memory_percent,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="missing",
            period=PERIOD,
            evaluation_periods=minutes,
            datapoints_to_alarm=minutes,
        ),
        # Desired minus running follows autoscaling and maintenance (both 0 then). No data
        # (Container Insights publishes nothing for a service it does not know) stays
        # INSUFFICIENT_DATA rather than paging.
        f"worker-{worker.worker}-tasks": alarm(
            name,
            f"worker-{worker.worker}-tasks",
            f"{label} tasks missing",
            f"Fewer {name} {label} tasks are running than ECS wants, for {minutes} of the last "
            f"{tasks_window_minutes(spec)} min: they crash, are OOM-killed or cannot start. Check first: ECS "
            "service events and the stopped reason of stopped tasks, the worker's log streams.",
            metric_queries=[
                _query("desired", "ECS/ContainerInsights", "DesiredTaskCount", ecs, "Average"),
                _query("running", "ECS/ContainerInsights", "RunningTaskCount", ecs, "Average"),
                _expression("missing", "desired - FILL(running, 0)", "tasks missing"),
            ],
            threshold=0,
            comparison_operator="GreaterThanThreshold",
            evaluation_periods=tasks_window_minutes(spec),
            datapoints_to_alarm=minutes,
            treat_missing_data="missing",
        ),
    }


def job_failed(client: str, cluster_arn: pulumi.Input[str], task_groups: Sequence[str]) -> AlertRule:
    """A job's task stopped with a non-zero exit code, or stopped without starting."""
    return AlertRule(
        description=f"A scheduled job of {client} failed",
        pattern={
            "source": ["aws.ecs"],
            "detail-type": ["ECS Task State Change"],
            "detail": {
                "clusterArn": [cluster_arn],
                "group": list(task_groups),
                "lastStatus": ["STOPPED"],
                "$or": [
                    {"containers": {"exitCode": [{"anything-but": 0}]}},
                    {"stopCode": ["TaskFailedToStart"]},
                ],
            },
        },
        paths={
            "job": "$.detail.group",
            "task": "$.detail.taskArn",
            "exit": "$.detail.containers[0].exitCode",
            "reason": "$.detail.stoppedReason",
            "time": "$.time",
        },
        message={
            "alert": f"{client}: a scheduled job failed (<job>).",
            "check": "The job's log streams (crane logs, or crane job list), then the task's stopped reason.",
            "exit code": "<exit>",
            "reason": "<reason>",
            "task": "<task>",
            "time": "<time>",
        },
    )


def jobs_alarms(alarm: NewAlarm, name: str, jobs: JobsWatch) -> dict[str, Alarm]:
    """Scheduled runs whose RunTask call failed (Scheduler's target errors in the client's group)."""
    return {
        "jobs-start-failed": alarm(
            name,
            "jobs-start-failed",
            "scheduled jobs failed to start",
            f"EventBridge Scheduler could not start a scheduled job of {name}: RunTask failed (permissions, "
            "Fargate capacity, a missing task definition). Scheduler retries for an hour. Check first: "
            "the schedule's target in the Scheduler console, ECS service quotas, `crane job list`.",
            namespace="AWS/Scheduler",
            metric_name="TargetErrorCount",
            dimensions={"ScheduleGroup": jobs.group_name},
            statistic="Sum",
            threshold=0,
            comparison_operator="GreaterThanThreshold",
            period=300,
            evaluation_periods=1,
            treat_missing_data="notBreaching",
        )
    }
