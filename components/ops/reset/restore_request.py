"""The RestoreDBInstanceToPointInTime call that creates exactly the instance the program declares.

`crane reset` starts the point-in-time restore itself, at minute zero, instead of waiting for
a reviewed `pulumi up` to start it. The program then adopts the running instance (Pulumi's
``import`` option, ``RestoreSpec.adopt``) rather than creating a second one. An import only
succeeds when the declared inputs match what AWS reports, so the call passes every setting
the program declares for a restored instance (``Database._settings``) that the API takes,
and the tags the stack's provider puts on everything.

What the API cannot take, and AWS does not report back, cannot match at import time; the
program ignores exactly these (``ADOPT_IGNORES``) until ``restore.applied`` is set, and the
next `pulumi up` then sets them in place. What the copy inherits from its source and AWS
reports back is listed in ``INHERITED``. A test renders the program and checks that the
three lists together cover every input of the declared instance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ...data.database import BACKUP_WINDOW, CA_CERTIFICATE
from ...data.database_restore import ADOPT_IGNORES, INHERITED, restored_identifier
from ...facts import rds
from ...spec.data import DatabaseSpec

__all__ = ["ADOPT_IGNORES", "API_TO_INPUT", "INHERITED", "restore_request"]

API_TO_INPUT = {
    "TargetDBInstanceIdentifier": "identifier",
    "Engine": "engine",
    "DBInstanceClass": "instanceClass",
    "Port": "port",
    "MultiAZ": "multiAz",
    "PubliclyAccessible": "publiclyAccessible",
    "DBSubnetGroupName": "dbSubnetGroupName",
    "VpcSecurityGroupIds": "vpcSecurityGroupIds",
    "DBParameterGroupName": "parameterGroupName",
    "CACertificateIdentifier": "caCertIdentifier",
    "MaxAllocatedStorage": "maxAllocatedStorage",
    "StorageType": "storageType",
    "ManageMasterUserPassword": "manageMasterUserPassword",
    "MasterUserSecretKmsKeyId": "masterUserSecretKmsKeyId",
    "BackupRetentionPeriod": "backupRetentionPeriod",
    "PreferredBackupWindow": "backupWindow",
    "CopyTagsToSnapshot": "copyTagsToSnapshot",
    "DeletionProtection": "deletionProtection",
    "EnableCloudwatchLogsExports": "enabledCloudwatchLogsExports",
    "AutoMinorVersionUpgrade": "autoMinorVersionUpgrade",
    "EngineLifecycleSupport": "engineLifecycleSupport",
}
"""RestoreDBInstanceToPointInTime parameter -> the Pulumi input of ``aws.rds.Instance`` it sets."""


def restore_request(
    spec: DatabaseSpec,
    base: str,
    *,
    source: str,
    when: dt.datetime | None,
    subnet_group: str,
    security_group_ids: list[str],
    parameter_group: str,
    key_arn: str,
    tags: Mapping[str, str],
) -> dict[str, Any]:
    """The keyword arguments of ``rds.restore_db_instance_to_point_in_time``.

    ``base``: the stack's base name (``naming.base_name``); ``when``: the UTC time to restore
    to, or None for the latest restorable time. ``subnet_group``, ``security_group_ids``,
    ``parameter_group`` and ``key_arn`` are the stack's own (auto-named by Pulumi), read from
    the source instance, which uses the same ones; ``tags``: ``provider.default_tags``.
    """
    assert spec.restore is not None
    engine = rds.ENGINES[spec.engine]
    request: dict[str, Any] = {
        "SourceDBInstanceIdentifier": source,
        "TargetDBInstanceIdentifier": restored_identifier(base, spec.restore.id),
        "Engine": spec.engine,
        "DBInstanceClass": spec.instance_class,
        "Port": engine.port,
        "MultiAZ": spec.multi_az,
        "PubliclyAccessible": False,
        "DBSubnetGroupName": subnet_group,
        "VpcSecurityGroupIds": list(security_group_ids),
        "DBParameterGroupName": parameter_group,
        "CACertificateIdentifier": CA_CERTIFICATE,
        "MaxAllocatedStorage": spec.max_storage_gb,
        "StorageType": "gp3",
        "ManageMasterUserPassword": True,
        "MasterUserSecretKmsKeyId": key_arn,
        "BackupRetentionPeriod": spec.backup_retention_days,
        "PreferredBackupWindow": BACKUP_WINDOW,
        "CopyTagsToSnapshot": True,
        "DeletionProtection": spec.deletion_protection,
        "EnableCloudwatchLogsExports": list(engine.log_exports),
        "AutoMinorVersionUpgrade": True,
        "EngineLifecycleSupport": rds.lifecycle_support(spec.extended_support),
        "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
    }
    if when is None:
        request["UseLatestRestorableTime"] = True
    else:
        request["RestoreTime"] = when.astimezone(dt.UTC)
    return request
