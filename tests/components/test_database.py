"""The Database component under Pulumi mocks: what RDS receives, the link, and the restore path."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pulumi
import pytest

from crane_it.core.provider import aws_provider
from crane_it.data.database import CA_CERTIFICATE, Database
from crane_it.spec import DatabaseSpec
from crane_it.spec.client import DATABASE_ENV, DATABASE_SECRETS
from tests.conftest import NOW

INSTANCE = "aws:rds/instance:Instance"
KEY = "aws:kms/key:Key"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/acme-db-key"
PRIVATE_SUBNETS = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
TASKS_SG = "sg-0tasks000000000001"
MYSQL = {"engine": "mysql", "version": "8.4"}


def database_spec(**fields: Any) -> DatabaseSpec:
    return DatabaseSpec.model_validate(fields, context={"now": NOW})


def render_database(render, spec: DatabaseSpec, admit: tuple[str, ...] = (TASKS_SG,)):
    """The plan of one Database for client ``acme``, plus its resolved link and outputs."""
    seen: dict[str, Any] = {}

    def program() -> None:
        provider = aws_provider("p", "eu-west-1", {"client": "acme"})
        network = SimpleNamespace(
            vpc_id=pulumi.Output.from_input("vpc-0abc0000000000001"),
            private_subnet_ids=pulumi.Output.from_input(PRIVATE_SUBNETS),
        )
        database = Database("acme", spec, network, opts=pulumi.ResourceOptions(providers=[provider]))
        for group in admit:
            database.admit(group)
        link = database.link
        resolved = {
            "environment": pulumi.Output.all(**link.environment),
            "secrets": pulumi.Output.all(**link.secrets),
            "task": pulumi.Output.json_dumps(list(link.task_statements)),
            "execution": pulumi.Output.json_dumps(list(link.execution_statements)),
            "identifier": database.identifier,
            "endpoint": database.endpoint,
            "arns": pulumi.Output.all(*database.arns),
            "instances": pulumi.Output.all(*[i.identifier for i in database.instances]),
        }
        pulumi.Output.all(**resolved).apply(seen.update)

    plan = render(program)
    seen["task"], seen["execution"] = json.loads(seen["task"]), json.loads(seen["execution"])
    return plan, seen


def original(plan):
    return plan.one(INSTANCE, "acme-db")


@pytest.fixture
def postgres(render):
    return render_database(render, database_spec())


def test_postgres_gets_its_port_family_tls_parameter_and_logs(postgres):
    plan, _ = postgres
    db = original(plan).inputs
    assert (db["engine"], db["engineVersion"], db["port"]) == ("postgres", "16", 5432)
    assert db["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    params = plan.one("aws:rds/parameterGroup:ParameterGroup").inputs
    assert params["family"] == "postgres16"
    assert {"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"} in params["parameters"]
    assert db["parameterGroupName"].startswith("acme-db-params")


def test_mysql_gets_its_port_family_tls_parameter_and_logs(render):
    plan, seen = render_database(render, database_spec(**MYSQL))
    db = original(plan).inputs
    assert (db["engine"], db["engineVersion"], db["port"]) == ("mysql", "8.4", 3306)
    params = plan.one("aws:rds/parameterGroup:ParameterGroup").inputs
    assert params["family"] == "mysql8.4"
    assert ("require_secure_transport", "1") in [(p["name"], p["value"]) for p in params["parameters"]]
    assert seen["environment"]["DB_PORT"] == "3306" and seen["environment"]["DB_ENGINE"] == "mysql"
    assert plan.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").inputs["fromPort"] == 3306


def test_mysql_exports_only_logs_its_parameter_group_makes_it_write(render):
    plan, _ = render_database(render, database_spec(**MYSQL))
    # The general log (every statement) is never enabled, so it is not exported either; the
    # slow query log is written to files (what RDS exports) for statements over 1 s.
    assert original(plan).inputs["enabledCloudwatchLogsExports"] == ["error", "slowquery"]
    params = plan.one("aws:rds/parameterGroup:ParameterGroup").inputs["parameters"]
    assert {p["name"]: p["value"] for p in params} == {
        "require_secure_transport": "1",
        "slow_query_log": "1",
        "long_query_time": "1",
        "log_output": "FILE",
    }
    assert {p["applyMethod"] for p in params} == {"immediate"}  # dynamic: no reboot


def test_postgres_logs_slow_statements_into_the_exported_log(postgres):
    plan, _ = postgres
    params = plan.one("aws:rds/parameterGroup:ParameterGroup").inputs["parameters"]
    assert {p["name"]: p["value"] for p in params} == {"rds.force_ssl": "1", "log_min_duration_statement": "1000"}
    assert original(plan).inputs["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]


@pytest.mark.parametrize(
    ("fields", "lifecycle"),
    [
        ({}, "open-source-rds-extended-support-disabled"),
        ({"extended_support": True}, "open-source-rds-extended-support"),
        ({**MYSQL, "version": "8.0", "extended_support": True}, "open-source-rds-extended-support"),
    ],
)
def test_engine_lifecycle_support_is_set_explicitly_on_every_instance(render, fields, lifecycle):
    spec = database_spec(**fields, restore={"id": "r1", "point_in_time": "latest"})
    plan, _ = render_database(render, spec)
    instances = plan.of_type(INSTANCE)
    assert len(instances) == 2
    for instance in instances:
        assert instance.inputs["engineLifecycleSupport"] == lifecycle, instance.urn
        # RDS takes it only at create or restore: an edit must not plan a no-op update.
        assert "engineLifecycleSupport" in instance.ignore_changes


def test_storage_is_encrypted_with_a_rotating_client_key(postgres):
    plan, _ = postgres
    db = original(plan).inputs
    assert db["storageEncrypted"] is True and db["kmsKeyId"] == KEY_ARN
    assert db["storageType"] == "gp3"
    key = plan.one(KEY, "acme-db-key")
    assert key.inputs["enableKeyRotation"] is True and key.inputs["deletionWindowInDays"] == 30
    assert key.protect and key.retain_on_delete


def test_no_password_passes_through_pulumi_rds_keeps_it_in_secrets_manager(postgres):
    plan, _ = postgres
    db = original(plan).inputs
    assert not {"password", "passwordWo", "passwordWoVersion"} & set(db), "a password would land in the state"
    assert db["manageMasterUserPassword"] is True
    assert db["masterUserSecretKmsKeyId"] == KEY_ARN
    assert (db["dbName"], db["username"]) == ("app", "app")


def test_backups_are_kept_and_windows_do_not_overlap(render):
    plan, _ = render_database(render, database_spec(backup_retention_days=7))
    db = original(plan).inputs
    assert db["backupRetentionPeriod"] == 7
    assert db["copyTagsToSnapshot"] is True
    backup_start, backup_end = db["backupWindow"].split("-")
    maintenance_start, maintenance_end = db["maintenanceWindow"].split("-")
    # The maintenance window is weekly ("sun:03:30"); on any day it must not meet the backup.
    assert maintenance_start.split(":", 1)[1] > backup_end or maintenance_end.split(":", 1)[1] < backup_start
    assert db["autoMinorVersionUpgrade"] is True and db["caCertIdentifier"] == CA_CERTIFICATE
    assert db["applyImmediately"] is True  # no changes left pending for a maintenance window


def test_aws_backup_owns_the_retention_after_creation(postgres):
    plan, _ = postgres
    # AWS Backup's continuous rule rewrites the retention; Pulumi must not fight it.
    assert "backupRetentionPeriod" in original(plan).ignore_changes


@pytest.mark.parametrize("fields", [{}, MYSQL])
def test_exported_logs_land_in_groups_with_retention_created_first(render, fields):
    plan, _ = render_database(render, database_spec(**fields))
    db = original(plan)
    groups = plan.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert sorted(g.inputs["name"] for g in groups) == sorted(
        f"/aws/rds/instance/acme-db/{log}" for log in db.inputs["enabledCloudwatchLogsExports"]
    )
    assert all(g.inputs["retentionInDays"] == 30 for g in groups)
    assert {g.urn for g in groups} <= set(db.dependencies)


def test_database_log_retention_comes_from_the_spec(render):
    plan, _ = render_database(render, database_spec(log_retention_days=365))
    groups = plan.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert groups and {g.inputs["retentionInDays"] for g in groups} == {365}


def test_defaults_protect_the_data_from_deletion(postgres):
    plan, _ = postgres
    db = original(plan)
    assert db.inputs["deletionProtection"] is True
    assert db.inputs["skipFinalSnapshot"] is False and db.inputs["finalSnapshotIdentifier"] == "acme-db-final"
    assert db.inputs["deleteAutomatedBackups"] is False
    assert db.protect and db.retain_on_delete
    assert db.inputs["publiclyAccessible"] is False


def test_named_opt_outs_turn_each_protection_off(render):
    spec = database_spec(deletion_protection=False, final_snapshot=False, keep_automated_backups=False, protect=False)
    plan, _ = render_database(render, spec)
    db = original(plan)
    assert db.inputs["deletionProtection"] is False
    assert db.inputs["skipFinalSnapshot"] is True
    assert db.inputs["deleteAutomatedBackups"] is True
    assert not db.protect and not db.retain_on_delete
    key = plan.one(KEY, "acme-db-key")
    assert not key.protect and not key.retain_on_delete


@pytest.mark.parametrize(
    ("fields", "enabled"),
    [
        ({}, True),  # postgres supports Performance Insights on every class
        (MYSQL, False),  # not on mysql db.t4g.micro
        ({**MYSQL, "instance_class": "db.t4g.medium"}, True),
        ({"performance_insights": False}, False),
    ],
)
def test_performance_insights_follow_the_instance_class(render, fields, enabled):
    plan, _ = render_database(render, database_spec(**fields))
    db = original(plan).inputs
    assert db["performanceInsightsEnabled"] is enabled
    if enabled:
        assert db["performanceInsightsKmsKeyId"] == KEY_ARN and db["performanceInsightsRetentionPeriod"] == 7
    else:
        assert "performanceInsightsKmsKeyId" not in db and "performanceInsightsRetentionPeriod" not in db


def test_multi_az_and_storage_autoscaling_come_from_the_spec(render):
    plan, _ = render_database(render, database_spec(multi_az=True, storage_gb=50, max_storage_gb=200))
    db = original(plan).inputs
    assert db["multiAz"] is True
    assert (db["allocatedStorage"], db["maxAllocatedStorage"]) == (50, 200)
    plan, _ = render_database(render, database_spec())
    assert original(plan).inputs["multiAz"] is False


def test_database_lives_in_private_subnets_behind_its_own_security_group(postgres):
    plan, _ = postgres
    subnets = plan.one("aws:rds/subnetGroup:SubnetGroup")
    assert subnets.inputs["subnetIds"] == PRIVATE_SUBNETS
    group = plan.one("aws:ec2/securityGroup:SecurityGroup", "acme-db-sg")
    assert group.inputs["vpcId"] == "vpc-0abc0000000000001"
    assert "ingress" not in group.inputs and "egress" not in group.inputs, f"{group.urn} has inline rules"
    db = original(plan).inputs
    assert len(db["vpcSecurityGroupIds"]) == 1 and db["vpcSecurityGroupIds"][0].startswith("acme-db-sg")
    assert db["dbSubnetGroupName"].startswith("acme-db-subnets")


def test_admit_opens_only_the_engine_port_to_the_given_security_group(postgres, render):
    plan, _ = postgres
    rule = plan.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert rule.inputs["referencedSecurityGroupId"] == TASKS_SG
    assert (rule.inputs["ipProtocol"], rule.inputs["fromPort"], rule.inputs["toPort"]) == ("tcp", 5432, 5432)
    assert "cidrIpv4" not in rule.inputs and "cidrIpv6" not in rule.inputs, f"{rule.urn} opens to a CIDR"
    assert rule.inputs["securityGroupId"].startswith("acme-db-sg")
    assert rule.parent == plan.one("crane:index:Database").urn
    bare, _ = render_database(render, database_spec(), admit=())
    assert not bare.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert not bare.of_type("aws:ec2/securityGroupRule:SecurityGroupRule")


def test_link_gives_connection_settings_and_reads_only_this_password(postgres):
    plan, seen = postgres
    env = seen["environment"]
    secret = original(plan).outputs["masterUserSecrets"][0]["secretArn"]
    assert set(env) == set(DATABASE_ENV) and tuple(seen["secrets"]) == DATABASE_SECRETS
    assert env == {
        "DB_SECRET_ARN": secret,
        "DB_HOST": "acme-db.abcdefghijkl.eu-west-1.rds.amazonaws.com",
        "DB_PORT": "5432",
        "DB_NAME": "app",
        "DB_USER": "app",
        "DB_ENGINE": "postgres",
    }
    assert seen["secrets"]["DB_PASSWORD"] == f"{secret}:password::"
    # The app itself may re-read only this secret after RDS rotates the password.
    assert seen["task"] == seen["execution"]
    read, decrypt = seen["execution"]
    assert (read["Action"], read["Resource"]) == (["secretsmanager:GetSecretValue"], secret)
    assert (decrypt["Action"], decrypt["Resource"]) == (["kms:Decrypt"], KEY_ARN)
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}}
    assert all("*" not in action for statement in seen["execution"] for action in statement["Action"])


def test_children_are_named_after_the_client_and_parented_to_the_database(postgres):
    plan, _ = postgres
    component = plan.one("crane:index:Database")
    children = plan.children_of(component.urn)
    assert {child.name for child in children} == {
        "acme-db-key",
        "acme-db-subnets",
        "acme-db-sg",
        "acme-db-params",
        "acme-db",
        "acme-db-ingress",
        "acme-db-log-postgresql",
        "acme-db-log-upgrade",
        "acme",  # the LogKey component: used alone, the database encrypts its logs with a key of its own
    }
    assert original(plan).inputs["identifier"] == "acme-db"


# --- point-in-time restore -------------------------------------------------------------------

RESTORED = "acme-db-restore-r1"


def restored(plan, name: str = RESTORED):
    return plan.one(INSTANCE, name)


def test_restore_declares_a_new_instance_and_the_app_switches_to_it(render):
    plan, seen = render_database(render, database_spec(restore={"id": "r1", "point_in_time": "2026-11-20T10:00:00Z"}))
    assert sorted(r.name for r in plan.of_type(INSTANCE)) == ["acme-db", RESTORED]
    copy = restored(plan)
    assert copy.inputs["identifier"] == RESTORED
    assert copy.inputs["restoreToPointInTime"] == {
        "restoreTime": "2026-11-20T10:00:00Z",
        "sourceDbInstanceIdentifier": "acme-db",
    }
    assert seen["identifier"] == RESTORED and seen["endpoint"].startswith(f"{RESTORED}.")
    assert seen["environment"]["DB_HOST"].startswith(f"{RESTORED}.")
    secret = copy.outputs["masterUserSecrets"][0]["secretArn"]
    assert seen["secrets"]["DB_PASSWORD"] == f"{secret}:password::"
    assert seen["execution"][0]["Resource"] == secret
    assert seen["instances"] == ["acme-db", RESTORED]
    assert seen["arns"] == [original(plan).outputs["arn"], copy.outputs["arn"]]


def test_restore_to_latest_uses_the_latest_restorable_time(render):
    plan, seen = render_database(render, database_spec(restore={"id": "r1", "point_in_time": "latest"}))
    copy = restored(plan)
    assert copy.inputs["restoreToPointInTime"] == {
        "useLatestRestorableTime": True,
        "sourceDbInstanceIdentifier": "acme-db",
    }
    assert seen["identifier"] == RESTORED


def test_each_restore_has_its_own_identifier_whatever_its_time(render):
    """`latest` twice, or one time again after an undo, must never target a retained instance's name."""
    names = set()
    for restore in (
        {"id": "r1", "point_in_time": "latest"},
        {"id": "r2", "point_in_time": "latest"},
        {"id": "r3", "point_in_time": "2026-11-20T10:00:00Z"},
        {"id": "r4", "point_in_time": "2026-11-20T10:00:00Z"},
    ):
        plan, _ = render_database(render, database_spec(restore=restore))
        copy = restored(plan, f"acme-db-restore-{restore['id']}")
        names |= {copy.urn, copy.inputs["identifier"], copy.inputs["finalSnapshotIdentifier"]}
        names |= {g.inputs["name"] for g in plan.of_type("aws:cloudwatch/logGroup:LogGroup") if "restore" in g.name}
    assert len(names) == 4 * (3 + 2)  # per restore: URN, identifier, final snapshot, two log groups


def test_a_restore_without_an_id_is_refused():
    with pytest.raises(ValueError, match="id"):
        database_spec(restore={"point_in_time": "latest"})
    with pytest.raises(ValueError, match=r"restore\.id"):
        database_spec(restore={"id": "R-1", "point_in_time": "latest"})


def test_restored_instance_keeps_its_log_groups_when_it_leaves_the_stack(render):
    """Undone or replaced, the instance is retained; RDS would recreate its groups without retention."""
    plan, _ = render_database(render, database_spec(restore={"id": "r1", "point_in_time": "latest"}))
    groups = {g.name: g for g in plan.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert {name for name, g in groups.items() if g.retain_on_delete} == {
        f"{RESTORED}-log-postgresql",
        f"{RESTORED}-log-upgrade",
    }
    assert all(g.inputs["retentionInDays"] == 30 for g in groups.values())


def test_restore_time_with_an_offset_is_sent_in_utc(render):
    plan, _ = render_database(render, database_spec(restore={"id": "r1", "point_in_time": "2026-11-20T11:00:00+01:00"}))
    assert restored(plan).inputs["restoreToPointInTime"]["restoreTime"] == "2026-11-20T10:00:00Z"


def test_restore_from_a_named_source(render):
    spec = database_spec(restore={"id": "r2", "point_in_time": "2026-11-25T08:30:00Z", "source": RESTORED})
    plan, _ = render_database(render, spec)
    copy = restored(plan, "acme-db-restore-r2")
    assert copy.inputs["restoreToPointInTime"]["sourceDbInstanceIdentifier"] == RESTORED


def test_restore_leaves_the_original_instance_exactly_as_it_was(render):
    before, _ = render_database(render, database_spec())
    after, _ = render_database(render, database_spec(restore={"id": "r1", "point_in_time": "2026-11-20T10:00:00Z"}))
    old, new = original(before), original(after)

    def options(r):
        return r.urn, r.protect, r.retain_on_delete, r.ignore_changes, sorted(r.dependencies)

    assert new.inputs == old.inputs and options(new) == options(old)
    shared = [
        ("aws:rds/parameterGroup:ParameterGroup", None),
        ("aws:rds/subnetGroup:SubnetGroup", None),
        (KEY, "acme-db-key"),
        (KEY, "acme-logs-key"),
    ]
    for type_, name in shared:
        assert after.one(type_, name).inputs == before.one(type_, name).inputs
        assert after.one(type_, name).urn == before.one(type_, name).urn


@pytest.mark.parametrize("fields", [{}, MYSQL])
def test_restored_instance_shares_key_network_backups_and_protection(render, fields):
    plan, _ = render_database(render, database_spec(**fields, restore={"id": "r1", "point_in_time": "latest"}))
    base, copy = original(plan), restored(plan)
    same = (
        "kmsKeyId",
        "storageEncrypted",
        "masterUserSecretKmsKeyId",
        "manageMasterUserPassword",
        "dbSubnetGroupName",
        "vpcSecurityGroupIds",
        "parameterGroupName",
        "port",
        "multiAz",
        "backupRetentionPeriod",
        "backupWindow",
        "maintenanceWindow",
        "copyTagsToSnapshot",
        "deletionProtection",
        "skipFinalSnapshot",
        "deleteAutomatedBackups",
        "publiclyAccessible",
        "enabledCloudwatchLogsExports",
        "caCertIdentifier",
        "performanceInsightsEnabled",
        "maxAllocatedStorage",
        "storageType",
        "engine",
        "engineVersion",
        "engineLifecycleSupport",
        "instanceClass",
    )
    assert {k: copy.inputs.get(k) for k in same} == {k: base.inputs.get(k) for k in same}
    assert copy.inputs["finalSnapshotIdentifier"] == f"{RESTORED}-final"
    # The copy inherits these from the source; asking for them could fail or force a replace.
    assert not {"dbName", "username", "allocatedStorage", "password"} & set(copy.inputs)
    assert copy.protect and copy.retain_on_delete
    assert copy.ignore_changes == base.ignore_changes
    logs = {g.inputs["name"] for g in plan.of_type("aws:cloudwatch/logGroup:LogGroup")}
    exported = copy.inputs["enabledCloudwatchLogsExports"]
    assert {f"/aws/rds/instance/{RESTORED}/{log}" for log in exported} <= logs


def test_restored_instance_follows_protect_opt_out(render):
    plan, _ = render_database(render, database_spec(protect=False, restore={"id": "r1", "point_in_time": "latest"}))
    copy = restored(plan)
    assert not copy.protect and not copy.retain_on_delete
    assert not any(g.retain_on_delete for g in plan.of_type("aws:cloudwatch/logGroup:LogGroup"))


def test_a_database_used_alone_encrypts_its_logs_with_a_log_key_of_its_own(postgres):
    plan, _ = postgres
    key = plan.one(KEY, "acme-logs-key")
    assert "crane:index:LogKey" in key.parent and key.protect
    groups = plan.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert groups and {g.inputs["kmsKeyId"] for g in groups} == {key.outputs["arn"]}
