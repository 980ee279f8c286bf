"""The release function's own code under moto: a release that exits 0 and one that exits 1.

RunTask, DescribeTasks, StopTask, SSM and CloudWatch Logs are moto's. Stubbed: moto runs no
container, so the test's sleep plays ECS: it writes the release's log line and moves the task
to STOPPED with the app container's exit code in moto's backend.
"""

from __future__ import annotations

import json
import time

import boto3
import pytest
from fake_aws import use_fake_credentials
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ecs.models import ecs_backends
from moto.moto_api import state_manager

from crane_it.app import release_function as release

REGION = "eu-west-1"


@pytest.fixture
def aws(monkeypatch):
    use_fake_credentials(monkeypatch, REGION)
    state_manager.set_transition(model_name="ecs::task", transition={"progression": "manual", "times": 10**6})
    try:
        with mock_aws():
            yield {name: boto3.client(name, region_name=REGION) for name in ("ecs", "ssm", "logs", "ec2")}
    finally:
        state_manager.unset_transition("ecs::task")


def _request(aws, **extra) -> dict:
    ec2 = aws["ec2"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="acme-tasks", Description="tasks", VpcId=vpc)["GroupId"]
    cluster = aws["ecs"].create_cluster(clusterName="acme-cluster")["cluster"]["clusterArn"]
    definition = aws["ecs"].register_task_definition(
        family="acme-release",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "ghcr.io/acme/shop:1.4.3", "memory": 512, "essential": True}],
    )["taskDefinition"]["taskDefinitionArn"]
    aws["logs"].create_log_group(logGroupName="acme-app-logs")
    return {
        "cluster": cluster,
        "taskDefinition": definition,
        "revision": "arn:aws:ecs:eu-west-1:123456789012:task-definition/acme-app:7",
        "command": ["python", "manage.py", "migrate"],
        "subnets": [subnet],
        "securityGroups": [group],
        "assignPublicIp": "DISABLED",
        "timeoutSeconds": 600,
        "logGroup": "acme-app-logs",
        "logStreamPrefix": "release",
        "lockParameter": "/crane/acme/release/lock",
        "recordParameter": "/crane/acme/release/runs",
        **extra,
    }


def _ecs_plays_the_task(aws, exit_code: int | None, line: str):
    """A sleep that finishes the one release task with ``exit_code`` (None: it never stops)."""

    def sleep(_seconds: float) -> None:
        tasks = ecs_backends[DEFAULT_ACCOUNT_ID][REGION].tasks["acme-cluster"]
        task = next(t for t in tasks.values() if t.started_by == release.STARTED_BY)
        stream = f"release/app/{task.id}"
        if exit_code is None:
            return
        aws["logs"].create_log_stream(logGroupName="acme-app-logs", logStreamName=stream)
        aws["logs"].put_log_events(
            logGroupName="acme-app-logs",
            logStreamName=stream,
            logEvents=[{"timestamp": int(time.time() * 1000), "message": line}],
        )
        task.status = "STOPPED"
        task.containers[0].exitCode = exit_code

    return sleep


def _task(aws, request) -> dict:
    arns = aws["ecs"].list_tasks(cluster=request["cluster"], startedBy=release.STARTED_BY)["taskArns"]
    return aws["ecs"].describe_tasks(cluster=request["cluster"], tasks=arns)["tasks"][0]


def test_a_release_that_exits_0_succeeds_is_recorded_and_frees_the_lock(aws):
    request = _request(aws)
    result = release.run(request, aws, sleep=_ecs_plays_the_task(aws, 0, "Applying shop.0042_orders... OK"))

    assert result["status"] == "SUCCEEDED" and result["exitCode"] == 0 and not result["skipped"]
    task = _task(aws, request)
    assert task["taskDefinitionArn"] == request["taskDefinition"]
    assert task["overrides"]["containerOverrides"] == [{"name": "app", "command": ["python", "manage.py", "migrate"]}]
    record = json.loads(aws["ssm"].get_parameter(Name=request["recordParameter"])["Parameter"]["Value"])
    assert record["revision"] == request["revision"] and record["exitCode"] == 0
    assert record["command"] == request["command"] and record["start"] <= record["end"]
    with pytest.raises(aws["ssm"].exceptions.ParameterNotFound):
        aws["ssm"].get_parameter(Name=request["lockParameter"])


def test_a_release_that_exits_1_fails_with_its_exit_code_and_last_log_lines(aws):
    request = _request(aws)
    with pytest.raises(release.ReleaseFailedError) as failed:
        release.run(request, aws, sleep=_ecs_plays_the_task(aws, 1, "django.db.utils.ProgrammingError: orders"))

    message = str(failed.value)
    assert "exited with 1" in message
    assert "django.db.utils.ProgrammingError: orders" in message
    assert "previous revision keeps serving" in message
    record = json.loads(aws["ssm"].get_parameter(Name=request["recordParameter"])["Parameter"]["Value"])
    assert record["exitCode"] == 1 and record["status"] == "FAILED"
    with pytest.raises(aws["ssm"].exceptions.ParameterNotFound):
        aws["ssm"].get_parameter(Name=request["lockParameter"])


def test_a_release_past_its_timeout_is_stopped_and_fails(aws):
    request = _request(aws, timeoutSeconds=60)
    clock = iter(range(0, 10_000, 30))
    with pytest.raises(release.ReleaseFailedError, match="timed out after 60 s"):
        release.run(request, aws, sleep=_ecs_plays_the_task(aws, None, ""), now=lambda: float(next(clock)))
    assert _task(aws, request)["desiredStatus"] == "STOPPED"


def test_a_second_release_waits_for_the_lock_and_starts_nothing_meanwhile(aws):
    request = _request(aws)
    aws["ssm"].put_parameter(
        Name=request["lockParameter"],
        Value=json.dumps({"holder": "other", "revision": "acme-app:6", "until": 10**12}),
        Type="String",
    )
    answer = release.step(request, {}, aws)
    assert answer["hookStatus"] == "IN_PROGRESS" and "acme-app:6" in answer["hookDetails"]["waitingFor"]
    assert aws["ecs"].list_tasks(cluster=request["cluster"], startedBy=release.STARTED_BY)["taskArns"] == []


def test_a_stale_lock_of_a_killed_function_is_taken_over(aws):
    request = _request(aws)
    aws["ssm"].put_parameter(
        Name=request["lockParameter"], Value=json.dumps({"holder": "dead", "revision": "x", "until": 0}), Type="String"
    )
    assert release.step(request, {}, aws)["hookStatus"] == "IN_PROGRESS"
    assert aws["ecs"].list_tasks(cluster=request["cluster"], startedBy=release.STARTED_BY)["taskArns"]


def test_a_revision_already_released_with_the_same_command_is_not_run_again(aws):
    request = _request(aws)
    release.run(request, aws, sleep=_ecs_plays_the_task(aws, 0, "ok"))
    again = release.run(request, aws, sleep=lambda _s: pytest.fail("must not wait"))
    assert again["skipped"]
    assert len(aws["ssm"].get_parameter_history(Name=request["recordParameter"])["Parameters"]) == 1
