"""A client's access-log bucket (the `access_logs` opt-in): load balancer and S3 server access logs.

Both services write with a bucket policy, not ACLs, and both support only S3-managed keys
(SSE-S3) on the target bucket: an SSE-KMS default makes ELB refuse the bucket and S3 drop
server access logs. So this bucket, unlike the client's own, is encrypted with SSE-S3.
Objects are written by AWS services under `alb/` and `s3/` and expire after the spec's
retention; the bucket itself is protected and retained like client data (it is evidence).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from ..core.component import STANDALONE, Component, Protection
from ..core.iam import policy_document
from ..facts.elb_accounts import ELB_ACCOUNTS
from ..spec.security import AccessLogsSpec

if TYPE_CHECKING:
    from ..core.contracts import LoggedBucket

ALB_PREFIX = "alb"
"""Where the load balancer writes: ELB appends `/AWSLogs/<account>/elasticloadbalancing/...`."""
S3_PREFIX = "s3/"
"""Where S3 server access logs of the client's bucket land."""
ELB_LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com"
"""The service principal ELB writes access logs as in regions launched since August 2022;
older regions write as their ELB account (``facts.elb_accounts``), so both are granted."""
S3_LOG_DELIVERY = "logging.s3.amazonaws.com"


class AccessLogs(Component):
    """A private, SSE-S3, TLS-only, lifecycle-expired bucket that ELB and S3 may write logs into.

    ``bucket_name`` is read from the bucket policy: whatever names it (the load balancer's
    access log setting, the bucket logging) is created only once the policy lets the service
    write, which ELB checks when access logs are turned on.
    """

    type_token = "crane:index:AccessLogs"

    bucket_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        spec: AccessLogsSpec,
        *,
        logged_bucket: LoggedBucket | None = None,
        protection: Protection = STANDALONE,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``logged_bucket``: also receive its S3 server access logs. ``protection.retiring``
        (``ClientSpec.retire``): the bucket is no longer protected, still retained."""
        super().__init__(name, protection=protection, opts=opts)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        self._account = aws.get_caller_identity_output(opts=invoke).account_id
        self._region = aws.get_region_output(opts=invoke).region
        self.bucket = aws.s3.Bucket(
            f"{name}-access-logs",
            force_destroy=False,  # S3 refuses to delete a bucket that holds logs
            opts=self.protected(),
        )
        self._configure(name, spec)
        self.policy = self._policy(name, logged_bucket)
        self.bucket_name = self.policy.bucket
        if logged_bucket is not None:
            aws.s3.BucketLogging(
                f"{name}-files-access-logs",
                bucket=logged_bucket.bucket_name,
                target_bucket=self.bucket_name,
                target_prefix=S3_PREFIX,
                opts=self.child(),
            )
        self.publish({"bucket_name": self.bucket_name, "arn": self.bucket.arn})

    def _kept(self, **kwargs: Any) -> pulumi.ResourceOptions:
        """Options of a configuration child that stays with the retained log bucket."""
        return self.child(retain_on_delete=True, **kwargs)

    def _configure(self, name: str, spec: AccessLogsSpec) -> None:
        aws.s3.BucketOwnershipControls(
            f"{name}-access-logs-ownership",
            bucket=self.bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=self._kept(),
        )
        self._public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-access-logs-public-access",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=self._kept(),
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-access-logs-encryption",
            bucket=self.bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=self._kept(),
        )
        # Versioned (checkov CKV_AWS_21): logs are evidence, and a delete or overwrite then only
        # hides a version. Log objects are written once, so this costs nothing until something
        # deletes one; the lifecycle below ends hidden versions a day later.
        versioning = aws.s3.BucketVersioning(
            f"{name}-access-logs-versioning",
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=self._kept(),
        )
        every_object: aws.s3.BucketLifecycleConfigurationRuleFilterArgsDict = {}
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-access-logs-lifecycle",
            bucket=self.bucket.id,
            rules=[
                {
                    "id": "expire-logs",
                    "status": "Enabled",
                    "filter": every_object,
                    "expiration": {"days": spec.retention_days},
                    "noncurrent_version_expiration": {"noncurrent_days": 1},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                },
                {
                    # Expiring a current version leaves a delete marker; once its versions are
                    # gone it is removed too (S3 refuses this beside `days` in one rule).
                    "id": "remove-expired-delete-markers",
                    "status": "Enabled",
                    "filter": every_object,
                    "expiration": {"expired_object_delete_marker": True},
                },
            ],
            # S3 applies lifecycle rules for versions only on a versioned bucket.
            opts=self._kept(depends_on=[versioning]),
        )

    @staticmethod
    def _elb_account_statement(region: str, arn: str, account: str) -> list[dict[str, Any]]:
        """The grant to the region's ELB account, in regions that have one (before August 2022)."""
        elb_account = ELB_ACCOUNTS.get(region)
        if elb_account is None:
            return []
        return [
            {
                "Sid": "RegionsElbAccountWritesAccessLogs",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{elb_account}:root"},
                "Action": "s3:PutObject",
                "Resource": f"{arn}/{ALB_PREFIX}/AWSLogs/{account}/*",
            }
        ]

    def _policy(self, name: str, logged_bucket: LoggedBucket | None) -> aws.s3.BucketPolicy:
        arn = self.bucket.arn
        statements: list[dict[str, Any]] = [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, pulumi.Output.concat(arn, "/*")],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "LoadBalancerWritesAccessLogs",
                "Effect": "Allow",
                "Principal": {"Service": ELB_LOG_DELIVERY},
                "Action": "s3:PutObject",
                "Resource": pulumi.Output.concat(arn, f"/{ALB_PREFIX}/AWSLogs/", self._account, "/*"),
            },
        ]
        if logged_bucket is not None:
            statements.append(
                {
                    "Sid": "S3WritesServerAccessLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": S3_LOG_DELIVERY},
                    "Action": "s3:PutObject",
                    "Resource": pulumi.Output.concat(arn, f"/{S3_PREFIX}*"),
                    # Only logs of the client's own bucket, in this account (confused deputy).
                    "Condition": {
                        "ArnLike": {"aws:SourceArn": logged_bucket.arn},
                        "StringEquals": {"aws:SourceAccount": self._account},
                    },
                }
            )
        document = pulumi.Output.all(pulumi.Output.from_input(statements), self._region, arn, self._account).apply(
            lambda values: policy_document([*values[0], *self._elb_account_statement(*values[1:])])
        )
        # After the public access block: S3 rejects concurrent configuration calls on a bucket.
        return aws.s3.BucketPolicy(
            f"{name}-access-logs-policy",
            bucket=self.bucket.id,
            policy=pulumi.Output.json_dumps(document),
            opts=self._kept(depends_on=[self._public_access_block]),
        )
