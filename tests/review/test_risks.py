"""Risk lines beyond data: each kind from a real render of the example client, changed in one place."""

import runpy
from pathlib import Path

import pytest

from crane_it import testing as offline
from crane_it.review import plan_json
from crane_it.review.plan_diff import diff
from crane_it.review.risks import (
    DATA,
    DOMAIN,
    DOWNTIME,
    ENGINE,
    KINDS,
    PROTECTION,
    REMOVED,
    exit_status,
    stack_risks,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "stacks" / "example.yaml").read_text()


def plan_of(tmp_path: Path, text: str, name: str) -> list[dict]:
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(text)
    plan = offline.render(
        lambda: runpy.run_path(str(ROOT / "__main__.py")), stack="example", config={"spec": str(spec)}
    )
    return plan_json.document(plan)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return plan_of(tmp_path_factory.mktemp("base"), EXAMPLE, "base")


def risks_of(tmp_path, base, old: str, new: str):
    assert old in EXAMPLE
    head = plan_of(tmp_path, EXAMPLE.replace(old, new, 1), "head")
    return stack_risks("example", diff(base, head), base, head)


def test_a_major_engine_upgrade_is_its_own_line(tmp_path, base):
    risks = risks_of(tmp_path, base, 'version: "16"', 'version: "17"')
    assert [r.kind for r in risks] == [ENGINE]
    assert risks[0].line.startswith("`example-db`: postgres 16 → 17 is a major engine upgrade: irreversible")
    assert "as soon as this deploys" in risks[0].line
    assert exit_status(risks) == 5 and exit_status(risks, {"allow-engine-upgrade"}) == 0


def test_a_minor_version_pin_is_no_risk(tmp_path, base):
    assert risks_of(tmp_path, base, 'version: "16"', 'version: "16.4"') == []


def test_maintenance_mode_is_downtime(tmp_path, base):
    risks = risks_of(tmp_path, base, "  port: 80\n", "  port: 80\n  maintenance: true\n")
    assert [r.kind for r in risks] == [DOWNTIME]
    assert risks[0].line.startswith("maintenance mode on: `example-maintenance")


def test_a_domain_change_is_its_own_line(tmp_path, base):
    risks = risks_of(tmp_path, base, "domain: shop.example.com", "domain: store.example.com")
    assert risks and {r.kind for r in risks} == {DOMAIN}
    assert any("store.example.com" in r.line for r in risks)
    assert exit_status(risks) == 7


def test_turning_deletion_protection_off_is_its_own_line(tmp_path, base):
    risks = risks_of(tmp_path, base, "  max_storage_gb: 100\n", "  max_storage_gb: 100\n  deletion_protection: false\n")
    assert [(r.kind, r.line) for r in risks] == [(PROTECTION, "`example-db`: deletion protection on → off")]


def test_retiring_turns_protection_off_under_the_retire_label(tmp_path, base):
    risks = risks_of(tmp_path, base, "client: example\n", "client: example\nretire: true\n")
    assert risks and {r.kind for r in risks} == {REMOVED}
    assert exit_status(risks, {"retire-stack"}) == 0


def test_desired_count_zero_stops_the_service(base):
    head = [dict(r, inputs=dict(r["inputs"])) for r in base]
    service = next(r for r in head if r["type"] == "aws:ecs/service:Service")
    service["inputs"]["desiredCount"] = 0
    risks = stack_risks("example", diff(base, head), base, head)
    assert [(r.kind, r.line) for r in risks] == [(DOWNTIME, "`example-service`: desired count 2 → 0 stops every task")]


def test_several_risks_exit_with_the_most_serious_not_allowed(tmp_path, base):
    risks = risks_of(tmp_path, base, 'engine: postgres\n  version: "16"', 'engine: mysql\n  version: "8.4"')
    assert DATA in {r.kind for r in risks}
    assert exit_status(risks) == 3
    assert exit_status(risks, {"allow-data-replacement"}) in (0, *[k.exit for k in KINDS])
    assert exit_status(risks, {k.label for k in KINDS}) == 0


def test_every_kind_has_its_own_label_and_exit_status():
    assert len({k.label for k in KINDS}) == len({k.exit for k in KINDS}) == len(KINDS)
    assert [k.exit for k in KINDS] == sorted(k.exit for k in KINDS) and min(k.exit for k in KINDS) == 3
