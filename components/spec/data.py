"""The data part of a client spec: the S3 bucket for files and the RDS database for data."""

import datetime as dt
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator, model_validator

from ..facts import rds
from ..facts.cloudwatch import LogRetention
from .base import Matches, StrictModel, refuse

Origin = Annotated[
    str, Matches(r"^(https?://[a-z0-9.-]+(:\d{1,5})?|\*)$", "an origin like https://shop.acme.com (no path), or *")
]


def now_from(info: ValidationInfo) -> dt.datetime:
    """The validation clock: ``context={"now": ...}`` in tests, the real UTC time otherwise."""
    context = info.context or {}
    return context.get("now") or dt.datetime.now(dt.UTC)


class BucketSpec(StrictModel):
    """The client's private, versioned S3 bucket for files the app would otherwise keep on disk."""

    cors_origins: Annotated[list[Origin], Field(max_length=20)] = []
    """Browser origins allowed to call the bucket directly (presigned uploads), like
    `https://shop.acme.com`."""
    noncurrent_version_days: Annotated[int, Field(ge=1, le=3650)] = 90
    """How long overwritten and deleted object versions are kept. The bucket reset can go
    back no further than this, so it may not be shorter than `backup.point_in_time_days`."""
    abort_multipart_days: Annotated[int, Field(ge=1, le=365)] = 7
    """Incomplete multipart uploads are aborted (and stop costing) after this many days."""
    protect: bool = True
    """Pulumi `protect` and `retain_on_delete` on the bucket: `pulumi destroy` or a removed
    `bucket:` cannot delete it. Set false only for throw-away clients; the bucket is still
    never emptied by force."""


RESTORE_ID_PATTERN = r"^[a-z0-9]{1,15}$"


class RestoreSpec(StrictModel):
    """Create the database as a new instance restored from another to a point in time."""

    id: Annotated[str, Matches(RESTORE_ID_PATTERN, "1-15 lowercase letters or digits, like 20261126t1015")]
    """This restore's identity, 1-15 lowercase letters or digits, never reused for this stack.
    It names the new instance `<stack>-db-restore-<id>` (and its Pulumi resource), so keep
    it while this restore is in the spec and pick a new one for every new restore: an
    instance restored earlier (undone or replaced by a second reset) is retained with
    deletion protection and still holds its identifier, and RDS refuses to create a second
    one (DBInstanceAlreadyExists). Convention: the UTC time the reset was requested,
    `yyyymmddthhmm`, like `20261126t1015`; that is what a reset command will write."""
    point_in_time: AwareDatetime | Literal["latest"]
    """An ISO-8601 time with a zone (`2026-11-20T10:00:00Z`), or `latest` for the newest
    restorable time (usually within the last five minutes)."""
    source: (
        Annotated[str, Matches(r"^[a-zA-Z][a-zA-Z0-9-]{0,62}$", "an RDS instance identifier like acme-db")] | None
    ) = None
    """Identifier of the instance to restore from; default: this client's current instance."""
    applied: bool = False
    """Set true once `pulumi up` has created the restored instance. The time is then history:
    it is no longer checked against the point-in-time window, which keeps moving forward and
    would otherwise refuse every later deploy of this stack."""

    @model_validator(mode="before")
    @classmethod
    def _no_adopt(cls, value: object) -> object:
        # Removed in 0.4 (issue 18): an instance started outside Pulumi never imported on
        # real AWS, so a stack holding `adopt` has that instance outside its state.
        if isinstance(value, dict) and "adopt" in value:
            raise ValueError(
                "`adopt` was removed: `pulumi up` now starts the restore itself (crane reset targets it at "
                "minute zero), and the instance an older crane reset started is not in the stack. Remove "
                "`adopt`, give the restore a new `id`, and delete the stray instance (`crane leftovers`)"
            )
        return value

    @field_validator("point_in_time", mode="before")
    @classmethod
    def _one_of_the_forms(cls, value: object) -> object:
        # One message naming both accepted forms, instead of one error per member of the union.
        forms = "`latest` or an ISO-8601 time with a zone, like 2026-11-20T10:00:00Z"
        if value == "latest":
            return value
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(f"expected {forms}") from None
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise ValueError(f"{value.isoformat()} has no time zone; expected {forms}")
            return value
        raise ValueError(f"expected {forms}")

    @field_validator("point_in_time")
    @classmethod
    def _not_future(cls, value: dt.datetime | str, info: ValidationInfo) -> dt.datetime | str:
        now = now_from(info)
        if isinstance(value, dt.datetime) and value > now:
            raise ValueError(f"{value.isoformat()} is in the future (now is {now.isoformat(timespec='seconds')})")
        return value


class DatabaseSpec(StrictModel):
    """The client's private, encrypted RDS database, protected against every mistake we can foresee."""

    engine: Literal["postgres", "mysql"] = "postgres"
    version: Annotated[str, Matches(r"^\d+(\.\d+){0,2}$", "a version number like 16, 16.4, 8.4 or 8.4.6")] = "16"
    """Major (`16`, `8.0`) or exact (`16.4`, `8.0.39`) version. A major version lets RDS
    apply minor upgrades in the maintenance window."""
    instance_class: Annotated[
        str, Matches(r"^db\.[a-z0-9]+\.[a-z0-9]+$", "an RDS instance class like db.t4g.micro")
    ] = "db.t4g.micro"
    storage_gb: int = 20
    """Initial gp3 storage in GiB."""
    max_storage_gb: int = 100
    """Storage autoscaling ceiling in GiB."""
    multi_az: bool = False
    """A synchronous standby in a second AZ (about double the cost; failover in 1-2 minutes)."""
    name: Annotated[
        str,
        Matches(r"^[a-z][a-z0-9_]{0,62}$", "1-63 lowercase letters, digits and underscores, starting with a letter"),
    ] = "app"
    """Name of the database created in the instance."""
    username: Annotated[
        str,
        Matches(r"^[a-z][a-z0-9_]{0,15}$", "1-16 lowercase letters, digits and underscores, starting with a letter"),
    ] = "app"
    """Master user name; its password is generated and kept by RDS in Secrets Manager."""
    backup_retention_days: Annotated[int, Field(ge=7, le=35)] = 14
    """Days of RDS automated backups when the instance is created. AWS Backup's continuous
    rule then manages the instance's retention (`backup.point_in_time_days`), and that is the
    window `restore` can reach into."""
    performance_insights: bool | None = None
    """Performance Insights (7 days free tier); default: on where the class supports it."""
    restore: RestoreSpec | None = None
    """Reset the data: a new instance restored to a point in time replaces the current one in
    the app; the current instance is kept untouched."""
    deletion_protection: bool = True
    """RDS deletion protection. Turning it off lets an API call delete the database."""
    final_snapshot: bool = True
    """Keep a final snapshot when the instance is deleted. Turning it off loses the data on delete."""
    keep_automated_backups: bool = True
    """Keep automated backups after the instance is deleted, so it can still be restored."""
    protect: bool = True
    """Pulumi `protect` and `retain_on_delete`: `pulumi destroy` or a removed `database:`
    cannot delete it. Set false only for throw-away clients."""
    extended_support: bool = False
    """Accept RDS Extended Support charges: run a major version past its end of RDS standard
    support. Billed per vCPU-hour on top of the instance (about 0.10 USD per vCPU-hour in the
    first two years and 0.20 in the third, us-east-1: over 140 USD a month for a 2-vCPU
    micro instance that itself costs about 12; Multi-AZ pays it for the standby too). Off: a major past that date is refused
    here, and RDS upgrades a running instance to the next major after it instead of billing.
    RDS applies this only when an instance is created or restored."""
    log_retention_days: LogRetention = 30
    """How long the engine logs exported to CloudWatch Logs (errors, slow statements,
    upgrades) are kept."""
    enhanced_monitoring_seconds: Literal[1, 5, 10, 15, 30, 60] | None = None
    """Opt-in: RDS Enhanced Monitoring (operating-system metrics per process) every this many
    seconds, through a role of its own. Billed as CloudWatch Logs ingestion and storage in
    the account-wide RDSOSMetrics log group beyond the free tier: the cost grows with the
    rate, 1 s sends 60 times the data of 60 s. Off by default."""

    @model_validator(mode="after")
    def _facts(self, info: ValidationInfo) -> "DatabaseSpec":
        engine = rds.ENGINES[self.engine]
        major = engine.major_of(self.version)
        if major not in engine.majors:
            refuse(
                self,
                "version",
                f"version={self.version!r} is not offered for {self.engine}; valid majors: {', '.join(engine.majors)}",
            )
        today = now_from(info).date()
        last_day = engine.standard_support_ends[major]
        if today > last_day and not self.extended_support:
            supported = engine.supported_majors(today)
            refuse(
                self,
                "version",
                f"{self.engine} {major} left RDS standard support on {last_day.isoformat()}: it is billed RDS "
                "Extended Support, per vCPU-hour, more than a micro instance itself. Move to "
                f"{' or '.join(supported) or 'a newer major'}, or accept the cost with database.extended_support: true",
            )
        family, size = rds.split_class(self.instance_class)
        if family not in rds.INSTANCE_FAMILIES:
            refuse(
                self,
                "instance_class",
                f"instance_class={self.instance_class!r} is not offered; valid families: "
                f"{', '.join(sorted(rds.INSTANCE_FAMILIES))}",
            )
        if not rds.offers_class(self.instance_class):
            refuse(
                self,
                "instance_class",
                f"instance_class={self.instance_class!r}: {family} has no {size}; valid sizes: "
                f"{', '.join(rds.INSTANCE_MEMORY_GIB[family])}",
            )
        if not engine.min_storage_gb <= self.storage_gb <= engine.max_storage_gb:
            refuse(
                self,
                "storage_gb",
                f"storage_gb={self.storage_gb} is outside {engine.min_storage_gb}-{engine.max_storage_gb} for {self.engine}",
            )
        # RDS storage autoscaling needs the ceiling at least 10 % above the allocated size.
        floor = int(self.storage_gb * 1.1 + 0.999)
        if not floor <= self.max_storage_gb <= engine.max_storage_gb:
            refuse(
                self,
                "max_storage_gb",
                f"max_storage_gb={self.max_storage_gb} must be between {floor} (storage_gb + 10 %) "
                f"and {engine.max_storage_gb}",
            )
        if self.performance_insights and not rds.supports_performance_insights(self.engine, self.instance_class):
            refuse(
                self,
                "performance_insights",
                f"Performance Insights is not available for {self.engine} on {self.instance_class}",
            )
        return self

    def restore_window_problem(self, window_days: int, window_field: str, now: dt.datetime) -> str | None:
        """Why the restore time is out of reach of a point-in-time window of ``window_days``, if it is."""
        when = self.restore.point_in_time if self.restore and not self.restore.applied else None
        if isinstance(when, dt.datetime):
            earliest = now - dt.timedelta(days=window_days)
            if when < earliest:
                return (
                    f"database.restore.point_in_time={when.isoformat()} is before the backup window: "
                    f"{window_field}={window_days} days reach back to {earliest.isoformat(timespec='seconds')}. "
                    "Restore an older snapshot by hand; if this restore was already applied, set "
                    "database.restore.applied: true."
                )
        return None
