"""The pure parts of `crane reset`: which app ran at a time, step bookkeeping, the duration
graph, the spec edit, and `crane maintenance` (with the Pulumi CLI replaced by a recorder)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from crane_it.cli import main as crane_main
from crane_it.ops import pulumi_cli
from crane_it.ops.reset import flow as flow
from crane_it.ops.spec_edit import edit_spec

ROOT = Path(__file__).resolve().parents[2]
T = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def row(started: str, revision: str, outcome: str) -> dict[str, str]:
    return {"started": started, "revision": revision, "image": f"img:{revision}", "outcome": outcome}


def test_the_app_at_a_time_is_the_last_completed_deployment_before_it():
    rows = [
        row("2026-11-21T09:00:00Z", "app:5", "completed"),  # after T: not yet running
        row("2026-11-20T09:00:00Z", "app:4", "rolled back"),  # never took over
        row("2026-11-18T09:00:00Z", "app:3", "completed"),
        row("2026-11-10T09:00:00Z", "app:2", "completed"),
    ]
    assert flow.app_at(rows, T) == flow.RanAt("img:app:3", "app:3", "ecs", "")
    rolling = [row("2026-11-20T09:59:00Z", "app:4", "in progress"), *rows[2:]]
    assert flow.app_at(rolling, T).note == "deployment of app:4 was rolling out at that time"
    assert flow.app_at(rows[:2], T) is None


def test_the_image_choice_says_where_it_came_from():
    ecs = flow.RanAt("img:1", "app:3", "ecs")
    assert flow.choose_image(ecs, ("img:1", "abc"), None).note == "the spec at abc agrees"
    assert "DISAGREES: it had img:2" in flow.choose_image(ecs, ("img:2", "abc"), None).note
    assert flow.choose_image(None, ("img:2", "abc"), None).source == "git"
    assert flow.choose_image(ecs, None, "img:9") == flow.RanAt("img:9", None, "given", "--image")
    assert flow.choose_image(None, None, None) is None


def test_without_apply_only_the_steps_that_need_no_pulumi_run(tmp_path):
    state = flow.ResetState("acme", "acme", "t", "r", "id", "acme-db-restore-id", "acme-db", None, None, "ecs", {})
    assert state.remaining(apply=False) == ["noted", "spec-written", "restore-started", "bucket-reset"]
    state.record("noted", "done", T)
    state.record("restore-started", "failed", T, error="x")
    assert state.remaining(apply=True)[:2] == ["spec-written", "maintenance-on"]
    state.save(tmp_path / "s.json")
    assert flow.ResetState.load(tmp_path / "s.json") == state
    with pytest.raises(flow.FlowError, match="unknown step"):
        state.record("launch", "done", T)
    with pytest.raises(flow.FlowError, match="nothing to resume"):
        flow.ResetState.load(tmp_path / "missing.json")


def test_the_critical_path_moves_the_restore_to_minute_zero():
    d = flow.Durations(restore=30, review=30, manual_prep=15, rollout=7, bucket=5, rule=1, plan=1)
    before, before_path = flow.critical_path(flow.before_graph(d))
    after, after_path = flow.critical_path(flow.after_graph(d))
    assert (before, after) == (87, 39)
    assert before_path.index("review and CI") < before_path.index("restore")
    assert after_path[:2] == ["plan", "restore"]
    # With a review longer than the restore, review becomes the critical path, not the restore.
    slow = flow.Durations(review=60)
    assert "review and CI" in flow.critical_path(flow.after_graph(slow))[1]


@pytest.mark.parametrize("stack", ["example", "acme", "bakery"])
def test_the_spec_edit_keeps_comments_and_layout_and_round_trips(stack):
    text = (ROOT / "stacks" / f"{stack}.yaml").read_text()
    image = yaml.safe_load(text)["service"].get("image")
    restore = {"id": "20261126t1015", "point_in_time": "2026-11-20T10:00:00Z"}
    edited = edit_spec(text, image="ghcr.io/x/y:1", maintenance=True, restore=restore)
    data = yaml.safe_load(edited)
    assert data["service"]["maintenance"] is True and data["database"]["restore"] == restore
    kept = [line for line in text.splitlines() if "#" in line and "image:" not in line]
    assert all(line in edited.splitlines() for line in kept)
    assert edit_spec(edited, image=image, maintenance=None, restore=None) == text


@pytest.fixture
def project(tmp_path, monkeypatch):
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "stacks").mkdir()
    shutil.copy(ROOT / "stacks" / "example.yaml", tmp_path / "stacks" / "example.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_maintenance_on_sets_the_field_and_deploys_only_the_rule(project, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(pulumi_cli, "installed", lambda: "/usr/local/bin/pulumi")
    monkeypatch.setattr(pulumi_cli, "run", lambda project, stack, *args: calls.append((stack, args)))
    spec = project / "stacks" / "example.yaml"
    original = spec.read_text()
    assert crane_main(["maintenance", "on", "example"]) == 0
    assert yaml.safe_load(spec.read_text())["service"]["maintenance"] is True
    [(stack, args)] = calls
    assert stack == "example" and args[:3] == ("up", "--yes", "--target")
    assert args[3].endswith("aws:lb/listenerRule:ListenerRule::example-maintenance")
    assert crane_main(["maintenance", "off", "example"]) == 0
    assert spec.read_text() == original and calls[1][1][3] == args[3]


def test_maintenance_without_the_pulumi_cli_edits_the_spec_and_prints_the_command(project, monkeypatch, capsys):
    monkeypatch.setattr(pulumi_cli, "installed", lambda: None)
    assert crane_main(["maintenance", "on", "example"]) == 0
    assert "not deployed (no Pulumi CLI on PATH); run: pulumi up --yes --target urn:pulumi:" in capsys.readouterr().out
    assert crane_main(["maintenance", "on", "nobody"]) == 2
