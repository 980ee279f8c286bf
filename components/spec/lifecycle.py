"""What a client's app runs beside its web process: a release command, scheduled jobs, workers.

Pure data: the release runs once per new task definition revision before it takes traffic
(``service.release``), jobs run on an EventBridge Scheduler schedule (``jobs:``), workers are
services without a load balancer (``workers:``). The components are in ``crane_it.app``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from ..facts.fargate import FARGATE_MEMORY, FargateCpu, describe_memory, valid_memory
from ..facts.schedules import CRON_EXAMPLE, schedule_problem, time_zone_problem
from .base import Matches, StrictModel, _fail_at, refuse

TaskName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=20),
    Matches(
        r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
        "1-20 lowercase letters, digits and single hyphens, starting with a letter, like clear-sessions "
        "(it becomes part of AWS names: schedules, task families, log stream prefixes, alarms)",
    ),
]
"""The name of a job or worker: part of schedule, task family and alarm names."""

Command = Annotated[list[Annotated[str, StringConstraints(min_length=1)]], Field(min_length=1, max_length=64)]
"""A command as ECS takes it, one argument per item: ``["python", "manage.py", "migrate"]``."""

QueueName = Annotated[
    str,
    Matches(
        r"^[A-Za-z0-9_-]{1,80}(\.fifo)?$",
        "an SQS queue name (not its URL or ARN) of up to 80 letters, digits, - and _, like acme-emails",
    ),
]

# Spec keys that ask for traffic into a worker: a worker has no load balancer and no ingress.
_INGRESS_KEYS = ("port", "ports", "health_check", "domain", "certificate_arn", "load_balancer", "ingress")


class ReleaseSpec(StrictModel):
    """A command run once per new task definition revision, before that revision takes traffic.

    It runs as a one-off task with the new image, environment, secrets, network and log group
    (log stream prefix ``release``). ``pulumi up`` registers the new revision, runs the release
    and waits for its exit code; only after it exits 0 does it update the service. A non-zero
    exit or the timeout fails ``pulumi up`` with the exit code and the last log lines, and the
    old revision keeps serving. Two releases of one client never run at once.
    """

    command: Command
    """The release command, like `["python", "manage.py", "migrate", "--noinput"]`."""
    cpu: FargateCpu | None = None
    """Fargate CPU units of the release task; default: the service's."""
    memory: int | None = None
    """Memory of the release task in MiB; default: the service's. Must fit `cpu`."""
    timeout_seconds: Annotated[int, Field(ge=60, le=840)] = 600
    """How long the release may run before it is stopped and the rollout refused. At most
    840 (14 minutes): the release function runs in AWS Lambda, whose limit is 15 minutes."""


class JobSpec(StrictModel):
    """A named scheduled task: the app's image and environment with its own command."""

    schedule: str
    """When it runs, as EventBridge Scheduler writes it: `cron(0 3 * * ? *)` (six fields:
    minutes hours day-of-month month day-of-week year; one day field is `?`) or
    `rate(15 minutes)`."""
    time_zone: str = "UTC"
    """IANA time zone the cron expression is read in, like `Europe/Berlin`; daylight saving
    time is followed."""
    command: Command
    """The job's command, like `["python", "manage.py", "clearsessions"]`."""
    cpu: FargateCpu | None = None
    """Fargate CPU units of the job's task; default: the service's."""
    memory: int | None = None
    """Memory of the job's task in MiB; default: the service's. Must fit `cpu`."""

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        problem = schedule_problem(value)
        if problem:
            raise ValueError(f"{problem}; expected {CRON_EXAMPLE}")
        return value

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        problem = time_zone_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class WorkerScalingSpec(StrictModel):
    """Target-tracking autoscaling of a worker: on CPU, memory and, when named, queue depth."""

    min: Annotated[int, Field(ge=0, le=100)] = 1
    max: Annotated[int, Field(ge=1, le=100)] = 4
    cpu_percent: Annotated[int, Field(ge=10, le=95)] | None = 70
    """Average CPU the worker aims for; null to not scale on CPU."""
    memory_percent: Annotated[int, Field(ge=10, le=95)] | None = None
    """Average memory the worker aims for; null (the default) to not scale on memory."""
    queue: QueueName | None = None
    """Scale on this SQS queue's depth (in the client's region and account): the worker reads it."""
    messages_per_task: Annotated[int, Field(ge=1, le=100000)] = 100
    """With `queue`: visible messages each task should have at most before another starts."""

    @model_validator(mode="after")
    def _bounds(self) -> WorkerScalingSpec:
        if self.min > self.max:
            refuse(self, "min", f"min={self.min} is greater than max={self.max}")
        if self.cpu_percent is None and self.memory_percent is None and self.queue is None:
            refuse(self, "cpu_percent", "set cpu_percent, memory_percent or queue (or remove autoscaling)")
        return self


class WorkerSpec(StrictModel):
    """A named background service: no load balancer, no ingress, the app's image and environment."""

    command: Command
    """The worker's command, like `["celery", "-A", "shop", "worker"]`."""
    image: (
        Annotated[
            str,
            Matches(r"^[a-z0-9][a-z0-9._/:@-]{0,254}$", "a lowercase image reference like ghcr.io/acme/worker:1.4.2"),
        ]
        | None
    ) = None
    """Its own registry image (public, or one the app's execution role can pull); default:
    the app's image."""
    cpu: FargateCpu | None = None
    """Fargate CPU units; default: the service's."""
    memory: int | None = None
    """Memory in MiB; default: the service's. Must fit `cpu`."""
    count: Annotated[int, Field(ge=0, le=100)] = 1
    """Tasks to run (the starting count with autoscaling)."""
    autoscaling: WorkerScalingSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_ingress(cls, data: object) -> object:
        if isinstance(data, dict):
            for key in _INGRESS_KEYS:
                if key in data:
                    _fail_at(
                        "WorkerSpec",
                        (key,),
                        f"a worker takes no traffic: it has no load balancer, no port and no ingress rule; remove "
                        f"`{key}` (a process that serves requests belongs in `service`), like "
                        "`workers: {emails: {command: [celery, -A, shop, worker]}}`",
                        data[key],
                    )
        return data

    @model_validator(mode="after")
    def _count_in_bounds(self) -> WorkerSpec:
        scaling = self.autoscaling
        if scaling and not scaling.min <= self.count <= scaling.max:
            refuse(self, "count", f"count={self.count} is outside autoscaling min={scaling.min}..max={scaling.max}")
        return self


def size_problem(cpu: int | None, memory: int | None, default_cpu: int, default_memory: int) -> tuple[str, str] | None:
    """(field, message) when a task's cpu/memory (each defaulting to the service's) is no Fargate size."""
    task_cpu, task_memory = cpu or default_cpu, memory or default_memory
    if task_memory in valid_memory(task_cpu):
        return None
    return (
        "memory",
        f"memory={task_memory}{'' if memory else ' (the service memory)'} is not valid for cpu={task_cpu}"
        f"{'' if cpu else ' (the service cpu)'}; valid: {describe_memory(task_cpu)} "
        f"(Fargate sizes: cpu {sorted(FARGATE_MEMORY)}); set both cpu and memory, like cpu: 512, memory: 1024",
    )
