"""List a stack's leftover database instances: retained by an undo or a second reset, still in AWS.

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

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from ..core.naming import base_name
from ..data.database_restore import restored_identifier
from ..facts import tags as tag_keys
from ..loader import SpecError, load_spec, spec_path
from ..project import ProjectError, find_project, stacks_dir

HELP = "list a stack's database instances that are no longer declared (left over by an undo or a second reset)"


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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `crane leftovers`."""
    parser.add_argument("stack", help="the client stack, e.g. acme (reads stacks/<stack>.yaml)")
    parser.add_argument("--spec", type=Path, help="the stack's spec file, if not stacks/<stack>.yaml")
    parser.add_argument("--project", type=Path, help="the Pulumi project directory (default: found from here upward)")
    parser.add_argument("--endpoint-url", help="RDS endpoint, e.g. a local moto server")
    parser.add_argument("--json", action="store_true", help="print the leftovers as JSON")


def run(args: argparse.Namespace) -> int:
    """0: no leftovers; 1: leftovers listed (delete them before a major upgrade or a retire); 2: refused."""
    try:
        path = args.spec or spec_path(args.stack, stacks_dir(find_project(args.project)))
        spec = load_spec(path)
        base = base_name(spec.client, args.stack)
        restore = spec.database.restore if spec.database else None
        rds = boto3.client("rds", region_name=spec.region, endpoint_url=args.endpoint_url)
        leftovers = find_leftovers(
            rds, spec.client, args.stack, declared_identifiers(base, restore.id if restore else None)
        )
    except (SpecError, ProjectError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as error:
        print(f"leftovers: could not list the database instances: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([asdict(leftover) | {"commands": leftover.commands()} for leftover in leftovers], indent=2))
    elif not leftovers:
        print(f"stack {args.stack}: no leftover database instances")
    else:
        print(f"stack {args.stack}: {len(leftovers)} database instance(s) no longer in the spec:")
        for leftover in leftovers:
            protection = "deletion-protected" if leftover.deletion_protection else "not deletion-protected"
            print(
                f"  {leftover.identifier}  {leftover.status}, created {leftover.created}, {protection}, "
                f"parameter group {', '.join(leftover.parameter_groups) or '?'}, subnet group {leftover.subnet_group}"
            )
        print("Check that nothing in them is still needed, then delete each (a final snapshot is kept):")
        for leftover in leftovers:
            for command in leftover.commands():
                print(f"  {command}")
    return 1 if leftovers else 0
