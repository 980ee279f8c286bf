"""The cost estimate prices workers like the service and jobs from their schedules."""

from __future__ import annotations

from pathlib import Path

import pytest

from crane_it.review import plan_diff, plan_json
from crane_it.review.cost import estimate
from crane_it.review.render import render_stack


@pytest.fixture(scope="module")
def shop_document():
    return plan_json.document(render_stack("shop"))


def _lines(result, item: str):
    return [line for line in result.lines if line.item == item]


def test_jobs_are_task_hours_from_their_schedules_times_the_named_assumption(shop_document):
    default, longer = estimate(shop_document), estimate(shop_document, {"job_minutes": 10})
    (vcpu,) = [line for line in _lines(default, "Fargate vCPU (x86_64), scheduled jobs") if "sync-feed" in line.note]
    # rate(15 minutes) runs 4 times an hour in the estimate's 730-hour month; 5 minutes of 0.25 vCPU each.
    assert vcpu.quantity == pytest.approx(730 * 4 * 5 / 60 * 0.25)
    assert vcpu.assumption == "job_minutes"
    doubled = [line for line in _lines(longer, "Fargate vCPU (x86_64), scheduled jobs") if "sync-feed" in line.note]
    assert doubled[0].quantity == pytest.approx(2 * vcpu.quantity)


def test_the_worker_is_priced_as_its_running_tasks(shop_document):
    notes = [line.note for line in _lines(estimate(shop_document), "Fargate vCPU (x86_64)")]
    assert any("1 task(s) of 0.5 vCPU / 1 GB (x86_64); autoscaling may run up to 4" in note for note in notes)


def _shop_with(tmp_path, old: str, new: str):
    text = (Path(__file__).resolve().parents[2] / "stacks" / "shop.yaml").read_text()
    assert old in text
    path = tmp_path / "shop.yaml"
    path.write_text(text.replace(old, new))
    return plan_json.document(render_stack("shop", path))


def test_diff_shows_a_changed_schedule_as_an_update_of_that_schedule_alone(shop_document, tmp_path):
    head = _shop_with(tmp_path, "schedule: rate(15 minutes)", "schedule: rate(30 minutes)")
    changes = plan_diff.diff(shop_document, head)
    assert [(c.type, c.action, c.keys) for c in changes] == [
        ("aws:scheduler/schedule:Schedule", "update", ["scheduleExpression"])
    ]


def test_diff_shows_a_changed_release_command_as_the_release_running_again(shop_document, tmp_path):
    head = _shop_with(
        tmp_path, "command: [python, manage.py, migrate, --noinput]", "command: [python, manage.py, migrate]"
    )
    changes = {c.urn.rsplit("::", 1)[-1]: c for c in plan_diff.diff(shop_document, head)}
    assert changes["shop-release-run"].action == "replace"  # CREATE_ONLY: a new invocation runs it again
    assert changes["shop-release-task"].action == "replace"  # a new revision of the release task
    assert "shop-service" not in changes and not any(c.at_risk for c in changes.values())
