"""The five ways a pull request used to pass green without being previewed (issue 21), in a temporary
git repo: each now gives its exit status and its one-line cause.

1. a staging stack (Pulumi.<stack>.yaml with crane-it:spec) was invisible;
2. a stack whose program builds its spec in Python was invisible;
3. a renamed spec file passed green, the old stack (data, domain) only a note on stderr;
4. a major engine upgrade read as routine;
5. a copied spec with a forgotten `client:` deployed as another client's stack.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from gitrepo import CRANE, ROOT, copy_project, git

STAGING = "config:\n  crane-it:spec: stacks/example.yaml\n"


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = copy_project(tmp_path_factory.mktemp("gaps"), "base", "base")
    (repo / "Pulumi.example-staging.yaml").write_text(STAGING)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a staging stack of example")
    git(repo, "tag", "-f", "staging")
    return repo


@pytest.fixture
def branch(repo):
    name = f"gap-{len(git(repo, 'branch').splitlines())}"
    git(repo, "checkout", "-q", "-b", name, "staging")
    yield repo
    git(repo, "checkout", "-q", "-f", "main")
    git(repo, "clean", "-q", "-fd")


def crane(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CRANE, *args], cwd=repo, capture_output=True, text=True, timeout=600)


def edit(repo: Path, path: str, old: str, new: str) -> None:
    text = (repo / path).read_text()
    assert old in text, f"{old!r} not in {path}"
    (repo / path).write_text(text.replace(old, new, 1))


def test_1_a_staging_stack_is_affected_diffed_and_planned(branch):
    edit(branch, "stacks/example.yaml", "memory: 512            # MiB, hard limit", "memory: 1024")
    assert crane(branch, "affected", "--base", "staging").stdout.split() == ["example", "example-staging"]
    done = crane(branch, "diff", "example-staging", "--base", "staging", "--json")
    assert done.returncode == 0, done.stderr
    (entry,) = json.loads(done.stdout)["stacks"]
    task = next(c for c in entry["changes"] if c["type"] == "aws:ecs/taskDefinition:TaskDefinition")
    assert {"path": "memory", "old": "512", "new": "1024"} in task["inputs"]
    assert task["urn"].endswith("::example-staging-task")  # the staging stack's own names
    plan = crane(branch, "plan", "example-staging", "--urns")
    assert plan.returncode == 0 and "example-staging-db" in plan.stdout


def test_2_a_stack_built_in_python_is_affected_and_its_one_field_change_shows(tmp_path):
    repo = tmp_path / "tool"
    shutil.copytree(ROOT / "examples" / "internal-tool", repo, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.email=ci@example.com", "-c", "user.name=CI", "commit", "-q", "-m", "tool")
    edit(repo, "__main__.py", "ghcr.io/acme-agency/tool:2.3.1", "ghcr.io/acme-agency/tool:2.4.0")
    assert crane(repo, "affected", "--base", "HEAD").stdout.split() == ["tool-staging"]
    done = crane(repo, "diff", "tool-staging", "--base", "HEAD", "--json")
    assert done.returncode == 0, done.stderr
    (entry,) = json.loads(done.stdout)["stacks"]
    paths = {i["path"]: (i["old"], i["new"]) for c in entry["changes"] for i in c["inputs"]}
    assert paths["containerDefinitions[app].image"] == (
        "ghcr.io/acme-agency/tool:2.3.1",
        "ghcr.io/acme-agency/tool:2.4.0",
    )
    # A stack Crane It cannot place is refused, never "0 changes".
    unknown = crane(repo, "diff", "tool-prod", "--base", "HEAD")
    assert unknown.returncode == 2
    assert "stack 'tool-prod': Crane It cannot tell what it renders" in unknown.stderr


def test_3_a_renamed_spec_is_a_removed_stack_that_fails_the_review_with_one_line(branch):
    git(branch, "mv", "stacks/acme.yaml", "stacks/acme-shop.yaml")
    edit(branch, "stacks/acme-shop.yaml", "client: acme", "client: acme-shop")
    git(branch, "commit", "-q", "-am", "rename acme")
    removed = crane(branch, "affected", "--base", "staging", "--removed", "--json")
    assert [(r["stack"], r["retired"]) for r in json.loads(removed.stdout)] == [("acme", False)]
    done = crane(branch, "diff", "--base", "staging", "--json")
    assert done.returncode == 4, done.stderr  # the stack removed, not "data at risk"
    report = json.loads(done.stdout)
    assert report["lines"] == [
        "new stack `acme-shop` starts with an empty database and bucket; stack `acme` keeps the data and "
        "still serves shop.acme.com"
    ]
    assert [(r["kind"], r["stack"], r["label"]) for r in report["risks"]] == [("removed_stack", "acme", "retire-stack")]
    assert crane(branch, "diff", "--base", "staging", "--allow", "retire-stack").returncode == 0
    comment = crane(branch, "diff", "--base", "staging", "--markdown").stdout
    assert comment.index("new stack `acme-shop` starts with an empty database") < comment.index("### Crane It preview")


def test_3b_a_slug_changed_in_place_is_refused_with_its_cause_in_one_line(branch):
    edit(branch, "stacks/example.yaml", "client: example", "client: shop")
    done = crane(branch, "diff", "example", "--base", "staging", "--json")
    assert done.returncode == 2
    report = json.loads(done.stdout)
    assert report["lines"] == [
        "stack `example`: the client slug changed from `example`: every resource name derives from it, so every "
        "resource, the database and bucket too, would be replaced by an empty one; keep `client: example`, or "
        "start a new stack for the new slug"
    ]


def test_4_a_major_engine_upgrade_is_a_risk_line_with_its_own_exit_status(branch):
    edit(branch, "stacks/example.yaml", 'version: "16"', 'version: "17"')
    done = crane(branch, "diff", "example", "--base", "staging")
    assert done.returncode == 5, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("RISK major engine upgrade (needs label allow-engine-upgrade, exit 5): example: ")
    assert "postgres 16 → 17 is a major engine upgrade: irreversible" in first
    assert crane(branch, "diff", "example", "--base", "staging", "--allow", "allow-engine-upgrade").returncode == 0


def test_5_a_copied_spec_with_a_forgotten_client_is_refused(branch):
    shutil.copy(branch / "stacks" / "example.yaml", branch / "stacks" / "copycat.yaml")
    assert "copycat" in crane(branch, "affected", "--base", "staging").stdout.split()
    done = crane(branch, "diff", "copycat", "--base", "staging")
    assert done.returncode == 2
    assert "client: client 'example' is neither stack 'copycat' nor its prefix" in done.stderr
    plan = crane(branch, "plan", "copycat")
    assert plan.returncode == 2 and "crane-it:client example --stack copycat" in plan.stderr
    (branch / "Pulumi.copycat.yaml").write_text("config:\n  crane-it:client: example\n")
    assert crane(branch, "plan", "copycat", "--urns").returncode == 0  # meant, and said so
