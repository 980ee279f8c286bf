"""The point-in-time restore of the client's database: the new instance it creates.

RDS never restores in place: it restores into a NEW instance, which the Database component
declares beside the original (``DatabaseSpec.restore``). The program itself always starts
the restore (the ``restore_to_point_in_time`` block): `crane reset` does so at minute zero
with a `pulumi up` targeted at this instance and its log groups (``restore_targets``), so
nothing is ever imported. Kept apart from database.py because the restored instance's
identifier is shared (`crane reset`, `crane leftovers`).

Why not start the restore with boto3 and import it (Crane It 0.3): an import reads
the instance with no prior state, and three of its inputs then never match the declaration
(issue 18): the provider records the full minor engine version (terraform-provider-aws
``compareActualEngineVersion`` keeps a major-only ``16`` only when the state already holds
it); RestoreDBInstanceToPointInTime cannot turn on the managed master password (botocore:
"Applies to RDS for Oracle only"), and ``manage_master_user_password`` is a virtual
attribute the provider never reads back; and RDS creates the log groups itself, without
retention or our key, once the copy exports logs. Created by the provider, the instance
gets the provider's own post-restore ModifyDBInstance (managed password, its key; waited
for, hashicorp/terraform-provider-aws#33699, #35589), keeps the declared version, and finds
its log groups already made with retention and the log key (they are its dependencies).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws

from ..spec.data import RestoreSpec

RESTORE_TIMEOUT = "6h"
"""How long `pulumi up` waits for the restore: it copies the whole volume and replays the log,
far longer than the provider's 40-minute default for large databases, which would leave a
running restore untracked."""

InstanceOptions = Callable[..., pulumi.ResourceOptions]
"""The Database's options for one of its instances, given more options."""


def restored_identifier(name: str, restore_id: str) -> str:
    """The identifier (and logical name) of the instance of restore ``restore_id`` (``RestoreSpec.id``)."""
    return f"{name}-db-restore-{restore_id}"


def log_group_name(identifier: str, log: str) -> str:
    """Where RDS exports the ``log`` of instance ``identifier``: it creates the group itself if it is missing."""
    return f"/aws/rds/instance/{identifier}/{log}"


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
    # restore call cannot take (the managed password and its key, Enhanced Monitoring) the
    # provider applies with ModifyDBInstance right after, and waits for. The managed
    # password gets a NEW secret with a NEW password; the link follows it.
    # The identifier carries the restore's own id, never its time: `latest` twice, or
    # the same time again after an undo, must not target a retained instance's name.
    # The block is create-only and stays declared after `applied`: removing it would
    # plan a replacement.
    return aws.rds.Instance(
        identifier,
        restore_to_point_in_time=restore_args(restore, source),
        **settings,
        opts=options(custom_timeouts=pulumi.CustomTimeouts(create=RESTORE_TIMEOUT)),
    )
