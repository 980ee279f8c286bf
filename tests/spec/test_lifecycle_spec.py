"""Release, jobs and workers in the spec: refused with file, line, field and the valid form."""

from pathlib import Path

import pytest

from crane_it.facts.schedules import runs_per_month, schedule_problem, time_zone_problem
from crane_it.loader import SpecError, parse_spec

EXAMPLE = (Path(__file__).parents[2] / "stacks" / "example.yaml").read_text()


def _spec(extra: str):
    return parse_spec(EXAMPLE + extra, "stacks/example.yaml")


def _refused(extra: str) -> str:
    with pytest.raises(SpecError) as caught:
        _spec(extra)
    return str(caught.value)


def test_jobs_workers_and_release_are_read():
    spec = _spec(
        "\njobs:\n  clear-sessions:\n    schedule: cron(0 3 * * ? *)\n    time_zone: Europe/Berlin\n"
        "    command: [python, manage.py, clearsessions]\nworkers:\n  emails:\n    command: [celery, worker]\n"
    )
    assert spec.jobs["clear-sessions"].time_zone == "Europe/Berlin"
    assert spec.workers["emails"].command == ["celery", "worker"]


def test_a_unix_crontab_line_is_refused_with_line_field_and_the_six_field_form():
    message = _refused("\njobs:\n  nightly:\n    schedule: cron(0 3 * * *)\n    command: [x]\n")
    assert "stacks/example.yaml:48: jobs.nightly.schedule:" in message
    assert "has 5 fields" in message and "cron(0 3 * * ? *)" in message


def test_an_unknown_time_zone_is_refused_with_a_suggestion():
    message = _refused(
        "\njobs:\n  nightly:\n    schedule: rate(1 day)\n    time_zone: europe/berlin\n    command: [x]\n"
    )
    assert "jobs.nightly.time_zone:" in message and "did you mean Europe/Berlin?" in message


def test_a_job_name_that_cannot_be_part_of_an_aws_name_is_refused():
    message = _refused("\njobs:\n  Nightly_Job:\n    schedule: rate(1 day)\n    command: [x]\n")
    assert "stacks/example.yaml:47: jobs.Nightly_Job:" in message and "like clear-sessions" in message


def test_a_worker_with_a_port_is_refused_as_taking_no_traffic():
    message = _refused("\nworkers:\n  emails:\n    command: [x]\n    port: 8080\n")
    assert "stacks/example.yaml:49: workers.emails.port:" in message
    assert "no load balancer, no port and no ingress" in message


def test_a_worker_size_that_fargate_lacks_names_the_defaulted_memory():
    message = _refused("\nworkers:\n  emails:\n    command: [x]\n    cpu: 1024\n")
    assert "workers.emails.memory: memory=512 (the service memory) is not valid for cpu=1024" in message


def test_a_release_timeout_beyond_lambdas_limit_is_refused():
    spec = EXAMPLE.replace("  domain: shop", "  release: {command: [migrate], timeout_seconds: 900}\n  domain: shop")
    with pytest.raises(SpecError, match=r"service\.release\.timeout_seconds"):
        parse_spec(spec, "stacks/example.yaml")


@pytest.mark.parametrize(
    "expression",
    ["cron(0 3 * * ? *)", "cron(*/5 9-17 ? * MON-FRI *)", "cron(0 0 L * ? *)", "cron(0 8 ? * 2#1 *)", "rate(1 hour)"],
)
def test_valid_scheduler_expressions_pass(expression):
    assert schedule_problem(expression) is None


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("cron(0 25 * * ? *)", "hours '25'"),
        ("cron(0 3 * * * *)", "exactly one of day-of-month and day-of-week must be ?"),
        ("rate(1 hours)", "rate(1 hour) for one"),
        ("rate(5 minute)", "rate(N minutes) for more"),
        ("every day", "neither cron(...) nor rate(...)"),
        ("cron(0 3 ? * MON#9 *)", "DAY#N"),
    ],
)
def test_invalid_scheduler_expressions_say_why(expression, problem):
    assert problem in (schedule_problem(expression) or "")


def test_time_zones_are_iana_names():
    assert time_zone_problem("America/New_York") is None and time_zone_problem("UTC") is None
    assert time_zone_problem("CET-ish")


def test_runs_a_month_follow_the_expression():
    days = 730 / 24  # the month of every other line of the estimate
    assert runs_per_month("rate(15 minutes)") == pytest.approx(730 * 4)
    assert runs_per_month("cron(0 3 * * ? *)") == pytest.approx(days)
    assert runs_per_month("cron(0 9 ? * MON-FRI *)") == pytest.approx(5 * days / 7)
    assert runs_per_month("cron(0 0 1 * ? *)") == 1
