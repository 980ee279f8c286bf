"""The backup part of a client spec: AWS Backup with continuous backups and snapshots."""

import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..facts.rds import MANUAL_SNAPSHOT_QUOTA
from ..facts.regions import Region
from .base import Matches, StrictModel, refuse

LOCK_DAYS = (1, 36500)
"""The retention bounds AWS Backup accepts in a vault lock, and the lock's default bounds."""
MONTH_DAYS = 28
"""The shortest month: how often the monthly rule can add a snapshot, at most."""


def snapshots_per_instance(daily_days: int, monthly_days: int | None) -> int:
    """RDS snapshots AWS Backup keeps for one instance: one per retained day and month."""
    return daily_days + (math.ceil(monthly_days / MONTH_DAYS) if monthly_days else 0)


class RestoreTestingSpec(StrictModel):
    """Scheduled AWS Backup restore tests: proof that the backups can really be restored."""

    schedule: Annotated[
        str,
        Matches(
            r"^(cron\([^()]+\)|rate\(\d+ (minutes?|hours?|days?)\))$",
            "an AWS schedule expression like cron(0 5 ? * SUN *) or rate(7 days)",
        ),
    ] = "cron(0 5 ? * SUN *)"
    """When tests start, an AWS cron or rate expression in UTC. Weekly by default; quarterly
    (`cron(0 5 1 1,4,7,10 ? *)`) for a client on a platform whose spec names no schedule.
    AWS Backup bills every restore test, one per tested resource (the bucket and the
    database) and run, on top of the restored copy while it exists: weekly tests of both cost
    about 13 USD a month, quarterly ones about 1 USD (`crane cost` prices them). Failed backup
    jobs are alerted either way; the tests find a backup that was taken but would not restore. A test of an S3 recovery point
    restores the whole bucket into a temporary one: mind the cost of frequent tests on large
    buckets."""
    start_window_hours: Annotated[int, Field(ge=1, le=168)] = 24
    """Hours after the scheduled time within which the test must start (AWS: 1-168)."""
    retain_hours: Annotated[int, Field(ge=1, le=168)] = 4
    """Hours the restored test resources are kept for validation before AWS Backup deletes
    them (AWS: 1-168); they cost money while they exist."""


class BackupSpec(StrictModel):
    """AWS Backup for the client's bucket and database: reset them to any recent moment."""

    point_in_time_days: Annotated[int, Field(ge=1, le=35)] = 35
    """Continuous backup window (point-in-time recovery) in days; AWS allows 1-35."""
    daily_retention_days: Annotated[int, Field(ge=1, le=MANUAL_SNAPSHOT_QUOTA // 2)] = 35
    """How long daily snapshot backups are kept, at most 50. AWS Backup's RDS snapshots count
    against the RDS quota of 100 manual snapshots per account and region, and during a reset
    two instances are backed up: 2 x 50 fills it. Monthly snapshots count too (see
    `monthly_retention_days`); clients sharing an account share the quota, so raise it in
    Service Quotas ("Manual DB instance snapshots") before adding clients to an account."""
    monthly_retention_days: Annotated[int, Field(ge=1, le=36500)] | None = None
    """Keep a monthly backup this long; supported resource types move to cold storage after
    30 days, and AWS needs 90 days in cold storage, so at least 120. With a database, its
    monthly snapshots count against the RDS snapshot quota with the daily ones (see
    `daily_retention_days`): one per 28 days of retention, for two instances during a reset."""
    copy_to_region: Region | None = None
    """Copy snapshot backups to a vault in this region (survives a regional outage)."""
    vault_lock: Literal["none", "governance", "compliance"] = "governance"
    """`governance`: recovery points cannot be deleted before their retention ends except by
    users with special IAM rights. `compliance`: nobody, not even AWS support, can delete them
    or remove the lock after the grace time: irreversible, and you pay for the storage until
    every retention has run out. `none`: no lock."""
    compliance_grace_days: Annotated[int, Field(ge=3, le=36500)] = 3
    """With `compliance`: days after which the lock can no longer be removed (AWS: at least 3)."""
    lock_min_retention_days: Annotated[int, Field(ge=LOCK_DAYS[0], le=LOCK_DAYS[1])] = LOCK_DAYS[0]
    """The shortest retention the vault lock admits; every rule must keep its recovery points
    at least this long (AWS Backup fails jobs outside the lock's bounds). The default admits
    every rule, so retention changes never touch the lock. Changing it REPLACES the lock:
    a moment without one, and under `compliance` past `compliance_grace_days` the change
    fails."""
    lock_max_retention_days: Annotated[int, Field(ge=LOCK_DAYS[0], le=LOCK_DAYS[1])] = LOCK_DAYS[1]
    """The longest retention the vault lock admits; every rule must fit under it. Same
    default and same cost of a change as `lock_min_retention_days`."""
    restore_testing: bool | RestoreTestingSpec = True
    """Scheduled restore tests (`true`, `false` or settings): AWS Backup restores the newest
    recovery point of the bucket and of the database and reports whether it worked, so a
    backup that would not restore is found before it is needed. `true` means the default
    settings (on a platform: quarterly; see `schedule`)."""
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
        self._lock_bounds()
        return self

    def _lock_bounds(self) -> None:
        bounds = {"lock_min_retention_days", "lock_max_retention_days"} & self.model_fields_set
        if bounds and self.vault_lock == "none":
            refuse(self, sorted(bounds)[0], f"{sorted(bounds)[0]} only applies with a vault_lock")
        if self.lock_min_retention_days > self.lock_max_retention_days:
            refuse(
                self,
                "lock_min_retention_days",
                f"lock_min_retention_days={self.lock_min_retention_days} is greater than "
                f"lock_max_retention_days={self.lock_max_retention_days}",
            )
        if self.vault_lock == "none":
            return
        for field, days in self.retentions().items():
            if not self.lock_min_retention_days <= days <= self.lock_max_retention_days:
                refuse(
                    self,
                    field,
                    f"{field}={days} is outside the vault lock's bounds lock_min_retention_days="
                    f"{self.lock_min_retention_days}..lock_max_retention_days={self.lock_max_retention_days}: "
                    "AWS Backup would fail every job of that rule; change the rule, or the bounds (which "
                    "replaces the lock)",
                )

    def snapshot_problem(self) -> str | None:
        """Why the snapshot rules would overrun RDS's snapshot quota during a reset, if they would."""
        count = 2 * snapshots_per_instance(self.daily_retention_days, self.monthly_retention_days)
        if count <= MANUAL_SNAPSHOT_QUOTA:
            return None
        return (
            f"backup.daily_retention_days={self.daily_retention_days} and backup.monthly_retention_days="
            f"{self.monthly_retention_days} keep up to {count} RDS snapshots with two instances (during a "
            f"reset), over RDS's quota of {MANUAL_SNAPSHOT_QUOTA} manual snapshots per region; shorten one"
        )

    def retentions(self) -> dict[str, int]:
        """Retention in days of every rule the plan writes into the vault, by field name."""
        days = {"point_in_time_days": self.point_in_time_days, "daily_retention_days": self.daily_retention_days}
        if self.monthly_retention_days:
            days["monthly_retention_days"] = self.monthly_retention_days
        return days

    @property
    def restore_testing_settings(self) -> RestoreTestingSpec | None:
        """The restore testing settings, or None when restore testing is off."""
        if self.restore_testing is True:
            return RestoreTestingSpec()
        return self.restore_testing or None
