"""Security opt-ins under Pulumi mocks: WAF, access logs and RDS Enhanced Monitoring, off by default."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crane_it.client import ClientStack
from crane_it.spec import ClientSpec
from crane_it.testing import ACCOUNT_ID
from tests.conftest import NOW

CERT = f"arn:aws:acm:eu-west-1:{ACCOUNT_ID}:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
BASE: dict[str, Any] = {
    "client": "acme",
    "region": "eu-west-1",
    "service": {"image": "ghcr.io/acme/shop:1.4.2", "certificate_arn": CERT},
    "bucket": {},
    "database": {},
}
ALB = "aws:lb/loadBalancer:LoadBalancer"
INSTANCE = "aws:rds/instance:Instance"


def spec_of(**changes: Any) -> ClientSpec:
    data = {**BASE, **changes}
    return ClientSpec.model_validate(data, context={"now": NOW})


def render_client(render, spec: ClientSpec):
    return render(lambda: ClientStack(spec, "acme"))


def test_every_opt_in_is_off_by_default(render):
    plan = render_client(render, spec_of())
    assert not plan.of_type("aws:wafv2/webAcl:WebAcl")
    assert not plan.of_type("aws:s3/bucketLogging:BucketLogging")
    assert [b.name for b in plan.of_type("aws:s3/bucket:Bucket")] == ["acme-files"]
    assert "accessLogs" not in plan.one(ALB).inputs
    db = plan.one(INSTANCE, "acme-db").inputs
    assert db["monitoringInterval"] == 0 and "monitoringRoleArn" not in db
    assert not [r for r in plan.of_type("aws:iam/role:Role") if r.name == "acme-db-monitoring"]


@pytest.mark.parametrize(
    ("section", "field"),
    [("ServiceSpec", "waf"), ("ClientSpec", "access_logs"), ("DatabaseSpec", "enhanced_monitoring_seconds")],
)
def test_each_opt_in_field_says_what_it_costs(section, field):
    schema = ClientSpec.model_json_schema()
    model = schema if section == "ClientSpec" else schema["$defs"][section]
    description = model["properties"][field]["description"]
    assert "Opt-in" in description
    assert "USD" in description or "cost" in description, description


def test_waf_puts_the_managed_rules_and_a_rate_limit_in_front_of_the_load_balancer(render):
    service = {**BASE["service"], "waf": {"rate_limit": 500}}
    plan = render_client(render, spec_of(service=service))
    acl = plan.one("aws:wafv2/webAcl:WebAcl", "acme-waf")
    assert acl.inputs["scope"] == "REGIONAL" and acl.inputs["defaultAction"] == {"allow": {}}
    assert "name" not in acl.inputs  # provider-named: unique per stack
    rules = sorted(acl.inputs["rules"], key=lambda rule: rule["priority"])
    assert [r["name"] for r in rules] == [
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "rate-limit-per-ip",
    ]
    for managed in rules[:2]:
        statement = managed["statement"]["managedRuleGroupStatement"]
        assert statement == {"vendorName": "AWS", "name": managed["name"]}
        assert managed["overrideAction"] == {"none": {}}  # the groups' own blocks apply
    rate = rules[2]
    assert rate["action"] == {"block": {}}
    assert rate["statement"]["rateBasedStatement"] == {
        "limit": 500,
        "evaluationWindowSec": 300,
        "aggregateKeyType": "IP",
    }
    assert all(r["visibilityConfig"]["cloudwatchMetricsEnabled"] for r in rules)
    association = plan.one("aws:wafv2/webAclAssociation:WebAclAssociation").inputs
    assert association["resourceArn"] == plan.one(ALB).outputs["arn"]
    assert association["webAclArn"] == acl.outputs["arn"]


def test_waf_rate_limit_is_range_checked():
    with pytest.raises(ValueError, match="greater than or equal to 10"):
        spec_of(service={**BASE["service"], "waf": {"rate_limit": 5}})


def _policy(plan) -> dict[str, dict]:
    raw = plan.one("aws:s3/bucketPolicy:BucketPolicy", "acme-access-logs-policy").inputs["policy"]
    return {statement["Sid"]: statement for statement in json.loads(raw)["Statement"]}


def test_access_logs_go_to_a_private_sse_s3_expiring_protected_log_bucket(render):
    plan = render_client(render, spec_of(access_logs={"retention_days": 30}))
    bucket = plan.one("aws:s3/bucket:Bucket", "acme-access-logs")
    assert bucket.protect and bucket.retain_on_delete and not bucket.inputs.get("forceDestroy")
    (encryption,) = plan.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "acme-access-logs-encryption",
    ).inputs["rules"]
    # ELB writes access logs only into SSE-S3 buckets; S3 server access logs likewise.
    assert encryption["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    rule = plan.one(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "acme-access-logs-lifecycle"
    ).inputs["rules"][0]
    assert rule["expiration"] == {"days": 30} and rule["status"] == "Enabled"
    blocks = plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "acme-access-logs-public-access")
    assert all(blocks.inputs[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls"))
    ownership = plan.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "acme-access-logs-ownership")
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    statements = _policy(plan)
    assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_load_balancer_and_the_bucket_log_only_once_the_policy_lets_them(render):
    plan = render_client(render, spec_of(access_logs={}))
    log_bucket = plan.one("aws:s3/bucket:Bucket", "acme-access-logs").outputs["bucket"]
    policy = plan.one("aws:s3/bucketPolicy:BucketPolicy", "acme-access-logs-policy")
    statements = _policy(plan)
    elb = statements["LoadBalancerWritesAccessLogs"]
    assert elb["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
    assert elb["Resource"].endswith(f"/alb/AWSLogs/{ACCOUNT_ID}/*")
    s3 = statements["S3WritesServerAccessLogs"]
    files = plan.one("aws:s3/bucket:Bucket", "acme-files")
    assert s3["Principal"] == {"Service": "logging.s3.amazonaws.com"} and s3["Resource"].endswith("/s3/*")
    assert s3["Condition"] == {
        "ArnLike": {"aws:SourceArn": files.outputs["arn"]},
        "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
    }
    alb = plan.one(ALB)
    assert alb.inputs["accessLogs"] == {"bucket": log_bucket, "prefix": "alb", "enabled": True}
    assert policy.urn in alb.dependencies  # ELB checks the bucket policy when logging is turned on
    logging = plan.one("aws:s3/bucketLogging:BucketLogging")
    assert logging.inputs["bucket"] == files.outputs["bucket"] and logging.inputs["targetBucket"] == log_bucket
    assert logging.inputs["targetPrefix"] == "s3/" and policy.urn in logging.dependencies


def test_access_logs_of_a_client_without_a_bucket_cover_the_load_balancer_only(render):
    plan = render_client(render, spec_of(bucket=None, database=None, access_logs={}))
    assert set(_policy(plan)) == {
        "DenyInsecureTransport",
        "LoadBalancerWritesAccessLogs",
        "RegionsElbAccountWritesAccessLogs",
    }
    assert not plan.of_type("aws:s3/bucketLogging:BucketLogging")
    assert plan.one(ALB).inputs["accessLogs"]["enabled"] is True


def test_enhanced_monitoring_sets_the_interval_and_a_role_rds_can_assume_first(render):
    database = {"enhanced_monitoring_seconds": 15, "restore": {"id": "r1", "point_in_time": "latest"}}
    plan = render_client(render, spec_of(database=database))
    role = plan.one("aws:iam/role:Role", "acme-db-monitoring")
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}
    attachment = plan.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "acme-db-monitoring")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    instances = plan.of_type(INSTANCE)
    assert len(instances) == 2  # the original and the restored one
    for instance in instances:
        assert instance.inputs["monitoringInterval"] == 15
        assert instance.inputs["monitoringRoleArn"] == role.outputs["arn"]
        assert attachment.urn in instance.dependencies, f"{instance.urn} could start before its role may act"


def test_waf_is_refused_for_a_client_behind_a_platforms_shared_load_balancer():
    service = {"image": "ghcr.io/acme/shop:1.4.2", "domain": "shop.apps.agency.example", "waf": {}}
    with pytest.raises(ValueError, match=r"service\.waf") as refused:
        ClientSpec.model_validate({**BASE, "service": service, "platform": "agency"}, context={"now": NOW})
    assert "shared load balancer" in str(refused.value)


@pytest.mark.parametrize(("region", "account"), [("eu-west-1", "156460612806"), ("eu-central-1", "054676820928")])
def test_access_logs_admit_the_regions_elb_account_beside_the_log_delivery_principal(render, region, account):
    """Item 8: regions before August 2022 deliver ALB logs as their ELB account (ALB guide)."""
    plan = render_client(render, spec_of(region=region, access_logs={}))
    statements = _policy(plan)
    legacy = statements["RegionsElbAccountWritesAccessLogs"]
    assert legacy["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}
    assert legacy["Action"] == "s3:PutObject"
    assert legacy["Resource"] == statements["LoadBalancerWritesAccessLogs"]["Resource"]
    assert legacy["Resource"].endswith(f"/alb/AWSLogs/{ACCOUNT_ID}/*")


def test_a_region_launched_since_august_2022_needs_only_the_log_delivery_principal(render):
    plan = render_client(render, spec_of(region="eu-south-2", access_logs={}))
    assert "RegionsElbAccountWritesAccessLogs" not in _policy(plan)
    assert "LoadBalancerWritesAccessLogs" in _policy(plan)


def test_the_access_log_bucket_is_versioned_and_its_hidden_versions_expire(render):
    """checkov CKV_AWS_21: the access-log bucket was unversioned."""
    plan = render_client(render, spec_of(access_logs={"retention_days": 30}))
    versioning = plan.one("aws:s3/bucketVersioning:BucketVersioning", "acme-access-logs-versioning")
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
    lifecycle = plan.one(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "acme-access-logs-lifecycle"
    )
    rules = {rule["id"]: rule for rule in lifecycle.inputs["rules"]}
    assert rules["expire-logs"]["expiration"] == {"days": 30}
    assert rules["expire-logs"]["noncurrentVersionExpiration"] == {"noncurrentDays": 1}
    assert rules["remove-expired-delete-markers"]["expiration"] == {"expiredObjectDeleteMarker": True}
    assert versioning.urn in lifecycle.dependencies


def test_a_clients_own_nat_instance_has_an_alarm_like_the_platforms(render):
    """Item 12: `nat: instance` on a client's own VPC was unwatched (the platform's was)."""
    plan = render_client(render, spec_of(network={"nat": "instance"}))
    alarm = plan.one("aws:cloudwatch/metricAlarm:MetricAlarm", "acme-alarm-nat-instance").inputs
    group = plan.one("aws:autoscaling/group:Group", "acme-nat")
    assert alarm["name"] == "acme: NAT instance down"
    assert alarm["dimensions"] == {"AutoScalingGroupName": group.outputs["name"]}
    assert (alarm["metricName"], alarm["statistic"], alarm["threshold"]) == ("GroupInServiceInstances", "Minimum", 1)
    assert alarm["comparisonOperator"] == "LessThanThreshold" and alarm["treatMissingData"] == "breaching"
    topic = plan.one("aws:sns/topic:Topic", "acme-alerts-topic")
    assert alarm["alarmActions"] == [topic.outputs["arn"]]


def test_a_clients_own_nat_alarm_is_among_the_alarm_names_it_registers(render):
    built: list[ClientStack] = []
    render(lambda: built.append(ClientStack(spec_of(network={"nat": "instance"}), "acme")))
    assert "nat-instance" in built[0].alarms.outputs["alarm_names"]


def test_a_client_without_a_nat_instance_has_no_nat_alarm(render):
    plan = render_client(render, spec_of())
    assert not [a for a in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if "nat" in a.name]
