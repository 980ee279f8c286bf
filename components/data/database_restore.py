"""The point-in-time restore of the client's database: the new instance it creates or adopts.

RDS never restores in place: it restores into a NEW instance, which the Database component
declares beside the original (``DatabaseSpec.restore``). `crane reset` may start that restore
itself (restore_request.py) and leave the program to adopt it. Kept apart from database.py
because these facts are shared: the restored instance's identifier (`crane reset`,
`crane leftovers`), and which declared inputs a started restore cannot match
(``ADOPT_IGNORES``) or takes from its source (``INHERITED``), which restore_request.py's
call must agree with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws

from ..spec.data import RestoreSpec

ADOPT_IGNORES = (
    "maintenanceWindow",  # not a parameter of the restore: RDS picks a random window
    "performanceInsightsEnabled",  # not parameters of the restore either
    "performanceInsightsKmsKeyId",
    "performanceInsightsRetentionPeriod",
    "finalSnapshotIdentifier",  # provider-only arguments, used when deleting or updating;
    "skipFinalSnapshot",  # AWS has no such attribute to report back
    "deleteAutomatedBackups",
    "applyImmediately",
    "allowMajorVersionUpgrade",
    "monitoringInterval",  # Enhanced Monitoring is not a parameter of the restore either
    "monitoringRoleArn",
)
"""Declared inputs a freshly started restore cannot match (Pulumi property names)."""

INHERITED = ("engineVersion", "kmsKeyId", "storageEncrypted")
"""Declared inputs the copy takes from its source (same version, same key, encrypted) and
AWS reports back: the restore call has no parameter for them and needs none."""

InstanceOptions = Callable[..., pulumi.ResourceOptions]
"""The Database's options for one of its instances, given the inputs to ignore and more options."""


def restored_identifier(name: str, restore_id: str) -> str:
    """The identifier (and logical name) of the instance of restore ``restore_id`` (``RestoreSpec.id``)."""
    return f"{name}-db-restore-{restore_id}"


def restore_args(restore: RestoreSpec, source: pulumi.Input[str]) -> aws.rds.InstanceRestoreToPointInTimeArgs:
    """The ``restore_to_point_in_time`` block: from ``source``, to a UTC time or the latest one."""
    args = aws.rds.InstanceRestoreToPointInTimeArgs
    if restore.point_in_time == "latest":
        # The newest restorable time, usually about five minutes ago, fixed at creation.
        return args(source_db_instance_identifier=source, use_latest_restorable_time=True)
    when = restore.point_in_time.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return args(source_db_instance_identifier=source, restore_time=when)


def restored_instance(
    identifier: str,
    restore: RestoreSpec,
    source: pulumi.Input[str],
    settings: dict[str, Any],
    options: InstanceOptions,
) -> aws.rds.Instance:
    """The instance ``restore`` creates from ``source``, with the database's ``settings`` and ``options``."""
    # RDS always restores into a NEW instance, here `<client>-db-restore-<id>`. Given
    # explicitly, as RestoreDBInstanceToPointInTime would otherwise use the default VPC
    # security group, subnet group and parameter group. Not passed on purpose:
    # - db_name, username: the copy has the source's databases and master user;
    # - allocated_storage: the copy takes the source's (possibly autoscaled) size, and
    #   asking for less than that fails the restore.
    # The API takes no KMS key: the copy is encrypted with the source's key, which is
    # this key for any instance of this client; kms_key_id only states it. Settings the
    # provider cannot pass to the restore call (Performance Insights, the managed
    # password on older APIs, ...) it applies with ModifyDBInstance right after. The
    # managed password gets a NEW secret with a NEW password; the link follows it.
    # The identifier carries the restore's own id, never its time: `latest` twice, or
    # the same time again after an undo, must not target a retained instance's name.
    if restore.adopt:
        return _adopted(identifier, restore, settings, options)
    return aws.rds.Instance(
        identifier,
        restore_to_point_in_time=restore_args(restore, source),
        **settings,
        # A restore copies the whole volume: large databases take far longer than the
        # provider's 40-minute default, which would leave a running restore untracked.
        opts=options(custom_timeouts=pulumi.CustomTimeouts(create="6h")),
    )


def _adopted(
    identifier: str, restore: RestoreSpec, settings: dict[str, Any], options: InstanceOptions
) -> aws.rds.Instance:
    # `crane reset` already started this restore (restore_request.py) with the same
    # identifier, settings and tags. Declared with `import_` and WITHOUT the
    # restore_to_point_in_time block: that block is create-only and never read back, so
    # declaring it on an existing instance would diff and replace it. After the first
    # `pulumi up` the instance is in the state under this id and `import_` is a no-op.
    # Until `applied`, ADOPT_IGNORES keeps the import from failing on what the restore
    # call could not set; `applied: true` drops them and the next `up` sets them in place.
    ignore = () if restore.applied else ADOPT_IGNORES
    return aws.rds.Instance(
        identifier,
        **settings,
        opts=options(ignore, import_=identifier),
    )
