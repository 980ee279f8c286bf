"""`crane leftovers` against moto: which database instances an undo or a second reset left behind."""

from __future__ import annotations

import json

import boto3
import pytest
from fake_aws import use_fake_credentials
from moto import mock_aws

from crane_it.cli import main
from crane_it.ops.leftovers import declared_identifiers, find_leftovers

SPEC = """client: acme
region: eu-central-1
service: {image: ghcr.io/acme/shop:1.4.2, certificate_arn: arn:aws:acm:eu-central-1:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9}
database: {engine: postgres%s}
"""


@pytest.fixture(autouse=True)
def fake_aws_credentials(monkeypatch):
    """Fake credentials and no config files, so nothing can reach real AWS."""
    use_fake_credentials(monkeypatch)


@pytest.fixture
def rds():
    with mock_aws():
        yield boto3.client("rds", region_name="eu-central-1")


def instance(rds, identifier: str, stack: str = "acme", client: str = "acme", protected: bool = True) -> None:
    rds.create_db_instance(
        DBInstanceIdentifier=identifier,
        DBInstanceClass="db.t4g.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="app",
        MasterUserPassword="not-a-real-password",
        DeletionProtection=protected,
        Tags=[
            {"Key": "client", "Value": client},
            {"Key": "stack", "Value": stack},
            {"Key": "managed-by", "Value": "crane-it"},
        ],
    )


def write_spec(tmp_path, restore: str = ""):
    path = tmp_path / "acme.yaml"
    path.write_text(SPEC % restore)
    return path


def test_only_undeclared_instances_of_this_stack_are_leftovers(rds):
    instance(rds, "acme-db")
    instance(rds, "acme-db-restore-r1")  # undone: retained, deletion-protected
    instance(rds, "acme-db-restore-r2")  # the active restore
    instance(rds, "acme-staging-db-restore-r1", stack="acme-staging")  # another stack of the client
    instance(rds, "shop-db-restore-r1", client="shop", stack="shop")  # another client
    rds.create_db_instance(  # not Crane It's
        DBInstanceIdentifier="legacy", DBInstanceClass="db.t4g.micro", Engine="postgres", AllocatedStorage=20
    )
    leftovers = find_leftovers(rds, "acme", "acme", declared_identifiers("acme", "r2"))
    assert [leftover.identifier for leftover in leftovers] == ["acme-db-restore-r1"]
    assert leftovers[0].deletion_protection
    assert leftovers[0].commands() == [
        "aws rds modify-db-instance --db-instance-identifier acme-db-restore-r1 --no-deletion-protection "
        "--apply-immediately",
        "aws rds delete-db-instance --db-instance-identifier acme-db-restore-r1 "
        "--final-db-snapshot-identifier acme-db-restore-r1-final",
    ]


def test_command_lists_leftovers_from_the_spec_and_exits_1(rds, tmp_path, capsys):
    instance(rds, "acme-db")
    instance(rds, "acme-db-restore-r1")
    spec = write_spec(tmp_path)
    assert main(["leftovers", "acme", "--spec", str(spec)]) == 1
    out = capsys.readouterr().out
    assert "stack acme: 1 database instance(s) no longer in the spec" in out
    assert "acme-db-restore-r1  available" in out and "deletion-protected" in out
    assert "--final-db-snapshot-identifier acme-db-restore-r1-final" in out
    assert main(["leftovers", "acme", "--spec", str(spec), "--json"]) == 1
    listed = json.loads(capsys.readouterr().out)
    assert [item["identifier"] for item in listed] == ["acme-db-restore-r1"]


def test_command_exits_0_when_the_spec_declares_every_instance(rds, tmp_path, capsys):
    instance(rds, "acme-db")
    instance(rds, "acme-db-restore-r1")
    spec = write_spec(tmp_path, ", restore: {id: r1, point_in_time: latest}")
    assert main(["leftovers", "acme", "--spec", str(spec)]) == 0
    assert "no leftover database instances" in capsys.readouterr().out


def test_a_bad_spec_or_unreachable_endpoint_exits_2(tmp_path, capsys):
    bad = tmp_path / "acme.yaml"
    bad.write_text("client: acme\n")
    assert main(["leftovers", "acme", "--spec", str(bad)]) == 2
    assert "error:" in capsys.readouterr().err
    spec = write_spec(tmp_path)
    assert main(["leftovers", "acme", "--spec", str(spec), "--endpoint-url", "http://127.0.0.1:9"]) == 2
    assert "could not list the database instances" in capsys.readouterr().err
