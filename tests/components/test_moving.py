"""Moving the example client onto the agency platform and off again, as `crane diff` reports it.

A temporary git repository holds this project; the base commit has `stacks/example.yaml` with
its own network, a head commit moves it onto `stacks/agency.yaml` (and another moves it back).
`crane diff` must exit 0 with no data at risk: the database instance is *updated* (a new
subnet group in the platform's VPC and a new security group), never replaced, and the bucket,
vault and keys are untouched. The subnet group itself is a new resource, named after the
network it lives in, because RDS refuses to move a group's subnets to another VPC in place.
"""

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from gitrepo import CRANE, ROOT, copy_project, git

DATA_TYPES = ("Bucket", "Vault", "VaultLockConfiguration", "Key")


def onto_agency(text: str, *, name_keys: bool = True) -> str:
    """The README's step 2: remove `network`, add `platform` and a domain, name the keys it has."""
    spec = yaml.safe_load(text)
    del spec["network"]
    spec["platform"] = "agency"
    spec["service"]["domain"] = "shop.example.com"
    if name_keys:  # a platform client's default is one key: naming the five keeps them
        spec["keys"] = "per_purpose"
    return yaml.safe_dump(spec, sort_keys=False)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """Commits: `own` (the example with its own VPC), `on` (on agency), `off` (own VPC again)."""
    repo = copy_project(tmp_path_factory.mktemp("moving"), "own network", "own")
    spec = repo / "stacks" / "example.yaml"
    own = spec.read_text()
    spec.write_text(onto_agency(own))
    git(repo, "commit", "-q", "-am", "onto agency")
    git(repo, "tag", "on")
    spec.write_text(own)
    git(repo, "commit", "-q", "-am", "off agency")
    git(repo, "tag", "off")
    spec.write_text(onto_agency(own, name_keys=False))
    git(repo, "commit", "-q", "-am", "onto agency, keys not named")
    git(repo, "tag", "unnamed")
    return repo


def diff(repo: Path, base: str, head: str) -> tuple[int, dict]:
    git(repo, "checkout", "-q", head)
    done = subprocess.run(
        [CRANE, "diff", "example", "--base", base, "--json"], cwd=repo, capture_output=True, text=True, timeout=300
    )
    assert done.returncode in (0, 3), done.stderr
    return done.returncode, json.loads(done.stdout)


def by_name(report: dict) -> dict[str, dict]:
    (entry,) = report["stacks"]
    return {f"{c['urn'].rsplit('::', 1)[-1]} {c['type'].rsplit(':', 1)[-1]}": c for c in entry["changes"]}


def assert_data_untouched(changes: dict[str, dict]) -> None:
    touched = [key for key, c in changes.items() if c["data"] and c["type"] != "aws:rds/instance:Instance"]
    assert touched == [], f"bucket, vault and keys must not change: {touched}"
    instance = changes["example-db Instance"]
    assert instance["action"] == "update", instance
    assert {"dbSubnetGroupName", "vpcSecurityGroupIds"} <= set(instance["keys"]), instance


def test_moving_onto_the_platform_updates_the_database_and_risks_no_data(repo):
    code, report = diff(repo, "own", "on")
    assert (code, report["data_at_risk"]) == (0, [])
    changes = by_name(report)
    assert_data_untouched(changes)
    # A new subnet group in the platform's VPC; the old one goes once the instance left it.
    assert changes["example-db-subnets-agency SubnetGroup"]["action"] == "create"
    assert changes["example-db-subnets SubnetGroup"]["action"] == "delete"
    assert changes["example-db-sg SecurityGroup"]["action"] == "replace"
    # The client's own network goes; the platform's is read through a StackReference.
    assert changes["example-vpc Vpc"]["action"] == "delete"
    assert changes["example-platform StackReference"]["action"] == "create"


def test_moving_off_the_platform_again_updates_the_database_and_risks_no_data(repo):
    code, report = diff(repo, "on", "off")
    assert (code, report["data_at_risk"]) == (0, [])
    changes = by_name(report)
    assert_data_untouched(changes)
    assert changes["example-db-subnets SubnetGroup"]["action"] == "create"
    assert changes["example-db-subnets-agency SubnetGroup"]["action"] == "delete"
    assert changes["example-vpc Vpc"]["action"] == "create"


def test_more_subnets_in_the_same_network_keep_the_subnet_group(tmp_path):
    """Within one VPC RDS refuses a switch to another group, so the group must be updated in place."""
    from crane_it.review.render import render_stack

    spec = yaml.safe_load((ROOT / "stacks" / "example.yaml").read_text())
    spec["network"]["availability_zones"] = 3
    wider = tmp_path / "example.yaml"
    wider.write_text(yaml.safe_dump(spec))
    before = render_stack("example").one("aws:rds/subnetGroup:SubnetGroup")
    after = render_stack("example", spec=wider).one("aws:rds/subnetGroup:SubnetGroup")
    assert after.urn == before.urn and after.name == "example-db-subnets"
    assert len(after.inputs["subnetIds"]) == 3 > len(before.inputs["subnetIds"])


def test_moving_onto_the_platform_without_naming_the_keys_is_data_at_risk_not_a_silent_replacement(repo):
    # The platform default (one key) would re-encrypt the database and vault under a new key,
    # which RDS and AWS Backup can only do by replacing them: crane diff stops it (exit 3) and
    # their `protect` would refuse the `pulumi up`.
    code, report = diff(repo, "own", "unnamed")
    assert code == 3
    changes = by_name(report)
    assert changes["example-db Instance"]["action"] == "replace" and changes["example-db Instance"]["protect"]
    assert {urn.rsplit("::", 1)[-1] for urn in report["data_at_risk"]} >= {"example-db", "example-db-key"}
