"""Every client spec in stacks/ builds through the real program, passes the guardrails and keeps its URNs."""

import json
import runpy
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from crane_it import testing as offline
from crane_it.loader import SpecError
from crane_it.policy import violations
from crane_it.review.render import render_stack

ROOT = Path(__file__).resolve().parents[2]
STACKS = sorted(p.stem for p in (ROOT / "stacks").glob("*.yaml"))
SNAPSHOTS = ROOT / "tests" / "snapshots"
DATA_TYPES = {"aws:s3/bucket:Bucket", "aws:rds/instance:Instance", "aws:backup/vault:Vault"}


@pytest.fixture(scope="module", params=STACKS)
def stack_plan(request):
    # A deprecated pulumi_aws class or argument in our own code is a bug: fail the stack.
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        return request.param, render_stack(request.param)


def test_every_stack_passes_every_guardrail(stack_plan):
    _, plan = stack_plan
    assert violations(plan) == []


def test_no_resource_uses_the_default_provider(stack_plan):
    _, plan = stack_plan
    provider = plan.one("pulumi:providers:aws", f"{plan[0].name}-aws")
    for reg in plan:
        if reg.custom and reg.type.startswith("aws:"):
            assert reg.provider, f"{reg.urn} has no explicit provider"
            assert "::default" not in reg.provider, f"{reg.urn} uses the default aws provider"
            assert reg.provider.startswith(provider.urn) or "backup-copy" in reg.provider, (
                f"{reg.urn} on {reg.provider}"
            )


def test_provider_tags_every_resource_with_client_stack_and_owner(stack_plan):
    stack, plan = stack_plan
    provider = plan.one("pulumi:providers:aws", f"{plan[0].name}-aws")
    tags = provider.inputs["defaultTags"]
    tags = json.loads(tags)["tags"] if isinstance(tags, str) else tags["tags"]
    assert {tags["client"], tags["stack"], tags["managed-by"]} == {plan[0].name, stack, "crane-it"}


def test_every_resource_hangs_under_the_client_component(stack_plan):
    _, plan = stack_plan
    # A client's stack hangs under its Client component, a platform's under its Platform one.
    [root] = [reg for reg in plan if reg.type in ("crane:index:Client", "crane:index:Platform")]
    urns = {reg.urn for reg in plan}
    for reg in plan:
        if reg is not root:
            assert reg.parent in urns, f"{reg.urn} is not parented inside the client"
            assert reg.name.startswith(root.name), f"{reg.urn} is not named after the client"


def test_client_data_is_protected_and_retained(stack_plan):
    _, plan = stack_plan
    for reg in plan:
        if reg.type in DATA_TYPES:
            assert reg.protect and reg.retain_on_delete, f"{reg.urn} could be deleted by pulumi destroy"
        if reg.type == "aws:s3/bucket:Bucket":
            assert not reg.inputs.get("forceDestroy"), f"{reg.urn} would be emptied on delete"


def test_resource_urns_match_the_snapshot(stack_plan):
    """A rename replaces resources; the snapshot makes it visible in review.

    After an intended change: `crane plan <stack> --urns > tests/snapshots/<stack>.urns`.
    """
    stack, plan = stack_plan
    snapshot = SNAPSHOTS / f"{stack}.urns"
    assert sorted(reg.urn for reg in plan) == snapshot.read_text(encoding="utf-8").split()


def test_a_bad_spec_declares_no_resource_at_all(tmp_path):
    bad = tmp_path / "acme.yaml"
    bad.write_text((ROOT / "stacks" / "acme.yaml").read_text().replace("memory: 1024", "memory: 100000"))
    monitor = offline.RecordingMonitor(offline.PlanMocks())
    program = ROOT / "__main__.py"
    with pytest.raises(SpecError, match="memory=100000 is not valid for cpu=512"):
        offline.run(lambda: runpy.run_path(str(program)), stack="acme", config={"spec": str(bad)}, monitor=monitor)
    assert monitor.registrations == []


CRANE = str(Path(sys.executable).with_name("crane"))
"""The console script the package installs, beside this interpreter."""


def test_plan_command_prints_the_tree_and_refuses_a_bad_spec(tmp_path):
    # From a subdirectory: the command finds the project (Pulumi.yaml) upward, as pulumi does.
    ok = subprocess.run([CRANE, "plan", "example"], cwd=ROOT / "tests", capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "* Client example" in ok.stdout and "Instance example-db [protected] [retained on delete]" in ok.stdout
    assert 'readonlyRootFilesystem":true' in ok.stdout
    bad = tmp_path / "example.yaml"
    bad.write_text("client: example\nregion: eu-west-1\nservice: {image: x, cpu: 256, memory: 4096}\n")
    refused = subprocess.run([CRANE, "plan", "example", "--spec", str(bad)], cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode == 2
    assert (
        "example.yaml:3: service.memory: memory=4096 is not valid for cpu=256; valid: 512, 1024, 2048" in refused.stderr
    )
    assert refused.stdout == ""


def test_plan_outside_a_pulumi_project_says_so(tmp_path):
    refused = subprocess.run(
        [sys.executable, "-m", "crane_it", "plan", "example"], cwd=tmp_path, capture_output=True, text=True
    )
    assert refused.returncode == 2
    assert "no Pulumi.yaml in" in refused.stderr and refused.stdout == ""


def log_key_name(plan) -> str:
    """The key a stack's log groups are encrypted with: its LogKey's, or its one ClientKey (`keys: per_client`)."""
    client = plan[0].name
    return f"{client}-key" if plan.of_type("crane:index:ClientKey") else f"{client}-logs-key"


def test_every_log_group_is_encrypted_with_the_client_log_key_created_first(stack_plan):
    _, plan = stack_plan
    key = plan.one("aws:kms/key:Key", log_key_name(plan))
    groups = plan.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert groups  # at least the app's logs; flow logs and database logs where they exist
    for group in groups:
        assert group.inputs.get("kmsKeyId") == key.outputs["arn"], f"{group.urn} is not encrypted with {key.urn}"
        # The key policy is part of the key, so the group is created after CloudWatch Logs is admitted.
        assert key.urn in group.dependencies, f"{group.urn} could be created before {key.urn}"
    assert key.protect


def test_log_key_policy_admits_cloudwatch_logs_of_this_account_and_region_only(stack_plan):
    _, plan = stack_plan
    client = plan[0].name
    region = plan.one("pulumi:providers:aws", f"{client}-aws").inputs["region"]
    policy = json.loads(plan.one("aws:kms/key:Key", log_key_name(plan)).inputs["policy"])
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}
    admin, logs = statements["AccountAdministers"], statements["CloudWatchLogsEncryptsThisAccountsGroups"]
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{offline.ACCOUNT_ID}:root"} and admin["Action"] == "kms:*"
    assert logs["Principal"] == {"Service": f"logs.{region}.amazonaws.com"}
    assert "kms:GenerateDataKey*" in logs["Action"] and "kms:Decrypt*" in logs["Action"]
    assert logs["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{offline.ACCOUNT_ID}:*"}
    }
