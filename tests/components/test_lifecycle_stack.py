"""stacks/shop.yaml under mocks: a release, two jobs and a worker, with their roles and alarms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crane_it.app.jobs import overrides
from crane_it.review.render import render_stack

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = "aws:scheduler/schedule:Schedule"
ECS_SERVICE = "aws:ecs/service:Service"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET_SCALING = "aws:appautoscaling/target:Target"


@pytest.fixture(scope="module")
def shop():
    return render_stack("shop")


@pytest.fixture(scope="module")
def shop_in_maintenance(tmp_path_factory):
    text = (
        (ROOT / "stacks" / "shop.yaml")
        .read_text()
        .replace("  domain: shop.example.org", "  domain: shop.example.org\n  maintenance: true")
    )
    path = tmp_path_factory.mktemp("spec") / "shop.yaml"
    path.write_text(text)
    return render_stack("shop", spec=path)


def test_the_release_is_ordered_before_the_service_update(shop):
    invocation = shop.one("aws:lambda/invocation:Invocation")
    assert invocation.urn in shop.one(ECS_SERVICE, "shop-service").dependencies
    # ... and after the database admits the tasks it runs with.
    db_ingress = shop.one(INGRESS, "shop-db-ingress")
    assert db_ingress.urn in invocation.dependencies
    assert json.loads(invocation.inputs["input"])["command"] == ["python", "manage.py", "migrate", "--noinput"]


def test_one_schedule_per_job_runs_its_family_with_the_command_override(shop):
    schedules = {s.name: s for s in shop.of_type(SCHEDULE)}
    assert set(schedules) == {"shop-job-clear-sessions", "shop-job-sync-feed"}
    nightly = schedules["shop-job-clear-sessions"].inputs
    assert nightly["scheduleExpression"] == "cron(30 3 * * ? *)"
    assert nightly["scheduleExpressionTimezone"] == "Europe/Amsterdam" and nightly["state"] == "ENABLED"
    assert nightly["target"]["input"] == overrides(["python", "manage.py", "clearsessions"])
    definition = shop.one("aws:ecs/taskDefinition:TaskDefinition", "shop-job-clear-sessions-task")
    assert nightly["target"]["ecsParameters"]["taskDefinitionArn"] == definition.outputs["arn"]
    assert nightly["target"]["ecsParameters"]["group"] == "job:clear-sessions"
    container = json.loads(definition.inputs["containerDefinitions"])[0]
    assert container["logConfiguration"]["options"]["awslogs-stream-prefix"] == "job-clear-sessions"
    feed = shop.one("aws:ecs/taskDefinition:TaskDefinition", "shop-job-sync-feed-task").inputs
    assert (feed["cpu"], feed["memory"]) == ("256", "512")


def test_the_scheduler_role_may_run_only_the_job_families_and_pass_only_the_two_task_roles(shop):
    policy = json.loads(shop.one("aws:iam/rolePolicy:RolePolicy", "shop-jobs-scheduler").inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    families = sorted(r.rsplit("/", 1)[-1] for r in by_sid["RunTheJobTasks"]["Resource"])
    assert families == ["shop-job-clear-sessions:*", "shop-job-sync-feed:*"]
    assert "ecs:cluster" in by_sid["RunTheJobTasks"]["Condition"]["ArnEquals"]
    assert len(by_sid["PassTheTaskRoles"]["Resource"]) == 2
    assert by_sid["PassTheTaskRoles"]["Condition"]["StringEquals"]["iam:PassedToService"] == "ecs-tasks.amazonaws.com"
    trust = json.loads(shop.one("aws:iam/role:Role", "shop-jobs-scheduler").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert {
        a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    } == {
        "ecs:RunTask",
        "ecs:TagResource",
        "iam:PassRole",
    }


def test_the_worker_has_no_load_balancer_and_its_group_no_ingress_rule(shop):
    worker = shop.one(ECS_SERVICE, "shop-worker-celery-service").inputs
    assert not worker.get("loadBalancers") and "healthCheckGracePeriodSeconds" not in worker
    assert worker["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert worker["waitForSteadyState"] is True
    background = shop.one("aws:ec2/securityGroup:SecurityGroup", "shop-background-sg")
    assert worker["networkConfiguration"]["securityGroups"] == [background.id]
    assert [r.name for r in shop.of_type(INGRESS) if r.inputs.get("securityGroupId") == background.id] == []
    container = json.loads(
        shop.one("aws:ecs/taskDefinition:TaskDefinition", "shop-worker-celery-task").inputs["containerDefinitions"]
    )[0]
    assert container["portMappings"] == [] and container["command"][:2] == ["celery", "-A"]
    # The worker's group is admitted by the database, like the web tasks'.
    assert any(r.inputs.get("referencedSecurityGroupId") == background.id for r in shop.of_type(INGRESS))


def test_workers_and_jobs_alarm_to_the_client_topic(shop):
    alarms = {a.inputs["name"]: a.inputs for a in shop.of_type(ALARM)}
    assert {
        "shop: worker celery memory high",
        "shop: worker celery tasks missing",
        "shop: scheduled jobs failed to start",
    } <= set(alarms)
    topic = shop.one("aws:sns/topic:Topic").outputs["arn"]
    assert alarms["shop: worker celery memory high"]["alarmActions"] == [topic]
    rule = shop.one(RULE, "shop-alerts-job-failed")
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["detail"]["group"] == ["job:clear-sessions", "job:sync-feed"]
    assert pattern["detail"]["$or"][0] == {"containers": {"exitCode": [{"anything-but": 0}]}}
    policy = json.loads(shop.one("aws:sns/topicPolicy:TopicPolicy").inputs["policy"])
    rules = next(s for s in policy["Statement"] if s["Sid"] == "EventRulesPublish")["Condition"]["ArnEquals"][
        "aws:SourceArn"
    ]
    assert rule.outputs["arn"] in rules


def test_maintenance_scales_workers_to_zero_and_disables_the_schedules(shop_in_maintenance):
    plan = shop_in_maintenance
    assert {s.inputs["state"] for s in plan.of_type(SCHEDULE)} == {"DISABLED"}
    assert plan.one(ECS_SERVICE, "shop-worker-celery-service").inputs["desiredCount"] == 0
    scaling = plan.one(TARGET_SCALING, "shop-worker-celery-scaling").inputs
    assert (scaling["minCapacity"], scaling["maxCapacity"]) == (0, 0)


@pytest.mark.parametrize(
    "family",
    ["shop-release-task", "shop-job-clear-sessions-task", "shop-job-sync-feed-task", "shop-worker-celery-task"],
)
def test_the_policy_pack_covers_the_release_job_and_worker_task_definitions(shop, family):
    import dataclasses

    from crane_it.policy import violations

    assert violations(shop) == []
    writable = []
    for reg in shop:
        if reg.type == "aws:ecs/taskDefinition:TaskDefinition" and reg.name == family:
            container = {**json.loads(reg.inputs["containerDefinitions"])[0], "readonlyRootFilesystem": False}
            reg = dataclasses.replace(reg, inputs={**reg.inputs, "containerDefinitions": json.dumps([container])})
        writable.append(reg)
    found = violations(writable)
    assert len(found) == 1 and family in str(found[0]) and "writable root filesystem" in str(found[0])
