"""The strict offline engine: names as `pulumi up` makes them, checked against AWS's limits, and imports
checked against what AWS reads back, so a defect the plain mock engine accepts fails here."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from crane_it import testing as offline
from crane_it.core.naming import MAX_BASE_LENGTH, base_name
from crane_it.facts.names import NAMES, RANDOM_SUFFIX_LENGTH
from crane_it.review.render import render_stack

ROOT = Path(__file__).resolve().parents[2]
STACKS = sorted(p.stem for p in (ROOT / "stacks").glob("*.yaml"))


def longest_stack(client: str) -> str:
    """A stack of ``client`` whose base name is as long as naming allows."""
    stack = f"{client}-" + "x" * (MAX_BASE_LENGTH - len(client) - 1)
    assert base_name(client, stack) == stack and len(stack) == MAX_BASE_LENGTH
    return stack


@pytest.mark.parametrize("client", STACKS)
def test_every_example_stack_renders_strictly_at_the_longest_base_name(client, tmp_path):
    spec = ROOT / "stacks" / f"{client}.yaml"
    text = spec.read_text(encoding="utf-8")
    if client == "agency":
        stack = client  # a platform's stack is named after the platform: its clients reference it
    elif "platform: " in text:
        # A platform holds one host and one rule priority per client: a second stack of the same
        # spec would collide with the first, so the long one is a client of its own.
        long_client = client + "x" * (MAX_BASE_LENGTH - len(client))
        stack, spec = long_client, tmp_path / f"{long_client}.yaml"
        host = next(line.split()[-1] for line in text.splitlines() if line.strip().startswith("domain:"))
        spec.write_text(
            text.replace(f"client: {client}", f"client: {long_client}").replace(host, f"{long_client}.{host}")
        )
    else:
        stack = longest_stack(client)
    plan = render_stack(stack, spec)  # strict: raises StrictModeError on any name AWS refuses
    assert any(len(reg.name) >= MAX_BASE_LENGTH for reg in plan if reg.custom)


def _provider():
    return aws.Provider("t-aws", region="eu-west-1")


def test_an_undeclared_type_fails_strict_mode_loudly_and_strict_false_opts_out():
    def program():
        aws.sqs.Queue("jobs", opts=pulumi.ResourceOptions(provider=_provider()))

    with pytest.raises(offline.StrictModeError, match=r"aws:sqs/queue:Queue jobs: no naming rule; add a row"):
        offline.render(program)
    assert offline.render(program, strict=False).one("aws:sqs/queue:Queue")


def test_auto_names_are_the_logical_name_a_hyphen_and_seven_hex_characters():
    def program():
        aws.iam.Role("app-task", assume_role_policy="{}", opts=pulumi.ResourceOptions(provider=_provider()))

    role = offline.render(program).one("aws:iam/role:Role")
    suffix = hashlib.sha1(b"app-task").hexdigest()[:RANDOM_SUFFIX_LENGTH]
    assert role.outputs["name"] == f"app-task-{suffix}" and "name" not in role.inputs


def test_the_engine_refuses_an_auto_name_past_the_providers_maximum():
    def program():
        aws.lb.TargetGroup("a-target-group-of-25-char", port=80, opts=pulumi.ResourceOptions(provider=_provider()))

    message = "name 'a-target-group-of-25-char-' plus 7 random chars is longer than maximum length 32"
    with pytest.raises(offline.StrictModeError, match=message):
        offline.render(program)


def test_an_explicit_name_aws_refuses_names_the_resource_the_rule_and_its_source():
    def program():
        aws.backup.Vault("vault", name="a vault", opts=pulumi.ResourceOptions(provider=_provider()))

    with pytest.raises(offline.StrictModeError) as refused:
        offline.render(program)
    [problem] = refused.value.problems
    assert "aws:backup/vault:Vault vault: name 'a vault': does not match" in problem
    assert "botocore CreateBackupVault.BackupVaultName" in problem


def test_every_named_rule_carries_its_source():
    for type_, rule in NAMES.items():
        assert rule.source, type_
        if rule.prop:
            assert rule.max_length >= rule.min_length, type_


# --- imports: declared inputs against what AWS reads back ----------------------------------------------


def _imported_instance(**inputs):
    def program():
        aws.rds.Instance(
            "copy",
            identifier="acme-db-restore-1",
            engine="postgres",
            instance_class="db.t4g.micro",
            enabled_cloudwatch_logs_exports=["postgresql"],
            **inputs,
            opts=pulumi.ResourceOptions(
                provider=_provider(), import_="acme-db-restore-1", ignore_changes=["maintenanceWindow"]
            ),
        )
        aws.cloudwatch.LogGroup(
            "copy-logs",
            name="/aws/rds/instance/acme-db-restore-1/postgresql",
            retention_in_days=30,
            opts=pulumi.ResourceOptions(provider=_provider()),
        )

    return program


def test_an_import_whose_declared_inputs_differ_from_the_read_back_fails_as_pulumi_up_would():
    program = _imported_instance(engine_version="16", manage_master_user_password=True)
    with pytest.raises(offline.StrictModeError) as refused:
        offline.render(program)
    problems = "\n".join(refused.value.problems)
    assert "engineVersion declared '16', AWS reads back '16.6'" in problems
    assert "manageMasterUserPassword declared True, AWS reads back nothing" in problems
    # RDS made the log group itself when the restored instance started exporting logs.
    assert "/aws/rds/instance/acme-db-restore-1/postgresql already exists" in problems


def test_an_import_that_ignores_what_aws_reads_differently_passes():
    def program():
        aws.rds.Instance(
            "copy",
            identifier="acme-db-restore-1",
            engine="postgres",
            engine_version="16",
            instance_class="db.t4g.micro",
            opts=pulumi.ResourceOptions(
                provider=_provider(), import_="acme-db-restore-1", ignore_changes=["engineVersion"]
            ),
        )

    assert offline.render(program).one("aws:rds/instance:Instance").import_id == "acme-db-restore-1"


def test_an_imported_type_with_no_read_back_model_fails_loudly():
    def program():
        aws.sns.Topic("t", opts=pulumi.ResourceOptions(provider=_provider(), import_="arn:aws:sns:eu-west-1:1:t"))

    with pytest.raises(offline.StrictModeError, match="no read-back model for aws:sns/topic:Topic"):
        offline.render(program)
