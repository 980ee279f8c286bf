"""Platforms and clients on them: rendered offline through `crane plan`, checked together, moved safely."""

import json
import runpy
import shutil
from pathlib import Path

import pulumi
import pytest
import yaml

from crane_it import testing as offline
from crane_it.loader import SpecError
from crane_it.monitoring.platform_alarms import MAINTENANCE_EXCLUDED
from crane_it.policy import violations
from crane_it.review import plan_json
from crane_it.review.cost import estimate
from crane_it.review.render import inside, render_stack
from crane_it.spec import ClientSpec
from crane_it.spec.tenancy import DERIVED_PRIORITIES, rule_priority

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = ("bakery", "florist")
SHARED_TYPES = {
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/natGateway:NatGateway",
    "aws:autoscaling/group:Group",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/listener:Listener",
    "aws:ecs/cluster:Cluster",
}
RULE = "aws:lb/listenerRule:ListenerRule"
LISTENER_CERT = "aws:lb/listenerCertificate:ListenerCertificate"


@pytest.fixture(scope="module")
def agency():
    return render_stack("agency")


@pytest.fixture(scope="module", params=CLIENTS)
def client(request):
    return request.param, render_stack(request.param)


def test_platform_shares_one_alb_whose_unknown_hosts_get_a_404(agency):
    alb = agency.one("aws:lb/loadBalancer:LoadBalancer")
    assert alb.inputs["enableDeletionProtection"] is True and alb.inputs["dropInvalidHeaderFields"] is True
    https = agency.one("aws:lb/listener:Listener", "agency-https")
    [action] = https.inputs["defaultActions"]
    assert action["type"] == "fixed-response" and action["fixedResponse"]["statusCode"] == "404"
    redirect = agency.one("aws:lb/listener:Listener", "agency-http")
    assert redirect.inputs["defaultActions"][0]["redirect"]["protocol"] == "HTTPS"
    certificate = agency.one("aws:acm/certificate:Certificate")
    assert certificate.inputs["subjectAlternativeNames"] == ["*.apps.agency.example"]
    agency.one("aws:ecs/cluster:Cluster")
    agency.one("aws:ec2/flowLog:FlowLog")


def test_platform_holds_no_client_data_and_watches_its_shared_parts(agency):
    data = {"aws:s3/bucket:Bucket", "aws:rds/instance:Instance", "aws:backup/vault:Vault", "aws:ecs/service:Service"}
    assert not [r.urn for r in agency if r.type in data]
    alarms = {r.name for r in agency.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert alarms == {"agency-alarm-elb-5xx", "agency-alarm-nat-instance"}
    nat = agency.one("aws:cloudwatch/metricAlarm:MetricAlarm", "agency-alarm-nat-instance")
    assert nat.inputs["metricName"] == "GroupInServiceInstances" and nat.inputs["treatMissingData"] == "breaching"
    assert agency.outputs["clients"] == list(CLIENTS)
    assert agency.outputs["quota_usage"]["certificates per load balancer"] == "2 of 25"


def test_a_client_on_the_platform_declares_no_vpc_nat_alb_or_cluster(client):
    _, plan = client
    assert not [r.urn for r in plan if r.type in SHARED_TYPES]
    reference = plan.one("pulumi:pulumi:StackReference")
    assert reference.read and reference.inputs["id"] == "organization/crane-it/agency"


def test_each_client_routes_its_own_host_with_its_own_certificate(client, agency):
    stack, plan = client
    spec = ClientSpec.model_validate(yaml.safe_load((ROOT / "stacks" / f"{stack}.yaml").read_text()))
    rule = plan.one(RULE)
    assert rule.inputs["listenerArn"] == agency.outputs["listener_arn"]
    assert rule.inputs["conditions"] == [{"hostHeader": {"values": [spec.service.domain]}}]
    assert rule.inputs["priority"] == rule_priority(spec)
    [action] = rule.inputs["actions"]
    assert action["targetGroupArn"] == plan.one("aws:lb/targetGroup:TargetGroup").outputs["arn"]
    certificate = plan.one(LISTENER_CERT)
    assert certificate.inputs["listenerArn"] == agency.outputs["listener_arn"]
    assert certificate.urn in rule.dependencies, "the rule must not route the host before its certificate is served"


def test_client_tasks_join_the_platform_cluster_reachable_only_from_its_alb(client, agency):
    _, plan = client
    service = plan.one("aws:ecs/service:Service")
    assert service.inputs["cluster"] == agency.outputs["cluster_arn"]
    network = service.inputs["networkConfiguration"]
    assert network["subnets"] == agency.outputs["private_subnet_ids"] and network["assignPublicIp"] is False
    task_group = plan.one("aws:ec2/securityGroup:SecurityGroup", f"{plan[0].name}-task-sg")
    assert task_group.inputs["vpcId"] == agency.outputs["vpc_id"]
    [ingress] = [
        r
        for r in plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if task_group.urn in r.property_dependencies.get("securityGroupId", [])
    ]
    assert ingress.inputs["referencedSecurityGroupId"] == agency.outputs["load_balancer_security_group_id"]
    assert "cidrIpv4" not in ingress.inputs


def test_client_alarms_watch_its_own_target_group_on_the_shared_alb(client, agency):
    _, plan = client
    alarm = plan.one("aws:cloudwatch/metricAlarm:MetricAlarm", f"{plan[0].name}-alarm-unhealthy-targets")
    dimensions = alarm.inputs["dimensions"]
    assert dimensions["LoadBalancer"] == agency.outputs["load_balancer_arn_suffix"]
    assert dimensions["TargetGroup"].startswith("targetgroup/")
    assert not plan.of_type("aws:cloudwatch/dashboard:Dashboard"), "the alarms cover it on a platform"


def test_derived_priorities_are_stable_in_their_band_and_pinned_ones_win():
    spec = ClientSpec.model_validate(yaml.safe_load((ROOT / "stacks" / "bakery.yaml").read_text()))
    low, high = DERIVED_PRIORITIES
    assert low <= rule_priority(spec) <= high
    assert rule_priority(spec) == 36346, "a derived priority must never change: it would renumber a live rule"
    assert rule_priority(spec.model_copy(update={"listener_rule_priority": 7})) == 7


# Refusals: a temporary project with the real program, the agency platform and its clients.


@pytest.fixture
def project(tmp_path):
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "stacks").mkdir()
    for stack in ("agency", *CLIENTS):
        shutil.copy(ROOT / "stacks" / f"{stack}.yaml", tmp_path / "stacks" / f"{stack}.yaml")
    return tmp_path


def _client(project: Path, slug: str, **extra: object) -> None:
    spec = {
        "client": slug,
        "region": "eu-west-1",
        "platform": "agency",
        "service": {"image": "public.ecr.aws/nginx/nginx:1.27", "domain": f"{slug}.apps.agency.example"},
        **extra,
    }
    (project / "stacks" / f"{slug}.yaml").write_text(yaml.safe_dump(spec))


def _refusal(project: Path, stack: str) -> str:
    """Run the real program for ``stack``; return its error, and check it declared nothing."""
    monitor = offline.RecordingMonitor(offline.PlanMocks())
    with inside(project), pytest.raises(SpecError) as refused:
        offline.run(lambda: runpy.run_path(str(project / "__main__.py")), stack=stack, monitor=monitor)
    assert monitor.registrations == [], "a refused platform client must declare no resource at all"
    return str(refused.value)


def _colliding_slugs() -> tuple[str, str]:
    """Two valid slugs whose derived priorities collide (a birthday search, a few hundred tries)."""
    seen: dict[int, str] = {}
    for n in range(100000):
        slug = f"shop{n}"
        priority = rule_priority(
            ClientSpec.model_validate(
                {"client": slug, "region": "eu-west-1", "service": {"image": "x", "domain": f"{slug}.example.com"}}
            )
        )
        if priority in seen:
            return seen[priority], slug
        seen[priority] = slug
    raise AssertionError("no collision found")


def test_a_rule_priority_collision_is_refused_naming_both_clients(project):
    first, second = _colliding_slugs()
    _client(project, first)
    _client(project, second)
    message = _refusal(project, "bakery")  # an uninvolved client of the platform is refused too
    assert f"clients {first}, {second} get the same listener rule priority" in message
    assert "set `listener_rule_priority`" in message
    _client(project, second, listener_rule_priority=12)
    render_stack("bakery", project=project)  # pinning one of them resolves it


def test_a_pinned_priority_clash_and_a_shared_host_are_refused(project):
    _client(project, "alpha", listener_rule_priority=5)
    _client(project, "beta", listener_rule_priority=5, service={"image": "x", "domain": "bakery.apps.agency.example"})
    message = _refusal(project, "alpha")
    assert "clients alpha, beta get the same listener rule priority 5" in message
    assert "clients bakery, beta both claim host bakery.apps.agency.example" in message


def test_the_26th_client_overflows_the_certificate_quota_naming_the_clients(project):
    for n in range(24):  # with bakery and florist: 26 clients, 26 certificates, quota 25
        _client(project, f"client{n:02d}")
    message = _refusal(project, "florist")
    assert "26 clients need 26 certificates, over the quota of 25 certificates per load balancer" in message
    assert "bakery, client00, client01" in message and "florist" in message
    platform = _refusal(project, "agency")  # the platform itself refuses to render past its quota
    assert "over the quota of 25 certificates per load balancer" in platform


def test_a_client_in_another_region_or_without_its_platform_spec_is_refused(project):
    _client(project, "faraway", region="us-east-1")
    assert "clients faraway are not in the platform's region eu-west-1" in _refusal(project, "faraway")
    (project / "stacks" / "agency.yaml").unlink()
    assert "no platform spec" in _refusal(project, "bakery")


def test_without_the_platform_outputs_the_mock_engine_says_which_stack_it_lacks():
    # Unit-level: a failing StackReference read inside a run would leave its tasks behind.
    args = pulumi.runtime.MockResourceArgs(
        typ=offline.STACK_REFERENCE, name="x", inputs={}, provider="", resource_id="organization/crane-it/agency"
    )
    with pytest.raises(offline.UnknownStackReferenceError, match="no outputs for stack 'organization/crane-it/agency'"):
        offline.PlanMocks().new_resource(args)
    given = offline.PlanMocks(stack_outputs={"organization/crane-it/agency": {"vpc_id": "vpc-1"}})
    assert given.new_resource(args)[1]["outputs"] == {"vpc_id": "vpc-1"}


# Moving the example client onto the platform keeps its data resources.

DATA_INPUTS = {
    # The inputs whose change makes the provider replace the resource (ForceNew), by type.
    "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix", "objectLockEnabled", "region"),
    "aws:rds/instance:Instance": (
        "identifier",
        "engine",
        "kmsKeyId",
        "storageEncrypted",
        "dbName",
        "username",
        "availabilityZone",
        "characterSetName",
        "timezone",
        "restoreToPointInTime",
        "snapshotIdentifier",
    ),
    "aws:backup/vault:Vault": ("name", "kmsKeyArn", "region"),
    "aws:kms/key:Key": ("customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId", "region"),
}


def test_moving_the_example_onto_the_platform_keeps_bucket_database_vault_and_keys(tmp_path):
    spec = yaml.safe_load((ROOT / "stacks" / "example.yaml").read_text())
    del spec["network"]
    spec["platform"] = "agency"
    spec["service"]["domain"] = "shop.example.com"
    spec["keys"] = "per_purpose"  # the README's step 2: name the keys it has (one is a platform's default)
    moved = tmp_path / "example.yaml"
    moved.write_text(yaml.safe_dump(spec))

    before = render_stack("example")
    after = render_stack("example", spec=moved)
    assert not [r.urn for r in after if r.type in SHARED_TYPES]
    kept = {r.urn: r for r in before if r.type in DATA_INPUTS}
    assert len(kept) == 8  # bucket, database, vault, their three keys, the alert topic's key and the log key
    moved_by_urn = {r.urn: r for r in after}
    for urn, old in kept.items():
        assert urn in moved_by_urn, f"{urn} would be deleted and created again"
        new = moved_by_urn[urn]
        for key in DATA_INPUTS[old.type]:
            assert new.inputs.get(key) == old.inputs.get(key), f"{urn}: {key} changes, which replaces it"
        assert (new.protect, new.retain_on_delete, new.provider) == (old.protect, old.retain_on_delete, old.provider)
    assert json.dumps(sorted(kept)) == json.dumps(sorted(u for u in moved_by_urn if u in kept))


def test_a_client_without_nat_runs_public_tasks_that_pass_the_guardrails(tmp_path):
    spec = yaml.safe_load((ROOT / "stacks" / "example.yaml").read_text())
    spec["network"] = {"nat": "none"}
    bare = tmp_path / "example.yaml"
    bare.write_text(yaml.safe_dump(spec))
    plan = render_stack("example", spec=bare)
    service = plan.one("aws:ecs/service:Service")
    assert service.inputs["networkConfiguration"]["assignPublicIp"] is True
    assert service.property_dependencies["networkConfiguration"], "the stack policy follows these to the task group"
    assert violations(plan) == []


# Retiring a platform: only once no client names it; then nothing stops `pulumi destroy`.


def _retire_agency(project: Path) -> None:
    path = project / "stacks" / "agency.yaml"
    spec = yaml.safe_load(path.read_text())
    spec["retire"] = True
    path.write_text(yaml.safe_dump(spec, sort_keys=False))


def test_retiring_a_platform_its_clients_still_name_is_refused_naming_them(project):
    _retire_agency(project)
    message = _refusal(project, "agency")
    assert "platform agency is retiring (`retire: true`) but clients bakery, florist still name it" in message
    assert "platform agency is retiring" in _refusal(project, "bakery")  # and a client on it says so too


def test_a_retiring_platform_drops_every_protection_and_passes_the_guardrails(project):
    _retire_agency(project)
    for client in CLIENTS:
        (project / "stacks" / f"{client}.yaml").unlink()
    plan = render_stack("agency", project=project)
    assert [reg.urn for reg in plan if reg.protect] == []
    (alb,) = plan.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert alb.inputs["enableDeletionProtection"] is False
    provider = plan.one("pulumi:providers:aws", "agency-aws")
    tags = provider.inputs["defaultTags"]
    tags = json.loads(tags)["tags"] if isinstance(tags, str) else tags["tags"]
    assert tags["retiring"] == "true"
    assert violations(plan) == []
    assert plan.one("aws:kms/key:Key", "agency-logs-key").retain_on_delete  # flow logs stay readable
    # Without `retire`, the same platform with deletion protection off is refused by the policy pack.
    spec = yaml.safe_load((project / "stacks" / "agency.yaml").read_text())
    del spec["retire"]
    spec["load_balancer"] = {"deletion_protection": False}
    (project / "stacks" / "agency.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    refused = violations(render_stack("agency", project=project))
    assert any("has no deletion protection" in problem for problem in refused), refused


def test_a_platform_can_guard_every_client_with_one_waf_and_log_every_request(project):
    path = project / "stacks" / "agency.yaml"
    spec = yaml.safe_load(path.read_text())
    spec["waf"] = {}
    spec["access_logs"] = {"retention_days": 30}
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    plan = render_stack("agency", project=project)
    (alb,) = plan.of_type("aws:lb/loadBalancer:LoadBalancer")
    (association,) = plan.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    assert association.inputs["resourceArn"] == alb.outputs["arn"]
    (log_bucket,) = plan.of_type("aws:s3/bucket:Bucket")
    assert log_bucket.protect and log_bucket.retain_on_delete
    logs = alb.inputs["accessLogs"]
    assert logs == {"bucket": log_bucket.outputs["bucket"], "prefix": "alb", "enabled": True}
    # The load balancer waits for the policy that lets ELB write (ELB checks it when logging turns on).
    policy = plan.one("aws:s3/bucketPolicy:BucketPolicy")
    assert policy.urn in alb.dependencies
    assert violations(plan) == []
    lines = {line.item: line.monthly for line in estimate(plan_json.document(plan)).lines}
    assert lines["WAF web ACL"] == 5.0 and lines["WAF rules (a managed rule group counts one)"] == 3.0
    assert lines["WAF requests inspected"] == pytest.approx(1.2)


def test_rule_quota_counts_each_clients_maintenance_rule_too(agency):
    """Item 10: bakery and florist each hold a routing rule and reserve a maintenance rule."""
    assert agency.outputs["quota_usage"]["rules per load balancer"].startswith("4 of ")


def test_planned_maintenance_pages_do_not_page_the_platform(agency):
    """Item 11: a client's 503 maintenance page is a fixed response ALB counts as an ELB 5xx."""
    alarm = agency.one("aws:cloudwatch/metricAlarm:MetricAlarm", "agency-alarm-elb-5xx").inputs
    assert "metricName" not in alarm and "period" not in alarm
    queries = {query["id"]: query for query in alarm["metricQueries"]}
    metrics = {key: query["metric"]["metricName"] for key, query in queries.items() if "metric" in query}
    assert metrics == {
        "elb5xx": "HTTPCode_ELB_5XX_Count",
        "elb503": "HTTPCode_ELB_503_Count",
        "fixed": "HTTP_Fixed_Response_Count",
    }
    assert [key for key, query in queries.items() if query["returnData"]] == ["unplanned"]
    assert queries["unplanned"]["expression"] == "FILL(elb5xx, 0) - MIN([FILL(fixed, 0), FILL(elb503, 0)])"


@pytest.mark.parametrize(
    ("elb5xx", "elb503", "fixed", "unplanned"),
    [
        (50, 50, 50, 0),  # a client in maintenance, nothing else: silent
        (60, 50, 50, 10),  # maintenance and 10 real 502/504s: those still count
        (20, 20, 0, 20),  # no maintenance, no 404s: every 503 counts
        (30, 0, 200, 30),  # scanners' 404s never hide 502/504s
    ],
)
def test_the_maintenance_exclusion_removes_exactly_the_planned_503s(elb5xx, elb503, fixed, unplanned):
    # The alarm's own expression, evaluated for one minute (FILL of a present value is the value).
    python = MAINTENANCE_EXCLUDED.replace("FILL(", "(").replace(", 0)", ")").replace("MIN([", "min([")
    assert eval(python, {"min": min}, {"elb5xx": elb5xx, "elb503": elb503, "fixed": fixed}) == unplanned
