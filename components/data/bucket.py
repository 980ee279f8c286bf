"""The client's S3 bucket: private, versioned, encrypted with its own key, reachable only over TLS."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from ..core.component import STANDALONE, Component, Protection
from ..core.contracts import EncryptionKey, PolicyStatement
from ..core.iam import policy_document
from ..facts import env_names
from ..keys.kms import customer_key
from ..spec.data import BucketSpec
from .link import ServiceLink

NONCURRENT_RULE_ID = "expire-noncurrent-versions"
"""Lifecycle rule id that `crane reset` names when it explains how far back a reset can go."""
MULTIPART_RULE_ID = "abort-incomplete-uploads"

# What the app may do with objects. No s3:DeleteObjectVersion and no bucket configuration:
# a buggy or compromised app can overwrite and delete objects, but every change leaves the
# previous version behind for `noncurrent_version_days`, so it can never destroy history.
OBJECT_ACTIONS = (
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
)
BUCKET_ACTIONS = ("s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads")
# SSE-KMS: uploads need a data key, downloads (and multipart completion) need Decrypt.
KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")


class Bucket(Component):
    """A private, versioned, KMS-encrypted S3 bucket whose objects survive app mistakes.

    The app receives ``BUCKET_NAME`` and ``BUCKET_REGION`` and a task role that may list,
    read, write and delete objects of this bucket only (never delete versions).
    """

    type_token = "crane:index:Bucket"

    bucket_name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        spec: BucketSpec,
        *,
        protection: Protection = STANDALONE,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``protection.key``: encrypt the objects with this key (the client's, ``keys: per_client``)
        instead of a key of the bucket's own. ``protection.retiring`` drops `protect` only: the
        bucket and its key stay retained on delete."""
        super().__init__(name, protection=protection, opts=opts)
        self.spec = spec
        given = protection.key
        self.key: EncryptionKey = given if given is not None else self._key(name, spec)
        self.bucket = self._bucket(name, spec)
        self.bucket_name = self.bucket.bucket
        self.arn = self.bucket.arn
        self.key_arn = self.key.arn
        self._ownership(name, spec)
        self.public_access_block = self._public_access_block(name, spec)
        self.versioning = self._versioning(name, spec)
        self._encryption(name, spec)
        self._tls_only_policy(name, spec)
        self._lifecycle(name, spec)
        if spec.cors_origins:
            self._cors(name, spec)
        self.region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        self.link = self._link()
        self.publish({"bucket_name": self.bucket_name, "arn": self.arn, "key_arn": self.key.arn, "region": self.region})

    def _keep(self, spec: BucketSpec, **kwargs: Any) -> pulumi.ResourceOptions:
        """Options of a child that must outlive a `pulumi destroy` while the bucket is protected.

        Protected like the bucket, too: what a 0.3 Bucket's children got from Pulumi's
        inheritance of the parent's `protect` flag (set as a side effect), now explicit.
        """
        return self.protected(spec.protect, **kwargs)

    def _key(self, name: str, spec: BucketSpec) -> EncryptionKey:
        # Deleting the key would make every object unreadable, so it is protected like the
        # bucket, and a deletion still waits the longest window KMS allows.
        return customer_key(
            f"{name}-files-key", f"Encrypts the objects of the {name} bucket", self.protected(spec.protect)
        )

    def _bucket(self, name: str, spec: BucketSpec) -> aws.s3.Bucket:
        # force_destroy stays False whatever `protect` says: S3 refuses to delete a bucket that
        # still holds objects, the last guard against losing files.
        return aws.s3.Bucket(
            f"{name}-files",
            force_destroy=False,
            opts=self.protected(spec.protect),
        )

    def _ownership(self, name: str, spec: BucketSpec) -> aws.s3.BucketOwnershipControls:
        # BucketOwnerEnforced disables ACLs: access is decided by IAM and the bucket policy only.
        return aws.s3.BucketOwnershipControls(
            f"{name}-files-ownership",
            bucket=self.bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=self._keep(spec),
        )

    def _public_access_block(self, name: str, spec: BucketSpec) -> aws.s3.BucketPublicAccessBlock:
        return aws.s3.BucketPublicAccessBlock(
            f"{name}-files-public-access",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=self._keep(spec),
        )

    def _versioning(self, name: str, spec: BucketSpec) -> aws.s3.BucketVersioning:
        # Versioning is what `crane reset` and AWS Backup's point-in-time recovery of S3 rely
        # on. Retained on delete: deleting this resource would *suspend* versioning.
        return aws.s3.BucketVersioning(
            f"{name}-files-versioning",
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=self._keep(spec),
        )

    def _encryption(self, name: str, spec: BucketSpec) -> aws.s3.BucketServerSideEncryptionConfiguration:
        # An S3 Bucket Key lets S3 derive object keys from one KMS data key per bucket for a
        # while, cutting KMS requests (and their cost) by up to 99 %.
        return aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-files-encryption",
            bucket=self.bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": self.key.arn,
                    },
                    "bucket_key_enabled": True,
                }
            ],
            opts=self._keep(spec),
        )

    def _tls_only_policy(self, name: str, spec: BucketSpec) -> aws.s3.BucketPolicy:
        # S3 still answers plain HTTP; only a policy on aws:SecureTransport refuses it.
        policy = pulumi.Output.json_dumps(
            policy_document(
                [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [self.arn, pulumi.Output.concat(self.arn, "/*")],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ]
            )
        )
        # After the public access block: S3 rejects concurrent configuration calls on a bucket.
        return aws.s3.BucketPolicy(
            f"{name}-files-policy",
            bucket=self.bucket.id,
            policy=policy,
            opts=self._keep(spec, depends_on=[self.public_access_block]),
        )

    def _lifecycle(self, name: str, spec: BucketSpec) -> aws.s3.BucketLifecycleConfiguration:
        every_object: aws.s3.BucketLifecycleConfigurationRuleFilterArgsDict = {}  # an empty filter: the rule covers the whole bucket
        rules: list[aws.s3.BucketLifecycleConfigurationRuleArgsDict] = [
            {
                "id": NONCURRENT_RULE_ID,
                "status": "Enabled",
                "filter": every_object,
                "noncurrent_version_expiration": {"noncurrent_days": spec.noncurrent_version_days},
                # A delete marker whose older versions have all expired hides nothing any
                # more; removing it keeps listings fast. It never affects a reset window.
                "expiration": {"expired_object_delete_marker": True},
            },
            {
                "id": MULTIPART_RULE_ID,
                "status": "Enabled",
                "filter": every_object,
                "abort_incomplete_multipart_upload": {"days_after_initiation": spec.abort_multipart_days},
            },
        ]
        return aws.s3.BucketLifecycleConfiguration(
            f"{name}-files-lifecycle",
            bucket=self.bucket.id,
            rules=rules,
            # Noncurrent-version rules only make sense once versioning is on.
            opts=self._keep(spec, depends_on=[self.versioning]),
        )

    def _cors(self, name: str, spec: BucketSpec) -> aws.s3.BucketCorsConfiguration:
        # For presigned browser uploads and downloads; ETag is exposed so multipart uploads
        # from the browser can complete. Not retained: removing the origins should remove it.
        return aws.s3.BucketCorsConfiguration(
            f"{name}-files-cors",
            bucket=self.bucket.id,
            cors_rules=[
                aws.s3.BucketCorsConfigurationCorsRuleArgs(
                    allowed_origins=list(spec.cors_origins),
                    allowed_methods=["GET", "HEAD", "PUT", "POST"],
                    allowed_headers=["*"],
                    expose_headers=["ETag"],
                    max_age_seconds=3000,
                )
            ],
            # Protected like every child of a protected bucket (see _keep), not retained.
            opts=self.child(protect=spec.protect and not self.retiring),
        )

    def _link(self) -> ServiceLink:
        """What the service gets: where the bucket is, and rights on this bucket and its key only."""
        via_s3 = pulumi.Output.concat("s3.", self.region, ".amazonaws.com")
        statements: list[PolicyStatement] = [
            {"Sid": "ListBucket", "Effect": "Allow", "Action": list(BUCKET_ACTIONS), "Resource": self.arn},
            {
                "Sid": "ReadWriteObjects",
                "Effect": "Allow",
                "Action": list(OBJECT_ACTIONS),
                "Resource": pulumi.Output.concat(self.arn, "/*"),
            },
            {
                "Sid": "UseBucketKey",
                "Effect": "Allow",
                "Action": list(KEY_ACTIONS),
                "Resource": self.key.arn,
                # Only through S3: the role cannot use the key to decrypt anything else.
                "Condition": {"StringEquals": {"kms:ViaService": via_s3}},
            },
        ]
        return ServiceLink(
            environment={env_names.BUCKET_NAME: self.bucket_name, env_names.BUCKET_REGION: self.region},
            task_statements=statements,
        )
