"""The docs' reset, undo, second reset and retire procedures, run step by step under mocks.

Each step applies the YAML of `docs/reset.md` and `docs/client-data.md` to `stacks/acme.yaml`,
renders the real ClientStack, and checks what those pages say happens: which instance is
created, what the app points at, what is protected or retained, and that no step deletes
anything holding data silently. Validation runs at the tests' fixed clock (conftest.NOW), so
the pages' times stay valid.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from fake_aws import use_fake_credentials
from moto import mock_aws

from crane_it import ClientStack
from crane_it import testing as offline
from crane_it.loader import parse_spec
from crane_it.ops.leftovers import declared_identifiers, find_leftovers
from crane_it.policy import violations
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ACME = yaml.safe_load((ROOT / "stacks" / "acme.yaml").read_text(encoding="utf-8"))

INSTANCE = "aws:rds/instance:Instance"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
HOLDS_DATA = {
    INSTANCE,
    "aws:s3/bucket:Bucket",
    "aws:backup/vault:Vault",
    "aws:kms/key:Key",
    "aws:s3/bucketVersioning:BucketVersioning",
}


# --- the docs pages, read as data ---------------------------------------------------------------


def section(page: str, heading: str) -> str:
    """The text of ``page`` from ``heading`` (a whole heading line) to the next heading of its level or above."""
    text = "\n" + (DOCS / page).read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    level = heading.split()[0]
    following = [m.start() for m in re.finditer(rf"\n#{{1,{len(level)}}} ", text) if m.start() > start]
    return text[start : following[0] if following else len(text)]


def yaml_blocks(text: str) -> list[dict[str, Any]]:
    """Every ```yaml block of ``text``, parsed, in order (indented blocks of list items included)."""
    blocks = re.findall(r"```yaml\n(.*?)\n\s*```", text, flags=re.S)
    parsed = []
    for block in blocks:
        lines = block.splitlines()
        indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
        parsed.append(yaml.safe_load("\n".join(line[indent:] for line in lines)))
    return parsed


BY_HAND = section("reset.md", "## What the command does, by hand")
UNDO = section("reset.md", "## Undo a reset done by hand")
SECOND = section("reset.md", "## A second reset")
RETIRE = section("client-data.md", "## Retiring a client")
(RESET_STEP,) = yaml_blocks(BY_HAND)
(SECOND_RESET,) = yaml_blocks(SECOND)
(RETIRE_STEP,) = yaml_blocks(RETIRE)


def merged(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``change`` applied the way a person edits YAML: nested keys replace leaves."""
    result = copy.deepcopy(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict) and key != "restore":
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def render(spec: dict[str, Any], stack: str = "acme") -> offline.Plan:
    """The plan `pulumi up` would apply for ``spec`` (validated as stacks/acme.yaml at NOW)."""
    text = yaml.safe_dump(spec, sort_keys=False)
    client = parse_spec(text, "stacks/acme.yaml", context={"now": NOW})
    return offline.render(lambda: ClientStack(client, stack), stack=stack)


def instances(plan: offline.Plan) -> dict[str, offline.Registration]:
    return {reg.inputs["identifier"]: reg for reg in plan.of_type(INSTANCE)}


def environment(plan: offline.Plan) -> dict[str, str]:
    (container,) = json.loads(plan.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    return {item["name"]: item["value"] for item in container["environment"]} | {
        item["name"]: item["valueFrom"] for item in container["secrets"]
    }


def dropped(before: offline.Plan, after: offline.Plan) -> list[offline.Registration]:
    """What `pulumi up` of ``after`` removes from the stack of ``before``."""
    kept = {reg.urn for reg in after}
    return [reg for reg in before if reg.urn not in kept]


def assert_nothing_holding_data_is_deleted(before: offline.Plan, after: offline.Plan) -> None:
    """Whatever leaves the stack and holds data is retained (it stays in AWS) and was protected
    (so the change stops at `pulumi preview` until someone unprotects it by name)."""
    for reg in dropped(before, after):
        if reg.type in HOLDS_DATA or (reg.type == LOG_GROUP and "restore" in reg.name):
            assert reg.retain_on_delete, f"{reg.urn} would be deleted"
            if reg.type == INSTANCE:
                assert reg.protect, f"{reg.urn} leaves the stack without anyone unprotecting it"


def leftovers_after(plans: list[offline.Plan], spec: dict[str, Any], stack: str = "acme") -> list[str]:
    """`crane leftovers` against moto once every instance the plans created exists in AWS."""
    with mock_aws():
        rds = boto3.client("rds", region_name=ACME["region"])
        for identifier in sorted({i for plan in plans for i in instances(plan)}):
            rds.create_db_instance(
                DBInstanceIdentifier=identifier,
                DBInstanceClass="db.t4g.small",
                Engine="mysql",
                AllocatedStorage=50,
                MasterUsername="app",
                MasterUserPassword="not-a-real-password",
                Tags=[
                    {"Key": k, "Value": v}
                    for k, v in {"client": "acme", "stack": stack, "managed-by": "crane-it"}.items()
                ],
            )
        restore = (spec.get("database") or {}).get("restore")
        declared = declared_identifiers("acme", restore["id"] if restore else None)
        return [leftover.identifier for leftover in find_leftovers(rds, "acme", stack, declared)]


@pytest.fixture(autouse=True)
def fake_aws_credentials(monkeypatch):
    use_fake_credentials(monkeypatch)


# --- the procedures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def steps() -> dict[str, Any]:
    """The specs and plans of every step, in the pages' order."""
    reset = merged(ACME, RESET_STEP)
    applied = merged(reset, {"database": {"restore": {**reset["database"]["restore"], "applied": True}}})
    undone = copy.deepcopy(applied)
    del undone["database"]["restore"]
    undone["service"]["image"] = ACME["service"]["image"]
    second = merged(applied, SECOND_RESET)
    retired = merged(ACME, RETIRE_STEP)
    specs = {"before": ACME, "reset": reset, "applied": applied, "undone": undone, "second": second}
    specs["retired"] = retired
    return {"spec": specs, "plan": {name: render(spec) for name, spec in specs.items()}}


def test_the_unchanged_spec_renders_what_the_snapshot_holds(steps):
    """The runbook renders the real stack: the same URNs as the committed acme snapshot."""
    snapshot = (ROOT / "tests" / "snapshots" / "acme.urns").read_text(encoding="utf-8").split()
    assert sorted(reg.urn for reg in steps["plan"]["before"]) == snapshot


def test_reset_step_3_declares_the_restored_instance_the_readme_names(steps):
    restore = steps["spec"]["reset"]["database"]["restore"]
    identifier = f"acme-db-restore-{restore['id']}"
    assert f"a new instance `{identifier}` with `restoreToPointInTime`" in BY_HAND
    before, plan = steps["plan"]["before"], steps["plan"]["reset"]
    copy_ = instances(plan)[identifier]
    assert copy_.inputs["restoreToPointInTime"] == {
        "restoreTime": restore["point_in_time"],
        "sourceDbInstanceIdentifier": "acme-db",
    }
    # Protected, retained on delete and deletion-protected like the original, with its own log groups.
    assert copy_.protect and copy_.retain_on_delete and copy_.inputs["deletionProtection"] is True
    logs = [reg for reg in plan.of_type(LOG_GROUP) if identifier in reg.inputs.get("name", "")]
    assert len(logs) == len(copy_.inputs["enabledCloudwatchLogsExports"]) == 2  # mysql: error, slowquery
    assert all(log.retain_on_delete and log.inputs["retentionInDays"] for log in logs)
    # The original `acme-db` shows no change.
    original, was = instances(plan)["acme-db"], instances(before)["acme-db"]
    assert (original.urn, original.inputs, original.protect) == (was.urn, was.inputs, was.protect)
    assert dropped(before, plan) == []


def test_reset_step_3_points_the_app_and_its_watchers_at_the_restored_instance(steps):
    identifier = f"acme-db-restore-{steps['spec']['reset']['database']['restore']['id']}"
    plan = steps["plan"]["reset"]
    restored = instances(plan)[identifier]
    env = environment(plan)
    assert env["DB_HOST"] == restored.outputs["address"]
    secret = restored.outputs["masterUserSecrets"][0]["secretArn"]
    assert env["DB_SECRET_ARN"] == secret and env["DB_PASSWORD"] == f"{secret}:password::"
    task = plan.one("aws:ecs/taskDefinition:TaskDefinition")
    (container,) = json.loads(task.inputs["containerDefinitions"])
    assert container["image"] == RESET_STEP["service"]["image"]
    alarm = plan.one("aws:cloudwatch/metricAlarm:MetricAlarm", "acme-alarm-db-connections")
    assert alarm.inputs["dimensions"] == {"DBInstanceIdentifier": identifier}
    arns = [instances(plan)[i].outputs["arn"] for i in ("acme-db", identifier)]
    assert plan.one("aws:backup/selection:Selection").inputs["resources"][1:] == arns
    tests = plan.one("aws:backup/restoreTestingSelection:RestoreTestingSelection", "acme-restore-tests-rds")
    assert tests.inputs["protectedResourceArns"] == arns and tests.replace_on_changes == ["protectedResourceArns"]
    assert violations(plan) == []


def test_reset_step_4_waits_for_the_rollout(steps):
    service = steps["plan"]["reset"].one("aws:ecs/service:Service")
    assert service.inputs["waitForSteadyState"] is True and service.custom_timeouts["update"].endswith("m")
    assert "`pulumi up` waits for the rollout" in BY_HAND


def test_reset_step_6_applied_changes_no_resource(steps):
    reset, applied = steps["plan"]["reset"], steps["plan"]["applied"]
    assert sorted(
        (r.urn, json.dumps(r.inputs, sort_keys=True, default=lambda o: type(o).__name__)) for r in reset
    ) == sorted((r.urn, json.dumps(r.inputs, sort_keys=True, default=lambda o: type(o).__name__)) for r in applied)


def test_undo_switches_back_to_the_original_and_keeps_the_restored_instance_in_aws(steps):
    applied, undone = steps["plan"]["applied"], steps["plan"]["undone"]
    identifier = f"acme-db-restore-{steps['spec']['reset']['database']['restore']['id']}"
    assert "Remove `database.restore` and `pulumi up`. The app switches back to `acme-db`." in UNDO
    assert environment(undone)["DB_HOST"] == instances(undone)["acme-db"].outputs["address"]
    gone = {reg.name for reg in dropped(applied, undone)}
    assert identifier in gone and f"{identifier}-log-error" in gone
    assert_nothing_holding_data_is_deleted(applied, undone)
    # Step 1 of the undo exists because the instance is protected; step 3 finds it afterwards.
    assert f"pulumi state unprotect '<urn of {identifier}>'" in UNDO
    assert leftovers_after([applied, undone], steps["spec"]["undone"]) == [identifier]
    assert violations(undone) == []


def test_a_second_reset_restores_from_the_first_under_a_new_id(steps):
    applied, second = steps["plan"]["applied"], steps["plan"]["second"]
    first_id = steps["spec"]["applied"]["database"]["restore"]["id"]
    second_restore = steps["spec"]["second"]["database"]["restore"]
    first, new = f"acme-db-restore-{first_id}", f"acme-db-restore-{second_restore['id']}"
    assert second_restore["id"] != first_id and second_restore["source"] == first
    copy_ = instances(second)[new]
    assert copy_.inputs["restoreToPointInTime"]["sourceDbInstanceIdentifier"] == first
    assert environment(second)["DB_HOST"] == copy_.outputs["address"]
    assert set(instances(second)) == {"acme-db", new}
    assert first in {reg.name for reg in dropped(applied, second)}
    assert_nothing_holding_data_is_deleted(applied, second)
    assert "`crane leftovers acme` lists it" in SECOND
    assert leftovers_after([applied, second], steps["spec"]["second"]) == [first]
    assert violations(second) == []


def test_retire_lets_destroy_run_deletes_only_the_instances_after_a_final_snapshot(steps):
    before, retired = steps["plan"]["before"], steps["plan"]["retired"]
    assert RETIRE_STEP == {"retire": True}
    assert sorted(reg.urn for reg in before) == sorted(reg.urn for reg in retired), "retiring renames nothing"
    # `pulumi destroy` refuses to delete protected resources: nothing is protected any more.
    assert [reg.urn for reg in retired if reg.protect] == []
    destroyed = [reg for reg in retired if reg.custom and not reg.retain_on_delete]
    kept = {reg.type for reg in retired if reg.retain_on_delete}
    for reg in destroyed:
        # The alert topic's key only encrypts messages in flight: deleting it loses no data.
        if reg.name != "acme-alerts-key":
            assert reg.type not in HOLDS_DATA - {INSTANCE}, f"{reg.urn} holds data and would be deleted"
    for reg in retired.of_type(INSTANCE):
        assert reg in destroyed
        assert reg.inputs["deletionProtection"] is False
        assert reg.inputs["skipFinalSnapshot"] is False and reg.inputs["finalSnapshotIdentifier"] == "acme-db-final"
        assert reg.inputs["deleteAutomatedBackups"] is False
    assert {"aws:s3/bucket:Bucket", "aws:backup/vault:Vault", "aws:kms/key:Key"} <= kept
    assert retired.one("aws:lb/loadBalancer:LoadBalancer").inputs["enableDeletionProtection"] is False
    assert "final snapshot of each instance (`acme-db-final`)" in RETIRE


def test_retire_passes_the_policy_only_because_the_client_is_retiring(steps):
    retired = steps["plan"]["retired"]
    assert violations(retired) == []
    provider = retired.one("pulumi:providers:aws", "acme-aws")
    untagged = copy.deepcopy(provider)
    tags = json.loads(untagged.inputs["defaultTags"])
    del tags["tags"]["retiring"]
    untagged.inputs["defaultTags"] = json.dumps(tags)
    found = violations([untagged if reg is provider else reg for reg in retired])
    assert any("acme-db" in message and "not protected" in message for message in found)
    assert any("LoadBalancer" in message and "deletion protection" in message for message in found)
