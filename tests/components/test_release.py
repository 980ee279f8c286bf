"""The release under Pulumi mocks: run by an invocation the service update waits for."""

from __future__ import annotations

import json

import pulumi

from crane_it.app.service import Service
from crane_it.core.provider import aws_provider
from crane_it.data.link import ServiceLink
from crane_it.network.vpc import Network
from crane_it.spec import NetworkSpec, ServiceSpec

SERVICE = "aws:ecs/service:Service"
TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"
INVOCATION = "aws:lambda/invocation:Invocation"
FUNCTION = "aws:lambda/function:Function"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LINK = ServiceLink(secrets={"DB_PASSWORD": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"})


def _plan(render, **release):
    spec = ServiceSpec.model_validate(
        {
            "image": "ghcr.io/acme/shop:1.4.2",
            "domain": "shop.acme.com",
            "environment": {"APP_ENV": "production"},
            "release": {"command": ["python", "manage.py", "migrate"], **release},
        }
    )

    def program():
        opts = pulumi.ResourceOptions(providers=[aws_provider("p", "eu-west-1", {"client": "acme"})])
        net = Network("acme", NetworkSpec(), opts=opts)
        Service("acme", spec, net, links=[LINK], opts=opts)

    return render(program)


def test_the_service_update_waits_for_the_release_invocation(render):
    plan = _plan(render)
    invocation = plan.one(INVOCATION)
    assert invocation.urn in plan.one(SERVICE).dependencies
    # The release task waits for the tasks' way out (NAT routes) like the service does.
    routes = {r.urn for r in plan.of_type("aws:ec2/route:Route") if r.name.startswith("acme-private")}
    assert routes and routes <= set(invocation.dependencies)


def test_the_release_runs_the_new_revision_with_the_app_container_and_its_own_log_prefix(render):
    plan = _plan(render, cpu=512, memory=1024)
    app, release = plan.one(TASK_DEF, "acme-task"), plan.one(TASK_DEF, "acme-release-task")
    assert release.inputs["family"] == "acme-release"
    assert (release.inputs["cpu"], release.inputs["memory"]) == ("512", "1024")
    container = json.loads(release.inputs["containerDefinitions"])[0]
    app_container = json.loads(app.inputs["containerDefinitions"])[0]
    assert container["image"] == app_container["image"]
    assert container["environment"] == app_container["environment"]
    assert container["secrets"] == app_container["secrets"]
    assert container["readonlyRootFilesystem"] is True and container["portMappings"] == []
    assert container["logConfiguration"]["options"]["awslogs-stream-prefix"] == "release"
    assert (
        container["logConfiguration"]["options"]["awslogs-group"]
        == (app_container["logConfiguration"]["options"]["awslogs-group"])
    )
    request = json.loads(plan.one(INVOCATION).inputs["input"])
    assert request["command"] == ["python", "manage.py", "migrate"]
    triggers = plan.one(INVOCATION).inputs["triggers"]
    assert set(triggers) == {"revision", "release", "command"}


def test_the_release_function_may_run_only_its_task_and_pass_only_the_two_task_roles(render):
    plan = _plan(render)
    function = plan.one(FUNCTION)
    assert function.inputs["timeout"] == 600 + 60 and function.inputs["handler"] == "release_function.handler"
    policy = json.loads(plan.one(ROLE_POLICY, "acme-release-fn").inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["RunTheReleaseTask"]["Resource"].endswith(":task-definition/acme-release:*")
    assert by_sid["PassTheTaskRoles"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    }
    assert len(by_sid["PassTheTaskRoles"]["Resource"]) == 2
    assert all("*" not in s["Action"] for s in policy["Statement"])


def test_no_release_declares_no_function(render):
    spec = ServiceSpec.model_validate({"image": "ghcr.io/acme/shop:1.4.2", "domain": "shop.acme.com"})

    def program():
        opts = pulumi.ResourceOptions(providers=[aws_provider("p", "eu-west-1", {"client": "acme"})])
        Service("acme", spec, Network("acme", NetworkSpec(), opts=opts), opts=opts)

    plan = render(program)
    assert not plan.of_type(FUNCTION) and not plan.of_type(INVOCATION)
