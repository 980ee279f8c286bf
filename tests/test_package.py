"""Crane It as a library: what another infra repo imports, renders and tests."""

import runpy
import textwrap
from pathlib import Path

import pytest

import crane_it
from crane_it import ClientSpec, SpecError, load_spec
from crane_it.testing import render as render_plain

BROUGHT_VPC = {
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "public_subnet_ids": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
    "private_subnet_ids": ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"],
}
CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"


def test_public_api_names_the_components_specs_loader_and_errors():
    expected = {"ClientStack", "Network", "Service", "Bucket", "Database", "Backup", "Alarms", "load_spec", "SpecError"}
    expected |= {"ClientSpec", "ServiceSpec", "BucketSpec", "DatabaseSpec", "BackupSpec", "AlertsSpec", "NetworkSpec"}
    assert expected <= set(crane_it.__all__)
    assert all(hasattr(crane_it, name) for name in crane_it.__all__)
    assert crane_it.__version__.count(".") == 2


def test_a_program_outside_the_repo_renders_a_client_in_a_brought_vpc_and_a_standalone_bucket(tmp_path, render):
    program = tmp_path / "__main__.py"
    program.write_text(
        textwrap.dedent(
            f"""
            from crane_it import Bucket, BucketSpec, ClientSpec, ClientStack

            spec = ClientSpec.model_validate({{
                "client": "tool",
                "region": "eu-west-1",
                "network": {BROUGHT_VPC!r},
                "service": {{"image": "ghcr.io/acme/x:1.0.0", "certificate_arn": "{CERTIFICATE}"}},
                "bucket": {{}},
                "database": {{}},
            }})
            ClientStack(spec, "x-staging")
            Bucket("scratch", BucketSpec())
            """
        )
    )
    plan = render(lambda: runpy.run_path(str(program)), stack="x-staging", project="other-infra")
    assert len(plan.of_type("aws:rds/instance:Instance")) == 1
    buckets = plan.of_type("aws:s3/bucket:Bucket")
    assert len(buckets) == 2 and all(b.protect and b.retain_on_delete for b in buckets)
    assert not plan.of_type("aws:ec2/vpc:Vpc") and not plan.of_type("aws:ec2/subnet:Subnet")
    assert plan.one("aws:rds/subnetGroup:SubnetGroup").inputs["subnetIds"] == BROUGHT_VPC["private_subnet_ids"]


def test_standalone_database_and_service_take_any_network_that_meets_the_protocol(render):
    from crane_it import Database, DatabaseSpec, Network, Service, ServiceSpec

    vpc = Network.existing(BROUGHT_VPC["vpc_id"], BROUGHT_VPC["public_subnet_ids"], BROUGHT_VPC["private_subnet_ids"])

    def program():
        database = Database("reports", DatabaseSpec(), vpc)
        service = Service(
            "reports",
            ServiceSpec(image="ghcr.io/acme/r:1.0.0", certificate_arn=CERTIFICATE),
            vpc,
            links=[database.link],
        )
        database.admit(service.task_security_group_id)

    plan = render(program)
    assert plan.one("aws:ec2/securityGroup:SecurityGroup", "reports-db-sg").inputs["vpcId"] == BROUGHT_VPC["vpc_id"]
    assert plan.one("aws:lb/loadBalancer:LoadBalancer").inputs["subnets"] == BROUGHT_VPC["public_subnet_ids"]
    assert not plan.of_type("aws:ec2/vpc:Vpc")


def test_build_context_is_relative_to_the_specs_own_project(tmp_path):
    project = tmp_path / "other-infra"
    (project / "app").mkdir(parents=True)
    (project / "app" / "Dockerfile").write_text("FROM scratch\n")
    (project / "Pulumi.yaml").write_text("name: other-infra\nruntime: python\n")
    (project / "specs").mkdir()
    spec = project / "specs" / "tool.yaml"
    spec.write_text(
        f"client: tool\nregion: eu-west-1\nservice:\n  build: {{context: app}}\n  certificate_arn: {CERTIFICATE}\n"
    )
    assert load_spec(spec).service.build is not None  # found under other-infra/, not under this checkout
    (project / "app" / "Dockerfile").unlink()
    with pytest.raises(SpecError, match=r"service.build.dockerfile: 'Dockerfile' not found in .*other-infra/app"):
        load_spec(spec)


def test_render_is_the_engine_the_repos_own_tests_use():
    plan = render_plain(lambda: crane_it.Bucket("scratch", crane_it.BucketSpec()))
    [bucket] = plan.of_type("aws:s3/bucket:Bucket")
    assert bucket.urn.endswith("crane:index:Bucket$aws:s3/bucket:Bucket::scratch-files")
    assert {
        "type",
        "name",
        "urn",
        "inputs",
        "protect",
        "retain_on_delete",
        "parent",
        "provider",
        "dependencies",
    } <= set(vars(bucket))


def test_spec_errors_from_python_name_the_field():
    with pytest.raises(Exception) as refused:
        ClientSpec.model_validate(
            {"client": "xy", "region": "eu-west-1", "service": {"image": "a:1", "cpu": 256, "memory": 4096}}
        )
    assert "service.memory" in str(refused.value)


def test_nothing_reads_paths_from_the_installed_package_but_its_schema():
    package = Path(crane_it.__file__).parent
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "__file__" in path.read_text(encoding="utf-8") and path.name != "schema.py"
    ]
    assert offenders == []
