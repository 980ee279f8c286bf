"""`crane cost` prices every example stack from its rendered plan, every line with its source."""

import subprocess
import sys
from pathlib import Path

import pytest

from crane_it.facts.prices import PRICES, RDS_HOUR, priced_region
from crane_it.review import plan_json
from crane_it.review.cost import USAGE, estimate
from crane_it.review.render import render_stack

STACKS = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "stacks").glob("*.yaml"))

ROOT = Path(__file__).resolve().parents[2]
CRANE = str(Path(sys.executable).with_name("crane"))


@pytest.fixture(scope="module")
def estimates():
    return {stack: estimate(plan_json.document(render_stack(stack))) for stack in STACKS}


def test_every_line_has_a_source_and_a_positive_amount(estimates):
    for stack, result in estimates.items():
        assert result.lines, stack
        for line in result.lines:
            assert line.price.source and line.monthly > 0, f"{stack}: {line.item}"
            assert line.assumption in ("", "*_log_gb_month") or line.assumption in USAGE, line.assumption


def test_the_example_client_is_about_125_usd_with_35_for_one_nat_gateway(estimates):
    example = estimates["example"]
    nat = [line for line in example.lines if line.item == "NAT gateway hours"]
    assert [round(line.monthly, 2) for line in nat] == [35.04], "one NAT gateway, 730 h × 0.048 USD in eu-west-1"
    assert 110 < example.total < 140, example.total


def test_acme_in_eu_central_1_is_priced_as_eu_west_1_with_a_warning(estimates):
    acme = estimates["acme"]
    assert (acme.region, acme.priced_as) == ("eu-central-1", "eu-west-1")
    assert any("eu-central-1 is not in the price table" in w for w in acme.warnings)
    nat = next(line for line in acme.lines if line.item == "NAT gateway hours")
    assert nat.quantity == 3 * 730, "one NAT gateway per AZ"
    rds = next(line for line in acme.lines if line.item.startswith("RDS db.t4g.small"))
    assert rds.quantity == 2 * 730, "Multi-AZ bills the standby too"
    arm = next(line for line in acme.lines if line.item == "Fargate vCPU (arm64)")
    assert arm.quantity == 3 * 0.5 * 730


def test_brochure_without_data_or_nat_has_no_database_backup_or_nat_line(estimates):
    items = {line.item for line in estimates["brochure"].lines}
    assert not {i for i in items if i.startswith(("RDS", "NAT", "AWS Backup", "KMS"))} - {"KMS customer-managed keys"}


def test_price_table_covers_both_regions_and_maps_the_rest():
    assert PRICES["us-east-1"].keys() == PRICES["eu-west-1"].keys()
    assert RDS_HOUR["us-east-1"].keys() == RDS_HOUR["eu-west-1"].keys()
    assert priced_region("eu-north-1") == "eu-west-1" and priced_region("ap-south-1") == "us-east-1"


def test_cost_command_prints_each_line_with_its_source_on_the_three_stacks():
    for stack in STACKS:
        done = subprocess.run([CRANE, "cost", stack], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        prices = [ln for ln in done.stdout.splitlines() if " USD  " in ln and "total" not in ln]
        sources = [ln for ln in done.stdout.splitlines() if ln.strip().startswith("source: ")]
        assert prices and len(prices) == len(sources), stack
        assert "total a month" in done.stdout


def test_cost_refuses_an_unknown_assumption():
    done = subprocess.run([CRANE, "cost", "example", "--assume", "bogus=1"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "unknown assumption 'bogus'" in done.stderr


def test_the_postgres_upgrade_log_is_not_priced_and_said_so(estimates):
    bakery = estimates["bakery"]  # postgres: exports `postgresql` and `upgrade`
    (ingest,) = [line for line in bakery.lines if line.item == "CloudWatch Logs ingestion (database_log)"]
    assert ingest.quantity == USAGE["database_log_gb_month"].value  # one steadily written group
    assert any("/upgrade, written only while a major version upgrade runs" in w for w in bakery.warnings)


def test_kms_rotations_are_told_as_the_cost_from_the_third_year(estimates):
    (keys,) = [line for line in estimates["example"].lines if line.item == "KMS customer-managed keys"]
    later = [w for w in estimates["example"].warnings if w.startswith("KMS bills")]
    assert later == [
        f"KMS bills each of a key's first two yearly rotations as one more key-month: from the third year "
        f"the {keys.quantity} rotating key(s) add {2 * keys.monthly:.2f} USD a month to this total"
    ]
