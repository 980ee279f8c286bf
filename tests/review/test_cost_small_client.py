"""A small client on a platform, written as a user would, costs what its defaults decide, with every data resource protected."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crane_it.facts.schedules import runs_per_month
from crane_it.policy import violations
from crane_it.review import plan_json
from crane_it.review.cost import estimate
from crane_it.review.render import render_stack

ROOT = Path(__file__).resolve().parents[2]
CRANE = str(Path(sys.executable).with_name("crane"))

# What a user writes for a new small client on the agency platform: no opt-ins, no sizes.
NO_OPT_INS = """\
client: shop
region: eu-west-1
platform: agency
service:
  image: public.ecr.aws/nginx/nginx:1.27
  domain: shop.apps.agency.example
database: {}
bucket: {}
alerts:
  emails: [ops@shop.example]
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    path = tmp_path_factory.mktemp("shop") / "shop.yaml"
    path.write_text(NO_OPT_INS)
    plan = render_stack("shop", spec=path, project=ROOT)
    return plan, estimate(plan_json.document(plan))


def _line(result, prefix):
    return sum(line.monthly for line in result.lines if line.item.startswith(prefix))


def test_a_platform_client_with_no_opt_ins_gets_the_small_client_defaults(shop):
    plan, result = shop
    assert len(plan.of_type("aws:kms/key:Key")) == 1, "one customer key on a platform"
    assert not plan.of_type("aws:cloudwatch/dashboard:Dashboard"), "no dashboard on a platform"
    assert plan.one("aws:ecs/service:Service").inputs["desiredCount"] == 1
    tests = plan.one("aws:backup/restoreTestingPlan:RestoreTestingPlan").inputs["scheduleExpression"]
    assert tests == "cron(0 5 1 1,4,7,10 ? *)"
    assert round(_line(result, "AWS Backup restore tests"), 2) == 1.00, "2 resources × 1.50 USD, 4 runs a year"
    assert round(_line(result, "KMS"), 2) == 1.00
    assert not [line for line in result.lines if line.item == "dashboards"]


def test_a_platform_client_with_no_opt_ins_costs_about_34_usd_of_its_own(shop):
    # 12.41 instance + 2.54 storage + 0.95 backups + 0.40 secret, 9.01 Fargate (one x86 task),
    # 3.29 logs, 1.30 alarms, 1.66 bucket and its backups, 1.00 key, 1.03 restore tests.
    _, result = shop
    assert result.total == 33.60, result.total
    assert round(_line(result, "RDS") + _line(result, "Secrets"), 2) == 16.30
    assert round(_line(result, "Fargate"), 2) == 9.01


@pytest.mark.xfail(
    strict=True,
    reason="issue 23's target is not reached: 33.60 USD with every data guard kept and x86_64 tasks "
    "(arm64 saves 1.80; the rest is the database floor, 16.30, and the assumed 5 GB of app logs, 2.85)",
)
def test_a_platform_client_with_no_opt_ins_costs_at_most_30_usd_of_its_own(shop):
    _, result = shop
    assert result.total <= 30.00, result.total


def test_the_cheaper_defaults_leave_every_data_resource_protected(shop):
    plan, _ = shop
    assert violations(plan) == []
    db = plan.one("aws:rds/instance:Instance")
    assert db.inputs["deletionProtection"] is True and not db.inputs.get("skipFinalSnapshot")
    assert db.inputs["finalSnapshotIdentifier"] and db.protect and db.inputs["storageEncrypted"]
    bucket = plan.one("aws:s3/bucket:Bucket")
    assert bucket.protect and bucket.retain_on_delete and not bucket.inputs.get("forceDestroy")
    vault = plan.one("aws:backup/vault:Vault")
    assert vault.protect and vault.retain_on_delete
    lock = plan.one("aws:backup/vaultLockConfiguration:VaultLockConfiguration")
    assert lock.inputs["minRetentionDays"] >= 1
    (key,) = plan.of_type("aws:kms/key:Key")
    assert key.protect and key.retain_on_delete and key.inputs["enableKeyRotation"]
    rules = plan.one("aws:backup/plan:Plan").inputs["rules"]
    assert any(rule.get("enableContinuousBackup") for rule in rules), "point-in-time recovery"
    assert {r["lifecycle"]["deleteAfter"] for r in rules} >= {35}


def test_a_platform_client_that_names_its_choices_keeps_them(tmp_path):
    path = tmp_path / "shop.yaml"
    path.write_text(
        NO_OPT_INS.replace("platform: agency\n", "platform: agency\nkeys: per_purpose\n")
        .replace("  domain:", "  desired_count: 2\n  domain:")
        .replace(
            "alerts:\n", "backup:\n  restore_testing: {schedule: cron(0 5 ? * SUN *)}\nalerts:\n  dashboard: true\n"
        )
    )
    plan = render_stack("shop", spec=path, project=ROOT)
    assert len(plan.of_type("aws:kms/key:Key")) == 5
    assert plan.of_type("aws:cloudwatch/dashboard:Dashboard")
    assert plan.one("aws:ecs/service:Service").inputs["desiredCount"] == 2
    weekly = estimate(plan_json.document(plan))
    assert round(_line(weekly, "AWS Backup restore tests"), 2) == 13.04, "2 resources × 1.50 × 730/168 runs"


@pytest.mark.parametrize(
    ("schedule", "runs"),
    [
        ("cron(0 5 ? * SUN *)", 730 / 168),
        ("rate(7 days)", 730 / 168),
        ("cron(0 5 1 * ? *)", 1),
        ("cron(0 5 ? * SUN#1 *)", 1),
        ("cron(0 5 1 1,4,7,10 ? *)", 1 / 3),
        ("cron(0 5 ? * MON-FRI *)", 5 * 730 / 24 / 7),
        ("cron(0/30 * * * ? *)", 2 * 730),
        ("rate(12 hours)", 730 / 12),
    ],
)
def test_restore_test_runs_a_month_are_counted_from_the_schedule(schedule, runs):
    assert runs_per_month(schedule) == pytest.approx(runs)


@pytest.mark.parametrize("schedule", ["cron(0 5 L * ? *)", "cron(0 5 ? * 6L *)", "cron(0 5 1 * ? 2027)", "weekly"])
def test_a_schedule_the_count_does_not_know_is_not_guessed(schedule):
    assert runs_per_month(schedule) is None


def test_cost_all_shows_every_client_its_own_cost_its_share_and_each_platform_total():
    text = subprocess.run([CRANE, "cost", "--all"], cwd=ROOT, capture_output=True, text=True)
    assert text.returncode == 0, text.stderr
    done = subprocess.run([CRANE, "cost", "--all", "--json"], cwd=ROOT, capture_output=True, text=True)
    report = json.loads(done.stdout)
    (agency,) = report["platforms"]
    assert [c["stack"] for c in agency["clients"]] == ["bakery", "florist"]
    for client in agency["clients"]:
        own = estimate(plan_json.document(render_stack(client["stack"], project=ROOT))).total
        assert client["own_usd"] == own and client["share_usd"] == agency["per_client_usd"]
        assert f"  {client['stack']:<8}  {own:8.2f}  {agency['per_client_usd']:8.2f}" in text.stdout
    assert agency["total_usd"] == round(agency["platform_total_usd"] + sum(c["own_usd"] for c in agency["clients"]), 2)
    assert {c["stack"] for c in report["standalone"]} == {"acme", "brochure", "example", "shop"}
    assert f"platform agency total: {agency['total_usd']:.2f}" in text.stdout
    assert text.stdout.rstrip().endswith(f"fleet total: {report['total_usd']:.2f}")


def test_cost_needs_a_stack_or_all_but_not_both():
    for args in ([], ["bakery", "--all"]):
        done = subprocess.run([CRANE, "cost", *args], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 2 and "name one STACK, or --all" in done.stderr
