"""``crane job run`` and ``crane job list`` against the moto server.

Moto serves EventBridge Scheduler (the schedule the stack declares), ECS RunTask and
DescribeTasks, and CloudWatch Logs. Stubbed: moto runs no container, so the test's sleep
plays ECS: it writes the job's log line and stops the task with the app container's exit
code in moto's backend.
"""

from __future__ import annotations

import json
import time

import pytest
from fake_aws import moto_server, use_fake_credentials
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ecs.models import ecs_backends
from moto.moto_api import state_manager
from test_daytwo import REGION, _container, _put, build_client

from crane_it.app.jobs import overrides
from crane_it.cli import main as crane_main
from crane_it.ops import aws as ops
from crane_it.ops import jobs as job_ops
from crane_it.ops import one_off_task


@pytest.fixture(autouse=True)
def fake_aws_credentials(monkeypatch):
    use_fake_credentials(monkeypatch, REGION)


@pytest.fixture(scope="module")
def server_url():
    with moto_server() as url:
        yield url


def _schedule(aws: ops.Aws, ids: dict, job: str, command: list[str]) -> str:
    """The job's task definition and schedule, as crane_it.app.jobs declares them (stack `prod` of acme)."""
    definition = aws.client("ecs").register_task_definition(
        family=f"acme-prod-job-{job}",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[
            {
                **_container("ghcr.io/acme/shop:1.4.2"),
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": "acme-app-logs",
                        "awslogs-region": REGION,
                        "awslogs-stream-prefix": f"job-{job}",
                    },
                },
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    scheduler = aws.client("scheduler")
    groups = [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]]
    if "acme-prod-jobs" not in groups:
        scheduler.create_schedule_group(Name="acme-prod-jobs")
    scheduler.create_schedule(
        Name=f"acme-prod-{job}",
        GroupName="acme-prod-jobs",
        ScheduleExpression="cron(30 3 * * ? *)",
        ScheduleExpressionTimezone="Europe/Amsterdam",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": ids["cluster"],
            "RoleArn": "arn:aws:iam::123456789012:role/acme-prod-jobs-scheduler",
            "Input": overrides(command),
            "EcsParameters": {
                "TaskDefinitionArn": definition,
                "LaunchType": "FARGATE",
                "Group": f"job:{job}",
                "NetworkConfiguration": {
                    "awsvpcConfiguration": {"Subnets": [ids["subnet"]], "SecurityGroups": [ids["group"]]}
                },
            },
        },
    )
    return definition


def test_job_run_starts_the_schedule_s_task_with_the_override_and_returns_its_exit_code(
    server_url, monkeypatch, capsys
):
    aws = ops.Aws(REGION, server_url)
    ids = build_client(aws, "acme")
    definition = _schedule(aws, ids, "clear-sessions", ["python", "manage.py", "clearsessions"])
    state_manager.set_transition(model_name="ecs::task", transition={"progression": "manual", "times": 10**6})

    def task_finishes(_seconds: float) -> None:
        tasks = ecs_backends[DEFAULT_ACCOUNT_ID][REGION].tasks["acme-cluster"]
        task = next(t for t in tasks.values() if t.started_by == job_ops.STARTED_BY)
        _put(aws, f"job-clear-sessions/app/{task.id}", "Deleted 1042 expired sessions")
        task.status = "STOPPED"
        task.containers[0].exitCode = 4

    monkeypatch.setattr(one_off_task, "_sleep", task_finishes)
    try:
        code = crane_main(
            [
                "job",
                "run",
                "acme",
                "clear-sessions",
                "--stack",
                "prod",
                "--region",
                REGION,
                "--endpoint-url",
                server_url,
            ]
        )
    finally:
        state_manager.unset_transition("ecs::task")

    captured = capsys.readouterr()
    assert code == 4, captured.err
    assert "Deleted 1042 expired sessions" in captured.out
    ecs = aws.client("ecs")
    arns = ecs.list_tasks(cluster=ids["cluster"], startedBy=job_ops.STARTED_BY, desiredStatus="STOPPED")["taskArns"]
    arns += ecs.list_tasks(cluster=ids["cluster"], startedBy=job_ops.STARTED_BY)["taskArns"]
    task = ecs.describe_tasks(cluster=ids["cluster"], tasks=arns[:1])["tasks"][0]
    assert task["taskDefinitionArn"] == definition
    assert task["overrides"]["containerOverrides"] == [
        {"name": "app", "command": ["python", "manage.py", "clearsessions"]}
    ]
    assert task["group"] == "job:clear-sessions"

    # crane job list shows the schedule and that run's outcome.
    assert (
        crane_main(
            ["job", "list", "acme", "--stack", "prod", "--region", REGION, "--endpoint-url", server_url, "--json"]
        )
        == 0
    )
    (row,) = json.loads(capsys.readouterr().out)
    assert row["job"] == "clear-sessions" and row["schedule"] == "cron(30 3 * * ? *) Europe/Amsterdam"
    assert row["state"] == "ENABLED" and row["outcome"] == "exit 4"


def test_an_unknown_job_is_refused_naming_the_jobs(server_url, capsys):
    build_client(ops.Aws(REGION, server_url), "bakery")
    assert (
        crane_main(
            ["job", "run", "bakery", "nightly", "--stack", "prod", "--region", REGION, "--endpoint-url", server_url]
        )
        == 2
    )
    assert "bakery has no job 'nightly' (schedule group bakery-prod-jobs); its jobs: none" in capsys.readouterr().err


def test_history_reads_the_release_runs_the_release_function_recorded():
    """The record is written by the release function's own code (moto SSM keeps its versions)."""
    from datetime import timedelta

    from moto import mock_aws

    from crane_it.app import release_function
    from crane_it.ops.history import read_releases

    with mock_aws():
        aws = ops.Aws(REGION)
        ssm = aws.client("ssm")
        request = {
            "revision": "arn:aws:ecs:eu-west-1:123456789012:task-definition/acme-prod-app:7",
            "command": ["migrate"],
        }
        request["recordParameter"] = "/crane/acme-prod/release/runs"
        now = time.time()
        release_function._record(
            ssm, request, {"started": now - 60, "ended": now - 30, "status": "FAILED", "exitCode": 1}
        )
        release_function._record(
            ssm, request, {"started": now - 20, "ended": now - 5, "status": "SUCCEEDED", "exitCode": 0}
        )
        app = ops.App("acme", "prod", REGION, service={})
        runs = read_releases(aws, app, timedelta(days=1))
    assert [(r.exit_code, r.status, r.revision, r.command) for r in runs] == [
        (1, "FAILED", "acme-prod-app:7", "migrate"),
        (0, "SUCCEEDED", "acme-prod-app:7", "migrate"),
    ]
