"""The alerts part of a client spec: who is told, and when."""

from typing import Annotated

from pydantic import Field, field_validator

from .base import Matches, Percent, StrictModel

Email = Annotated[str, Matches(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$", "an email address like ops@acme.com")]


class AlertsSpec(StrictModel):
    """Alarm thresholds and the people the client's SNS topic emails."""

    dashboard: bool = True
    """A CloudWatch dashboard of the client's service, load balancer and database. 3 USD a
    month (an account's first three dashboards are free, so with more clients each one is
    billed). Unset: on for a client with a VPC of its own, off for a client on a platform,
    where every condition it shows is already an alarm that emails `emails` (memory, CPU,
    5xx, running tasks and the database's CPU, storage and connections) and the CloudWatch
    console graphs each alarm's metric. Turn it on for a client whose people watch it, or
    whose incidents need the graphs side by side."""
    emails: Annotated[list[Email], Field(max_length=20)] = []
    """Each address gets an SNS email subscription (it must confirm the first mail)."""
    memory_percent: Percent = 80
    """Service memory utilization that raises the memory alarm."""
    cpu_percent: Percent = 85
    """Service CPU utilization that raises the CPU alarm."""
    sustained_minutes: Annotated[int, Field(ge=1, le=60)] = 5
    """How long a threshold must be breached before the alarm fires."""
    memory_trend_band: Annotated[float, Field(ge=1, le=10)] = 3
    """Width, in standard deviations, of the anomaly band around the learned memory
    pattern; memory above the band for an hour means a leak is growing."""
    http_5xx_percent: Percent = 5
    """Share of requests answered with 5xx by the targets that raises the error alarm."""
    database_cpu_percent: Percent = 80
    database_free_storage_percent: Annotated[int, Field(ge=1, le=99)] = 10
    """Free storage, in % of the initial storage_gb, below which the storage alarm fires.
    Storage autoscaling adds space when free space falls under 10 % of the allocated size,
    so up to 10 it fires only when autoscaling cannot keep up or max_storage_gb is reached."""
    database_connections_percent: Annotated[int, Field(ge=1, le=99)] = 80
    """Connections, in % of what the app can open: the engine's default max_connections on
    the instance class (RDS computes it from the class's memory less what RDS itself uses),
    less PostgreSQL's connections reserved for superusers. Below 100, so it fires before
    new connections are refused."""

    @field_validator("emails")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        lowered = [v.lower() for v in value]
        twice = sorted({v for v in lowered if lowered.count(v) > 1})
        if twice:
            raise ValueError(f"addresses are listed twice: {twice}")
        return value
