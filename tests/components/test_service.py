"""The Service component under Pulumi mocks: task, roles, load balancer, HTTPS, scaling and image build."""

import json

import pulumi
import pytest
from pulumi.runtime.rpc import _special_secret_sig as SECRET_MARK  # noqa: N812
from pulumi.runtime.rpc import _special_sig_key as SECRET_SIG  # noqa: N812

from crane_it.app.image import context_tag
from crane_it.app.service import TLS_POLICY, Service
from crane_it.app.task_iam import secret_resource
from crane_it.core.provider import aws_provider
from crane_it.data.link import ServiceLink
from crane_it.network.vpc import Network
from crane_it.spec import BuildSpec, NetworkSpec, ServiceSpec

ACCOUNT = "123456789012"
SECRET = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:api-key-AbCdEf"
DB_SECRET = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:rds!db-acme-XyZ123"
PARAMETER = f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/acme/smtp-password"
CERT = f"arn:aws:acm:eu-west-1:{ACCOUNT}:certificate/12345678-1234-1234-1234-123456789012"
BYO = NetworkSpec(
    vpc_id="vpc-0123456789abcdef0",
    public_subnet_ids=["subnet-0000000a", "subnet-0000000b"],
    private_subnet_ids=["subnet-0000000c", "subnet-0000000d"],
)
TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LISTENER = "aws:lb/listener:Listener"


def _link() -> ServiceLink:
    """A fake data link, as a Database would hand it over (values are Outputs)."""
    return ServiceLink(
        environment={"DB_HOST": pulumi.Output.from_input("db.internal"), "DB_PORT": "5432"},
        secrets={"DB_PASSWORD": pulumi.Output.from_input(f"{DB_SECRET}:password::")},
        task_statements=[
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": pulumi.Output.from_input("arn:aws:s3:::acme-data/*"),
            }
        ],
        execution_statements=[
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/db"}
        ],
    )


def _render(render, service: dict, *, links=(), network: NetworkSpec | None = None):
    """Render a Network and a Service from ``service`` (ServiceSpec fields); return plan and outputs."""
    if not {"domain", "certificate_arn", "plain_http"} & set(service):
        service = {**service, "certificate_arn": CERT}  # HTTPS is the default; some source is required
    spec = ServiceSpec.model_validate({"image": "ghcr.io/acme/shop:1.4.2", **service})
    seen: dict[str, object] = {}

    def program():
        provider = aws_provider("p", "eu-west-1", {"client": "acme"})
        opts = pulumi.ResourceOptions(providers=[provider])
        net = Network("acme", network or NetworkSpec(), opts=opts)
        svc = Service("acme", spec, net, links=list(links), opts=opts)
        svc.url.apply(lambda v: seen.__setitem__("url", v))
        svc.task_security_group_id.apply(lambda v: seen.__setitem__("task_sg", v))
        svc.load_balancer_security_group.id.apply(lambda v: seen.__setitem__("alb_sg", v))
        net.public_subnet_ids.apply(lambda v: seen.__setitem__("public", v))
        net.private_subnet_ids.apply(lambda v: seen.__setitem__("private", v))

    return render(program), seen


def _container(plan) -> dict:
    (container,) = json.loads(plan.one(TASK_DEF).inputs["containerDefinitions"])
    return container


def _policy(plan, name: str) -> list[dict]:
    return json.loads(plan.one("aws:iam/rolePolicy:RolePolicy", name).inputs["policy"])["Statement"]


# --- task definition --------------------------------------------------------------------


def test_task_runs_on_fargate_with_the_spec_size_and_architecture(render):
    plan, _ = _render(render, {"cpu": 1024, "memory": 4096, "architecture": "arm64"})

    task = plan.one(TASK_DEF).inputs
    assert task["requiresCompatibilities"] == ["FARGATE"] and task["networkMode"] == "awsvpc"
    assert (task["cpu"], task["memory"]) == ("1024", "4096")
    assert task["runtimePlatform"] == {"operatingSystemFamily": "LINUX", "cpuArchitecture": "ARM64"}
    assert task["skipDestroy"] is True  # rollback needs the previous revision registered


def test_container_is_read_only_with_a_hard_memory_limit_and_writable_scratch_volumes(render):
    plan, _ = _render(render, {"memory": 1024, "scratch_paths": ["/tmp", "/var/cache/app"]})

    container, task = _container(plan), plan.one(TASK_DEF).inputs
    assert container["readonlyRootFilesystem"] is True
    assert container["memory"] == 1024
    volumes = [v["name"] for v in task["volumes"]]
    assert len(volumes) == 2 and all("host" not in v and "efsVolumeConfiguration" not in v for v in task["volumes"])
    assert container["mountPoints"] == [
        {"sourceVolume": volumes[0], "containerPath": "/tmp", "readOnly": False},
        {"sourceVolume": volumes[1], "containerPath": "/var/cache/app", "readOnly": False},
    ]
    assert container["linuxParameters"] == {"initProcessEnabled": True}
    assert container["portMappings"][0]["containerPort"] == 8080


def test_container_logs_to_its_own_group_with_the_spec_retention(render):
    plan, _ = _render(render, {"log_retention_days": 90})

    group = plan.one("aws:cloudwatch/logGroup:LogGroup", "acme-app-logs")
    assert group.inputs["retentionInDays"] == 90
    logging = _container(plan)["logConfiguration"]
    assert logging["logDriver"] == "awslogs"
    assert logging["options"]["awslogs-group"] == group.outputs["name"]
    assert logging["options"]["awslogs-region"] == "eu-west-1"


def test_environment_and_secrets_merge_the_spec_and_links_sorted(render):
    plan, _ = _render(
        render,
        {"environment": {"ZONE": "eu", "APP_MODE": "prod"}, "secrets": {"API_KEY": SECRET}, "command": ["serve"]},
        links=[_link()],
    )

    container = _container(plan)
    assert container["environment"] == [
        {"name": "APP_MODE", "value": "prod"},
        {"name": "DB_HOST", "value": "db.internal"},
        {"name": "DB_PORT", "value": "5432"},
        {"name": "ZONE", "value": "eu"},
    ]
    assert container["secrets"] == [
        {"name": "API_KEY", "valueFrom": SECRET},
        {"name": "DB_PASSWORD", "valueFrom": f"{DB_SECRET}:password::"},
    ]
    assert container["command"] == ["serve"]


def test_a_variable_set_by_the_spec_and_a_link_is_refused(render):
    with pytest.raises(ValueError, match="DB_HOST"):
        _render(render, {"environment": {"DB_HOST": "elsewhere"}}, links=[_link()])


def test_container_health_check_is_absent_by_default(render):
    plan, _ = _render(render, {})

    assert "healthCheck" not in _container(plan)
    assert "command" not in _container(plan)


def test_container_health_check_is_rendered_when_requested(render):
    check = {
        "command": ["CMD-SHELL", "curl -f http://localhost:8080/healthz || exit 1"],
        "interval_seconds": 45,
        "timeout_seconds": 4,
        "retries": 2,
        "start_period_seconds": 20,
    }
    plan, _ = _render(render, {"container_health_check": check})

    assert _container(plan)["healthCheck"] == {
        "command": check["command"],
        "interval": 45,
        "timeout": 4,
        "retries": 2,
        "startPeriod": 20,
    }


# --- roles ------------------------------------------------------------------------------


def test_secret_resource_strips_the_json_key_selector_but_keeps_parameters():
    assert secret_resource(f"{SECRET}:password:AWSCURRENT:") == SECRET
    assert secret_resource(f"{SECRET}:password::") == SECRET
    assert secret_resource(SECRET) == SECRET
    assert secret_resource(PARAMETER) == PARAMETER


def test_execution_role_reads_only_the_named_secrets_and_writes_only_its_log_group(render):
    plan, _ = _render(render, {"secrets": {"API_KEY": f"{SECRET}:key::", "SMTP": PARAMETER}}, links=[_link()])

    statements = _policy(plan, "acme-execution")
    by_action = {json.dumps(s["Action"]): s["Resource"] for s in statements}
    assert by_action['"secretsmanager:GetSecretValue"'] == sorted([SECRET, DB_SECRET])
    assert by_action['"ssm:GetParameters"'] == [PARAMETER]
    log_arn = plan.one("aws:cloudwatch/logGroup:LogGroup", "acme-app-logs").outputs["arn"]
    assert by_action['["logs:CreateLogStream", "logs:PutLogEvents"]'] == f"{log_arn}:log-stream:*"
    assert by_action['"kms:Decrypt"'] == f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/db"  # the link's grant
    # A public image needs no ECR rights, and no statement reaches "*" but ECR login.
    assert not any("ecr:" in json.dumps(s["Action"]) for s in statements)
    assert all(s["Resource"] != "*" for s in statements)


def test_execution_role_pulls_only_the_ecr_repository_of_a_given_ecr_image(render):
    image = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/acme/shop:1.4.2"
    plan, _ = _render(render, {"image": image})

    statements = {s.get("Sid"): s for s in _policy(plan, "acme-execution")}
    assert statements["LogInToEcr"]["Resource"] == "*"
    assert statements["PullAppImage"]["Resource"] == f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/acme/shop"
    assert "secretsmanager:GetSecretValue" not in json.dumps(list(statements.values()))


def test_task_role_has_no_policy_without_links_and_only_link_grants_with_them(render):
    plan, _ = _render(render, {})
    service = plan.one("crane:index:Service").urn
    policies = [p.name for p in plan.of_type("aws:iam/rolePolicy:RolePolicy") if p.parent == service]
    assert policies == ["acme-execution"], f"the task role got a policy without links: {policies}"

    plan, _ = _render(render, {}, links=[_link()])
    assert _policy(plan, "acme-task") == [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-data/*"}
    ]


def test_roles_trust_only_ecs_tasks_and_the_task_role_only_this_account(render):
    plan, _ = _render(render, {})

    task = plan.one(TASK_DEF).inputs
    roles = {r.name: r for r in plan.of_type("aws:iam/role:Role")}
    assert task["executionRoleArn"] == roles["acme-execution"].outputs["arn"]
    assert task["taskRoleArn"] == roles["acme-task"].outputs["arn"]
    assert task["executionRoleArn"] != task["taskRoleArn"]
    for name in ("acme-execution", "acme-task"):
        (statement,) = json.loads(roles[name].inputs["assumeRolePolicy"])["Statement"]
        assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    (statement,) = json.loads(roles["acme-task"].inputs["assumeRolePolicy"])["Statement"]
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    assert statement["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:ecs:eu-west-1:{ACCOUNT}:*"}


# --- security groups and load balancer ----------------------------------------------------


def _rules(plan, kind, security_group_id):
    return [r.inputs for r in plan.of_type(kind) if r.inputs["securityGroupId"] == security_group_id]


@pytest.mark.parametrize(("service", "ports"), [({"plain_http": True}, {80}), ({"certificate_arn": CERT}, {80, 443})])
def test_load_balancer_admits_the_world_only_on_http_and_https(render, service, ports):
    plan, seen = _render(render, service)

    rules = _rules(plan, INGRESS, seen["alb_sg"])
    assert {r["fromPort"] for r in rules} == ports
    for rule in rules:
        assert (rule["fromPort"], rule["toPort"], rule["ipProtocol"]) == (rule["toPort"], rule["fromPort"], "tcp")
        assert rule["cidrIpv4"] == "0.0.0.0/0"
    (egress,) = _rules(plan, EGRESS, seen["alb_sg"])
    assert egress["referencedSecurityGroupId"] == seen["task_sg"] and egress["fromPort"] == egress["toPort"] == 8080


def test_tasks_admit_only_the_load_balancer_on_the_app_port(render):
    plan, seen = _render(render, {"port": 3000})

    (rule,) = _rules(plan, INGRESS, seen["task_sg"])
    assert rule["referencedSecurityGroupId"] == seen["alb_sg"]
    assert (rule["fromPort"], rule["toPort"], rule["ipProtocol"]) == (3000, 3000, "tcp")
    assert "cidrIpv4" not in rule, f"task security group admits {rule.get('cidrIpv4')}"
    assert not plan.of_type("aws:ec2/securityGroupRule:SecurityGroupRule")


def test_load_balancer_is_public_in_public_subnets_and_drops_invalid_headers(render):
    plan, seen = _render(render, {})

    alb = plan.one("aws:lb/loadBalancer:LoadBalancer").inputs
    assert alb["internal"] is False and alb["loadBalancerType"] == "application"
    assert alb["subnets"] == seen["public"]
    assert alb["securityGroups"] == [seen["alb_sg"]]
    assert alb["dropInvalidHeaderFields"] is True


def test_target_group_checks_health_as_the_spec_says(render):
    check = {
        "path": "/healthz",
        "matcher": "200",
        "interval_seconds": 20,
        "timeout_seconds": 6,
        "healthy_threshold": 3,
        "unhealthy_threshold": 4,
    }
    plan, _ = _render(render, {"health_check": check})

    group = plan.one("aws:lb/targetGroup:TargetGroup").inputs
    assert group["targetType"] == "ip" and group["protocol"] == "HTTP" and group["port"] == 8080
    assert 0 < group["deregistrationDelay"] <= 60
    health = group["healthCheck"]
    assert (health["path"], health["matcher"], health["interval"], health["timeout"]) == ("/healthz", "200", 20, 6)
    assert (health["healthyThreshold"], health["unhealthyThreshold"]) == (3, 4)


# --- ECS service ------------------------------------------------------------------------


def test_service_runs_private_tasks_with_rollback_and_the_grace_period(render):
    plan, seen = _render(render, {"desired_count": 3, "health_check": {"grace_period_seconds": 120}})

    service = plan.one("aws:ecs/service:Service")
    inputs = service.inputs
    assert inputs["launchType"] == "FARGATE" and inputs["desiredCount"] == 3
    assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert inputs["healthCheckGracePeriodSeconds"] == 120
    assert inputs["networkConfiguration"] == {
        "subnets": seen["private"],
        "securityGroups": [seen["task_sg"]],
        "assignPublicIp": False,
    }
    assert inputs["propagateTags"] == "SERVICE"
    assert inputs["loadBalancers"][0]["containerPort"] == 8080
    assert service.ignore_changes == []
    cluster = plan.one("aws:ecs/cluster:Cluster").inputs
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enhanced"}]


def test_brought_vpc_places_tasks_and_load_balancer_in_the_given_subnets(render):
    plan, _ = _render(render, {}, network=BYO)

    assert not plan.of_type("aws:ec2/vpc:Vpc") and not plan.of_type("aws:ec2/subnet:Subnet")
    service = plan.one("aws:ecs/service:Service").inputs
    assert service["networkConfiguration"]["subnets"] == BYO.private_subnet_ids
    assert plan.one("aws:lb/loadBalancer:LoadBalancer").inputs["subnets"] == BYO.public_subnet_ids
    assert plan.one("aws:lb/targetGroup:TargetGroup").inputs["vpcId"] == BYO.vpc_id
    assert all(sg.inputs["vpcId"] == BYO.vpc_id for sg in plan.of_type("aws:ec2/securityGroup:SecurityGroup"))


def test_autoscaling_tracks_cpu_and_memory_and_owns_the_desired_count(render):
    plan, _ = _render(render, {"autoscaling": {"min": 2, "max": 8, "cpu_percent": 50, "memory_percent": 70}})

    target = plan.one("aws:appautoscaling/target:Target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 8)
    assert target["scalableDimension"] == "ecs:service:DesiredCount" and target["serviceNamespace"] == "ecs"
    assert target["resourceId"].startswith("service/acme-cluster-")
    policies = {
        p.inputs["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"][
            "predefinedMetricType"
        ]: p.inputs
        for p in plan.of_type("aws:appautoscaling/policy:Policy")
    }
    assert {k: v["targetTrackingScalingPolicyConfiguration"]["targetValue"] for k, v in policies.items()} == {
        "ECSServiceAverageCPUUtilization": 50,
        "ECSServiceAverageMemoryUtilization": 70,
    }
    assert all(
        p["policyType"] == "TargetTrackingScaling" and p["resourceId"] == target["resourceId"]
        for p in policies.values()
    )
    assert plan.one("aws:ecs/service:Service").ignore_changes == ["desiredCount"]


def test_autoscaling_on_memory_only_declares_one_policy(render):
    plan, _ = _render(render, {"autoscaling": {"cpu_percent": None, "memory_percent": 80}})

    (policy,) = plan.of_type("aws:appautoscaling/policy:Policy")
    spec = policy.inputs["targetTrackingScalingPolicyConfiguration"]
    assert spec["predefinedMetricSpecification"]["predefinedMetricType"] == "ECSServiceAverageMemoryUtilization"


def test_no_autoscaling_declares_no_scaling_resources(render):
    plan, _ = _render(render, {})

    assert not plan.of_type("aws:appautoscaling/target:Target")
    assert not plan.of_type("aws:appautoscaling/policy:Policy")


# --- HTTP and HTTPS -----------------------------------------------------------------------


def _listeners(plan) -> dict[int, dict]:
    return {int(r.inputs["port"]): r.inputs for r in plan.of_type(LISTENER)}


def _assert_https(plan, certificate_arn):
    listeners = _listeners(plan)
    assert set(listeners) == {80, 443}
    https = listeners[443]
    assert https["protocol"] == "HTTPS" and https["sslPolicy"] == TLS_POLICY and "TLS13" in TLS_POLICY
    assert https["certificateArn"] == certificate_arn
    assert https["defaultActions"][0]["type"] == "forward"
    assert listeners[80]["defaultActions"] == [
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
    ]


def test_domain_with_zone_validates_the_certificate_and_aliases_the_name(render):
    plan, seen = _render(render, {"domain": "shop.acme.example", "hosted_zone_id": "Z0123456789ABC"})

    certificate = plan.one("aws:acm/certificate:Certificate")
    assert certificate.inputs["domainName"] == "shop.acme.example"
    assert certificate.inputs["validationMethod"] == "DNS"
    records = {r.inputs["type"]: r.inputs for r in plan.of_type("aws:route53/record:Record")}
    assert records["CNAME"]["name"] == "_x1.shop.acme.example." and records["CNAME"]["zoneId"] == "Z0123456789ABC"
    assert records["A"]["name"] == "shop.acme.example"
    assert records["A"]["aliases"][0]["name"].endswith(".elb.amazonaws.com")
    validation = plan.one("aws:acm/certificateValidation:CertificateValidation")
    assert validation.inputs["certificateArn"] == certificate.outputs["arn"]
    assert len(validation.inputs["validationRecordFqdns"]) == 1
    _assert_https(plan, certificate.outputs["arn"])
    assert seen["url"] == "https://shop.acme.example"


def test_domain_without_zone_requests_the_certificate_and_creates_no_records(render):
    plan, seen = _render(render, {"domain": "shop.acme.example"})

    assert plan.one("aws:acm/certificate:Certificate").inputs["validationMethod"] == "DNS"
    assert not plan.of_type("aws:route53/record:Record")
    validation = plan.one("aws:acm/certificateValidation:CertificateValidation")
    assert validation.inputs.get("validationRecordFqdns", []) == []
    _assert_https(plan, plan.one("aws:acm/certificate:Certificate").outputs["arn"])
    assert seen["url"] == "https://shop.acme.example"


def test_certificate_arn_serves_https_without_requesting_a_certificate(render):
    plan, seen = _render(render, {"certificate_arn": CERT})

    assert not plan.of_type("aws:acm/certificate:Certificate")
    _assert_https(plan, CERT)
    assert seen["url"].startswith("https://") and seen["url"].endswith(".elb.amazonaws.com")


def test_plain_http_preview_forwards_http_to_the_app(render):
    plan, seen = _render(render, {"plain_http": True})

    listeners = _listeners(plan)
    assert set(listeners) == {80}
    assert listeners[80]["protocol"] == "HTTP" and listeners[80]["defaultActions"][0]["type"] == "forward"
    assert seen["url"].startswith("http://") and seen["url"].endswith(".elb.amazonaws.com")


# --- image build --------------------------------------------------------------------------


def _context(tmp_path, body="FROM scratch\n"):
    context = tmp_path / "app"
    context.mkdir(exist_ok=True)
    (context / "Dockerfile").write_text(body)
    (context / "main.py").write_text("print('hi')\n")
    return context


def test_build_creates_a_scanned_immutable_pruned_repository(render, tmp_path):
    plan, _ = _render(render, {"image": None, "build": {"context": str(_context(tmp_path))}})

    repository = plan.one("aws:ecr/repository:Repository").inputs
    assert repository["imageTagMutability"] == "IMMUTABLE"
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repository["encryptionConfigurations"][0]["encryptionType"] in ("AES256", "KMS")
    rules = json.loads(plan.one("aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs["policy"])["rules"]
    selections = {r["selection"]["tagStatus"]: r["selection"] for r in rules}
    assert selections["untagged"]["countType"] == "sinceImagePushed"
    assert selections["any"] == {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30}
    assert max(rules, key=lambda r: r["rulePriority"])["selection"]["tagStatus"] == "any"


def test_build_pushes_a_content_tagged_image_that_the_task_runs(render, tmp_path):
    context = _context(tmp_path)
    build = {"context": str(context), "target": "runtime", "args": {"VERSION": "1"}}
    plan, _ = _render(render, {"image": None, "build": build, "architecture": "arm64"})

    image = plan.one("docker:index/image:Image")
    repository = plan.one("aws:ecr/repository:Repository")
    tag = context_tag(BuildSpec.model_validate(build), "linux/arm64")
    assert image.inputs["imageName"] == f"{repository.outputs['repositoryUrl']}:{tag}"
    assert image.inputs["build"] == {
        "context": str(context),
        "dockerfile": str(context / "Dockerfile"),
        "target": "runtime",
        "args": {"VERSION": "1"},
        "platform": "linux/arm64",
    }
    assert _container(plan)["image"] == image.inputs["imageName"]
    registry = image.inputs["registry"]
    assert registry.get(SECRET_SIG) == SECRET_MARK, "registry credentials are not a secret"
    assert registry["value"]["server"] == repository.outputs["repositoryUrl"].split("/")[0]
    pull = {s.get("Sid"): s for s in _policy(plan, "acme-execution")}["PullAppImage"]
    assert pull["Resource"] == repository.outputs["arn"]


def test_image_tag_follows_the_build_content_and_ignores_git(tmp_path):
    context = _context(tmp_path)
    build = BuildSpec(context=str(context))
    first = context_tag(build, "linux/amd64")

    assert context_tag(build, "linux/amd64") == first
    (context / ".git").mkdir()
    (context / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert context_tag(build, "linux/amd64") == first
    assert context_tag(build, "linux/arm64") != first
    assert context_tag(BuildSpec(context=str(context), args={"V": "2"}), "linux/amd64") != first
    (context / "main.py").write_text("print('changed')\n")
    assert context_tag(build, "linux/amd64") != first


def test_missing_build_context_is_refused_with_its_path(render, tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(ValueError, match="nowhere"):
        _render(render, {"image": None, "build": {"context": str(missing)}})


# --- structure ----------------------------------------------------------------------------


@pytest.mark.parametrize("build", [False, True])
def test_every_service_resource_is_a_child_on_the_explicit_provider(render, tmp_path, build):
    service = {"domain": "shop.acme.example", "hosted_zone_id": "Z0123456789ABC", "autoscaling": {}}
    if build:
        service = {"image": None, "build": {"context": str(_context(tmp_path))}}
    plan, _ = _render(render, service, links=[_link()])

    provider = plan.one("pulumi:providers:aws")
    component = plan.one("crane:index:Service")
    network = plan.one("crane:index:Network")
    assert {r.type for r in plan.children_of(component.urn)} >= {
        TASK_DEF,
        "aws:ecs/service:Service",
        "aws:lb/loadBalancer:LoadBalancer",
    }
    # Used alone, each encrypts its logs with a LogKey of its own, inside it.
    inside = {component.urn, network.urn}
    inside |= {r.urn for r in plan.of_type("crane:index:LogKey") if r.parent in inside}
    for r in plan:
        if r.custom and not r.type.startswith("pulumi:providers:"):
            assert r.parent in inside, f"{r.urn} is not parented to a component"
        # The docker image is the one non-AWS resource; the AWS provider cannot serve it.
        if r.type.startswith("aws:"):
            assert r.provider.startswith(provider.urn + "::"), f"{r.urn} uses provider {r.provider!r}"
