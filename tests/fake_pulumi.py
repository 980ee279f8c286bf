"""A fake ``pulumi`` CLI for the reset tests: the real program, rendered offline, deployed into moto.

There is no Pulumi CLI, backend or provider plugin on a test machine. ``install`` puts an
executable ``pulumi`` on PATH that runs :func:`main`: it renders the stack exactly as
`crane plan` does (``crane_it.review.render``), keeps the stack's state in
``<project>/.fake-pulumi/<stack>.json`` (URN -> the real ids, names and ARNs, so inputs that
point at an existing resource carry its real value, as the engine passes them), and does in
AWS (the moto server at ``$FAKE_PULUMI_ENDPOINT``) what the engine and the provider would do.

Modelled, with the evidence:
- ``--target``: only targeted new resources are created; a targeted one whose dependency is
  new and untargeted fails the update (pulumi/pulumi#5869); an ``import_`` is processed before
  the targets are (pulumi/pulumi#12628: NewImportStep precedes the untargeted skip), so an
  import of an instance that does not exist fails even an up targeted elsewhere.
- An import compares every declared input not in ``ignore_changes`` with the read: the
  provider records the full engine version when no prior state holds a major-only one
  (terraform-provider-aws compareActualEngineVersion), and never reads
  ``manage_master_user_password`` back (a virtual attribute, resourceInstanceRead).
- A created instance with ``restore_to_point_in_time``: the provider's RestoreDBInstanceToPointInTime
  parameters, a wait, then ModifyDBInstance with the managed password and its key
  (hashicorp/terraform-provider-aws#33699, #35589: resourceInstanceCreate's
  requiresModifyDbInstance), waited for. The engine version is not a parameter of the restore.
- RDS creates ``/aws/rds/instance/<id>/<log>`` itself, without retention or a key, once the
  instance exports a log into a group that does not exist yet; CreateLogGroup of an existing
  group fails with ResourceAlreadyExistsException.
- A delete of a protected resource fails until ``pulumi state unprotect``.
- A full `up` rolls the service out: a new task definition revision with the program's
  image and environment (real values), set on the service.
Not modelled: updates in place (an update changes no AWS state a reset test reads).
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

INSTANCE = "aws:rds/instance:Instance"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
PROVIDER = "pulumi:providers:aws"
STATE_DIR = ".fake-pulumi"


class RefusedError(Exception):
    """What the real `pulumi up` would print before exiting non-zero."""


def install(bin_dir: Path, log: Path, endpoint: str, region: str) -> dict[str, str]:
    """Write ``bin_dir/pulumi`` and return the environment variables it reads."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "pulumi"
    here = Path(__file__).resolve().parent
    script.write_text(
        f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(here)!r})\n"
        "import fake_pulumi\nsys.exit(fake_pulumi.main(sys.argv[1:]))\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_PULUMI_LOG": str(log),
        "FAKE_PULUMI_ENDPOINT": endpoint,
        "FAKE_PULUMI_REGION": region,
    }


def state_path(project: Path, stack: str) -> Path:
    return project / STATE_DIR / f"{stack}.json"


def load(project: Path, stack: str) -> dict[str, Any]:
    path = state_path(project, stack)
    return json.loads(path.read_text()) if path.exists() else {"resources": {}, "ecs": {}}


def save(project: Path, stack: str, state: dict[str, Any]) -> None:
    path = state_path(project, stack)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(state, indent=2, sort_keys=True))


def seed(project: Path, stack: str, real: dict[tuple[str, str], dict[str, str]], ecs: dict[str, str]) -> None:
    """The stack as deployed before the reset: every resource the spec declares now is in the state.

    ``real``: (type, logical name) -> the real value of its outputs (``id``, ``name``, ``arn``,
    ``address``) where they differ from the offline render's; ``ecs``: the service's cluster,
    name and task family in AWS.
    """
    state: dict[str, Any] = {"resources": {}, "ecs": ecs}
    for reg in _render(project, stack):
        state["resources"][reg.urn] = _entry(reg, real.get((reg.type, reg.name), {}))
    save(project, stack, state)


def _entry(reg: Any, real: dict[str, str]) -> dict[str, Any]:
    mock = {"id": reg.id, **{k: reg.outputs.get(k) for k in ("name", "arn", "address")}}
    return {"type": reg.type, "protect": reg.protect, "mock": {k: mock[k] for k in real}, "real": real}


def _render(project: Path, stack: str) -> Any:
    from crane_it.review.render import render_stack

    return render_stack(stack, project / "stacks" / f"{stack}.yaml", project)


def _client(service: str) -> Any:
    import boto3

    return boto3.client(
        service, region_name=os.environ["FAKE_PULUMI_REGION"], endpoint_url=os.environ.get("FAKE_PULUMI_ENDPOINT")
    )


def main(argv: list[str]) -> int:
    project = Path.cwd()
    stack = argv[argv.index("--stack") + 1]
    with open(os.environ["FAKE_PULUMI_LOG"], "a") as log:
        log.write(json.dumps(argv) + "\n")
    try:
        if argv[:2] == ["state", "unprotect"]:
            state = load(project, stack)
            state["resources"][argv[2]]["protect"] = False
            save(project, stack, state)
        elif argv[0] == "up":
            up(project, stack, [argv[i + 1] for i, a in enumerate(argv) if a == "--target"])
        else:
            raise RefusedError(f"the fake pulumi has no {argv[0]}")
    except RefusedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 255
    return 0


def up(project: Path, stack: str, targets: list[str]) -> None:
    state = load(project, stack)
    known = state["resources"]
    plan = _render(project, stack)
    program = {reg.urn: reg for reg in plan}
    swap = {m: entry["real"][k] for entry in known.values() for k, m in entry["mock"].items() if m}
    new = [reg for reg in plan if reg.urn not in known]
    for reg in new:
        if reg.import_id:
            _import(reg, swap)
    if targets:
        missing = [t for t in targets if t not in program]
        if missing:
            raise RefusedError(f"target {missing[0]} is not in the program")
        fresh = {reg.urn for reg in new}
        for reg in new:
            if reg.urn in targets:
                for dep in reg.dependencies:
                    if dep in fresh and dep not in targets:
                        raise RefusedError(
                            f"Resource '{reg.urn}' depends on '{dep}' which was was not specified in --target list."
                        )
        new = [reg for reg in new if reg.urn in targets]
    provider = next((r for r in plan.of_type(PROVIDER) if r.inputs.get("defaultTags")), None)
    tags = json.loads(provider.inputs["defaultTags"]).get("tags", {}) if provider else {}
    for reg in new:
        real = _create(reg, _resolved(reg.inputs, swap), tags) if not reg.import_id else {}
        known[reg.urn] = _entry(reg, real)
        swap.update({m: real[k] for k, m in known[reg.urn]["mock"].items() if m})
    if not targets:
        for urn in [u for u in known if u not in program]:
            if known[urn]["protect"]:
                raise RefusedError(f"unable to delete resource {urn!r} as it is currently marked for protection")
            del known[urn]  # retain_on_delete or not: what leaves the stack stays unread here
        _roll_out(plan, state["ecs"], swap)
    save(project, stack, state)


def _resolved(value: Any, swap: dict[str, str]) -> Any:
    """``value`` as the provider receives it: real values for existing resources, ints as ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the engine's wire numbers are floats; the schema's integers are not
    if isinstance(value, str):
        for mock, real in swap.items():
            if mock in value:
                value = value.replace(mock, real)
        return value
    if isinstance(value, list):
        return [_resolved(v, swap) for v in value]
    if isinstance(value, dict):
        return {k: _resolved(v, swap) for k, v in value.items()}
    return value


def _import(reg: Any, swap: dict[str, str]) -> None:
    if reg.type != INSTANCE:
        raise RefusedError(f"the fake pulumi imports instances only, not {reg.type}")
    try:
        found = _client("rds").describe_db_instances(DBInstanceIdentifier=reg.import_id)["DBInstances"][0]
    except Exception as error:
        raise RefusedError(f"{reg.urn}: Preview failed: resource '{reg.import_id}' does not exist ({error})") from None
    read = {"engineVersion": found["EngineVersion"], "manageMasterUserPassword": None}
    for prop, value in read.items():
        if prop in reg.inputs and prop not in reg.ignore_changes and reg.inputs[prop] != value:
            raise RefusedError(
                f"{reg.urn}: inputs to import do not match the existing resource: {prop} "
                f"declared {reg.inputs[prop]!r}, read {value!r}"
            )


def _create(reg: Any, inputs: dict[str, Any], tags: dict[str, str]) -> dict[str, str]:
    if reg.type == LOG_GROUP:
        logs = _client("logs")
        try:
            logs.create_log_group(logGroupName=inputs["name"], kmsKeyId=inputs["kmsKeyId"])
        except logs.exceptions.ResourceAlreadyExistsException as error:
            raise RefusedError(f"{reg.urn}: creating CloudWatch Logs Log Group ({inputs['name']}): {error}") from None
        logs.put_retention_policy(logGroupName=inputs["name"], retentionInDays=inputs["retentionInDays"])
        return {}
    if reg.type == INSTANCE and "restoreToPointInTime" in inputs:
        return _restore(inputs, tags)
    if reg.type == INSTANCE:
        raise RefusedError(f"{reg.urn}: the fake pulumi creates restored instances only")
    return {}


def _restore(inputs: dict[str, Any], tags: dict[str, str]) -> dict[str, str]:
    """resourceInstanceCreate's restore_to_point_in_time path: restore, wait, modify, wait."""
    rds, block = _client("rds"), inputs["restoreToPointInTime"]
    identifier = inputs["identifier"]
    request: dict[str, Any] = {
        "TargetDBInstanceIdentifier": identifier,
        "SourceDBInstanceIdentifier": block["sourceDbInstanceIdentifier"],
        "AutoMinorVersionUpgrade": inputs["autoMinorVersionUpgrade"],
        "CopyTagsToSnapshot": inputs["copyTagsToSnapshot"],
        "DBInstanceClass": inputs["instanceClass"],
        "DeletionProtection": inputs["deletionProtection"],
        "PubliclyAccessible": inputs["publiclyAccessible"],
        "Tags": [{"Key": k, "Value": v} for k, v in {**tags, **(inputs.get("tags") or {})}.items()],
        "DBSubnetGroupName": inputs["dbSubnetGroupName"],
        "EnableCloudwatchLogsExports": inputs["enabledCloudwatchLogsExports"],
        "Engine": inputs["engine"],
        "MaxAllocatedStorage": inputs["maxAllocatedStorage"],
        "MultiAZ": inputs["multiAz"],
        "DBParameterGroupName": inputs["parameterGroupName"],
        "Port": inputs["port"],
        "StorageType": inputs["storageType"],
        "VpcSecurityGroupIds": inputs["vpcSecurityGroupIds"],
    }
    if block.get("useLatestRestorableTime"):
        request["UseLatestRestorableTime"] = True
    else:
        request["RestoreTime"] = block["restoreTime"]
    rds.restore_db_instance_to_point_in_time(**request)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig={"Delay": 1})
    modify: dict[str, Any] = {"DBInstanceIdentifier": identifier, "ApplyImmediately": True}
    if inputs.get("manageMasterUserPassword"):
        modify["ManageMasterUserPassword"] = True
    if inputs.get("masterUserSecretKmsKeyId"):
        modify["MasterUserSecretKmsKeyId"] = inputs["masterUserSecretKmsKeyId"]
    if len(modify) > 2:
        rds.modify_db_instance(**modify)
        rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig={"Delay": 1})
    _rds_exports_logs(identifier, inputs["enabledCloudwatchLogsExports"])
    found = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    return {"address": found["Endpoint"]["Address"], "arn": found["DBInstanceArn"]}


def _rds_exports_logs(identifier: str, exports: list[str]) -> None:
    """RDS writes its first log lines: into the declared group, or into one it creates itself."""
    logs = _client("logs")
    for log in exports:
        name = f"/aws/rds/instance/{identifier}/{log}"
        if not logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]:
            logs.create_log_group(logGroupName=name)  # no retention, no key: RDS's own


def _roll_out(plan: Any, ecs_names: dict[str, str], swap: dict[str, str]) -> None:
    if not ecs_names:
        return
    [definition] = plan.of_type(TASK_DEFINITION)
    containers = json.loads(_resolved(definition.inputs["containerDefinitions"], swap))
    ecs = _client("ecs")
    arn = ecs.register_task_definition(
        family=ecs_names["family"],
        containerDefinitions=[
            {"name": c["name"], "image": c["image"], "memory": 512, "environment": c.get("environment", [])}
            for c in containers
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=ecs_names["cluster"], service=ecs_names["service"], taskDefinition=arn)
