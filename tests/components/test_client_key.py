"""`keys: per_client`: one customer key encrypts everything a client keeps, and it costs 4 keys less.

bakery (stacks/bakery.yaml) is the per_client client; example is the default per_purpose one.
Switching an existing client is refused by protection: the database and the vault would be
replaced, which `crane diff` reports as data at risk.
"""

import json
from pathlib import Path

import fakes
import pytest
import yaml

from crane_it import Alarms, Backup, Bucket, ClientKey
from crane_it.core.component import Protection
from crane_it.policy import violations
from crane_it.review import plan_diff, plan_json
from crane_it.review.cost import estimate
from crane_it.review.render import render_stack
from crane_it.spec import AlertsSpec, BackupSpec, BucketSpec
from crane_it.testing import render

ROOT = Path(__file__).resolve().parents[2]
KEY = "aws:kms/key:Key"


def key_arns(value):
    """Every KMS key ARN anywhere in an input value (strings, JSON documents, lists, maps)."""
    if isinstance(value, str):
        if value.startswith("{"):  # a policy or other JSON document
            yield from key_arns(json.loads(value))
        elif ":kms:" in value and ":key/" in value:
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from key_arns(item)
    elif isinstance(value, list):
        for item in value:
            yield from key_arns(item)


def with_keys(tmp_path: Path, stack: str, keys: str, **changes) -> Path:
    spec = yaml.safe_load((ROOT / "stacks" / f"{stack}.yaml").read_text())
    spec["keys"] = keys
    spec.update(changes)
    path = tmp_path / f"{stack}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def bakery():
    return render_stack("bakery")


def test_one_key_and_every_encrypted_input_names_it(bakery):
    (key,) = bakery.of_type(KEY)
    arn = key.outputs["arn"]
    named = {
        (reg.type, reg.name): arns
        for reg in bakery
        if reg.custom and reg.type != KEY and (arns := set(key_arns(reg.inputs)))
    }
    assert all(arns == {arn} for arns in named.values()), named
    db = bakery.one("aws:rds/instance:Instance")
    assert {db.inputs[k] for k in ("kmsKeyId", "performanceInsightsKmsKeyId", "masterUserSecretKmsKeyId")} == {arn}
    assert bakery.one("aws:backup/vault:Vault").inputs["kmsKeyArn"] == arn
    assert bakery.one("aws:sns/topic:Topic").inputs["kmsMasterKeyId"] == arn
    groups = bakery.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert groups and all(group.inputs["kmsKeyId"] == arn for group in groups)
    (encryption,) = bakery.of_type(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    assert encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == arn
    # The backup role may use it through S3 (S3 backups silently skip objects it cannot decrypt).
    grant = json.loads(bakery.one("aws:iam/rolePolicy:RolePolicy", "bakery-backup-bucket-key").inputs["policy"])
    assert grant["Statement"][0]["Resource"] == arn


def test_the_key_is_protected_retained_rotated_and_admits_logs_and_alert_publishers(bakery):
    key = bakery.one(KEY, "bakery-key")
    assert key.protect and key.retain_on_delete
    assert key.inputs["enableKeyRotation"] is True and key.inputs["deletionWindowInDays"] == 30
    statements = {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}
    assert set(statements) == {
        "AccountAdministers",
        "CloudWatchLogsEncryptsThisAccountsGroups",
        "AlarmsAndEventsEncryptMessages",
    }
    logs = statements["CloudWatchLogsEncryptsThisAccountsGroups"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"].startswith("arn:aws:logs:eu-west-1:")
    publishers = statements["AlarmsAndEventsEncryptMessages"]
    assert publishers["Principal"] == {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]}
    assert bakery.one("aws:kms/alias:Alias").inputs == {"name": "alias/bakery", "targetKeyId": key.outputs["keyId"]}
    # Created before anything encrypts with it: its policy must admit CloudWatch Logs first.
    for group in bakery.of_type("aws:cloudwatch/logGroup:LogGroup"):
        assert key.urn in group.dependencies
    assert violations(bakery) == []


def test_per_client_saves_four_keys_and_per_purpose_stays_the_default(tmp_path, bakery):
    purpose = render_stack("bakery", spec=with_keys(tmp_path, "bakery", "per_purpose"))
    assert sorted(k.name for k in purpose.of_type(KEY)) == [
        "bakery-alerts-key",
        "bakery-backup-key",
        "bakery-db-key",
        "bakery-files-key",
        "bakery-logs-key",
    ]
    assert [k.name for k in render_stack("example").of_type(KEY)] != ["example-key"]  # the default

    def kms(plan):
        (line,) = [line for line in estimate(plan_json.document(plan)).lines if line.item.startswith("KMS")]
        return line.quantity, line.monthly

    assert kms(purpose) == (5, 5.0) and kms(bakery) == (1, 1.0)


def test_a_copy_region_keeps_its_own_key(tmp_path):
    plan = render_stack(
        "bakery", spec=with_keys(tmp_path, "bakery", "per_client", backup={"copy_to_region": "eu-central-1"})
    )
    keys = {k.name: k for k in plan.of_type(KEY)}
    assert sorted(keys) == ["bakery-backup-copy-key", "bakery-key"]
    assert keys["bakery-backup-copy-key"].inputs["region"] == "eu-central-1"


def test_switching_an_existing_client_is_data_at_risk(tmp_path):
    # RDS cannot re-key an instance and AWS Backup cannot re-key a vault: both would be
    # replaced. Their protection refuses the `pulumi up`; `crane diff` says why beforehand.
    base = plan_json.document(render_stack("example"))
    head = plan_json.document(render_stack("example", spec=with_keys(tmp_path, "example", "per_client")))
    changes = {c.urn.rsplit("::", 1)[-1]: c for c in plan_diff.diff(base, head)}
    assert changes["example-db"].action == "replace" and "kmsKeyId" in changes["example-db"].replaced_by
    assert changes["example-backup-vault"].action == "replace"
    assert {"example-db", "example-backup-vault"} <= {
        u.rsplit("::", 1)[-1] for u in plan_diff.at_risk(changes.values())
    }


def test_components_used_alone_encrypt_with_a_key_they_are_given():

    def program():
        key = ClientKey("tool")
        protection = Protection(key=key)
        bucket = Bucket("tool", BucketSpec(), protection=protection)
        Backup("tool", BackupSpec(), bucket=bucket, database=None, tags={}, protection=protection)
        Alarms("tool", AlertsSpec(), fakes.service("c", "s", "app/lb/1", "targetgroup/tg/2"), protection=protection)

    plan = render(program)
    (key,) = plan.of_type(KEY)
    assert key.name == "tool-key"
    assert plan.one("aws:backup/vault:Vault").inputs["kmsKeyArn"] == key.outputs["arn"]
    assert plan.one("aws:sns/topic:Topic").inputs["kmsMasterKeyId"] == key.outputs["arn"]
    assert [a.name for a in plan.of_type("aws:kms/alias:Alias")] == ["tool-key-alias"]


def test_retiring_a_per_client_client_unprotects_its_key_and_keeps_it(tmp_path):
    plan = render_stack("bakery", spec=with_keys(tmp_path, "bakery", "per_client", retire=True))
    key = plan.one(KEY, "bakery-key")
    assert not key.protect and key.retain_on_delete
    assert violations(plan) == []
