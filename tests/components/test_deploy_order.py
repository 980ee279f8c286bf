"""What AWS needs to exist first, and how long `pulumi up` waits: checked on the declared options."""

from __future__ import annotations

import pulumi
import pytest

from crane_it.app.rollout import circuit_breaker_threshold, steady_state_minutes
from crane_it.app.service import Service
from crane_it.core.component import Protection
from crane_it.core.provider import aws_provider
from crane_it.data.link import ServiceLink
from crane_it.network.vpc import Network
from crane_it.spec import NetworkSpec, ServiceSpec

ALB = "aws:lb/loadBalancer:LoadBalancer"
SERVICE = "aws:ecs/service:Service"
TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"
ROUTE = "aws:ec2/route:Route"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
BYO = NetworkSpec(
    vpc_id="vpc-0123456789abcdef0",
    public_subnet_ids=["subnet-0000000a", "subnet-0000000b"],
    private_subnet_ids=["subnet-0000000c", "subnet-0000000d"],
)
LINK = ServiceLink(
    secrets={"DB_PASSWORD": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-acme-XyZ123:password::"},
    task_statements=[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme/*"}],
)


def spec(**fields) -> ServiceSpec:
    https = {} if {"domain", "certificate_arn", "plain_http"} & set(fields) else {"domain": "shop.acme.com"}
    return ServiceSpec.model_validate({"image": "ghcr.io/acme/shop:1.4.2", **https, **fields})


def render_service(render, service: ServiceSpec, network: NetworkSpec | None = None, retiring: bool = False):
    def program():
        opts = pulumi.ResourceOptions(providers=[aws_provider("p", "eu-west-1", {"client": "acme"})])
        net = Network("acme", network or NetworkSpec(), opts=opts)
        Service("acme", service, net, links=[LINK], protection=Protection(retiring=retiring), opts=opts)

    return render(program)


def urns(plan, type_: str, prefix: str) -> set[str]:
    return {reg.urn for reg in plan.of_type(type_) if reg.name.startswith(prefix)}


def test_the_load_balancer_waits_for_the_internet_route(render):
    """An internet-facing ALB created before the gateway's route fails with InvalidSubnet."""
    plan = render_service(render, spec())
    public = urns(plan, ROUTE, "acme-public") | urns(plan, ASSOCIATION, "acme-public")
    assert len(public) == 3  # the default route and one association per public subnet
    assert public <= set(plan.one(ALB).dependencies)


def test_the_service_waits_for_the_nat_routes_and_the_listeners(render):
    plan = render_service(render, spec())
    private = urns(plan, ROUTE, "acme-private") | urns(plan, ASSOCIATION, "acme-private")
    assert len(private) == 4
    dependencies = set(plan.one(SERVICE).dependencies)
    assert private <= dependencies
    assert {listener.urn for listener in plan.of_type("aws:lb/listener:Listener")} <= dependencies


def test_a_brought_vpc_has_no_routes_to_wait_for(render):
    plan = render_service(render, spec(), network=BYO)
    assert plan.of_type(ROUTE) == [] and plan.of_type(ASSOCIATION) == []
    declared = {reg.urn for reg in plan}
    assert set(plan.one(ALB).dependencies) <= declared and set(plan.one(SERVICE).dependencies) <= declared


def test_the_task_definition_waits_for_the_grants_its_tasks_need_at_start(render):
    """ECS reads secrets at task start with the execution role: its policy must exist first."""
    plan = render_service(render, spec())
    grants = {plan.one(ROLE_POLICY, "acme-execution").urn, plan.one(ROLE_POLICY, "acme-task").urn}
    assert grants <= set(plan.one(TASK_DEF).dependencies)


def test_the_load_balancer_is_deletion_protected_unless_retiring(render):
    assert render_service(render, spec()).one(ALB).inputs["enableDeletionProtection"] is True
    assert render_service(render, spec(), retiring=True).one(ALB).inputs["enableDeletionProtection"] is False


def test_pulumi_up_waits_for_the_rollout_with_a_timeout_that_fits_the_health_checks(render):
    service = spec(health_check={"grace_period_seconds": 600})
    declared = render_service(render, service).one(SERVICE)
    assert declared.inputs["waitForSteadyState"] is True
    minutes = steady_state_minutes(service)
    assert declared.custom_timeouts == {"create": f"{minutes}m", "update": f"{minutes}m"}
    # Two waves of failing tasks (3 failures needed, 2 started at a time) through the grace
    # period, then the rollback's healthy cycle.
    assert minutes * 60 >= 3 * 600


def test_waiting_for_steady_state_has_a_named_opt_out(render):
    declared = render_service(render, spec(wait_for_steady_state=False)).one(SERVICE)
    assert declared.inputs["waitForSteadyState"] is False
    assert declared.custom_timeouts == {}
    assert "reports" in (ServiceSpec.model_fields["wait_for_steady_state"].description or "")


@pytest.mark.parametrize(("desired", "threshold"), [(1, 3), (2, 3), (7, 4), (10, 5), (500, 200)])
def test_circuit_breaker_threshold_follows_ecs(desired, threshold):
    assert circuit_breaker_threshold(desired) == threshold


def test_steady_state_wait_never_drops_below_the_provider_default_and_grows_with_the_grace():
    assert steady_state_minutes(spec(health_check={"grace_period_seconds": 0})) >= 20
    short = steady_state_minutes(spec(health_check={"grace_period_seconds": 60}))
    long = steady_state_minutes(spec(health_check={"grace_period_seconds": 1800}))
    assert long > short and long * 60 >= 2 * 1800 + 1800


def test_the_wait_includes_the_bake_time_of_the_deployment_alarms(render):
    def program():
        opts = pulumi.ResourceOptions(providers=[aws_provider("p", "eu-west-1", {"client": "acme"})])
        net = Network("acme", NetworkSpec(), opts=opts)
        Service("acme", spec(), net, deployment_alarms=["acme: x"], deployment_alarm_minutes=10, opts=opts)

    minutes = steady_state_minutes(spec(), bake_minutes=10)
    assert minutes == steady_state_minutes(spec()) + 10
    assert render(program).one(SERVICE).custom_timeouts["update"] == f"{minutes}m"
