"""This repo's own tests, written with crane_it.testing as any repo built on Crane It would."""

import runpy
from pathlib import Path

from crane_it.policy import violations
from crane_it.testing import render

PROGRAM = Path(__file__).resolve().parent.parent / "__main__.py"


def plan():
    return render(lambda: runpy.run_path(str(PROGRAM)), stack="tool-staging", project="internal-tool")


def test_the_tool_lives_in_the_shared_vpc_and_creates_no_network():
    declared = plan()
    assert not declared.of_type("aws:ec2/vpc:Vpc")
    assert not declared.of_type("aws:ec2/natGateway:NatGateway")
    subnets = declared.one("aws:rds/subnetGroup:SubnetGroup").inputs["subnetIds"]
    assert subnets == ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"]


def test_data_is_protected_in_every_part():
    declared = plan()
    buckets = declared.of_type("aws:s3/bucket:Bucket")
    # A stack other than the client's own carries its name: tool-staging, not tool.
    assert sorted(b.name for b in buckets) == ["scratch-files", "tool-staging-files"]
    for data in [*buckets, declared.one("aws:rds/instance:Instance")]:
        assert data.protect and data.retain_on_delete, data.urn


def test_the_plan_passes_crane_its_guardrails():
    assert violations(plan()) == []
