"""Two stacks of one spec (staging and production of one client) share an account: no AWS name twice."""

from __future__ import annotations

import runpy
from collections import Counter
from pathlib import Path

import pytest

from crane_it import testing as offline
from crane_it.core.naming import MAX_BASE_LENGTH, base_name, stack_domain
from crane_it.facts.names import NAMES
from crane_it.loader import SpecError
from crane_it.review.render import render_stack

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "stacks" / "acme.yaml"

UNIQUE_INPUTS = (
    "identifier",
    "identifierPrefix",
    "finalSnapshotIdentifier",
    "name",
    "namePrefix",
    "dashboardName",
    "alarmName",
    "ruleName",
    "topicName",
    "logGroupName",
)
"""Inputs that name something AWS wants unique per account and region (or per hosted zone)."""
SCOPED = {"aws:backup/restoreTestingSelection:RestoreTestingSelection"}
"""Types whose `name` is unique only inside their parent (a selection inside its plan)."""


def unique_names(plan: offline.Plan) -> list[tuple[str, str]]:
    """(kind, value) of every AWS-unique name the plan declares; the task family too."""
    names = []
    for reg in plan:
        if not reg.custom or reg.type in SCOPED or reg.type.startswith("pulumi:providers:"):
            continue
        for key in UNIQUE_INPUTS:
            if reg.inputs.get(key):
                names.append((f"{reg.type.split(':')[-1]}.{key}", str(reg.inputs[key])))
        if reg.type == "aws:ecs/taskDefinition:TaskDefinition":
            names.append(("TaskDefinition.family", reg.inputs["family"]))
    return names


@pytest.fixture(scope="module")
def plans():
    """The plain `acme` stack and two more stacks of the same spec, rendered side by side."""
    return {stack: render_stack(stack, ACME) for stack in ("acme", "acme-staging", "acme-production")}


def test_no_account_unique_name_is_declared_twice_across_stacks_of_one_spec(plans):
    counted = Counter(name for plan in plans.values() for name in set(unique_names(plan)))
    twice = sorted(name for name, count in counted.items() if count > 1)
    assert twice == []
    kinds = {kind for plan in plans.values() for kind, _ in unique_names(plan)}
    # The check covers every kind of name the issue lists (logs, alias, alarms, dashboard, ...).
    assert {
        "Instance.identifier",
        "Instance.finalSnapshotIdentifier",
        "LogGroup.name",
        "Alias.name",
        "MetricAlarm.name",
        "Dashboard.dashboardName",
        "RestoreTestingPlan.name",
        "TaskDefinition.family",
        "Record.name",
    } <= kinds


def names_aws_keeps_unique(plan: offline.Plan) -> list[tuple[str, str]]:
    """(type, name) of every name AWS wants unique per account and region (or globally), as the
    strict engine made it: explicit names and auto-names alike (``facts/names.py``)."""
    found = []
    for reg in plan:
        rule = NAMES.get(reg.type)
        if reg.custom and rule and rule.prop and rule.scope in ("region", "global"):
            found.append((reg.type, str(reg.outputs.get(rule.prop) or reg.inputs.get(rule.prop))))
    return found


def test_every_unique_name_differs_between_two_stacks_of_one_client_auto_names_included(plans):
    counted = Counter(name for plan in plans.values() for name in set(names_aws_keeps_unique(plan)))
    assert sorted(name for name, count in counted.items() if count > 1) == []
    types = {type_ for plan in plans.values() for type_, _ in names_aws_keeps_unique(plan)}
    # Auto-named types are in it (role, topic, rule, bucket, load balancer), not only explicit names.
    assert {
        "aws:iam/role:Role",
        "aws:sns/topic:Topic",
        "aws:cloudwatch/eventRule:EventRule",
        "aws:s3/bucket:Bucket",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:backup/vault:Vault",
    } <= types
    acme = dict(names_aws_keeps_unique(plans["acme-staging"]))
    assert acme["aws:lb/loadBalancer:LoadBalancer"].startswith("acme-staging-alb-")


def test_auto_named_resources_carry_no_fixed_name(plans):
    """Rules, topics, vaults, buckets and roles are auto-named by Pulumi (a random suffix)."""
    plan = plans["acme-staging"]
    for type_ in (
        "aws:cloudwatch/eventRule:EventRule",
        "aws:sns/topic:Topic",
        "aws:s3/bucket:Bucket",
        "aws:iam/role:Role",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:ecs/cluster:Cluster",
    ):
        for reg in plan.of_type(type_):
            assert not {"name", "namePrefix", "bucket", "bucketPrefix"} & set(reg.inputs), reg.urn


def test_a_second_stack_names_everything_after_itself(plans):
    plan = plans["acme-staging"]
    assert plan.one("aws:rds/instance:Instance").inputs["identifier"] == "acme-staging-db"
    assert plan.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardName"] == "acme-staging-overview"
    alarms = [reg.inputs["name"] for reg in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")]
    assert alarms and all(name.startswith("acme-staging: ") for name in alarms)
    # One DNS name and certificate cannot serve two stacks: the second serves a subdomain.
    alias = next(r for r in plan.of_type("aws:route53/record:Record") if r.name.endswith("-alias"))
    assert alias.inputs["name"] == "staging.shop.acme.com"
    assert plan.one("aws:acm/certificate:Certificate").inputs["domainName"] == "staging.shop.acme.com"
    # The tags still name the client, so reset-bucket --client and the cost reports find it.
    provider = plan.one("pulumi:providers:aws", "acme-staging-aws")
    assert '"client":"acme"' in provider.inputs["defaultTags"].replace(" ", "")


def test_the_stack_named_after_its_client_keeps_every_name(plans):
    """URNs are pinned by the snapshots; the AWS names of the existing stacks are pinned here."""
    names = dict(unique_names(plans["acme"]))
    assert names["Instance.identifier"] == "acme-db"
    assert names["Instance.finalSnapshotIdentifier"] == "acme-db-final"
    assert names["Dashboard.dashboardName"] == "acme-overview"
    assert names["Alias.name"] == "alias/acme-alerts"
    assert names["RestoreTestingPlan.name"] == "acme_restore_tests"
    assert names["TaskDefinition.family"] == "acme-app"
    records = {value for kind, value in unique_names(plans["acme"]) if kind == "Record.name"}
    assert "shop.acme.com" in records
    logs = {value for kind, value in unique_names(plans["acme"]) if kind == "LogGroup.name"}
    assert logs == {f"/aws/rds/instance/acme-db/{log}" for log in ("error", "slowquery")}
    alarms = {value for kind, value in unique_names(plans["acme"]) if kind == "MetricAlarm.name"}
    assert "acme: service memory high" in alarms and all(a.startswith("acme: ") for a in alarms)


@pytest.mark.parametrize(
    "client,stack,base",
    [("acme", "acme", "acme"), ("acme", "acme-staging", "acme-staging"), ("acme", "staging", "acme-staging")],
)
def test_base_name(client, stack, base):
    assert base_name(client, stack) == base


def test_stack_domain_keeps_the_clients_own_domain():
    assert stack_domain("acme", "acme", "shop.acme.com") == "shop.acme.com"
    assert stack_domain("acme", "acme-production", "shop.acme.com") == "production.shop.acme.com"
    assert stack_domain("acme", "staging", None) is None


@pytest.mark.parametrize(
    "stack", ["Acme-Prod", "acme_prod", "acme.prod", "acme--prod", "acme-" + "x" * MAX_BASE_LENGTH]
)
def test_a_stack_name_aws_names_cannot_carry_is_refused_before_any_resource(stack):
    monitor = offline.RecordingMonitor(offline.PlanMocks())
    program = ROOT / "__main__.py"
    with pytest.raises(SpecError, match=f"stack {stack!r}"):
        offline.run(lambda: runpy.run_path(str(program)), stack=stack, config={"spec": str(ACME)}, monitor=monitor)
    assert monitor.registrations == []
