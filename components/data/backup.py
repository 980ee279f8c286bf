"""AWS Backup for one client: an encrypted, locked vault that can rewind the bucket and database."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from ..core.component import STANDALONE, Component, Protection
from ..core.iam import policy_document
from ..core.provider import aws_provider
from ..facts.schedules import SCHEDULE_TIMEZONE
from ..keys.kms import customer_key
from ..spec import BackupSpec
from .restore_testing import RestoreTests, restore_tests

if TYPE_CHECKING:
    from ..core.contracts import BucketTarget, DatabaseTarget, EncryptionKey

# Schedules are UTC and their start windows do not overlap: AWS Backup merges rules whose
# windows overlap into one job for the longer retention, and a copy action then runs only if
# its own rule ran. Snapshots start after the database's backup (02:00-03:00) and Sunday
# maintenance (03:30-04:30) windows.
CONTINUOUS_SCHEDULE = "cron(0 0 * * ? *)"
"""A continuous rule still needs a schedule: AWS Backup uses it to resync the recovery point."""
DAILY_SCHEDULE = "cron(0 5 * * ? *)"
MONTHLY_SCHEDULE = "cron(0 8 1 * ? *)"
START_WINDOW_MINUTES = 120
"""Room for a job AWS Backup cannot start at once (an RDS instance busy in its own windows)."""
COMPLETION_WINDOW_MINUTES = 1440
"""A job still running after a day is cancelled (the first S3 backup of a large bucket is slow)."""
COLD_STORAGE_AFTER_DAYS = 30

# AWS Backup allows 50 characters in vault, plan and selection names (botocore
# CreateBackupVault.BackupVaultName ^[a-zA-Z0-9\-\_]{2,50}$, CreateBackupSelection.SelectionName
# {1,50}). Auto-names (`<name>-backup-copy-vault-<7 hex>`) pass it once the base exceeds 24
# characters, so they are named explicitly: `<base>` plus at most 13 characters fits any base
# of naming.MAX_BASE_LENGTH. Stacks deployed before keep their auto-names (`ignore_changes`):
# the name is replace-only, and replacing a vault would strand its recovery points.
VAULT_SUFFIX = "-backups"
COPY_VAULT_SUFFIX = "-backups-copy"
PLAN_SUFFIX = "-backups"
SELECTION_SUFFIX = "-data"
KEEP_DEPLOYED_NAME = ["name"]

BACKUP_POLICIES = (
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
)
# The S3 policies live at the root path, not under service-role/ like the two above.
S3_POLICIES = (
    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
)


def vault_retentions(spec: BackupSpec) -> list[int]:
    """Retention in days of every recovery point the plan writes into the client's vault."""
    return list(spec.retentions().values())


def copy_retentions(spec: BackupSpec) -> list[int]:
    """Retention in days of every copy in the copy region (snapshot rules only)."""
    return vault_retentions(spec)[1:]


class Backup(Component):
    """AWS Backup of exactly this client's bucket and database, with point-in-time recovery."""

    type_token = "crane:index:Backup"

    def __init__(
        self,
        name: str,
        spec: BackupSpec,
        *,
        bucket: BucketTarget | None = None,
        database: DatabaseTarget | None = None,
        tags: Mapping[str, str],
        protection: Protection = STANDALONE,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``bucket``, ``database``: what to protect (at least one). ``tags``: the stack's tags,
        copied onto every recovery point. ``protection.key``: encrypt the vault with this key
        (the client's, ``keys: per_client``) instead of a key of its own; a copy region's vault
        always has its own key in that region."""
        if bucket is None and database is None:
            raise ValueError("Backup needs a bucket or a database to protect")
        super().__init__(name, protection=protection, opts=opts)
        self.spec = spec
        given = protection.key
        self.key: EncryptionKey = given if given is not None else self._key(f"{name}-backup-key")
        self.vault = self._vault(f"{name}-backup-vault", f"{name}{VAULT_SUFFIX}", self.key)
        self.lock = self._lock(f"{name}-backup-lock", self.vault)
        self.copy_provider: aws.Provider | None = None
        self.copy_key: aws.kms.Key | None = None
        self.copy_vault: aws.backup.Vault | None = None
        self.copy_lock: aws.backup.VaultLockConfiguration | None = None
        if spec.copy_to_region:
            self._copy_region(name, spec.copy_to_region, tags)
        self.role = self._role(f"{name}-backup-role")
        self._attach_policies(name, bucket)
        self._grant_bucket_key(name, bucket)
        self.plan = self._plan(f"{name}-backup-plan", f"{name}{PLAN_SUFFIX}", tags)
        self.selection = self._selection(f"{name}-backup-selection", f"{name}{SELECTION_SUFFIX}", bucket, database)
        settings = spec.restore_testing_settings
        self.restore_tests: RestoreTests | None = (
            restore_tests(name, settings, self.vault.arn, self.role.arn, bucket, database, parent=self)
            if settings
            else None
        )

        self.vault_name: pulumi.Output[str] = self.vault.name
        self.vault_arn: pulumi.Output[str] = self.vault.arn
        outputs: dict[str, pulumi.Input[object]] = {
            "vault_name": self.vault_name,
            "vault_arn": self.vault_arn,
            "key_arn": self.key.arn,
            "plan_id": self.plan.id,
            "role_arn": self.role.arn,
        }
        if self.copy_vault:
            outputs["copy_vault_arn"] = self.copy_vault.arn
        if self.restore_tests:
            outputs["restore_testing_plan"] = self.restore_tests.plan.name
        self.publish(outputs)

    def _kept(self, provider: aws.Provider | None = None, **more: Any) -> pulumi.ResourceOptions:
        """Options for the backups' own storage: `pulumi destroy` must never take it along.

        Retiring drops `protect` so the destroy can run; retention keeps vault and keys.
        """
        return self.protected(self.spec.protect, provider=provider, **more)

    def _key(self, name: str, region: str | None = None, provider: aws.Provider | None = None) -> aws.kms.Key:
        """A customer-managed key for a vault, rotated yearly."""
        # The default key policy (account root) lets IAM grant the backup role its use; the
        # AWS-managed backup policies do so through the kms:ViaService condition.
        return customer_key(name, f"{name}: encrypts AWS Backup recovery points", self._kept(provider), region=region)

    def _vault(
        self,
        name: str,
        vault_name: str,
        key: EncryptionKey,
        region: str | None = None,
        provider: aws.Provider | None = None,
    ) -> aws.backup.Vault:
        """A vault encrypted with ``key`` that refuses deletion while it holds recovery points."""
        return aws.backup.Vault(
            name,
            name=vault_name,
            kms_key_arn=key.arn,
            force_destroy=False,
            region=region,
            opts=self._kept(provider, ignore_changes=KEEP_DEPLOYED_NAME),
        )

    def _lock(
        self,
        name: str,
        vault: aws.backup.Vault,
        region: str | None = None,
        provider: aws.Provider | None = None,
    ) -> aws.backup.VaultLockConfiguration | None:
        """The vault lock of ``spec.vault_lock``, with the spec's own retention bounds.

        `governance` leaves ``changeable_for_days`` unset: users with special IAM rights can
        still remove the lock. `compliance` sets it to ``spec.compliance_grace_days``: once
        that grace time has passed the lock is IRREVERSIBLE -- nobody, not even AWS, can
        remove it or delete a recovery point before its retention ends, and the vault and its
        storage cost stay until the last retention has run out.
        """
        if self.spec.vault_lock == "none":
            return None
        # Every argument of a lock is replace-only: bounds derived from the rules would
        # delete and recreate the lock on every retention change (a window without a lock;
        # under compliance past its grace time the delete fails after the plan changed).
        # So the bounds are a policy of their own, and BackupSpec refuses rules outside them
        # (AWS Backup fails such jobs).
        return aws.backup.VaultLockConfiguration(
            name,
            backup_vault_name=vault.name,
            min_retention_days=self.spec.lock_min_retention_days,
            max_retention_days=self.spec.lock_max_retention_days,
            changeable_for_days=self.spec.compliance_grace_days if self.spec.vault_lock == "compliance" else None,
            region=region,
            # One lock per vault: a create-before-delete replacement would delete the new lock.
            opts=self.child(provider=provider, delete_before_replace=True),
        )

    def _copy_region(self, name: str, region: str, tags: Mapping[str, str]) -> None:
        """A provider, key, vault and lock in ``region`` that receive copies of the snapshots."""
        self.copy_provider = aws_provider(f"{name}-backup-copy", region, tags, self.child())
        # `region` is also pinned on each resource so a provider mix-up cannot move them.
        self.copy_key = self._key(f"{name}-backup-copy-key", region, self.copy_provider)
        self.copy_vault = self._vault(
            f"{name}-backup-copy-vault", f"{name}{COPY_VAULT_SUFFIX}", self.copy_key, region, self.copy_provider
        )
        self.copy_lock = self._lock(f"{name}-backup-copy-lock", self.copy_vault, region, self.copy_provider)

    def _role(self, name: str) -> aws.iam.Role:
        """The role AWS Backup assumes to back up, copy, restore and restore-test."""
        trust = policy_document(
            [{"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}]
        )
        return aws.iam.Role(
            name,
            assume_role_policy=pulumi.Output.json_dumps(trust),
            description=f"{name}: AWS Backup service role",
            opts=self.child(),
        )

    def _attach_policies(self, name: str, bucket: BucketTarget | None) -> None:
        """The AWS-managed backup and restore policies; the S3 pair only when there is a bucket."""
        arns = {"backup": BACKUP_POLICIES[0], "restores": BACKUP_POLICIES[1]}
        if bucket is not None:
            arns |= {"s3-backup": S3_POLICIES[0], "s3-restore": S3_POLICIES[1]}
        for suffix, arn in arns.items():
            aws.iam.RolePolicyAttachment(
                f"{name}-backup-role-{suffix}",
                role=self.role.name,
                policy_arn=arn,
                opts=self.child(),
            )

    def _grant_bucket_key(self, name: str, bucket: BucketTarget | None) -> aws.iam.RolePolicy | None:
        """Use of the bucket's SSE-KMS key through S3, which S3 backups and restores need."""
        # AWS Backup reports an S3 job as successful even when it could not decrypt the
        # objects, which are then silently missing from the backup; grant the key explicitly.
        if bucket is None or bucket.key_arn is None:
            return None
        policy = policy_document(
            [
                {
                    "Sid": "BucketKeyThroughS3",
                    "Effect": "Allow",
                    "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
                    "Resource": bucket.key_arn,
                    "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
                }
            ]
        )
        return aws.iam.RolePolicy(
            f"{name}-backup-bucket-key",
            role=self.role.name,
            policy=pulumi.Output.json_dumps(policy),
            opts=self.child(),
        )

    def _plan(self, name: str, plan_name: str, tags: Mapping[str, str]) -> aws.backup.Plan:
        """Continuous backups for point-in-time recovery beside daily (and monthly) snapshots."""
        spec = self.spec
        common: dict[str, Any] = {
            "target_vault_name": self.vault.name,
            "schedule_expression_timezone": SCHEDULE_TIMEZONE,
            "start_window": START_WINDOW_MINUTES,
            "completion_window": COMPLETION_WINDOW_MINUTES,
            "recovery_point_tags": dict(tags),
        }
        # Continuous backups (RDS, S3) restore to any second of the last 1-35 days. AWS refuses
        # cold storage on them, and copies of them are plain snapshots, so the copy region is
        # fed from the snapshot rules instead.
        continuous = aws.backup.PlanRuleArgs(
            rule_name="continuous",
            schedule=CONTINUOUS_SCHEDULE,
            enable_continuous_backup=True,
            lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=spec.point_in_time_days),
            **common,
        )
        daily_lifecycle: dict[str, Any] = {"delete_after": spec.daily_retention_days}
        daily = aws.backup.PlanRuleArgs(
            rule_name="daily",
            schedule=DAILY_SCHEDULE,
            lifecycle=aws.backup.PlanRuleLifecycleArgs(**daily_lifecycle),
            copy_actions=self._copy_actions(daily_lifecycle),
            **common,
        )
        rules = [continuous, daily]
        if spec.monthly_retention_days:
            # Types that support cold storage move there after 30 days; AWS Backup ignores the
            # transition for the others (RDS and S3 stay warm), it does not fail the job.
            monthly_lifecycle: dict[str, Any] = {
                "cold_storage_after": COLD_STORAGE_AFTER_DAYS,
                "delete_after": spec.monthly_retention_days,
                "opt_in_to_archive_for_supported_resources": True,
            }
            rules.append(
                aws.backup.PlanRuleArgs(
                    rule_name="monthly",
                    schedule=MONTHLY_SCHEDULE,
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(**monthly_lifecycle),
                    copy_actions=self._copy_actions(monthly_lifecycle),
                    **common,
                )
            )
        # After the locks: a job the plan starts before its vault is locked is not bound by it.
        locks = [lock for lock in (self.lock, self.copy_lock) if lock is not None]
        return aws.backup.Plan(
            name, name=plan_name, rules=rules, opts=self.child(depends_on=locks, ignore_changes=KEEP_DEPLOYED_NAME)
        )

    def _copy_actions(self, lifecycle: Mapping[str, Any]) -> list[aws.backup.PlanRuleCopyActionArgs] | None:
        """A copy of each snapshot into the copy-region vault, kept as long as the original."""
        if self.copy_vault is None:
            return None
        return [
            aws.backup.PlanRuleCopyActionArgs(
                destination_vault_arn=self.copy_vault.arn,
                lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(**lifecycle),
            )
        ]

    def _selection(
        self, name: str, selection_name: str, bucket: BucketTarget | None, database: DatabaseTarget | None
    ) -> aws.backup.Selection:
        """Exactly this client's bucket and database instances, by ARN: no tag-based wildcard."""
        resources: list[pulumi.Input[str]] = []
        if bucket is not None:
            resources.append(bucket.arn)
        if database is not None:
            resources.extend(database.arns)
        return aws.backup.Selection(
            name,
            name=selection_name,
            plan_id=self.plan.id,
            iam_role_arn=self.role.arn,
            resources=resources,
            opts=self.child(ignore_changes=KEEP_DEPLOYED_NAME),
        )
