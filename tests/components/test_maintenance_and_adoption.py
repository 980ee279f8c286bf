"""Under mocks: maintenance mode's 503 rule sits above every other rule, and the restored
instance is started by the program itself (what `crane reset` targets at minute zero), never imported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from crane_it import ClientStack
from crane_it.data.database import _managed_secret_arn
from crane_it.data.database_restore import RESTORE_TIMEOUT
from crane_it.errors import SpecError
from crane_it.ingress.maintenance import MAX_BODY, OWN_LISTENER_PRIORITY, PAGE
from crane_it.loader import load_stack_spec, parse_spec
from crane_it.ops.reset.targets import restore_targets
from crane_it.review.render import render_stack
from crane_it.spec import ClientSpec
from crane_it.spec.platform import PlatformSpec
from crane_it.spec.tenancy import Tenant, maintenance_priority, problems, rule_priority
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[2]
RULE = "aws:lb/listenerRule:ListenerRule"
INSTANCE = "aws:rds/instance:Instance"
EXAMPLE = yaml.safe_load((ROOT / "stacks" / "example.yaml").read_text(encoding="utf-8"))


def _spec(change: dict) -> ClientSpec:
    data = yaml.safe_load((ROOT / "stacks" / "example.yaml").read_text(encoding="utf-8"))
    for section, values in change.items():
        data[section] = {**(data.get(section) or {}), **values}
    return parse_spec(yaml.safe_dump(data), "stacks/example.yaml", context={"now": NOW})


def _maintenance_rules(plan) -> list:
    return [r for r in plan.of_type(RULE) if r.name.endswith("-maintenance")]


def test_maintenance_off_declares_no_rule(render):
    plan = render(lambda: ClientStack(_spec({}), "example"), stack="example")
    assert _maintenance_rules(plan) == []


@pytest.mark.parametrize("https", [False, True])
def test_maintenance_on_answers_503_above_every_rule_of_the_client_s_own_listener(render, https):
    # The example serves HTTPS on its domain; plain HTTP only as a named preview opt-out.
    service = {"maintenance": True} if https else {"maintenance": True, "domain": None, "plain_http": True}
    plan = render(lambda: ClientStack(_spec({"service": service}), "example"), stack="example")
    [rule] = _maintenance_rules(plan)
    listener = plan.one("aws:lb/listener:Listener", "example-https" if https else "example-http")
    assert rule.inputs["listenerArn"] == listener.outputs["arn"]
    on_listener = [r for r in plan.of_type(RULE) if r.inputs["listenerArn"] == listener.outputs["arn"]]
    assert rule.inputs["priority"] == OWN_LISTENER_PRIORITY == min(r.inputs["priority"] for r in on_listener) == 1
    assert rule.inputs["conditions"] == [{"pathPattern": {"values": ["/*"]}}]
    [action] = rule.inputs["actions"]
    assert action == {
        "type": "fixed-response",
        "fixedResponse": {"statusCode": "503", "contentType": "text/html", "messageBody": PAGE},
    }
    # The forward default action stays: health checks and the rollout go on behind the page.
    assert listener.inputs["defaultActions"][0]["type"] == "forward"


def test_the_page_fits_the_alb_limit_and_claims_no_header_it_cannot_send():
    assert len(PAGE) <= MAX_BODY  # the ALB refuses a longer fixed-response body
    assert "Retry-After" not in PAGE


@pytest.fixture
def project(tmp_path):
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "stacks").mkdir()
    for stack in ("agency", "bakery", "florist"):
        shutil.copy(ROOT / "stacks" / f"{stack}.yaml", tmp_path / "stacks" / f"{stack}.yaml")
    return tmp_path


def test_a_platform_client_s_maintenance_rule_is_above_its_own_rule_and_matches_only_its_host(project):
    bakery = yaml.safe_load((project / "stacks" / "bakery.yaml").read_text())
    bakery["service"]["maintenance"] = True
    (project / "stacks" / "bakery.yaml").write_text(yaml.safe_dump(bakery))
    plan = render_stack("bakery", project=project)
    [maintenance] = _maintenance_rules(plan)
    own = plan.one(RULE, "bakery-rule")
    assert maintenance.inputs["listenerArn"] == own.inputs["listenerArn"]
    assert maintenance.inputs["priority"] < own.inputs["priority"]
    assert maintenance.inputs["priority"] == min(r.inputs["priority"] for r in plan.of_type(RULE))
    assert (
        maintenance.inputs["conditions"]
        == own.inputs["conditions"]
        == [{"hostHeader": {"values": [bakery["service"]["domain"]]}}]
    )
    # The other client on the platform keeps its own rule and gets no maintenance rule.
    florist = render_stack("florist", project=project)
    assert _maintenance_rules(florist) == []
    spec = ClientSpec.model_validate(bakery)
    assert maintenance.inputs["priority"] == maintenance_priority(spec) == rule_priority(spec) - 1


def _client(slug: str, **extra) -> Tenant:
    data = {"client": slug, "region": "eu-west-1", "platform": "agency"}
    data["service"] = {"image": "x", "domain": f"{slug}.apps.agency.example"}
    return Tenant(slug, ClientSpec.model_validate({**data, **extra}))


def test_every_client_reserves_its_maintenance_priority_and_a_clash_is_refused_before_any_reset():
    agency = load_stack_spec(ROOT / "stacks" / "agency.yaml")
    assert isinstance(agency, PlatformSpec)
    # alpha's rule (10) is beta's maintenance priority (11 - 1): refused although nobody is in maintenance.
    found = problems(
        "agency", agency, [_client("alpha", listener_rule_priority=10), _client("beta", listener_rule_priority=11)]
    )
    assert any("alpha's listener rule priority 10 is the maintenance rule priority of beta" in p for p in found), found
    fine = problems(
        "agency", agency, [_client("alpha", listener_rule_priority=10), _client("beta", listener_rule_priority=12)]
    )
    assert fine == []


def test_a_pin_of_1_is_refused_because_no_maintenance_rule_fits_above_it():
    with pytest.raises(ValueError, match="listener_rule_priority"):
        _client("alpha", listener_rule_priority=1)


# --- the restore the program starts (crane reset targets it at minute zero) --------------------------

RESTORE = {"id": "20261126t1015", "point_in_time": "2026-11-20T10:00:00Z"}
RESTORED = "example-db-restore-20261126t1015"


def _instances(plan) -> dict:
    return {r.inputs["identifier"]: r for r in plan.of_type(INSTANCE)}


def test_the_restored_instance_is_created_by_the_program_never_imported(render):
    """Items 1-3 of issue 18: nothing is adopted, so no import can mismatch on the engine
    version, the managed password or the log groups; the provider does its post-restore modify."""
    spec = _spec({"database": {"restore": RESTORE}})
    plan = render(lambda: ClientStack(spec, "example"), stack="example")
    instances = _instances(plan)
    assert set(instances) == {"example-db", RESTORED}, "exactly one restored instance"
    restored = instances[RESTORED]
    assert [r.import_id for r in plan if r.import_id] == [], "no resource of the stack is imported"
    assert restored.inputs["restoreToPointInTime"] == {
        "sourceDbInstanceIdentifier": "example-db",
        "restoreTime": "2026-11-20T10:00:00Z",
    }
    assert restored.custom_timeouts == {"create": RESTORE_TIMEOUT}
    # The spec's version as declared ("16"): a created instance keeps it (compareActualEngineVersion).
    assert restored.inputs["engineVersion"] == spec.database.version  # type: ignore[union-attr]
    assert restored.inputs["manageMasterUserPassword"] is True
    assert restored.inputs["masterUserSecretKmsKeyId"] == instances["example-db"].inputs["masterUserSecretKmsKeyId"]
    assert restored.protect and restored.retain_on_delete and restored.inputs["deletionProtection"] is True


def test_the_restored_instance_s_log_groups_exist_before_it_with_retention_and_the_log_key(render):
    spec = _spec({"database": {"restore": RESTORE}})
    plan = render(lambda: ClientStack(spec, "example"), stack="example")
    restored = _instances(plan)[RESTORED]
    logs = [r for r in plan.of_type("aws:cloudwatch/logGroup:LogGroup") if RESTORED in r.inputs.get("name", "")]
    assert sorted(r.inputs["name"] for r in logs) == [
        f"/aws/rds/instance/{RESTORED}/{log}" for log in sorted(restored.inputs["enabledCloudwatchLogsExports"])
    ]
    for group in logs:
        assert group.urn in restored.dependencies, "created before RDS could export into it"
        assert group.inputs["retentionInDays"] == spec.database.log_retention_days  # type: ignore[union-attr]
        assert group.inputs["kmsKeyId"]
        assert group.retain_on_delete


def test_restore_targets_are_the_instance_and_its_new_log_groups_only(render):
    """What `crane reset` passes to `pulumi up --target`: a targeted resource whose new
    dependency is not targeted fails the up (pulumi/pulumi#5869), so the log groups go too."""
    spec = _spec({"database": {"restore": RESTORE}})
    plan = render(lambda: ClientStack(spec, "example"), stack="example")
    targets = restore_targets(plan, RESTORED)
    restored = _instances(plan)[RESTORED]
    assert targets[0] == restored.urn
    assert sorted(targets[1:]) == sorted(
        r.urn for r in plan.of_type("aws:cloudwatch/logGroup:LogGroup") if RESTORED in r.inputs.get("name", "")
    )
    new = set(targets)
    assert {d for d in restored.dependencies if d not in new} <= {r.urn for r in plan if RESTORED not in r.urn}


def test_adopt_is_refused_with_what_to_do():
    with pytest.raises(SpecError, match=r"`adopt` was removed.*new `id`.*crane leftovers"):
        _spec({"database": {"restore": {**RESTORE, "adopt": True}}})


def test_an_untargeted_restored_instance_with_no_outputs_yet_does_not_fail_the_program():
    """A `pulumi up --target <maintenance rule>` skips creating the new restored instance, and
    CLIs before pulumi/pulumi#24108 still run the program's applies on its empty outputs."""
    assert _managed_secret_arn(None) == "" and _managed_secret_arn([]) == ""
