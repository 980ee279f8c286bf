"""A stack's leftover database instances: retained by an undo or a second reset, still in AWS.

A restored instance that leaves the stack (the undo removes `database.restore`, a second
reset replaces it) is retained on delete and deletion-protected: its data outlives the
change. But it still sits in the stack's subnet group, security group and parameter group,
so a later parameter-group replacement (a major upgrade) fails with
InvalidDBParameterGroupState, and `pulumi destroy` of the network fails while it exists.
This command finds such instances by the tags every Crane It resource carries (client,
stack, managed-by) minus the instances the spec still declares, and prints how to delete
each one with a final snapshot. It changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.naming import base_name
from ..data.database_restore import restored_identifier
from ..errors import AwsError
from ..facts import tags as tag_keys
from ..loader import load_spec
from .aws import import_boto3


@dataclass(frozen=True)
class Leftover:
    """A database instance of the stack that the spec no longer declares."""

    identifier: str
    status: str
    created: str
    deletion_protection: bool
    parameter_groups: list[str]
    subnet_group: str

    def commands(self) -> list[str]:
        """How to delete it, keeping a final snapshot (encrypted with the client's retained key)."""
        steps = []
        if self.deletion_protection:
            steps.append(
                f"aws rds modify-db-instance --db-instance-identifier {self.identifier} "
                "--no-deletion-protection --apply-immediately"
            )
        steps.append(
            f"aws rds delete-db-instance --db-instance-identifier {self.identifier} "
            f"--final-db-snapshot-identifier {self.identifier}-final"
        )
        return steps


def declared_identifiers(base: str, restore_id: str | None) -> set[str]:
    """The instances a spec declares: the original and, during a reset, the restored one."""
    return {f"{base}-db"} | ({restored_identifier(base, restore_id)} if restore_id else set())


def find_leftovers(rds: Any, client: str, stack: str, declared: set[str]) -> list[Leftover]:
    """Instances tagged for ``client`` and ``stack`` by Crane It that are not in ``declared``."""
    wanted = {tag_keys.CLIENT: client, tag_keys.STACK: stack, tag_keys.MANAGED_BY: tag_keys.MANAGED_BY_VALUE}
    found = []
    for page in rds.get_paginator("describe_db_instances").paginate():
        for instance in page["DBInstances"]:
            tags = {tag["Key"]: tag["Value"] for tag in instance.get("TagList", [])}
            identifier = instance["DBInstanceIdentifier"]
            if any(tags.get(key) != value for key, value in wanted.items()) or identifier in declared:
                continue
            created = instance.get("InstanceCreateTime")
            found.append(
                Leftover(
                    identifier=identifier,
                    status=instance.get("DBInstanceStatus", "?"),
                    created=created.isoformat() if created else "?",
                    deletion_protection=bool(instance.get("DeletionProtection")),
                    parameter_groups=[g["DBParameterGroupName"] for g in instance.get("DBParameterGroups", [])],
                    subnet_group=(instance.get("DBSubnetGroup") or {}).get("DBSubnetGroupName", "?"),
                )
            )
    return sorted(found, key=lambda leftover: leftover.identifier)


def stack_leftovers(stack: str, spec_file: Path, endpoint_url: str | None = None) -> list[Leftover]:
    """The leftovers of ``stack`` whose spec is ``spec_file``, read from RDS in the spec's region.

    A bad spec raises SpecError; RDS out of reach or refusing raises AwsError (nothing changes
    either way); without boto3, MissingExtraError.
    """
    spec = load_spec(spec_file)
    base = base_name(spec.client, stack)
    restore = spec.database.restore if spec.database else None
    boto3 = import_boto3()
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        rds = boto3.client("rds", region_name=spec.region, endpoint_url=endpoint_url)
        return find_leftovers(rds, spec.client, stack, declared_identifiers(base, restore.id if restore else None))
    except (ClientError, BotoCoreError) as error:
        raise AwsError(str(error)) from error
