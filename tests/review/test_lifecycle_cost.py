"""The cost estimate prices workers like the service and jobs from their schedules."""

from __future__ import annotations

import pytest

from crane_it.review import plan_json
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
    # rate(15 minutes) runs 2880 times in 30 days; 5 minutes of 0.25 vCPU each.
    assert vcpu.quantity == pytest.approx(2880 * 5 / 60 * 0.25)
    assert vcpu.assumption == "job_minutes"
    doubled = [line for line in _lines(longer, "Fargate vCPU (x86_64), scheduled jobs") if "sync-feed" in line.note]
    assert doubled[0].quantity == pytest.approx(2 * vcpu.quantity)


def test_the_worker_is_priced_as_its_running_tasks(shop_document):
    notes = [line.note for line in _lines(estimate(shop_document), "Fargate vCPU (x86_64)")]
    assert any("1 task(s) of 0.5 vCPU / 1 GB (x86_64); autoscaling may run up to 4" in note for note in notes)
