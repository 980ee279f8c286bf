"""A reset stops workers and schedules with the maintenance rule, and its plan says so."""

from __future__ import annotations

from pathlib import Path

from crane_it.cli.reset import print_plan
from crane_it.loader import load_spec
from crane_it.ops.maintenance import quiet_resources
from crane_it.review.render import render_stack

ROOT = Path(__file__).resolve().parents[2]


def test_the_targeted_maintenance_up_names_every_worker_and_schedule_of_the_stack(tmp_path):
    text = (
        (ROOT / "stacks" / "shop.yaml")
        .read_text()
        .replace("  domain: shop.example.org", "  domain: shop.example.org\n  maintenance: true")
    )
    spec_path = tmp_path / "shop.yaml"
    spec_path.write_text(text)
    plan = render_stack("shop", spec_path)
    wanted = quiet_resources(load_spec(spec_path, root=ROOT), "shop")
    assert {name for _, name in wanted} == {
        "shop-job-clear-sessions",
        "shop-job-sync-feed",
        "shop-worker-celery-service",
        "shop-worker-celery-scaling",
    }
    for type_, name in wanted:  # what `pulumi up --target` will be given exists, in its maintenance state
        found = plan.one(type_, name).inputs
        assert found.get("state", "DISABLED") == "DISABLED"
        assert found.get("desiredCount", 0) == 0 and found.get("maxCapacity", 0) == 0


def test_the_reset_plan_lists_the_workers_and_jobs_it_stops(capsys):
    result = {
        "client": "shop",
        "stack": "shop",
        "to": "2026-11-26T09:00:00Z",
        "app": {"image": "ghcr.io/example/shop:2.2.0", "revision": "", "source": "ecs", "note": ""},
        "minutes": {"before": 90, "after": 40},
        "quiet": {"workers": ["celery"], "jobs": ["clear-sessions", "sync-feed"]},
        "undo": "crane reset shop --undo",
    }
    print_plan(result, dry_run=True)
    out = capsys.readouterr().out
    assert "quiet     worker celery scaled to 0, job clear-sessions disabled, job sync-feed disabled" in out
