"""`crane reset` against moto: the plan, the restore started with the declared identity beside
the bucket reset, resume after an interruption, undo, and --apply without a Pulumi CLI.

Stubbed, and why:
- ECS ListServiceDeployments, DescribeServiceDeployments and DescribeServiceRevisions: moto has
  none of them; ``fake_aws.DeploymentsApi`` answers them as ECS does (the task
  definitions it names are real moto registrations).
- The Pulumi CLI: not installed here. ``run_pulumi`` is replaced by a recorder; for a full
  `pulumi up` it does what the program would make ECS do (a new task definition revision
  whose DB_HOST is the restored instance, with the image of the reset), so the verification
  step reads real moto state.
- RDS earliest restorable time: moto's DescribeDBInstanceAutomatedBackups reports no
  RestoreWindow, so the command falls back to the spec's window and says so.
Real moto: RestoreDBInstanceToPointInTime (the restored instance with its identifier, groups,
tags and settings), S3 versions and the bucket reset, ECS services and task definitions, tags.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import yaml
from fake_aws import DeploymentsApi, use_fake_credentials
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ecs.models import ecs_backends

from crane_it.cli import main as crane_main
from crane_it.ops import aws as ops
from crane_it.ops import pulumi_cli
from crane_it.ops.reset import engine as reset_command
from crane_it.ops.reset import flow as flow
from crane_it.ops.spec_edit import edit_spec

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"
OLD_IMAGE, NEW_IMAGE = "public.ecr.aws/nginx/nginx:1.26", "public.ecr.aws/nginx/nginx:1.27"
TAGS = {"client": "example", "stack": "example", "managed-by": "crane-it", "cost-center": "42"}


@pytest.fixture(autouse=True)
def fake_aws_credentials(monkeypatch):
    use_fake_credentials(monkeypatch, REGION)


def _git(project: Path, *args: str, when: dt.datetime | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when.isoformat()
    subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)


class World:
    """The example client's AWS side in moto, its project on disk, and the reset time."""

    def __init__(self, project: Path, monkeypatch) -> None:
        self.project = project
        self.spec = project / "stacks" / "example.yaml"
        self.original_text = self.spec.read_text()
        self.pulumi: list[tuple[str, ...]] = []
        self.aws = ops.Aws(REGION)
        monkeypatch.setattr(ops, "Aws", lambda region, endpoint=None: self.aws)
        monkeypatch.setattr(pulumi_cli, "installed", lambda: "/usr/local/bin/pulumi")
        monkeypatch.setattr(pulumi_cli, "run", self._pulumi)
        monkeypatch.chdir(project)
        self._database()
        self._service_and_bucket()

    def _database(self) -> None:
        ec2, rds = self.aws.client("ec2"), self.aws.client("rds")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"{REGION}{z}")["Subnet"][
                "SubnetId"
            ]
            for n, z in ((1, "a"), (2, "b"))
        ]
        self.group = ec2.create_security_group(GroupName="example-db-sg-1a2b", Description="db", VpcId=vpc)["GroupId"]
        rds.create_db_subnet_group(
            DBSubnetGroupName="example-db-subnets-3c4d", DBSubnetGroupDescription="db", SubnetIds=subnets
        )
        rds.create_db_parameter_group(
            DBParameterGroupName="example-db-params-5e6f", DBParameterGroupFamily="postgres16", Description="tls"
        )
        self.key = self.aws.client("kms").create_key()["KeyMetadata"]["Arn"]
        rds.create_db_instance(
            DBInstanceIdentifier="example-db",
            DBInstanceClass="db.t4g.micro",
            Engine="postgres",
            EngineVersion="16.4",
            AllocatedStorage=20,
            MasterUsername="app",
            MasterUserPassword="not-a-real-password",
            DBSubnetGroupName="example-db-subnets-3c4d",
            DBParameterGroupName="example-db-params-5e6f",
            VpcSecurityGroupIds=[self.group],
            StorageEncrypted=True,
            KmsKeyId=self.key,
            Tags=[{"Key": k, "Value": v} for k, v in TAGS.items()],
        )

    def _service_and_bucket(self) -> None:
        ecs = self.aws.client("ecs")
        cluster = ecs.create_cluster(clusterName="example-cluster")["cluster"]["clusterArn"]
        self.revisions = [
            self._task_definition(OLD_IMAGE, "example-db.x"),
            self._task_definition(NEW_IMAGE, "example-db.x"),
        ]
        ecs.create_service(
            cluster=cluster,
            serviceName="example-service",
            taskDefinition=self.revisions[1],
            desiredCount=0,
            tags=[{"key": k, "value": v} for k, v in TAGS.items()],
        )
        ecs_backends[DEFAULT_ACCOUNT_ID][REGION].services["example-cluster:example-service"].deployments[0][
            "rolloutState"
        ] = "COMPLETED"
        s3 = self.aws.client("s3")
        self.bucket = "example-files-0a1b2c"
        s3.create_bucket(Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_tagging(Bucket=self.bucket, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in TAGS.items()]})
        for key in ("orders.csv", "logo.png", "gone.txt"):
            s3.put_object(Bucket=self.bucket, Key=key, Body=f"{key} at the reset time".encode())
        time.sleep(1.1)  # S3 keeps times to the second
        self.to = dt.datetime.now(dt.UTC).replace(microsecond=0)
        time.sleep(1.1)
        s3.put_object(Bucket=self.bucket, Key="orders.csv", Body=b"orders written after the reset time")
        s3.put_object(Bucket=self.bucket, Key="new.txt", Body=b"created after the reset time")
        s3.delete_object(Bucket=self.bucket, Key="gone.txt")
        # The deployment history: the old image ran until an hour after the reset time... in
        # ECS terms: the new revision was deployed after `to`.
        base = f"arn:aws:ecs:{REGION}:{DEFAULT_ACCOUNT_ID}:service-deployment/example-cluster/example-service"
        revision = f"arn:aws:ecs:{REGION}:{DEFAULT_ACCOUNT_ID}:service-revision/example-cluster/example-service"
        at = self.to
        deployments = [
            self._deployment(f"{base}/d1", at - dt.timedelta(days=3), "SUCCESSFUL", f"{revision}/r1"),
            self._deployment(f"{base}/d2", at - dt.timedelta(hours=1), "ROLLBACK_SUCCESSFUL", f"{revision}/r2"),
            self._deployment(f"{base}/d3", at + dt.timedelta(seconds=1), "SUCCESSFUL", f"{revision}/r2"),
        ]
        self.deployments = DeploymentsApi(
            ecs, deployments, {f"{revision}/r1": self.revisions[0], f"{revision}/r2": self.revisions[1]}
        )
        self.aws._clients["ecs"] = self.deployments

    @staticmethod
    def _deployment(arn: str, at: dt.datetime, status: str, target: str) -> dict:
        return {
            "serviceDeploymentArn": arn,
            "createdAt": at,
            "startedAt": at,
            "status": status,
            "targetServiceRevision": {"arn": target},
        }

    def _task_definition(self, image: str, db_host: str) -> str:
        return self.aws.client("ecs").register_task_definition(
            family="example-app",
            containerDefinitions=[
                {"name": "app", "image": image, "memory": 512, "environment": [{"name": "DB_HOST", "value": db_host}]}
            ],
        )["taskDefinition"]["taskDefinitionArn"]

    def _pulumi(self, project: Path, stack: str, *args: str) -> None:
        """What `pulumi up` would make AWS do, for the steps that read AWS afterwards."""
        self.pulumi.append(args)
        if args[:2] == ("up", "--yes") and "--target" not in args:
            spec = yaml.safe_load(self.spec.read_text())
            restore = (spec.get("database") or {}).get("restore")
            identifier = f"example-db-restore-{restore['id']}" if restore else "example-db"
            address = self.aws.client("rds").describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
            arn = self._task_definition(spec["service"]["image"], address["Endpoint"]["Address"])
            self.aws.client("ecs").update_service(
                cluster="example-cluster", service="example-service", taskDefinition=arn
            )
            ecs_backends[DEFAULT_ACCOUNT_ID][REGION].services["example-cluster:example-service"].deployments[0][
                "rolloutState"
            ] = "COMPLETED"

    def objects(self) -> dict[str, bytes]:
        s3 = self.aws.client("s3")
        keys = [item["Key"] for item in s3.list_objects_v2(Bucket=self.bucket).get("Contents", [])]
        return {key: s3.get_object(Bucket=self.bucket, Key=key)["Body"].read() for key in keys}

    def state(self) -> dict:
        return json.loads((self.project / "stacks" / "example.reset.json").read_text())

    def reset(self, *extra: str) -> int:
        return crane_main(["reset", "example", *extra])


@pytest.fixture
def world(tmp_path, monkeypatch):
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "stacks").mkdir()
    spec = (ROOT / "stacks" / "example.yaml").read_text()
    _git(tmp_path, "init", "-q")
    old = spec.replace(NEW_IMAGE, OLD_IMAGE)
    (tmp_path / "stacks" / "example.yaml").write_text(old)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "old image", when=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    (tmp_path / "stacks" / "example.yaml").write_text(spec)
    _git(tmp_path, "commit", "-qam", "new image", when=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
    with mock_aws():
        yield World(tmp_path, monkeypatch)


def test_dry_run_prints_the_plan_and_changes_nothing(world, capsys):
    assert world.reset("--to", flow.iso(world.to), "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"reset example (stack example) to {flow.iso(world.to)} (dry run: nothing changed)" in out
    assert "example-db restored into example-db-restore-" in out
    # The image that ran then: the deployment history's answer, which git agrees with.
    assert f"app       {OLD_IMAGE} (example-app:1), from the ECS deployment history" in out
    assert "agrees" in out
    assert "restore 1, undelete 1, delete 1 (unchanged 1, skipped 0)" in out
    assert "undo      crane reset example --undo" in out
    assert world.spec.read_text() == world.original_text
    assert not (world.project / "stacks" / "example.reset.json").exists()
    assert [i["DBInstanceIdentifier"] for i in world.aws.client("rds").describe_db_instances()["DBInstances"]] == [
        "example-db"
    ]
    assert world.objects()["orders.csv"] == b"orders written after the reset time"
    (world.project / "dry-run.txt").write_text(out)


def test_a_time_outside_what_rds_can_restore_is_refused_before_anything(world, capsys):
    before = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    assert world.reset("--to", flow.iso(before), "--dry-run") == 2
    assert "can be restored to" in capsys.readouterr().err
    future = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert world.reset("--to", flow.iso(future), "--yes") == 2


def test_apply_without_the_pulumi_cli_refuses_cleanly(world, monkeypatch, capsys):
    monkeypatch.setattr(pulumi_cli, "installed", lambda: None)
    assert world.reset("--to", flow.iso(world.to), "--apply", "--yes") == 2
    assert "no Pulumi CLI is on PATH" in capsys.readouterr().err
    assert world.spec.read_text() == world.original_text
    assert len(world.aws.client("rds").describe_db_instances()["DBInstances"]) == 1
    assert world.pulumi == []


def test_reset_starts_the_declared_restore_beside_the_bucket_reset_and_writes_the_spec(world, monkeypatch):
    spans: dict[str, tuple[float, float, str]] = {}

    def timed(name, real):
        def wrapper(*args, **kwargs):
            started = time.monotonic()
            result = real(*args, **kwargs)
            time.sleep(1.5)  # longer than the bucket side waits for the next second: they overlap if parallel
            spans[name] = (started, time.monotonic(), threading.current_thread().name)
            return result

        return wrapper

    from crane_it.ops.reset import steps as reset_steps

    monkeypatch.setattr(reset_steps, "start_restore", timed("restore", reset_command.start_restore))
    monkeypatch.setattr(reset_steps, "reset_bucket", timed("bucket", reset_command.reset_bucket))
    assert world.reset("--to", flow.iso(world.to), "--yes") == 0
    (r0, r1, restore_thread), (b0, b1, bucket_thread) = spans["restore"], spans["bucket"]
    assert restore_thread != bucket_thread and r0 < b1 and b0 < r1, "the restore and the bucket reset overlap"

    state = world.state()
    identifier = state["restored"]
    assert identifier == f"example-db-restore-{state['restore_id']}"
    rds = world.aws.client("rds")
    restored = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    # The identity, settings and tags the program declares for the instance it will adopt.
    assert restored["DBSubnetGroup"]["DBSubnetGroupName"] == "example-db-subnets-3c4d"
    assert restored["DBParameterGroups"][0]["DBParameterGroupName"] == "example-db-params-5e6f"
    assert [g["VpcSecurityGroupId"] for g in restored["VpcSecurityGroups"]] == [world.group]
    assert restored["DeletionProtection"] is True and not restored.get("PubliclyAccessible")
    assert restored["PreferredBackupWindow"] == "02:00-03:00" and restored["StorageType"] == "gp3"
    tags = {t["Key"]: t["Value"] for t in rds.list_tags_for_resource(ResourceName=restored["DBInstanceArn"])["TagList"]}
    assert tags == TAGS
    # The bucket is as it was at the reset time (every later version is still there).
    assert world.objects() == {
        key: f"{key} at the reset time".encode() for key in ("orders.csv", "logo.png", "gone.txt")
    }
    # The spec change for the pull request, comments and layout kept.
    text = world.spec.read_text()
    spec = yaml.safe_load(text)
    assert spec["service"]["image"] == OLD_IMAGE and spec["service"]["maintenance"] is True
    assert spec["database"]["restore"] == {
        "id": state["restore_id"],
        "point_in_time": flow.iso(world.to),
        "adopt": True,
    }
    assert "# one shared NAT gateway: half the cost of one per AZ" in text
    assert edit_spec(text, image=NEW_IMAGE, maintenance=None, restore=None) == world.original_text
    assert {s for s, v in state["steps"].items() if v["status"] == "done"} == {
        "noted",
        "spec-written",
        "restore-started",
        "bucket-reset",
    }
    assert world.pulumi == []  # without --apply, deploying is the pull request's


def test_resume_after_an_interruption_finishes_without_a_second_restore(world, monkeypatch, capsys):
    from crane_it.ops.reset import steps as reset_steps

    calls = []

    def broken(*args, **kwargs):
        calls.append("bucket")
        raise OSError("connection reset by peer")

    monkeypatch.setattr(reset_steps, "reset_bucket", broken)
    assert world.reset("--to", flow.iso(world.to), "--yes") == 1
    assert "--resume" in capsys.readouterr().err
    state = world.state()
    assert state["steps"]["restore-started"]["status"] == "done"
    assert state["steps"]["bucket-reset"]["status"] == "failed"
    assert world.reset("--to", flow.iso(world.to), "--yes") == 2  # a second reset is refused meanwhile

    monkeypatch.setattr(reset_steps, "reset_bucket", reset_command.reset_bucket)
    restores = []
    monkeypatch.setattr(reset_steps, "start_restore", lambda *a: restores.append(a) or {})
    assert world.reset("--resume") == 0
    assert restores == [], "the restore already started is not started again"
    assert world.state()["steps"]["bucket-reset"]["status"] == "done"
    assert world.objects()["orders.csv"] == b"orders.csv at the reset time"


@pytest.mark.usefixtures("adopt_imports_unchecked")
def test_apply_runs_the_whole_reset_and_verifies_the_service_uses_the_restored_instance(world):
    assert world.reset("--to", flow.iso(world.to), "--yes", "--apply") == 0
    state = world.state()
    assert all(state["steps"][step]["status"] == "done" for step in flow.STEPS)
    targeted = [args for args in world.pulumi if "--target" in args]
    assert len(targeted) == 1 and targeted[0][-1].endswith("::example-maintenance")
    assert world.pulumi.index(targeted[0]) == 0, "maintenance goes live before anything else is deployed"
    assert state["steps"]["verified"]["db_host"].startswith(state["restored"])
    spec = yaml.safe_load(world.spec.read_text())
    assert "maintenance" not in spec["service"] and spec["database"]["restore"]["applied"] is True


def test_undo_returns_the_bucket_and_the_spec_to_before_the_reset(world):
    assert world.reset("--to", flow.iso(world.to), "--yes") == 0
    assert world.reset("--undo") == 0
    assert world.spec.read_text() == world.original_text
    assert world.objects() == {
        "orders.csv": b"orders written after the reset time",
        "logo.png": b"logo.png at the reset time",
        "new.txt": b"created after the reset time",
    }
    assert world.state()["undo"]["bucket-undone"]["status"] == "done"
