"""What `crane reset` passes to `pulumi up --target` to start the restore at minute zero.

The restored instance alone is not enough: a targeted resource whose dependency is new and
not targeted fails the update ("depends on ... which was not specified in --target list",
pulumi/pulumi#5869), and ``--target-dependents`` adds dependents, not dependencies. The
instance depends on its log groups (created first, so RDS exports into groups with
retention and the log key instead of making its own), so they are targeted with it. Its
other dependencies (subnet, security and parameter groups, keys) already exist: the
original instance uses them, and targeting them would also apply any change pending on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...data.database_restore import log_group_name

INSTANCE = "aws:rds/instance:Instance"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def restore_targets(plan: Iterable[Any], identifier: str) -> list[str]:
    """URNs to target: the instance ``identifier`` first, then the log groups RDS would export it into."""
    regs = list(plan)
    instance = next(
        (r for r in regs if r.type == INSTANCE and r.inputs.get("identifier") == identifier),
        None,
    )
    if instance is None:
        raise LookupError(f"the program declares no instance {identifier}: is database.restore in the spec?")
    names = {log_group_name(identifier, log) for log in instance.inputs.get("enabledCloudwatchLogsExports") or ()}
    logs = sorted(r.urn for r in regs if r.type == LOG_GROUP and r.inputs.get("name") in names)
    return [instance.urn, *logs]
