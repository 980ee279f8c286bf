"""Pull-request previews in a temporary git repository: crane diff and crane affected.

The repository holds this project's program, library and specs. Each scenario is a head
commit on top of one base commit; `crane diff` renders the base from a git worktree with the
base's own library, and the working tree with its own.
"""

import json
import subprocess
from pathlib import Path

import pytest
from gitrepo import CRANE, copy_project, git

from crane_it.review.diff_report import markdown


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """A git repo with one base commit tagged `base`; each test commits its head on a branch."""
    repo = copy_project(tmp_path_factory.mktemp("clients"), "base", "base")
    return repo


@pytest.fixture
def head(repo):
    """Start a branch from `base`; the test edits files and calls the returned commit()."""
    branch = f"head-{len(git(repo, 'branch').splitlines())}"
    git(repo, "checkout", "-q", "-b", branch, "base")

    def edit(path: str, old: str, new: str) -> None:
        target = repo / path
        text = target.read_text()
        assert old in text, f"{old!r} not in {path}"
        target.write_text(text.replace(old, new, 1))

    def commit() -> None:
        git(repo, "commit", "-q", "-am", "head")

    yield edit, commit
    git(repo, "checkout", "-q", "-f", "main")


def crane(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CRANE, *args], cwd=repo, capture_output=True, text=True, timeout=300)


def diff_json(repo: Path, *stacks: str) -> tuple[int, dict]:
    done = crane(repo, "diff", *stacks, "--base", "base", "--json")
    assert done.returncode in (0, 3), done.stderr
    return done.returncode, json.loads(done.stdout)


def changes_of(report: dict, stack: str = "example") -> dict[str, dict]:
    entry = next(e for e in report["stacks"] if e["stack"] == stack)
    return {c["urn"].rsplit("::", 1)[-1] + " " + c["type"].rsplit(":", 1)[-1]: c for c in entry["changes"]}


def test_a_memory_env_and_email_change_replaces_the_task_definition_only(repo, head):
    edit, commit = head
    edit("stacks/example.yaml", "memory: 512            # MiB, hard limit", "memory: 1024")
    edit("stacks/example.yaml", "    APP_ENV: production", "    APP_ENV: production\n    FEATURE_FLAGS: checkout-v2")
    edit("stacks/example.yaml", "emails: [ops@example.com]", "emails: [ops@example.com, oncall@example.com]")
    commit()
    status, report = diff_json(repo, "example")
    assert status == 0 and report["data_at_risk"] == []
    changes = changes_of(report)
    task = changes["example-task TaskDefinition"]
    assert task["action"] == "replace" and task["data"] is False
    assert {"containerDefinitions", "memory"} <= set(task["keys"])
    paths = {i["path"]: (i["old"], i["new"]) for i in task["inputs"]}
    assert paths["memory"] == ("512", "1024")
    new_var = {"name": "FEATURE_FLAGS", "value": "checkout-v2"}
    assert paths["containerDefinitions[app].environment[FEATURE_FLAGS]"] == (None, new_var)
    assert paths["containerDefinitions[app].memory"] == (512, 1024)
    service = changes["example-service Service"]
    assert service["action"] == "update" and "taskDefinition" in service["keys"]
    subscriptions = [c for c in changes.values() if c["type"] == "aws:sns/topicSubscription:TopicSubscription"]
    assert [(c["action"], c["data"]) for c in subscriptions] == [("create", False)]
    assert not [c for c in changes.values() if c["data"]], "no data-holding resource may change"
    cost = report["stacks"][0]["cost"]
    assert cost["head"] > cost["base"], "twice the memory for two tasks costs more"


def test_b_a_database_engine_change_replaces_the_database_with_data_at_risk(repo, head):
    edit, commit = head
    edit("stacks/example.yaml", "engine: postgres", "engine: mysql")
    edit("stacks/example.yaml", 'version: "16"', 'version: "8.4"')
    commit()
    status, report = diff_json(repo, "example")
    assert status == 3
    db = changes_of(report)["example-db Instance"]
    assert (db["action"], db["data"]) == ("replace", True)
    assert "engine" in db["keys"]
    assert db["urn"] in report["data_at_risk"]
    comment = markdown(report)
    assert "<!-- crane-diff:example -->" in comment and "allow-data-replacement" in comment
    assert "| replace ⚠️ **data at risk** | `example-db` | Instance |" in comment


def test_c_a_client_slug_change_deletes_the_protected_data_resources(repo, head):
    edit, commit = head
    edit("stacks/example.yaml", "client: example", "client: shop")
    # Stack `example` deploying client `shop` is refused unless its settings say it is meant.
    (repo / "Pulumi.example.yaml").write_text("config:\n  crane-it:client: shop\n")
    git(repo, "add", "Pulumi.example.yaml")
    commit()
    status, report = diff_json(repo, "example")
    assert status == 3
    assert report["lines"][0].startswith("stack `example`: the client slug changed `example` → `shop`")
    changes = changes_of(report)
    deleted = {
        key.split(" ")[1] for key, c in changes.items() if c["action"] == "delete" and c["data"] and c["protect"]
    }
    assert {"Bucket", "Instance", "Vault", "Key"} <= deleted
    assert changes["example-db Instance"]["urn"] in report["data_at_risk"]
    # The stack is still `example`, now unlike its client's slug, so names carry both (naming.py).
    assert changes["shop-example-db Instance"]["action"] == "create"


def test_d_a_library_change_affects_every_stack_and_a_spec_change_only_its_own(repo, head):
    edit, commit = head
    edit("stacks/acme.yaml", "desired_count: 3", "desired_count: 4")
    commit()
    assert crane(repo, "affected", "--base", "base").stdout.split() == ["acme"]
    edit(
        "components/network/vpc.py",
        '"""',
        '"""Network (edited in a test). ',
    )
    commit()
    done = crane(repo, "affected", "--base", "base", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == sorted(p.stem for p in (repo / "stacks").glob("*.yaml"))


def test_a_platform_change_affects_its_clients_and_a_client_change_its_platform(repo, head):
    edit, commit = head
    edit("stacks/agency.yaml", "platform: agency", "platform: agency  # edited")
    commit()
    assert crane(repo, "affected", "--base", "base").stdout.split() == ["agency", "bakery", "florist"]


def test_an_invalid_spec_says_at_which_revision(repo, head):
    edit, commit = head
    edit("stacks/example.yaml", "memory: 512            # MiB, hard limit", "memory: 4096")
    commit()
    done = crane(repo, "diff", "example", "--base", "base")
    assert done.returncode == 2
    assert "example: invalid at the working tree" in done.stderr and "service.memory" in done.stderr
