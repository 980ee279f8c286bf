"""The backup part of a client spec: AWS Backup with continuous backups and snapshots."""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from ..facts.regions import Region
from .base import StrictModel, refuse


class RestoreTestingSpec(StrictModel):
    """Scheduled AWS Backup restore tests: proof that the backups can really be restored."""

    schedule: Annotated[str, StringConstraints(pattern=r"^(cron\([^()]+\)|rate\(\d+ (minutes?|hours?|days?)\))$")] = (
        "cron(0 5 ? * SUN *)"
    )
    """When tests start, an AWS cron or rate expression in UTC (weekly by default). A test of
    an S3 recovery point restores the whole bucket into a temporary one: mind the cost of
    frequent tests on large buckets."""
    start_window_hours: Annotated[int, Field(ge=1, le=168)] = 24
    """Hours after the scheduled time within which the test must start (AWS: 1-168)."""
    retain_hours: Annotated[int, Field(ge=1, le=168)] = 4
    """Hours the restored test resources are kept for validation before AWS Backup deletes
    them (AWS: 1-168); they cost money while they exist."""


class BackupSpec(StrictModel):
    """AWS Backup for the client's bucket and database: reset them to any recent moment."""

    point_in_time_days: Annotated[int, Field(ge=1, le=35)] = 35
    """Continuous backup window (point-in-time recovery) in days; AWS allows 1-35."""
    daily_retention_days: Annotated[int, Field(ge=1, le=36500)] = 35
    """How long daily snapshot backups are kept."""
    monthly_retention_days: Annotated[int, Field(ge=1, le=36500)] | None = None
    """Keep a monthly backup this long; supported resource types move to cold storage after
    30 days, and AWS needs 90 days in cold storage, so at least 120."""
    copy_to_region: Region | None = None
    """Copy snapshot backups to a vault in this region (survives a regional outage)."""
    vault_lock: Literal["none", "governance", "compliance"] = "governance"
    """`governance`: recovery points cannot be deleted before their retention ends except by
    users with special IAM rights. `compliance`: nobody, not even AWS support, can delete them
    or remove the lock after the grace time: irreversible, and you pay for the storage until
    every retention has run out. `none`: no lock."""
    compliance_grace_days: Annotated[int, Field(ge=3, le=36500)] = 3
    """With `compliance`: days after which the lock can no longer be removed (AWS: at least 3)."""
    restore_testing: bool | RestoreTestingSpec = True
    """Scheduled restore tests (`true`, `false` or settings)."""
    protect: bool = True
    """Pulumi `protect` and `retain_on_delete` on the vault and its key."""

    @model_validator(mode="after")
    def _ranges(self) -> "BackupSpec":
        if self.monthly_retention_days is not None and self.monthly_retention_days < 120:
            refuse(
                self,
                "monthly_retention_days",
                f"monthly_retention_days={self.monthly_retention_days} is too short: monthly backups "
                "go to cold storage after 30 days and must stay there 90 days, so at least 120",
            )
        if "compliance_grace_days" in self.model_fields_set and self.vault_lock != "compliance":
            refuse(self, "compliance_grace_days", "compliance_grace_days only applies with vault_lock: compliance")
        return self

    @property
    def restore_testing_settings(self) -> RestoreTestingSpec | None:
        """The restore testing settings, or None when restore testing is off."""
        if self.restore_testing is True:
            return RestoreTestingSpec()
        return self.restore_testing or None
