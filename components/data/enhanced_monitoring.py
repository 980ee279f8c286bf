"""RDS Enhanced Monitoring (the `database.enhanced_monitoring_seconds` opt-in): interval and role."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from ..core.component import Component
from ..core.iam import policy_document

MONITORING_POLICY = "arn:{0}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
"""AWS's managed policy for the role: write the OS metrics into the RDSOSMetrics log group."""


def enhanced_monitoring(name: str, interval: int | None, parent: Component) -> dict[str, Any]:
    """The instance settings for Enhanced Monitoring every ``interval`` seconds (none: off).

    RDS refuses an instance whose monitoring role it cannot assume or that lacks the managed
    policy, so the role ARN handed to the instance is read through the policy attachment:
    the instance is created only after both exist.
    """
    if interval is None:
        return {"monitoring_interval": 0}
    invoke = pulumi.InvokeOutputOptions(parent=parent)
    account = aws.get_caller_identity_output(opts=invoke).account_id
    partition = aws.get_partition_output(opts=invoke).partition
    trust = pulumi.Output.json_dumps(
        policy_document(
            [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "monitoring.rds.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    # Only RDS working for this account may assume it (confused deputy).
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                }
            ]
        )
    )
    options = parent.child()
    role = aws.iam.Role(f"{name}-db-monitoring", assume_role_policy=trust, opts=options)
    attachment = aws.iam.RolePolicyAttachment(
        f"{name}-db-monitoring",
        role=role.name,
        policy_arn=pulumi.Output.format(MONITORING_POLICY, partition),
        opts=options,
    )
    role_arn = pulumi.Output.all(role.arn, attachment.id).apply(lambda values: str(values[0]))
    return {"monitoring_interval": interval, "monitoring_role_arn": role_arn}
