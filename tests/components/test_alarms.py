"""Alarms: the client's stack tells a person when its service, database or backups go wrong."""

import json
import re

import fakes
import pulumi
import pytest
from pydantic import ValidationError

from crane_it.core.contracts import BackupVault, DatabaseMetrics, ServiceMetrics
from crane_it.core.provider import aws_provider
from crane_it.facts.rds import usable_connections
from crane_it.monitoring.alarms import Alarms
from crane_it.monitoring.alert_rules import backup_failures, deployment_failed
from crane_it.monitoring.dashboard import dashboard_body
from crane_it.spec import AlertsSpec, DatabaseSpec
from crane_it.testing import ACCOUNT_ID

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
REGION = "eu-west-1"
CLUSTER = "acme-cluster-1a2b3c"
SERVICE = "acme-web-4d5e6f"
LOAD_BALANCER = "app/acme-alb/50dc6c495c0c9188"
TARGET_GROUP = "targetgroup/acme-tg/73e2d6bc24d8a067"
DB_IDENTIFIER = "acme-db-7a8b9c"
VAULT_ARN = f"arn:aws:backup:{REGION}:{ACCOUNT_ID}:backup-vault:acme-vault"
SERVICE_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT_ID}:service/{CLUSTER}/{SERVICE}"
ECS_DIMENSIONS = {"ClusterName": CLUSTER, "ServiceName": SERVICE}
ALB_DIMENSIONS = {"LoadBalancer": LOAD_BALANCER, "TargetGroup": TARGET_GROUP}
GIB = 1024**3


def fake_service() -> ServiceMetrics:
    """The Service contract attributes the alarms read (no Service code involved)."""
    return fakes.service(CLUSTER, SERVICE, LOAD_BALANCER, TARGET_GROUP)


def fake_database(spec: DatabaseSpec) -> DatabaseMetrics:
    return fakes.database_metrics(DB_IDENTIFIER, spec.engine, spec.instance_class, spec.storage_gb, spec.max_storage_gb)


def fake_backup() -> BackupVault:
    return fakes.vault(VAULT_ARN)


@pytest.fixture
def build(render):
    """Render the Alarms of client acme with the given spec, optional database and backup."""

    def _build(spec: AlertsSpec | None = None, database: DatabaseSpec | None = None, backup: bool = False):
        def program() -> None:
            provider = aws_provider("p", REGION, {"client": "acme"})
            Alarms(
                "acme",
                spec or AlertsSpec(emails=["ops@acme.example"]),
                service=fake_service(),
                database=fake_database(database) if database else None,
                backup=fake_backup() if backup else None,
                opts=pulumi.ResourceOptions(providers=[provider]),
            )

        return render(program)

    return _build


def alarm(plan, key: str) -> dict:
    return plan.one(ALARM, f"acme-alarm-{key}").inputs


def topic_arn(plan) -> str:
    return plan.one(TOPIC).outputs["arn"]


def policy_statements(document: str) -> dict[str, dict]:
    return {statement["Sid"]: statement for statement in json.loads(document)["Statement"]}


def event_rule(plan, key: str) -> tuple[dict, dict]:
    """The parsed event pattern of rule ``key`` and the inputs of its target."""
    rule = plan.one(RULE, f"acme-alerts-{key}")
    target = plan.one(TARGET, f"acme-alerts-{key}-to-topic")
    assert target.inputs["rule"] == rule.outputs["name"], f"{target.urn} targets another rule"
    return json.loads(rule.inputs["eventPattern"]), target.inputs


def dashboard(plan) -> dict:
    return json.loads(plan.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])


def graphed_metrics(body: dict) -> list[list]:
    """Every metric line of the graphs (expression lines, a one-dict list, left out)."""
    lines = [line for w in body["widgets"] if w["type"] == "metric" for line in w["properties"]["metrics"]]
    return [line for line in lines if isinstance(line[0], str)]


# The topic: encrypted, reachable by CloudWatch and EventBridge, mailing every address.


def test_topic_is_encrypted_with_a_key_that_alarms_and_events_may_use(build):
    plan = build()
    key = plan.one("aws:kms/key:Key")
    assert plan.one(TOPIC).inputs["kmsMasterKeyId"] == key.outputs["arn"]
    assert key.inputs["enableKeyRotation"] is True
    assert key.protect, "the policy guardrail requires every KMS key to be protected"
    statements = policy_statements(key.inputs["policy"])
    admin = statements["AccountAdministers"]
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"} and admin["Action"] == "kms:*"
    services = statements["AlarmsAndEventsEncryptMessages"]
    assert set(services["Principal"]["Service"]) == {"cloudwatch.amazonaws.com", "events.amazonaws.com"}
    assert set(services["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    # AWS does not pass aws:SourceArn to KMS for EventBridge-to-encrypted-topic deliveries.
    assert "Condition" not in services, "a source condition on the key silently drops event mails"


def test_topic_policy_lets_this_accounts_alarms_and_this_clients_rules_publish(build):
    plan = build(backup=True)
    policy = plan.one("aws:sns/topicPolicy:TopicPolicy")
    assert policy.inputs["arn"] == topic_arn(plan)
    statements = policy_statements(policy.inputs["policy"])
    alarms = statements["CloudWatchAlarmsPublish"]
    assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert alarms["Action"] == "sns:Publish" and alarms["Resource"] == topic_arn(plan)
    assert alarms["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
        "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT_ID}:alarm:*"},
    }
    events = statements["EventRulesPublish"]
    assert events["Principal"] == {"Service": "events.amazonaws.com"}
    rule_arns = {rule.outputs["arn"] for rule in plan.of_type(RULE)}
    assert len(rule_arns) == 4
    assert set(events["Condition"]["ArnEquals"]["aws:SourceArn"]) == rule_arns


def test_every_address_gets_an_email_subscription(build):
    plan = build(AlertsSpec(emails=["ops@acme.example", "oncall@acme.example"]))
    subscriptions = plan.of_type(SUBSCRIPTION)
    assert sorted(s.inputs["endpoint"] for s in subscriptions) == ["oncall@acme.example", "ops@acme.example"]
    for subscription in subscriptions:
        assert subscription.inputs["protocol"] == "email"
        assert subscription.inputs["topic"] == topic_arn(plan)


def test_reordering_the_addresses_keeps_the_subscriptions(build):
    first = build(AlertsSpec(emails=["a@acme.example", "b@acme.example"]))
    second = build(AlertsSpec(emails=["b@acme.example", "a@acme.example"]))
    assert {s.urn for s in first.of_type(SUBSCRIPTION)} == {s.urn for s in second.of_type(SUBSCRIPTION)}


def test_client_without_addresses_still_gets_the_topic_and_alarms(build):
    plan = build(AlertsSpec())
    assert plan.of_type(SUBSCRIPTION) == []
    assert plan.one(TOPIC).inputs["kmsMasterKeyId"]
    assert len(plan.of_type(ALARM)) == 6


# Alarms: every one reaches the topic when it fires and when it recovers.


def test_every_alarm_mails_the_topic_on_alarm_and_on_ok(build):
    plan = build(database=DatabaseSpec(), backup=True)
    alarms = plan.of_type(ALARM)
    assert len(alarms) == 9
    for registration in alarms:
        inputs = registration.inputs
        assert inputs["alarmActions"] == [topic_arn(plan)], f"{registration.name} does not alarm the topic"
        assert inputs["okActions"] == [topic_arn(plan)], f"{registration.name} does not report recovery"
        assert inputs["treatMissingData"] in {"missing", "notBreaching", "breaching", "ignore"}
        assert inputs["alarmDescription"].endswith("Dashboard: acme-overview.")
        assert inputs["name"].startswith("acme: ")


def test_alarm_names_are_unique_and_do_not_change_with_thresholds(build):
    default = build(database=DatabaseSpec())
    tuned = build(
        AlertsSpec(memory_percent=60, cpu_percent=50, http_5xx_percent=1, database_cpu_percent=50),
        database=DatabaseSpec(),
    )
    names = {r.name: r.inputs["name"] for r in default.of_type(ALARM)}
    assert len(set(names.values())) == len(names)
    assert names == {r.name: r.inputs["name"] for r in tuned.of_type(ALARM)}


def test_memory_alarm_watches_the_busiest_task_of_this_service(build):
    memory = alarm(build(AlertsSpec(memory_percent=70, sustained_minutes=7)), "service-memory")
    assert (memory["namespace"], memory["metricName"]) == ("AWS/ECS", "MemoryUtilization")
    assert memory["dimensions"] == ECS_DIMENSIONS
    assert memory["statistic"] == "Maximum"
    assert memory["threshold"] == 70 and memory["comparisonOperator"] == "GreaterThanThreshold"
    assert (memory["period"], memory["evaluationPeriods"], memory["datapointsToAlarm"]) == (60, 7, 7)
    assert memory["treatMissingData"] == "missing"
    assert "70 %" in memory["alarmDescription"] and "7 min" in memory["alarmDescription"]


def test_memory_trend_alarm_compares_memory_with_its_anomaly_band_for_an_hour(build):
    trend = alarm(build(AlertsSpec(memory_trend_band=2.5)), "service-memory-trend")
    queries = {query["id"]: query for query in trend["metricQueries"]}
    metric = queries["memory"]["metric"]
    assert (metric["namespace"], metric["metricName"], metric["dimensions"]) == (
        "AWS/ECS",
        "MemoryUtilization",
        ECS_DIMENSIONS,
    )
    assert metric["stat"] == "Maximum" and metric["period"] == 300
    assert queries["memory"]["returnData"] is True
    assert queries["band"]["expression"] == "ANOMALY_DETECTION_BAND(memory, 2.5)"
    assert queries["band"]["returnData"] is True
    assert trend["thresholdMetricId"] == "band"
    assert trend["comparisonOperator"] == "GreaterThanUpperThreshold"
    # 12 x 5 minutes, every point above the band: spikes never page.
    assert (trend["evaluationPeriods"], trend["datapointsToAlarm"]) == (12, 12)
    assert "threshold" not in trend and "metricName" not in trend


def test_cpu_alarm_watches_the_service_average(build):
    cpu = alarm(build(AlertsSpec(cpu_percent=90, sustained_minutes=3)), "service-cpu")
    assert (cpu["namespace"], cpu["metricName"], cpu["dimensions"]) == ("AWS/ECS", "CPUUtilization", ECS_DIMENSIONS)
    assert cpu["statistic"] == "Average"
    assert (cpu["threshold"], cpu["comparisonOperator"]) == (90, "GreaterThanThreshold")
    assert (cpu["evaluationPeriods"], cpu["datapointsToAlarm"]) == (3, 3)


def test_task_alarm_fires_when_fewer_tasks_run_than_desired_or_no_data_arrives(build):
    tasks = alarm(build(AlertsSpec(sustained_minutes=4)), "service-tasks")
    queries = {query["id"]: query for query in tasks["metricQueries"]}
    for id_, metric_name in (("desired", "DesiredTaskCount"), ("running", "RunningTaskCount")):
        metric = queries[id_]["metric"]
        assert (metric["namespace"], metric["metricName"]) == ("ECS/ContainerInsights", metric_name)
        assert metric["dimensions"] == ECS_DIMENSIONS and queries[id_]["returnData"] is False
    assert queries["missing"]["expression"] == "desired - FILL(running, 0)"
    assert queries["missing"]["returnData"] is True
    assert (tasks["threshold"], tasks["comparisonOperator"]) == (0, "GreaterThanThreshold")
    # Half of a double window: crash loops alarm, a single replaced task does not.
    assert (tasks["evaluationPeriods"], tasks["datapointsToAlarm"]) == (8, 4)
    assert tasks["treatMissingData"] == "breaching"


def test_error_rate_alarm_divides_target_5xx_by_requests(build):
    rate = alarm(build(AlertsSpec(http_5xx_percent=2)), "http-5xx")
    queries = {query["id"]: query for query in rate["metricQueries"]}
    for id_, metric_name in (("errors", "HTTPCode_Target_5XX_Count"), ("requests", "RequestCount")):
        metric = queries[id_]["metric"]
        assert (metric["namespace"], metric["metricName"]) == ("AWS/ApplicationELB", metric_name)
        assert metric["dimensions"] == ALB_DIMENSIONS and metric["stat"] == "Sum"
    assert queries["rate"]["expression"] == "100 * FILL(errors, 0) / requests"
    assert (rate["threshold"], rate["comparisonOperator"]) == (2, "GreaterThanThreshold")
    assert rate["treatMissingData"] == "notBreaching"


def test_unhealthy_target_alarm_fires_on_any_unhealthy_task(build):
    unhealthy = alarm(build(), "unhealthy-targets")
    assert (unhealthy["namespace"], unhealthy["metricName"]) == ("AWS/ApplicationELB", "UnHealthyHostCount")
    assert unhealthy["dimensions"] == ALB_DIMENSIONS
    assert (unhealthy["threshold"], unhealthy["comparisonOperator"]) == (0, "GreaterThanThreshold")
    assert unhealthy["statistic"] == "Minimum"


def test_client_without_database_gets_no_database_alarms(build):
    plan = build()
    assert not [r.name for r in plan.of_type(ALARM) if "db-" in r.name]
    assert not [r for r in plan.of_type(ALARM) if r.inputs.get("namespace") == "AWS/RDS"]


@pytest.mark.parametrize(
    "engine, instance_class, version",
    [
        ("postgres", "db.t4g.micro", "16"),
        ("mysql", "db.r6g.large", "8.4"),
    ],
)
def test_database_alarms_watch_this_instance(build, engine, instance_class, version):
    database = DatabaseSpec(
        engine=engine, version=version, instance_class=instance_class, storage_gb=50, max_storage_gb=200
    )
    spec = AlertsSpec(database_cpu_percent=75, database_free_storage_percent=15, database_connections_percent=90)
    plan = build(spec, database=database)
    for key in ("db-cpu", "db-storage", "db-connections"):
        inputs = alarm(plan, key)
        assert inputs["namespace"] == "AWS/RDS" and inputs["dimensions"] == {"DBInstanceIdentifier": DB_IDENTIFIER}
    cpu, storage, connections = (alarm(plan, key) for key in ("db-cpu", "db-storage", "db-connections"))
    assert (cpu["metricName"], cpu["threshold"], cpu["comparisonOperator"]) == (
        "CPUUtilization",
        75,
        "GreaterThanThreshold",
    )
    # A share of the initial size: autoscaling keeps free space above 10 % of it while it works.
    assert (storage["metricName"], storage["comparisonOperator"]) == ("FreeStorageSpace", "LessThanThreshold")
    assert storage["threshold"] == pytest.approx(0.15 * 50 * GIB)
    assert storage["statistic"] == "Minimum"
    expected = 0.9 * usable_connections(engine, instance_class)
    assert (connections["metricName"], connections["comparisonOperator"]) == (
        "DatabaseConnections",
        "GreaterThanThreshold",
    )
    assert connections["threshold"] == pytest.approx(expected)


# Events: failed deployments and backups reach the same topic.


@pytest.mark.parametrize(("engine", "version"), [("postgres", "16"), ("mysql", "8.4")])
@pytest.mark.parametrize("instance_class", ["db.t4g.micro", "db.m6g.large", "db.r6g.large"])
def test_connections_alarm_fires_below_what_the_app_can_open(build, engine, version, instance_class):
    spec = DatabaseSpec(engine=engine, version=version, instance_class=instance_class)
    plan = build(AlertsSpec(database_connections_percent=99), database=spec)
    threshold = alarm(plan, "db-connections")["threshold"]
    assert threshold < usable_connections(engine, instance_class)
    with pytest.raises(ValidationError):
        AlertsSpec(database_connections_percent=100)


def test_failed_deployments_of_this_service_are_mailed(build):
    pattern, target = event_rule(build(), "deploy-failed")
    assert pattern == {
        "source": ["aws.ecs"],
        "detail-type": ["ECS Deployment State Change"],
        "resources": [SERVICE_ARN],
        "detail": {"eventName": ["SERVICE_DEPLOYMENT_FAILED"]},
    }
    assert target["arn"] == topic_arn(build())
    message = json.loads(target["inputTransformer"]["inputTemplate"])
    assert message["reason"] == "<reason>"
    assert target["inputTransformer"]["inputPaths"]["reason"] == "$.detail.reason"


def test_failed_backup_copy_and_restore_jobs_of_this_vault_are_mailed(build):
    plan = build(backup=True)
    backup, target = event_rule(plan, "backup-failed")
    assert target["arn"] == topic_arn(plan)
    assert backup == {
        "source": ["aws.backup"],
        "detail-type": ["Backup Job State Change"],
        "detail": {"state": ["FAILED", "ABORTED", "EXPIRED"], "backupVaultArn": [VAULT_ARN]},
    }
    copy, _ = event_rule(plan, "copy-failed")
    assert copy["detail-type"] == ["Copy Job State Change"]
    assert copy["detail"] == {"state": ["FAILED"], "sourceBackupVaultArn": [VAULT_ARN]}
    restore, _ = event_rule(plan, "restore-failed")
    assert restore["detail-type"] == ["Restore Job State Change"]
    # Restore jobs report `status`, and a failed one may not name its vault.
    assert restore["detail"]["status"] == ["FAILED", "ABORTED"]
    assert restore["detail"]["$or"] == [{"backupVaultArn": [VAULT_ARN]}, {"backupVaultArn": [{"exists": False}]}]


def test_client_without_backup_gets_no_backup_rules(build):
    plan = build(database=DatabaseSpec())
    assert [r.name for r in plan.of_type(RULE)] == ["acme-alerts-deploy-failed"]
    assert [r.name for r in plan.of_type(TARGET)] == ["acme-alerts-deploy-failed-to-topic"]


@pytest.mark.parametrize(
    "alert",
    [
        deployment_failed("acme", SERVICE_ARN),
        *backup_failures("acme", VAULT_ARN).values(),
    ],
    ids=["deploy", "backup", "copy", "restore"],
)
def test_event_mails_are_json_whose_placeholders_are_all_defined(alert):
    message = json.loads(alert.template)
    assert {"alert", "check"} <= set(message)
    placeholders = set(re.findall(r"<([^<>]+)>", alert.template))
    assert placeholders <= set(alert.paths), f"undefined placeholders {placeholders - set(alert.paths)}"
    assert "<" not in message["check"], "< and > cannot be escaped in an EventBridge template"


# The dashboard.


def test_dashboard_shows_this_clients_service_load_balancer_and_alarms(build):
    plan = build()
    body = dashboard(plan)
    metrics = graphed_metrics(body)
    for widget in body["widgets"]:
        if widget["type"] == "metric":
            assert widget["properties"]["region"] == REGION
    ecs_pairs = ["ClusterName", CLUSTER, "ServiceName", SERVICE]
    alb_pairs = ["LoadBalancer", LOAD_BALANCER, "TargetGroup", TARGET_GROUP]
    graphed = {(m[0], m[1]) for m in metrics}
    for namespace, name in [
        ("AWS/ECS", "MemoryUtilization"),
        ("AWS/ECS", "CPUUtilization"),
        ("ECS/ContainerInsights", "RunningTaskCount"),
        ("ECS/ContainerInsights", "DesiredTaskCount"),
    ]:
        assert (namespace, name) in graphed
        assert all(m[2:6] == ecs_pairs for m in metrics if (m[0], m[1]) == (namespace, name))
    latency = [m for m in metrics if m[1] == "TargetResponseTime"]
    assert {m[-1]["stat"] for m in latency} == {"p50", "p95", "p99"}
    for name in ("RequestCount", "TargetResponseTime", "HTTPCode_Target_5XX_Count"):
        assert all(m[2:6] == alb_pairs for m in metrics if m[1] == name)
    assert not [m for m in metrics if m[0] == "AWS/RDS"], "database graphs without a database"
    status = next(w for w in body["widgets"] if w["type"] == "alarm")
    assert sorted(status["properties"]["alarms"]) == sorted(r.outputs["arn"] for r in plan.of_type(ALARM))
    assert plan.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardName"] == "acme-overview"


def test_dashboard_shows_the_database_when_there_is_one(build):
    metrics = graphed_metrics(dashboard(build(database=DatabaseSpec())))
    rds = {m[1] for m in metrics if m[0] == "AWS/RDS"}
    assert rds == {"CPUUtilization", "FreeStorageSpace", "DatabaseConnections", "ReadLatency", "WriteLatency"}
    assert all(m[2:4] == ["DBInstanceIdentifier", DB_IDENTIFIER] for m in metrics if m[0] == "AWS/RDS")


def test_dashboard_widgets_tile_without_overlap():
    body = dashboard_body(
        client="acme",
        region=REGION,
        cluster=CLUSTER,
        service=SERVICE,
        load_balancer=LOAD_BALANCER,
        target_group=TARGET_GROUP,
        spec=AlertsSpec(),
        database=DB_IDENTIFIER,
    )
    cells = [(w["x"], w["y"]) for w in body["widgets"]]
    assert len(set(cells)) == len(cells)
    assert all(w["x"] + w["width"] <= 24 for w in body["widgets"])


def test_alarms_are_children_of_the_component(build):
    plan = build(database=DatabaseSpec(), backup=True)
    component = plan.one("crane:index:Alarms")
    children = [r for r in plan if r.custom and r.type != "pulumi:providers:aws"]
    assert children and all(r.parent == component.urn for r in children)


# Spec refusals, before any resource exists.


@pytest.mark.parametrize(
    "field, value",
    [
        ("memory_percent", 0),
        ("memory_percent", 101),
        ("sustained_minutes", 0),
        ("emails", ["not-an-address"]),
        ("emails", ["ops@acme"]),
    ],
)
def test_spec_refuses_bad_values_naming_the_field(field, value):
    with pytest.raises(ValidationError) as error:
        AlertsSpec.model_validate({field: value})
    assert {str(e["loc"][0]) for e in error.value.errors()} == {field}
