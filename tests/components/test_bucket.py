"""The Bucket component under Pulumi mocks: what S3 receives, and what the service may do with it."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from crane_it.core.provider import aws_provider
from crane_it.data.bucket import MULTIPART_RULE_ID, NONCURRENT_RULE_ID, Bucket
from crane_it.spec import BucketSpec
from crane_it.spec.client import BUCKET_ENV

S3 = "aws:s3/"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/acme-files-key"


def render_bucket(render, spec: BucketSpec):
    """The plan of one Bucket for client ``acme``, plus its resolved link."""
    seen: dict[str, Any] = {}

    def program() -> None:
        provider = aws_provider("p", "eu-west-1", {"client": "acme"})
        bucket = Bucket("acme", spec, opts=pulumi.ResourceOptions(providers=[provider]))
        link = bucket.link
        pulumi.Output.all(
            environment=pulumi.Output.all(**link.environment),
            secrets=pulumi.Output.all(**link.secrets),
            task=pulumi.Output.json_dumps(list(link.task_statements)),
            execution=pulumi.Output.json_dumps(list(link.execution_statements)),
            name=bucket.bucket_name,
            arn=bucket.arn,
        ).apply(seen.update)

    plan = render(program)
    seen["task"], seen["execution"] = json.loads(seen["task"]), json.loads(seen["execution"])
    return plan, seen


@pytest.fixture
def default(render):
    return render_bucket(render, BucketSpec())


def bucket_of(plan):
    return plan.one(f"{S3}bucket:Bucket", "acme-files")


def test_bucket_is_versioned(default):
    plan, seen = default
    versioning = plan.one(f"{S3}bucketVersioning:BucketVersioning")
    assert versioning.inputs == {"bucket": seen["name"], "versioningConfiguration": {"status": "Enabled"}}
    # Deleting a BucketVersioning resource suspends versioning, so a retained bucket keeps it.
    assert versioning.retain_on_delete


def test_objects_are_encrypted_with_a_rotating_client_key_and_a_bucket_key(default):
    plan, seen = default
    encryption = plan.one(f"{S3}bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert encryption.inputs["bucket"] == seen["name"]
    assert encryption.inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN},
            "bucketKeyEnabled": True,
        }
    ]
    key = plan.one("aws:kms/key:Key", "acme-files-key")
    assert key.inputs["enableKeyRotation"] is True and key.inputs["deletionWindowInDays"] == 30


def test_public_access_is_blocked_all_four_ways_and_acls_are_off(default):
    plan, seen = default
    block = plan.one(f"{S3}bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert {flag: block[flag] for flag in flags} == dict.fromkeys(flags, True)
    assert block["bucket"] == seen["name"]
    ownership = plan.one(f"{S3}bucketOwnershipControls:BucketOwnershipControls").inputs
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_bucket_policy_denies_every_request_without_tls(default):
    plan, seen = default
    policy = plan.one(f"{S3}bucketPolicy:BucketPolicy")
    (statement,) = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*" and statement["Action"] == "s3:*"
    assert statement["Resource"] == [seen["arn"], f"{seen['arn']}/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    block = plan.one(f"{S3}bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert block.urn in policy.dependencies


@pytest.mark.parametrize(("noncurrent", "multipart"), [(90, 7), (30, 2)])
def test_lifecycle_expires_old_versions_and_aborts_stale_uploads(render, noncurrent, multipart):
    plan, _ = render_bucket(render, BucketSpec(noncurrent_version_days=noncurrent, abort_multipart_days=multipart))
    lifecycle = plan.one(f"{S3}bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    rules = {rule["id"]: rule for rule in lifecycle.inputs["rules"]}
    versions, uploads = rules[NONCURRENT_RULE_ID], rules[MULTIPART_RULE_ID]
    assert versions["status"] == uploads["status"] == "Enabled"
    assert versions["filter"] == uploads["filter"] == {}  # the whole bucket
    assert versions["noncurrentVersionExpiration"] == {"noncurrentDays": noncurrent}
    assert "days" not in versions.get("expiration", {}), "current objects must never expire"
    assert uploads["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": multipart}


def test_cors_is_added_only_for_listed_origins(render, default):
    plan, _ = default
    assert not plan.of_type(f"{S3}bucketCorsConfiguration:BucketCorsConfiguration")
    origins = ["https://shop.acme.com", "http://localhost:3000"]
    plan, seen = render_bucket(render, BucketSpec(cors_origins=origins))
    cors = plan.one(f"{S3}bucketCorsConfiguration:BucketCorsConfiguration").inputs
    assert cors["bucket"] == seen["name"]
    (rule,) = cors["corsRules"]
    assert rule["allowedOrigins"] == origins
    assert set(rule["allowedMethods"]) <= {"GET", "HEAD", "PUT", "POST"}


def test_bucket_and_key_are_protected_and_never_force_destroyed(default):
    plan, _ = default
    bucket, key = bucket_of(plan), plan.one("aws:kms/key:Key")
    assert bucket.inputs["forceDestroy"] is False
    assert bucket.protect and bucket.retain_on_delete
    assert key.protect and key.retain_on_delete


def test_unprotected_bucket_is_still_never_force_destroyed(render):
    plan, _ = render_bucket(render, BucketSpec(protect=False))
    bucket, key = bucket_of(plan), plan.one("aws:kms/key:Key")
    assert bucket.inputs["forceDestroy"] is False
    assert not bucket.protect and not bucket.retain_on_delete
    assert not key.protect and not key.retain_on_delete


def test_link_names_the_bucket_and_region(default):
    _, seen = default
    assert tuple(seen["environment"]) == BUCKET_ENV
    assert seen["environment"] == {"BUCKET_NAME": seen["name"], "BUCKET_REGION": "eu-west-1"}
    assert not seen["secrets"] and seen["execution"] == []  # no secrets, nothing for ECS to read


def test_task_may_use_only_this_bucket_and_key_without_wildcards(default):
    _, seen = default
    statements = seen["task"]
    allowed = {seen["arn"], f"{seen['arn']}/*", KEY_ARN}
    for statement in statements:
        assert statement["Effect"] == "Allow"
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        assert set(resources) <= allowed, f"{statement['Sid']} reaches beyond the bucket: {resources}"
        assert all("*" not in action for action in statement["Action"]), f"{statement['Sid']} has a wildcard action"
    actions = {action for statement in statements for action in statement["Action"]}
    assert {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"} <= actions
    assert {"kms:Decrypt", "kms:GenerateDataKey"} <= actions
    # Deleting a version or changing the bucket would defeat versioning; the app cannot.
    assert not {"s3:DeleteObjectVersion", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration"} & actions
    by_sid = {statement["Sid"]: statement for statement in statements}
    assert by_sid["ListBucket"]["Resource"] == seen["arn"]
    assert by_sid["ReadWriteObjects"]["Resource"] == f"{seen['arn']}/*"
    assert by_sid["UseBucketKey"]["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}


def test_children_are_named_after_the_client_and_parented_to_the_bucket(default):
    plan, _ = default
    component = plan.one("crane:index:Bucket")
    children = plan.children_of(component.urn)
    assert {child.name for child in children} == {
        "acme-files-key",
        "acme-files",
        "acme-files-ownership",
        "acme-files-public-access",
        "acme-files-versioning",
        "acme-files-encryption",
        "acme-files-policy",
        "acme-files-lifecycle",
    }
    # Configuration that keeps a retained bucket safe outlives a destroy with it.
    for child in children:
        assert child.retain_on_delete, f"{child.urn} would be removed from a retained bucket"
