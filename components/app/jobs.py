"""Scheduled jobs: EventBridge Scheduler starts an ECS task of the app's container on a schedule.

Each job gets a task definition of the app's container (same image, environment, secrets,
roles and log group; its own size and log stream prefix ``job-<name>``, no port), and a
schedule in the client's schedule group whose templated ECS target runs it with the job's
command as the container override (the target ``input`` is RunTask's ``overrides``). One
role for the client's schedules may only run those task families on the client's cluster and
pass the app's two task roles to ECS. While ``service.maintenance`` is on, every schedule
is DISABLED, so nothing writes to data being replaced.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from ..core.component import Component
from ..core.iam import Where, policy_document, where
from ..spec.lifecycle import JobSpec
from .container import CONTAINER

if TYPE_CHECKING:
    from .service import Service

RETRY_ATTEMPTS = 3
"""Scheduler retries a RunTask call that failed (throttling, capacity) this often."""
RETRY_MAX_AGE_SECONDS = 3600
"""...and gives up an hour after the scheduled time; the failure alarm then fires."""


def schedule_name(name: str, job: str) -> str:
    """The schedule's AWS name (at most 64 characters: a base name of 36, a job name of 20)."""
    return f"{name}-{job}"


def task_group(job: str) -> str:
    """The ECS task group of a job's tasks, what the failure rule and `crane job` match."""
    return f"job:{job}"


def family(name: str, job: str) -> str:
    """The job's task definition family."""
    return f"{name}-job-{job}"


def stream_prefix(job: str) -> str:
    """The job's log stream prefix in the app's log group: ``job-<name>/app/<task id>``."""
    return f"job-{job}"


def overrides(command: Sequence[str]) -> str:
    """The target ``input``: RunTask's overrides with the job's command for the app container."""
    return json.dumps({"containerOverrides": [{"name": CONTAINER, "command": list(command)}]})


class Jobs(Component):
    """A client's scheduled jobs: a schedule group, a least-privilege role, one schedule per job."""

    type_token = "crane:index:Jobs"

    schedules: dict[str, aws.scheduler.Schedule]
    group_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        jobs: Mapping[str, JobSpec],
        service: Service,
        *,
        subnets: pulumi.Input[Sequence[pulumi.Input[str]]],
        assign_public_ip: pulumi.Input[bool],
        security_group_ids: Sequence[pulumi.Input[str]],
        default_size: tuple[int, int],
        maintenance: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``default_size``: the service's (cpu, memory), for jobs that set neither."""
        super().__init__(name, opts=opts)
        here = where(self)
        self.cluster_arn = service.cluster_arn
        self.group = aws.scheduler.ScheduleGroup(f"{name}-jobs", name=f"{name}-jobs", opts=self.child())
        self.group_name = self.group.name
        self.task_groups = [task_group(job) for job in jobs]
        self.definitions = {
            job: service.task_definition_for(
                f"{name}-job-{job}-task",
                family(name, job),
                cpu=spec.cpu or default_size[0],
                memory=spec.memory or default_size[1],
                command=spec.command,
                stream_prefix=stream_prefix(job),
                parent=self,
            )
            for job, spec in jobs.items()
        }
        self.role = self._role(name, here, service, [family(name, job) for job in jobs])
        self.schedules = {
            job: aws.scheduler.Schedule(
                f"{name}-job-{job}",
                name=schedule_name(name, job),
                group_name=self.group.name,
                description=f"{name} job {job}: {' '.join(spec.command)}"[:512],
                schedule_expression=spec.schedule,
                schedule_expression_timezone=spec.time_zone,
                flexible_time_window={"mode": "OFF"},
                state="DISABLED" if maintenance else "ENABLED",
                target={
                    "arn": self.cluster_arn,
                    "role_arn": self.role.arn,
                    "input": overrides(spec.command),
                    "ecs_parameters": {
                        "task_definition_arn": self.definitions[job].arn,
                        "launch_type": "FARGATE",
                        "group": task_group(job),
                        "network_configuration": {
                            "subnets": subnets,
                            "security_groups": list(security_group_ids),
                            "assign_public_ip": assign_public_ip,
                        },
                        "enable_ecs_managed_tags": True,
                        "propagate_tags": "TASK_DEFINITION",
                    },
                    "retry_policy": {
                        "maximum_retry_attempts": RETRY_ATTEMPTS,
                        "maximum_event_age_in_seconds": RETRY_MAX_AGE_SECONDS,
                    },
                },
                opts=self.child(depends_on=self._grants),
            )
            for job, spec in jobs.items()
        }
        self.publish(
            {
                "group_name": self.group_name,
                "schedules": {job: schedule.name for job, schedule in self.schedules.items()},
                "families": {job: definition.family for job, definition in self.definitions.items()},
            }
        )

    def _role(self, name: str, here: Where, service: Service, families: list[str]) -> aws.iam.Role:
        partition, region, account = here.partition, here.region, here.account
        role = aws.iam.Role(
            f"{name}-jobs-scheduler",
            assume_role_policy=pulumi.Output.json_dumps(
                policy_document(
                    [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "scheduler.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                        }
                    ]
                )
            ),
            opts=self.child(),
        )
        cluster_name = pulumi.Output.from_input(self.cluster_arn).apply(lambda arn: arn.rsplit("/", 1)[-1])
        statements = [
            {
                "Sid": "RunTheJobTasks",
                "Effect": "Allow",
                "Action": "ecs:RunTask",
                "Resource": [
                    pulumi.Output.format("arn:{0}:ecs:{1}:{2}:task-definition/{3}:*", partition, region, account, f)
                    for f in families
                ],
                "Condition": {"ArnEquals": {"ecs:cluster": self.cluster_arn}},
            },
            {
                # RunTask with tags (propagated and ECS-managed) needs TagResource on the task.
                "Sid": "TagThemOnStart",
                "Effect": "Allow",
                "Action": "ecs:TagResource",
                "Resource": pulumi.Output.format(
                    "arn:{0}:ecs:{1}:{2}:task/{3}/*", partition, region, account, cluster_name
                ),
                "Condition": {"StringEquals": {"ecs:CreateAction": "RunTask"}},
            },
            {
                "Sid": "PassTheTaskRoles",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": [service.execution_role.arn, service.task_role.arn],
                "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            },
        ]
        self._grants = [
            aws.iam.RolePolicy(
                f"{name}-jobs-scheduler",
                role=role.id,
                policy=pulumi.Output.json_dumps(policy_document(statements)),
                opts=self.child(),
            )
        ]
        return role
