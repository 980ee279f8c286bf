"""The guardrail policies catch what they exist to catch (each check can fail)."""

import json

import pytest

from crane_it.policy import violations
from crane_it.testing import Registration


def reg(type_: str, inputs: dict, protect: bool = True) -> Registration:
    return Registration(
        urn=f"urn:pulumi:t::p::{type_}::r", type=type_, name="r", parent="", custom=True, inputs=inputs, protect=protect
    )


SAFE_DB = {
    "storageEncrypted": True,
    "deletionProtection": True,
    "backupRetentionPeriod": 14,
    "manageMasterUserPassword": True,
}
SAFE_CONTAINER = {
    "name": "app",
    "readonlyRootFilesystem": True,
    "memory": 512,
    "logConfiguration": {"logDriver": "awslogs"},
}


@pytest.mark.parametrize(
    "resource,expected",
    [
        (reg("aws:s3/bucket:Bucket", {}, protect=False), "holds client data but is not protected"),
        (reg("aws:s3/bucket:Bucket", {"forceDestroy": True}), "sets force_destroy"),
        (reg("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {"blockPublicAcls": True}), "blockPublicPolicy"),
        (reg("aws:rds/instance:Instance", {**SAFE_DB, "storageEncrypted": False}), "stores data unencrypted"),
        (reg("aws:rds/instance:Instance", {**SAFE_DB, "publiclyAccessible": True}), "is publicly accessible"),
        (reg("aws:rds/instance:Instance", {**SAFE_DB, "password": "hunter2"}), "master password in Pulumi state"),
        (reg("aws:rds/instance:Instance", {**SAFE_DB, "deletionProtection": False}), "no deletion protection"),
        (reg("aws:rds/instance:Instance", {**SAFE_DB, "skipFinalSnapshot": True}), "skips its final snapshot"),
        (reg("aws:rds/instance:Instance", {**SAFE_DB, "backupRetentionPeriod": 1}), "fewer than 7 days"),
        (reg("aws:backup/vault:Vault", {"kmsKeyArn": "arn:k", "forceDestroy": True}), "force_destroy"),
        (reg("aws:backup/vault:Vault", {}), "customer-managed key"),
        (
            reg(
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                {"cidrIpv4": "0.0.0.0/0", "fromPort": 5432, "toPort": 5432, "ipProtocol": "tcp"},
            ),
            "allows the internet to ports [5432]",
        ),
        (
            reg(
                "aws:ec2/securityGroup:SecurityGroup",
                {"ingress": [{"cidrBlocks": ["0.0.0.0/0"], "fromPort": 22, "toPort": 22}]},
            ),
            "port 22",
        ),
        (
            reg(
                "aws:ecs/taskDefinition:TaskDefinition",
                {"containerDefinitions": json.dumps([{**SAFE_CONTAINER, "readonlyRootFilesystem": False}])},
            ),
            "writable root filesystem",
        ),
        (
            reg(
                "aws:ecs/taskDefinition:TaskDefinition",
                {"containerDefinitions": json.dumps([{**SAFE_CONTAINER, "memory": None}])},
            ),
            "no hard memory limit",
        ),
        (
            reg(
                "aws:ecs/taskDefinition:TaskDefinition",
                {"containerDefinitions": json.dumps([{**SAFE_CONTAINER, "healthCheck": {"interval": 5}}])},
            ),
            "every 5 s",
        ),
        (
            reg(
                "aws:ecs/taskDefinition:TaskDefinition",
                {
                    "volumes": [{"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}],
                    "containerDefinitions": json.dumps([SAFE_CONTAINER]),
                },
            ),
            "mounts persistent storage 'data'",
        ),
        (reg("aws:cloudwatch/logGroup:LogGroup", {"kmsKeyId": "arn:k"}), "keeps logs forever"),
        (reg("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 30}), "not encrypted with the client's log key"),
    ],
)
def test_each_guardrail_reports_the_resource_that_breaks_it(resource, expected):
    found = violations([resource])
    assert any(expected in message and resource.urn in message for message in found), found


def test_safe_resources_pass_every_guardrail():
    safe = [
        reg("aws:rds/instance:Instance", SAFE_DB),
        reg(
            "aws:ecs/taskDefinition:TaskDefinition",
            {"volumes": [{"name": "tmp"}], "containerDefinitions": json.dumps([SAFE_CONTAINER])},
        ),
        reg(
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            {"cidrIpv4": "0.0.0.0/0", "fromPort": 443, "toPort": 443, "ipProtocol": "tcp"},
        ),
        reg("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 30, "kmsKeyId": "arn:k"}),
    ]
    assert violations(safe) == []


def _public_tasks(rule_inputs: dict, public: bool = True) -> list[Registration]:
    group = reg("aws:ec2/securityGroup:SecurityGroup", {"vpcId": "vpc-1"})
    group.urn = "urn:pulumi:t::p::aws:ec2/securityGroup:SecurityGroup::task-sg"
    service = reg("aws:ecs/service:Service", {"networkConfiguration": {"assignPublicIp": public}})
    service.property_dependencies = {"networkConfiguration": [group.urn]}
    rule = reg("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", rule_inputs)
    rule.urn = "urn:pulumi:t::p::aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::task-in"
    rule.property_dependencies = {"securityGroupId": [group.urn]}
    return [group, service, rule]


def test_tasks_with_public_ips_admit_only_a_security_group():
    # nat: none puts tasks on the internet; only their group's rules keep them private.
    from_alb = {"referencedSecurityGroupId": "sg-alb", "fromPort": 80, "toPort": 80, "ipProtocol": "tcp"}
    assert violations(_public_tasks(from_alb)) == []
    from_office = {"cidrIpv4": "198.51.100.0/24", "fromPort": 80, "toPort": 80, "ipProtocol": "tcp"}
    [found] = violations(_public_tasks(from_office))
    assert found.startswith("public-tasks-admit-only-security-groups: ") and "task-in admits addresses" in found
    assert violations(_public_tasks(from_office, public=False)) == []  # private tasks: the VPC bounds it


# --- retiring a client -------------------------------------------------------------------------

PROVIDER_URN = "urn:pulumi:t::p::pulumi:providers:aws::acme-aws"


def provider(retiring: bool, encoded: bool) -> Registration:
    tags = {"client": "acme", "stack": "acme", "managed-by": "crane-it"} | ({"retiring": "true"} if retiring else {})
    default_tags = json.dumps({"tags": tags}) if encoded else {"tags": tags}
    return Registration(
        urn=PROVIDER_URN,
        type="pulumi:providers:aws",
        name="acme-aws",
        parent="",
        custom=True,
        inputs={"region": "eu-west-1", "defaultTags": default_tags},
    )


def on_provider(resource: Registration) -> Registration:
    resource.provider = f"{PROVIDER_URN}::04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    return resource


RETIRE_SETTINGS = [
    (lambda: reg("aws:s3/bucket:Bucket", {}, protect=False), "holds client data but is not protected"),
    (lambda: reg("aws:kms/key:Key", {}, protect=False), "holds client data but is not protected"),
    (lambda: reg("aws:backup/vault:Vault", {"kmsKeyArn": "arn:k"}, protect=False), "not protected"),
    (
        lambda: reg("aws:rds/instance:Instance", {**SAFE_DB, "deletionProtection": False}, protect=False),
        "no deletion protection",
    ),
    (lambda: reg("aws:lb/loadBalancer:LoadBalancer", {"enableDeletionProtection": False}), "no deletion protection"),
]


@pytest.mark.parametrize("make,expected", RETIRE_SETTINGS)
@pytest.mark.parametrize("encoded", [True, False])
def test_retire_settings_are_refused_for_a_client_not_being_retired(make, expected, encoded):
    resource = on_provider(make())
    found = violations([provider(retiring=False, encoded=encoded), resource])
    assert any(expected in message and resource.urn in message for message in found), found


@pytest.mark.parametrize("make,expected", RETIRE_SETTINGS)
@pytest.mark.parametrize("encoded", [True, False])
def test_retire_settings_are_allowed_for_a_client_being_retired(make, expected, encoded):
    assert violations([provider(retiring=True, encoded=encoded), on_provider(make())]) == []


def test_a_resource_tagged_retiring_itself_is_also_recognised():
    bucket = reg("aws:s3/bucket:Bucket", {"tags": {"retiring": "true"}}, protect=False)
    assert violations([bucket]) == []
    assert violations([reg("aws:s3/bucket:Bucket", {"tags": {"retiring": "false"}}, protect=False)]) != []


def test_retiring_never_allows_losing_the_final_snapshot_or_the_recovery_points():
    retiring = provider(retiring=True, encoded=True)
    database = on_provider(reg("aws:rds/instance:Instance", {**SAFE_DB, "skipFinalSnapshot": True}))
    vault = on_provider(reg("aws:backup/vault:Vault", {"kmsKeyArn": "arn:k", "forceDestroy": True}))
    bucket = on_provider(reg("aws:s3/bucket:Bucket", {"forceDestroy": True}))
    found = violations([retiring, database, vault, bucket])
    assert len(found) == 3 and all("final snapshot" in m or "force_destroy" in m for m in found), found
