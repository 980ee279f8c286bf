"""The Backup component under Pulumi mocks, with small fakes for the bucket and database."""

import itertools
import json

import fakes
import pulumi
import pytest
from pydantic import ValidationError

from crane_it.core.contracts import BucketTarget, DatabaseTarget
from crane_it.core.provider import aws_provider
from crane_it.data.backup import START_WINDOW_MINUTES, Backup, copy_retentions, vault_retentions
from crane_it.data.restore_testing import api_name
from crane_it.spec import BackupSpec
from crane_it.testing import ACCOUNT_ID

TAGS = {"client": "acme", "stack": "prod", "managed-by": "crane-it"}
BUCKET_ARN = "arn:aws:s3:::acme-files"
BUCKET_KEY_ARN = f"arn:aws:kms:eu-west-1:{ACCOUNT_ID}:key/acme-bucket"
DB_ARN = f"arn:aws:rds:eu-west-1:{ACCOUNT_ID}:db:acme-db"
RESTORED_DB_ARN = f"arn:aws:rds:eu-west-1:{ACCOUNT_ID}:db:acme-db-20261120100000"

VAULT = "aws:backup/vault:Vault"
KEY = "aws:kms/key:Key"
LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
PLAN = "aws:backup/plan:Plan"
SELECTION = "aws:backup/selection:Selection"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TEST_PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan"
TEST_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"
PROVIDER = "pulumi:providers:aws"


def fake_bucket(with_key: bool = True) -> BucketTarget:
    """What Backup reads from a Bucket: its ARN and its KMS key (or None)."""
    return fakes.bucket(BUCKET_ARN, BUCKET_KEY_ARN if with_key else None)


def fake_database(restored: bool = False) -> DatabaseTarget:
    """What Backup reads from a Database: instance ARNs, subnet group, security group."""
    return fakes.database_target([DB_ARN, RESTORED_DB_ARN] if restored else [DB_ARN], "acme-db-subnets", "sg-0db")


@pytest.fixture
def backup(render):
    """Render a Backup for ``spec`` (a dict or BackupSpec) with the chosen data parts."""

    def _backup(spec=None, *, bucket=True, bucket_key=True, database=True, restored=False):
        spec = spec if isinstance(spec, BackupSpec) else BackupSpec.model_validate(spec or {})

        def program():
            provider = aws_provider("acme-aws", "eu-west-1", TAGS)
            Backup(
                "acme",
                spec,
                bucket=fake_bucket(bucket_key) if bucket else None,
                database=fake_database(restored) if database else None,
                tags=TAGS,
                opts=pulumi.ResourceOptions(providers=[provider]),
            )

        return render(program)

    return _backup


def rules_by_name(plan) -> dict:
    return {rule["ruleName"]: rule for rule in plan.one(PLAN).inputs["rules"]}


# --- vault and key ---------------------------------------------------------------------------


def test_vault_is_encrypted_with_its_own_rotating_key_and_never_force_destroyed(backup):
    plan = backup()
    vault, key = plan.one(VAULT, "acme-backup-vault"), plan.one(KEY, "acme-backup-key")
    assert vault.inputs["kmsKeyArn"] == key.outputs["arn"]
    assert vault.inputs["forceDestroy"] is False
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30


def test_vault_and_key_are_protected_and_retained_on_delete(backup):
    plan = backup()
    for resource in (plan.one(VAULT), plan.one(KEY)):
        assert resource.protect and resource.retain_on_delete, f"{resource.urn} can be deleted by pulumi"


def test_protect_false_lets_pulumi_delete_vault_and_key_but_never_force_destroys(backup):
    plan = backup({"protect": False})
    for resource in (plan.one(VAULT), plan.one(KEY)):
        assert not resource.protect and not resource.retain_on_delete
    assert plan.one(VAULT).inputs["forceDestroy"] is False


def test_component_has_stable_type_and_children_are_parented(backup):
    plan = backup()
    component = plan.one("crane:index:Backup")
    assert component.name == "acme"
    for type_ in (VAULT, KEY, LOCK, PLAN, SELECTION, "aws:iam/role:Role", TEST_PLAN):
        assert all(r.parent == component.urn for r in plan.of_type(type_)), type_


def test_backup_without_bucket_or_database_is_refused(render):
    def program():
        Backup("acme", BackupSpec(), bucket=None, database=None, tags=TAGS)

    with pytest.raises(Exception, match="bucket or a database"):
        render(program)


# --- vault lock ------------------------------------------------------------------------------


def test_governance_lock_is_default_and_has_no_changeable_days(backup):
    lock = backup().one(LOCK, "acme-backup-lock")
    assert "changeableForDays" not in lock.inputs
    # Wide bounds of its own, admitting every rule the spec allows.
    assert (lock.inputs["minRetentionDays"], lock.inputs["maxRetentionDays"]) == (1, 36500)
    assert lock.delete_before_replace


def test_compliance_lock_sets_grace_days(backup):
    lock = backup({"vault_lock": "compliance", "compliance_grace_days": 7}).one(LOCK)
    assert lock.inputs["changeableForDays"] == 7


def test_no_lock_when_vault_lock_none(backup):
    assert backup({"vault_lock": "none"}).of_type(LOCK) == []


@pytest.mark.parametrize("vault_lock", ["governance", "compliance"])
def test_retention_changes_inside_the_bounds_never_touch_a_lock_input(backup, vault_lock):
    """Every lock argument is replace-only: a changed input would delete and recreate the lock."""
    lock_inputs = []
    for retentions in (
        {"point_in_time_days": 35, "daily_retention_days": 35},
        {"point_in_time_days": 7, "daily_retention_days": 14, "monthly_retention_days": 365},
        {"point_in_time_days": 1, "daily_retention_days": 50, "monthly_retention_days": 120},
    ):
        plan = backup({**retentions, "vault_lock": vault_lock, "copy_to_region": "eu-central-1"})
        lock_inputs.append([plan.one(LOCK, name).inputs for name in ("acme-backup-lock", "acme-backup-copy-lock")])
    assert lock_inputs[0] == lock_inputs[1] == lock_inputs[2]


def test_lock_bounds_are_their_own_fields(backup):
    spec = {"lock_min_retention_days": 7, "lock_max_retention_days": 400, "point_in_time_days": 7}
    lock = backup(spec).one(LOCK, "acme-backup-lock")
    assert (lock.inputs["minRetentionDays"], lock.inputs["maxRetentionDays"]) == (7, 400)


@pytest.mark.parametrize("vault_lock", ["governance", "compliance"])
@pytest.mark.parametrize(
    "fields,field",
    [
        ({"lock_min_retention_days": 14, "point_in_time_days": 7}, "point_in_time_days"),
        ({"lock_max_retention_days": 200, "monthly_retention_days": 365}, "monthly_retention_days"),
        ({"lock_min_retention_days": 40}, "point_in_time_days"),
    ],
)
def test_rules_outside_the_lock_bounds_are_refused_naming_the_rule(vault_lock, fields, field):
    with pytest.raises(ValidationError) as raised:
        BackupSpec.model_validate({"vault_lock": vault_lock, **fields})
    assert raised.value.errors()[0]["loc"] == (field,)
    assert "outside the vault lock's bounds" in str(raised.value)


def test_lock_bounds_need_a_lock_and_an_order():
    with pytest.raises(ValidationError, match="only applies with a vault_lock"):
        BackupSpec(vault_lock="none", lock_min_retention_days=7)
    with pytest.raises(ValidationError, match="lock_min_retention_days=400 is greater than"):
        BackupSpec(lock_min_retention_days=400, lock_max_retention_days=300)


def test_the_plan_waits_for_the_locks(backup):
    plan = backup({"copy_to_region": "eu-central-1"})
    dependencies = plan.one(PLAN).dependencies
    assert plan.one(LOCK, "acme-backup-lock").urn in dependencies
    assert plan.one(LOCK, "acme-backup-copy-lock").urn in dependencies


def test_daily_retention_is_capped_by_the_rds_snapshot_quota():
    """100 manual snapshots per region; two instances are backed up during a reset."""
    BackupSpec(daily_retention_days=50)
    with pytest.raises(ValidationError, match="less than or equal to 50"):
        BackupSpec(daily_retention_days=51)
    description = BackupSpec.model_fields["daily_retention_days"].description or ""
    assert "quota of 100 manual snapshots" in description and "two instances" in description


def test_lock_bracket_helpers_follow_the_rules():
    spec = BackupSpec(point_in_time_days=14, daily_retention_days=30, monthly_retention_days=400)
    assert vault_retentions(spec) == [14, 30, 400]
    assert copy_retentions(spec) == [30, 400]
    assert vault_retentions(BackupSpec(daily_retention_days=3)) == [35, 3]


def test_lock_docstring_warns_compliance_is_irreversible():
    assert "IRREVERSIBLE" in Backup._lock.__doc__


# --- plan rules ------------------------------------------------------------------------------


def test_continuous_rule_keeps_point_in_time_window_without_cold_storage_or_copies(backup):
    rule = rules_by_name(backup({"point_in_time_days": 14, "copy_to_region": "eu-central-1"}))["continuous"]
    assert rule["enableContinuousBackup"] is True
    assert rule["lifecycle"] == {"deleteAfter": 14}
    assert "copyActions" not in rule


def test_daily_snapshot_rule_keeps_daily_retention(backup):
    rule = rules_by_name(backup({"daily_retention_days": 45}))["daily"]
    assert rule.get("enableContinuousBackup") in (None, False)
    assert rule["lifecycle"] == {"deleteAfter": 45}


def test_rules_write_to_our_vault_on_utc_schedules_with_windows(backup):
    plan = backup({"monthly_retention_days": 365})
    vault_name = plan.one(VAULT).outputs["name"]
    rules = rules_by_name(plan)
    assert set(rules) == {"continuous", "daily", "monthly"}
    for rule in rules.values():
        assert rule["targetVaultName"] == vault_name
        assert rule["schedule"].startswith("cron(")
        assert rule["scheduleExpressionTimezone"] == "Etc/UTC"
        assert 60 <= rule["startWindow"] < rule["completionWindow"]
        assert rule["recoveryPointTags"] == TAGS
    hours = sorted(int(rule["schedule"].split()[1]) for rule in rules.values())
    gaps = [later - earlier for earlier, later in itertools.pairwise(hours)]
    assert all(gap * 60 >= START_WINDOW_MINUTES for gap in gaps), f"start windows overlap: {hours}"


def test_monthly_rule_only_when_set_and_then_with_cold_storage(backup):
    assert "monthly" not in rules_by_name(backup())
    rule = rules_by_name(backup({"monthly_retention_days": 365}))["monthly"]
    assert rule["lifecycle"] == {
        "coldStorageAfter": 30,
        "deleteAfter": 365,
        "optInToArchiveForSupportedResources": True,
    }


def test_no_copy_actions_without_copy_region(backup):
    plan = backup({"monthly_retention_days": 365})
    assert all("copyActions" not in rule for rule in rules_by_name(plan).values())
    assert [p.name for p in plan.of_type(PROVIDER)] == ["acme-aws"]


def test_copy_region_gets_its_own_provider_key_and_protected_vault(backup):
    plan = backup({"copy_to_region": "eu-central-1"})
    provider = plan.one(PROVIDER, "acme-backup-copy")
    assert provider.inputs["region"] == "eu-central-1"
    assert provider.parent == plan.one("crane:index:Backup").urn
    assert json.loads(provider.inputs["defaultTags"])["tags"] == TAGS
    vault, key = plan.one(VAULT, "acme-backup-copy-vault"), plan.one(KEY, "acme-backup-copy-key")
    for resource in (vault, key):
        assert resource.provider.startswith(provider.urn + "::"), f"{resource.urn} is not in the copy region"
        assert resource.protect and resource.retain_on_delete
    assert vault.inputs["kmsKeyArn"] == key.outputs["arn"]
    assert ":eu-central-1:" in key.outputs["arn"]
    assert vault.inputs["forceDestroy"] is False
    assert plan.one(VAULT, "acme-backup-vault").provider.startswith(plan.one(PROVIDER, "acme-aws").urn)


def test_snapshot_rules_copy_to_the_copy_region_vault_with_same_lifecycle(backup):
    plan = backup({"copy_to_region": "eu-central-1", "monthly_retention_days": 365})
    copy_vault_arn = plan.one(VAULT, "acme-backup-copy-vault").outputs["arn"]
    assert ":eu-central-1:" in copy_vault_arn
    rules = rules_by_name(plan)
    for rule_name in ("daily", "monthly"):
        (action,) = rules[rule_name]["copyActions"]
        assert action["destinationVaultArn"] == copy_vault_arn
        assert action["lifecycle"] == rules[rule_name]["lifecycle"]


def test_copy_vault_gets_the_same_lock_mode_and_bounds(backup):
    plan = backup({"copy_to_region": "eu-central-1", "monthly_retention_days": 365, "vault_lock": "compliance"})
    lock = plan.one(LOCK, "acme-backup-copy-lock")
    assert (lock.inputs["minRetentionDays"], lock.inputs["maxRetentionDays"]) == (1, 36500)
    assert lock.inputs["changeableForDays"] == 3
    assert lock.provider.startswith(plan.one(PROVIDER, "acme-backup-copy").urn)


# --- selection and role ----------------------------------------------------------------------


def test_selection_names_exactly_the_bucket_and_database_arns(backup):
    selection = backup(restored=True).one(SELECTION)
    assert selection.inputs["resources"] == [BUCKET_ARN, DB_ARN, RESTORED_DB_ARN]
    assert "selectionTags" not in selection.inputs and "conditions" not in selection.inputs


def test_selection_has_only_the_bucket_without_database(backup):
    assert backup(database=False).one(SELECTION).inputs["resources"] == [BUCKET_ARN]


def test_selection_has_only_the_database_without_bucket(backup):
    assert backup(bucket=False).one(SELECTION).inputs["resources"] == [DB_ARN]


def test_selection_uses_the_plan_and_the_backup_role(backup):
    plan = backup()
    selection = plan.one(SELECTION)
    assert plan.one(PLAN).urn in selection.dependencies
    assert selection.inputs["planId"] == plan.one(PLAN).id
    assert selection.inputs["iamRoleArn"] == plan.one("aws:iam/role:Role").outputs["arn"]


def test_role_is_assumable_only_by_aws_backup(backup):
    role = backup().one("aws:iam/role:Role", "acme-backup-role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert statement == {
        "Effect": "Allow",
        "Principal": {"Service": "backup.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }


def test_role_carries_backup_restore_and_s3_managed_policies(backup):
    plan = backup()
    role_name = plan.one("aws:iam/role:Role").outputs["name"]
    attachments = plan.of_type(ATTACHMENT)
    assert all(a.inputs["role"] == role_name for a in attachments)
    assert {a.inputs["policyArn"] for a in attachments} == {
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
        "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
        "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
    }


def test_role_has_no_s3_policies_without_a_bucket(backup):
    arns = {a.inputs["policyArn"] for a in backup(bucket=False).of_type(ATTACHMENT)}
    assert not any("S3" in arn for arn in arns)
    assert len(arns) == 2


def test_role_may_use_the_bucket_key_only_through_s3(backup):
    policy = json.loads(backup().one(ROLE_POLICY, "acme-backup-bucket-key").inputs["policy"])
    (statement,) = policy["Statement"]
    assert statement["Resource"] == BUCKET_KEY_ARN
    assert set(statement["Action"]) == {"kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"}
    assert statement["Condition"] == {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}


def test_no_bucket_key_grant_without_a_bucket_key(backup):
    assert backup(bucket_key=False).of_type(ROLE_POLICY) == []
    assert backup(bucket=False).of_type(ROLE_POLICY) == []


# --- restore testing -------------------------------------------------------------------------


def test_restore_testing_plan_tests_the_latest_points_of_our_vault(backup):
    plan = backup()
    test_plan = plan.one(TEST_PLAN, "acme-restore-tests")
    assert test_plan.inputs["name"] == "acme_restore_tests"
    assert test_plan.inputs["scheduleExpression"] == "cron(0 5 ? * SUN *)"
    assert test_plan.inputs["startWindowHours"] == 24
    assert test_plan.inputs["scheduleExpressionTimezone"] == "Etc/UTC"
    assert test_plan.delete_before_replace, "an explicit name needs delete-before-replace"
    selection = test_plan.inputs["recoveryPointSelection"]
    assert selection["algorithm"] == "LATEST_WITHIN_WINDOW"
    assert selection["includeVaults"] == [plan.one(VAULT).outputs["arn"]]
    assert sorted(selection["recoveryPointTypes"]) == ["CONTINUOUS", "SNAPSHOT"]
    assert 1 <= selection["selectionWindowDays"] <= 365


def test_restore_testing_settings_reach_plan_and_selections(backup):
    plan = backup({"restore_testing": {"schedule": "cron(0 6 ? * MON *)", "start_window_hours": 12, "retain_hours": 8}})
    test_plan = plan.one(TEST_PLAN)
    assert (test_plan.inputs["scheduleExpression"], test_plan.inputs["startWindowHours"]) == ("cron(0 6 ? * MON *)", 12)
    assert {s.inputs["validationWindowHours"] for s in plan.of_type(TEST_SELECTION)} == {8}


def test_rds_restore_test_names_our_instances_and_lands_in_our_subnets_and_security_group(backup):
    plan = backup(restored=True)
    rds = plan.one(TEST_SELECTION, "acme-restore-tests-rds")
    assert rds.inputs["protectedResourceType"] == "RDS"
    assert rds.inputs["protectedResourceArns"] == [DB_ARN, RESTORED_DB_ARN]
    assert rds.inputs["restoreTestingPlanName"] == "acme_restore_tests"
    assert rds.inputs["iamRoleArn"] == plan.one("aws:iam/role:Role").outputs["arn"]
    assert rds.inputs["validationWindowHours"] == 4
    overrides = rds.inputs["restoreMetadataOverrides"]
    assert overrides["dbSubnetGroupName"] == "acme-db-subnets"
    assert json.loads(overrides["vpcSecurityGroupIds"]) == ["sg-0db"]


def test_s3_restore_test_names_exactly_our_bucket(backup):
    s3 = backup().one(TEST_SELECTION, "acme-restore-tests-s3")
    assert s3.inputs["protectedResourceType"] == "S3"
    assert s3.inputs["protectedResourceArns"] == [BUCKET_ARN]


def test_restore_test_selections_follow_the_data_present(backup):
    assert {s.inputs["protectedResourceType"] for s in backup(database=False).of_type(TEST_SELECTION)} == {"S3"}
    assert {s.inputs["protectedResourceType"] for s in backup(bucket=False).of_type(TEST_SELECTION)} == {"RDS"}


def test_restore_testing_off_creates_no_plan_or_selections(backup):
    plan = backup({"restore_testing": False})
    assert plan.of_type(TEST_PLAN) == [] and plan.of_type(TEST_SELECTION) == []


def test_restore_testing_names_use_underscores_within_fifty_characters():
    assert api_name("my-shop", "restore_tests") == "my_shop_restore_tests"
    with pytest.raises(ValueError, match="50"):
        api_name("x" * 40, "restore_tests")


# --- spec refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"point_in_time_days": 90}, "point_in_time_days"),
        ({"point_in_time_days": 0}, "point_in_time_days"),
        ({"monthly_retention_days": 30}, "monthly_retention_days"),
        ({"vault_lock": "strict"}, "vault_lock"),
        ({"compliance_grace_days": 2, "vault_lock": "compliance"}, "compliance_grace_days"),
        ({"compliance_grace_days": 10}, "compliance_grace_days"),
        ({"restore_testing": {"start_window_hours": 0}}, "start_window_hours"),
        ({"restore_testing": {"start_window_hours": 200}}, "start_window_hours"),
        ({"restore_testing": {"retain_hours": 169}}, "retain_hours"),
        ({"copy_to_region": "mars-north-1"}, "copy_to_region"),
    ],
)
def test_spec_refuses_out_of_range_values_naming_the_field(data, field):
    with pytest.raises(ValidationError) as error:
        BackupSpec.model_validate(data)
    assert field in str(error.value)


def test_restore_test_selections_are_replaced_when_their_instances_change(backup):
    """The provider's update never sends protected_resource_arns (terraform-provider-aws #48316)."""
    before, after = backup(), backup(restored=True)
    old, new = (plan.one(TEST_SELECTION, "acme-restore-tests-rds") for plan in (before, after))
    assert old.inputs["protectedResourceArns"] == [DB_ARN]
    assert new.inputs["protectedResourceArns"] == [DB_ARN, RESTORED_DB_ARN]
    for selection in (*before.of_type(TEST_SELECTION), *after.of_type(TEST_SELECTION)):
        assert selection.replace_on_changes == ["protectedResourceArns"], selection.urn
        # Fixed names inside the plan: the old selection must go before the new one comes.
        assert selection.delete_before_replace, selection.urn


def test_backup_names_are_explicit_and_fit_aws_backups_50_characters_at_any_base(render):
    """Item 9: auto-names (`<base>-backup-copy-vault-<7 hex>`) pass 50 characters once the base
    exceeds 24; the strict engine refuses them, explicit short names pass at the longest base."""
    base = "acme-" + "x" * 31  # 36 characters, the longest base naming has allowed

    def program():
        provider = aws_provider(f"{base}-aws", "eu-central-1", TAGS)
        Backup(
            base,
            BackupSpec.model_validate({"copy_to_region": "eu-west-1", "monthly_retention_days": 365}),
            bucket=fake_bucket(),
            database=fake_database(),
            tags=TAGS,
            opts=pulumi.ResourceOptions(provider=provider),
        )

    plan = render(program)
    names = {reg.name: reg.inputs["name"] for reg in plan if reg.type in (VAULT, PLAN, SELECTION)}
    assert names == {
        f"{base}-backup-vault": f"{base}-backups",
        f"{base}-backup-copy-vault": f"{base}-backups-copy",
        f"{base}-backup-plan": f"{base}-backups",
        f"{base}-backup-selection": f"{base}-data",
    }
    # A stack deployed with the auto-names keeps them: the name is replace-only, and a
    # replaced vault would strand its recovery points.
    for reg in plan:
        if reg.type in (VAULT, PLAN, SELECTION):
            assert reg.ignore_changes == ["name"], reg.urn
