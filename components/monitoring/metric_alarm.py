"""What every client metric alarm shares: the one-minute period and the factory that declares one.

The :class:`~crane_it.monitoring.alarms.Alarms` component owns the factory (it names the alarm and sends
ALARM and OK to the client's topic); :mod:`crane_it.monitoring.service_alarms` and
:mod:`crane_it.monitoring.database_alarms` say only what to watch and when to fire, so each reads as a list
of thresholds.
"""

from __future__ import annotations

from typing import Any, Protocol

import pulumi
import pulumi_aws as aws

PERIOD = 60
"""ECS, ALB and RDS publish one-minute data points; alarms judge minute by minute."""

Alarm = aws.cloudwatch.MetricAlarm


class NewAlarm(Protocol):
    """Declares the alarm ``key`` of client ``name``, titled ``title``, notifying the client's topic."""

    def __call__(self, name: str, key: str, title: str, description: str, **args: Any) -> Alarm: ...


def nat_instance_in_service(group_name: pulumi.Input[str]) -> dict[str, Any]:
    """The metric a NAT instance alarm watches (a client's own or the platform's): fewer than one
    instance in service in its auto-scaling group. Missing data is breaching: the group publishes
    this every minute while it exists."""
    return {
        "namespace": "AWS/AutoScaling",
        "metric_name": "GroupInServiceInstances",
        "dimensions": {"AutoScalingGroupName": group_name},
        "statistic": "Minimum",
        "threshold": 1,
        "comparison_operator": "LessThanThreshold",
        "treat_missing_data": "breaching",
    }
