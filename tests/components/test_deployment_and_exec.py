"""Deployments that protect themselves, and the ECS Exec opt-in, under Pulumi mocks."""

import json
from pathlib import Path

import pulumi
import pytest

from crane_it.app.exec_access import AGENT_PATHS
from crane_it.app.service import Service
from crane_it.core.provider import aws_provider
from crane_it.facts.alarm_names import DEPLOYMENT_ALARMS, alarm_name
from crane_it.loader import SpecError
from crane_it.network.vpc import Network
from crane_it.review.render import render_stack
from crane_it.spec import NetworkSpec, ServiceSpec

ROOT = Path(__file__).resolve().parents[2]

SERVICE = "aws:ecs/service:Service"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
CLUSTER = "aws:ecs/cluster:Cluster"
TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"


def _service(render, exec_on: bool, deployment_alarms=()):
    spec = ServiceSpec.model_validate({"image": "ghcr.io/acme/shop:1.4.2", "exec": exec_on, "domain": "shop.acme.com"})

    def program():
        provider = aws_provider("p", "eu-west-1", {"client": "acme"})
        opts = pulumi.ResourceOptions(providers=[provider])
        Service("acme", spec, Network("acme", NetworkSpec(), opts=opts), deployment_alarms=deployment_alarms, opts=opts)

    return render(program)


def test_the_client_stack_rolls_deployments_back_on_its_memory_5xx_and_task_alarms():
    plan = render_stack("acme")
    alarms = plan.one(SERVICE).inputs["alarms"]
    declared = {registration.inputs["name"] for registration in plan.of_type(ALARM)}

    assert alarms["enable"] is True and alarms["rollback"] is True
    assert alarms["alarmNames"] == [
        "acme: service memory high",
        "acme: server error rate high",
        "acme: service tasks missing",
    ]
    # Every name the service watches is an alarm the stack declares (names, not outputs:
    # the alarms are keyed by the service's name, so outputs would be a cycle).
    assert set(alarms["alarmNames"]) <= declared
    assert plan.one(SERVICE).inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}


def test_a_service_on_its_own_watches_no_alarms_it_was_not_given(render):
    plan = _service(render, exec_on=False)
    assert "alarms" not in plan.one(SERVICE).inputs
    named = _service(render, exec_on=False, deployment_alarms=[alarm_name("acme", t) for t in DEPLOYMENT_ALARMS])
    assert named.one(SERVICE).inputs["alarms"]["alarmNames"][0] == "acme: service memory high"


def test_exec_is_off_by_default_with_no_ssm_grants(render):
    plan = _service(render, exec_on=False)
    assert plan.one(SERVICE).inputs.get("enableExecuteCommand") is False
    assert "configuration" not in plan.one(CLUSTER).inputs
    assert not [r for r in plan.of_type("aws:iam/rolePolicy:RolePolicy") if "ssmmessages" in r.inputs["policy"]]


def test_exec_adds_exactly_its_permissions_and_logs_sessions_to_an_encrypted_group(render):
    plan = _service(render, exec_on=True)

    assert plan.one(SERVICE).inputs["enableExecuteCommand"] is True
    group = plan.one("aws:cloudwatch/logGroup:LogGroup", "acme-exec-sessions")
    key = plan.one("aws:kms/key:Key", "acme-exec-key")
    assert group.inputs["kmsKeyId"] == key.outputs["arn"]
    assert plan.one(CLUSTER).inputs["configuration"] == {
        "executeCommandConfiguration": {
            "kmsKeyId": key.outputs["arn"],
            "logging": "OVERRIDE",
            "logConfiguration": {"cloudWatchLogGroupName": group.outputs["name"], "cloudWatchEncryptionEnabled": True},
        }
    }
    statements = json.loads(plan.one("aws:iam/rolePolicy:RolePolicy", "acme-task").inputs["policy"])["Statement"]
    assert {s["Sid"]: (s["Action"], s["Resource"]) for s in statements} == {
        "ExecSessionChannels": (
            [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            "*",
        ),
        "ExecCheckLogEncryption": ("logs:DescribeLogGroups", "*"),
        "ExecWriteSessionLogs": (
            ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            group.outputs["arn"] + ":*",
        ),
        "ExecDecryptSessions": ("kms:Decrypt", key.outputs["arn"]),
    }
    key_policy = json.loads(key.inputs["policy"])["Statement"]
    logs_grant = next(s for s in key_policy if s["Sid"] == "LogsEncryptSessionLogs")
    assert logs_grant["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs_grant["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"].endswith(
        ":log-group:acme-exec-sessions*"
    )


def test_exec_keeps_the_root_filesystem_read_only_and_gives_the_agent_scratch_paths(render):
    plan = _service(render, exec_on=True)
    (container,) = json.loads(plan.one(TASK_DEF).inputs["containerDefinitions"])
    assert container["readonlyRootFilesystem"] is True
    assert [m["containerPath"] for m in container["mountPoints"]] == ["/tmp", *AGENT_PATHS]


def test_exec_key_and_session_log_are_retained_not_protected_so_exec_off_and_retiring_work(render):
    """Item 7: a protected key refused `exec: false` and a retiring stack's destroy."""
    plan = _service(render, exec_on=True)
    key = plan.one("aws:kms/key:Key", "acme-exec-key")
    group = plan.one("aws:cloudwatch/logGroup:LogGroup", "acme-exec-sessions")
    assert key.retain_on_delete and not key.protect
    assert group.retain_on_delete and not group.protect  # the audit trail stays readable


def test_exec_on_a_platform_client_is_refused_naming_the_field(tmp_path):
    """Item 6: the shared cluster has no exec configuration of this client: sessions unlogged."""
    spec = tmp_path / "bakery.yaml"
    spec.write_text(
        (ROOT / "stacks" / "bakery.yaml")
        .read_text()
        .replace("  desired_count: 1\n", "  desired_count: 1\n  exec: true\n")
    )
    with pytest.raises(SpecError, match=r"service.exec: a client on platform 'agency' runs in the platform's shared"):
        render_stack("bakery", spec)
