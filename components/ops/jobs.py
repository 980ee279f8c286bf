"""A client's scheduled jobs as AWS holds them: their schedules, a run now, the last runs (``crane job``).

The schedules live in the client stack's schedule group (``<base>-jobs``, crane_it.app.jobs);
each one's ECS target names the job's task definition revision, network, task group
(``job:<name>``) and command override. ``crane job run`` starts exactly that task now, so a
run by hand is the run the schedule would make.

ECS keeps a stopped task for about an hour: a last run older than that is known from its log
stream (when it last wrote), not its exit code; the job-failed alert mails non-zero exits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..app.jobs import stream_prefix
from ..core.naming import base_name
from ..errors import OpsError
from .aws import App, Aws

STARTED_BY = "crane-job"
"""ECS ``startedBy`` of a job run by hand."""
GROUP_PREFIX = "job:"


@dataclass(frozen=True)
class Job:
    """One job's schedule, as EventBridge Scheduler returns it."""

    name: str
    schedule: dict[str, Any] = field(repr=False)

    @property
    def expression(self) -> str:
        timezone = self.schedule.get("ScheduleExpressionTimezone") or "UTC"
        return f"{self.schedule.get('ScheduleExpression', '?')} {timezone}"

    @property
    def state(self) -> str:
        return str(self.schedule.get("State", "?"))

    @property
    def ecs(self) -> dict[str, Any]:
        return dict(self.schedule.get("Target", {}).get("EcsParameters", {}))

    @property
    def task_definition_arn(self) -> str:
        return str(self.ecs.get("TaskDefinitionArn", ""))

    @property
    def command(self) -> list[str]:
        overrides = json.loads(self.schedule.get("Target", {}).get("Input") or "{}")
        container: dict[str, Any] = next(iter(overrides.get("containerOverrides", [])), {})
        return list(container.get("command", []))


@dataclass(frozen=True)
class LastRun:
    """The latest run of a job that AWS still knows about."""

    started: datetime | None
    status: str
    """``RUNNING``, ``exit 0``, ``exit 3``, ``failed to start: ...``, or ``logged`` (older than ECS keeps)."""
    task: str = ""


def group_name(app: App) -> str:
    """The client stack's schedule group (crane_it.app.jobs names it ``<base>-jobs``)."""
    return f"{base_name(app.client, app.stack or app.client)}-jobs"


def list_jobs(aws: Aws, app: App) -> list[Job]:
    """Every job of the client stack, by name."""
    scheduler = aws.client("scheduler")
    group = group_name(app)
    names: list[str] = []
    token: str | None = None
    while True:
        try:
            page = scheduler.list_schedules(GroupName=group, **({"NextToken": token} if token else {}))
        except scheduler.exceptions.ResourceNotFoundException:
            return []  # no jobs: the stack declares no schedule group
        names += [item["Name"] for item in page.get("Schedules", [])]
        token = page.get("NextToken")
        if not token:
            break
    jobs = []
    for schedule_name in names:
        schedule = scheduler.get_schedule(GroupName=group, Name=schedule_name)
        task_group = str(schedule.get("Target", {}).get("EcsParameters", {}).get("Group", ""))
        if task_group.startswith(GROUP_PREFIX):
            jobs.append(Job(task_group.removeprefix(GROUP_PREFIX), schedule))
    return sorted(jobs, key=lambda job: job.name)


def find_job(aws: Aws, app: App, name: str) -> Job:
    """The job ``name``; refuse naming the client's jobs."""
    jobs = list_jobs(aws, app)
    for job in jobs:
        if job.name == name:
            return job
    known = ", ".join(job.name for job in jobs) or "none"
    raise OpsError(f"{app.client} has no job {name!r} (schedule group {group_name(app)}); its jobs: {known}")


def start_job(aws: Aws, app: App, job: Job) -> str:
    """Start one run of ``job`` now, as its schedule would; return the task ARN."""
    ecs = job.ecs
    network = ecs.get("NetworkConfiguration", {}).get("awsvpcConfiguration", {})
    if not network.get("Subnets"):
        raise OpsError(f"the schedule of job {job.name} has no network configuration to run the task in")
    response = aws.client("ecs").run_task(
        cluster=app.cluster_arn,
        taskDefinition=job.task_definition_arn,
        launchType="FARGATE",
        group=ecs.get("Group", f"{GROUP_PREFIX}{job.name}"),
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": network["Subnets"],
                "securityGroups": network.get("SecurityGroups", []),
                "assignPublicIp": network.get("AssignPublicIp", "DISABLED"),
            }
        },
        overrides=json.loads(job.schedule.get("Target", {}).get("Input") or "{}"),
        startedBy=STARTED_BY,
        propagateTags="TASK_DEFINITION",
    )
    if response.get("failures") or not response.get("tasks"):
        reasons = "; ".join(f"{f.get('arn', '')} {f.get('reason', '')}".strip() for f in response.get("failures", []))
        raise OpsError(f"ECS did not start job {job.name}: {reasons or 'no task returned'}")
    return str(response["tasks"][0]["taskArn"])


def last_run(aws: Aws, app: App, job: Job, log_group: str) -> LastRun | None:
    """The job's latest run: from ECS while it keeps the task, else from its newest log stream."""
    ecs = aws.client("ecs")
    family = job.task_definition_arn.rsplit("/", 1)[-1].split(":", 1)[0]
    arns: list[str] = []
    for desired in ("RUNNING", "STOPPED"):
        arns += ecs.list_tasks(cluster=app.cluster_arn, family=family, desiredStatus=desired).get("taskArns", [])
    if arns:
        tasks = ecs.describe_tasks(cluster=app.cluster_arn, tasks=arns[:100]).get("tasks", [])
        tasks = [t for t in tasks if t.get("group") == f"{GROUP_PREFIX}{job.name}"]
        if tasks:
            task = max(tasks, key=lambda t: t.get("createdAt") or datetime.min.replace(tzinfo=UTC))
            return LastRun(task.get("createdAt"), _outcome(task), str(task.get("taskArn", "")))
    streams = (
        aws.client("logs")
        .describe_log_streams(logGroupName=log_group, logStreamNamePrefix=f"{stream_prefix(job.name)}/")
        .get("logStreams", [])
    )
    if not streams:
        return None
    newest = max(streams, key=lambda s: s.get("lastEventTimestamp") or 0)
    moment = newest.get("lastEventTimestamp") or newest.get("creationTime")
    return LastRun(datetime.fromtimestamp(moment / 1000, UTC) if moment else None, "logged", newest["logStreamName"])


def _outcome(task: dict[str, Any]) -> str:
    if task.get("lastStatus") != "STOPPED":
        return str(task.get("lastStatus", "?"))
    container: dict[str, Any] = next((c for c in task.get("containers", []) if c.get("name") == "app"), {})
    if container.get("exitCode") is None:
        return f"failed to start: {task.get('stoppedReason') or container.get('reason') or 'no reason given'}"
    return f"exit {container['exitCode']}"
