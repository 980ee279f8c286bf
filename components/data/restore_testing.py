"""Scheduled AWS Backup restore tests: proof, every week, that the client's backups restore."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from ..core.component import Component
from ..facts.schedules import SCHEDULE_TIMEZONE
from ..spec import RestoreTestingSpec

if TYPE_CHECKING:
    from ..core.contracts import BucketTarget, DatabaseTarget

SELECTION_WINDOW_DAYS = 7
"""Only recovery points younger than this are tested: a week without a new backup fails the test."""

RECOVERY_POINT_TYPES = ("CONTINUOUS", "SNAPSHOT")
"""Both kinds the plan writes; AWS Backup accepts exactly these two values."""


@dataclass(frozen=True)
class RestoreTests:
    """The restore testing plan and one selection per protected resource type."""

    plan: aws.backup.RestoreTestingPlan
    selections: dict[str, aws.backup.RestoreTestingSelection] = field(default_factory=dict)
    """Keyed by AWS protected resource type: ``RDS``, ``S3``."""


def api_name(name: str, suffix: str) -> str:
    """A restore testing name: AWS allows only letters, digits and underscores, 50 at most."""
    value = f"{name}_{suffix}".replace("-", "_")
    if len(value) > 50:
        raise ValueError(f"restore testing name {value!r} is longer than AWS's 50 characters")
    return value


def restore_tests(
    name: str,
    settings: RestoreTestingSpec,
    vault_arn: pulumi.Input[str],
    role_arn: pulumi.Input[str],
    bucket: BucketTarget | None,
    database: DatabaseTarget | None,
    parent: Component,
) -> RestoreTests:
    """Restore the newest recovery point of each of our resources on a schedule, then discard it."""
    options = parent.child(delete_before_replace=True)
    # The provider's update never sends protected_resource_arns (hashicorp/terraform-provider-aws
    # #48316): after a reset the tests would keep testing the old instance, and every preview
    # would show the same diff. A changed list replaces the selection instead.
    selection = pulumi.ResourceOptions.merge(
        options, pulumi.ResourceOptions(replace_on_changes=["protectedResourceArns"])
    )
    # The names are explicit (Pulumi's auto-names contain hyphens, which AWS refuses here),
    # so a replacement must delete the old one first or the new name would collide.
    plan = aws.backup.RestoreTestingPlan(
        f"{name}-restore-tests",
        name=api_name(name, "restore_tests"),
        schedule_expression=settings.schedule,
        schedule_expression_timezone=SCHEDULE_TIMEZONE,
        start_window_hours=settings.start_window_hours,
        recovery_point_selection=aws.backup.RestoreTestingPlanRecoveryPointSelectionArgs(
            # The newest point is what a real incident would restore first.
            algorithm="LATEST_WITHIN_WINDOW",
            include_vaults=[vault_arn],
            recovery_point_types=list(RECOVERY_POINT_TYPES),
            selection_window_days=SELECTION_WINDOW_DAYS,
        ),
        opts=options,
    )
    selections: dict[str, aws.backup.RestoreTestingSelection] = {}
    if database is not None:
        selections["RDS"] = aws.backup.RestoreTestingSelection(
            f"{name}-restore-tests-rds",
            name="rds",
            restore_testing_plan_name=plan.name,
            protected_resource_type="RDS",
            protected_resource_arns=list(database.arns),
            iam_role_arn=role_arn,
            validation_window_hours=settings.retain_hours,
            # Without overrides AWS Backup restores into the default VPC, which a client
            # account may not have; ours keeps the test instance private, in our subnets.
            # Keys are case-insensitive; the security group list is a JSON array string.
            restore_metadata_overrides={
                "dbSubnetGroupName": database.subnet_group_name,
                "vpcSecurityGroupIds": pulumi.Output.json_dumps([database.security_group_id]),
            },
            opts=selection,
        )
    if bucket is not None:
        # S3 restore tests write into a new bucket that AWS Backup creates and later deletes.
        selections["S3"] = aws.backup.RestoreTestingSelection(
            f"{name}-restore-tests-s3",
            name="s3",
            restore_testing_plan_name=plan.name,
            protected_resource_type="S3",
            protected_resource_arns=[bucket.arn],
            iam_role_arn=role_arn,
            validation_window_hours=settings.retain_hours,
            opts=selection,
        )
    return RestoreTests(plan=plan, selections=selections)
