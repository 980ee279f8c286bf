"""`crane reset` against a moto server with a fake Pulumi CLI on PATH: the plan, the restore
started by the program itself beside the bucket reset, resume, undo, the whole --apply, and
AWS answering otherwise than expected.

Stubbed, and why:
- ECS ListServiceDeployments, DescribeServiceDeployments and DescribeServiceRevisions: moto has
  none of them; ``fake_aws.DeploymentsApi`` answers them as ECS does (the task
  definitions it names are real moto registrations). One test leaves them out on purpose.
- The Pulumi CLI: not installed here. ``fake_pulumi`` is a ``pulumi`` executable on PATH that
  the real seam (``crane_it.ops.pulumi_cli.run``) runs: it renders the program offline and does
  in moto what the engine and the provider do (see its docstring, with the evidence).
- RDS earliest restorable time: moto's DescribeDBInstanceAutomatedBackups reports no
  RestoreWindow, so the command falls back to the spec's window and says so.
Real moto: RestoreDBInstanceToPointInTime and ModifyDBInstance (the managed secret), CloudWatch
log groups, S3 versions and the bucket reset, ECS services and task definitions, tags.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import fake_pulumi
import pytest
import yaml
from botocore.exceptions import ClientError
from fake_aws import DeploymentsApi, moto_server, use_fake_credentials
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ecs.models import ecs_backends

from crane_it.cli import main as crane_main
from crane_it.ops import aws as ops
from crane_it.ops import pulumi_cli
from crane_it.ops.reset import engine as reset_command
from crane_it.ops.reset import flow as flow
from crane_it.ops.spec_edit import edit_spec
from crane_it.review.render import render_stack

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

    def __init__(self, project: Path, monkeypatch, endpoint: str) -> None:
        self.project = project
        self.spec = project / "stacks" / "example.yaml"
        self.original_text = self.spec.read_text()
        self.log = project / fake_pulumi.STATE_DIR / "calls.jsonl"
        self.log.parent.mkdir()
        self.log.write_text("")
        self.aws = ops.Aws(REGION, endpoint)
        monkeypatch.setattr(ops, "Aws", lambda region, endpoint=None: self.aws)
        for name, value in fake_pulumi.install(
            project / fake_pulumi.STATE_DIR / "bin", self.log, endpoint, REGION
        ).items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(project)
        self._database()
        self._service_and_bucket()
        self._deployed()

    @property
    def pulumi(self) -> list[tuple[str, ...]]:
        """Every `pulumi` call, without the ``--stack`` and ``--non-interactive`` the seam adds."""
        calls = [json.loads(line) for line in self.log.read_text().splitlines()]
        return [tuple(a for a in call[: call.index("--stack")]) for call in calls]

    def _deployed(self) -> None:
        """The stack as `pulumi up` left it before the reset, with the real names moto gave."""
        address = self.aws.client("rds").describe_db_instances(DBInstanceIdentifier="example-db")["DBInstances"][0]
        real = {
            ("aws:rds/subnetGroup:SubnetGroup", "example-db-subnets"): {"name": "example-db-subnets-3c4d"},
            ("aws:ec2/securityGroup:SecurityGroup", "example-db-sg"): {"id": self.group},
            ("aws:rds/parameterGroup:ParameterGroup", "example-db-params"): {"name": "example-db-params-5e6f"},
            ("aws:kms/key:Key", "example-db-key"): {"arn": self.key},
            ("aws:kms/key:Key", "example-logs-key"): {"arn": self.log_key},
            ("aws:rds/instance:Instance", "example-db"): {"address": address["Endpoint"]["Address"]},
        }
        ecs = {"cluster": "example-cluster", "service": "example-service", "family": "example-app"}
        fake_pulumi.seed(self.project, "example", real, ecs)

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
        self.log_key = self.aws.client("kms").create_key()["KeyMetadata"]["Arn"]
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
    with moto_server() as endpoint:
        # The server's backends live in this process: start every test from an empty AWS.
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
        yield World(tmp_path, monkeypatch, endpoint)


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
    # Created by the program (a `pulumi up` targeted at it and its log groups), with the
    # identity, settings and tags it declares, and its managed password turned on after the restore.
    assert restored["DBSubnetGroup"]["DBSubnetGroupName"] == "example-db-subnets-3c4d"
    assert restored["DBParameterGroups"][0]["DBParameterGroupName"] == "example-db-params-5e6f"
    assert [g["VpcSecurityGroupId"] for g in restored["VpcSecurityGroups"]] == [world.group]
    assert restored["DeletionProtection"] is True and not restored.get("PubliclyAccessible")
    assert restored["StorageType"] == "gp3" and restored["MasterUserSecret"]["KmsKeyId"] == world.key
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
    }
    assert "# one shared NAT gateway: half the cost of one per AZ" in text
    assert edit_spec(text, image=NEW_IMAGE, maintenance=None, restore=None) == world.original_text
    assert {s for s, v in state["steps"].items() if v["status"] == "done"} == {
        "noted",
        "spec-written",
        "restore-started",
        "bucket-reset",
    }
    # Without --apply, deploying is the pull request's: the one `pulumi up` only starts the restore.
    [(command, yes, *targets)] = world.pulumi
    assert (command, yes) == ("up", "--yes") and targets[0::2] == ["--target"] * 3
    assert [t.rsplit("::", 1)[1] for t in targets[1::2]] == [
        identifier,
        f"{identifier}-log-postgresql",
        f"{identifier}-log-upgrade",
    ]


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


READ_BACK = {
    # declared input -> what DescribeDBInstances reports for it
    "engine": lambda i: i["Engine"],
    "instanceClass": lambda i: i["DBInstanceClass"],
    "dbSubnetGroupName": lambda i: i["DBSubnetGroup"]["DBSubnetGroupName"],
    "vpcSecurityGroupIds": lambda i: [g["VpcSecurityGroupId"] for g in i["VpcSecurityGroups"]],
    "parameterGroupName": lambda i: i["DBParameterGroups"][0]["DBParameterGroupName"],
    "multiAz": lambda i: i["MultiAZ"],
    "publiclyAccessible": lambda i: i.get("PubliclyAccessible", False),  # moto leaves out a false one
    "deletionProtection": lambda i: i["DeletionProtection"],
    "storageType": lambda i: i["StorageType"],
    "storageEncrypted": lambda i: i["StorageEncrypted"],
    "kmsKeyId": lambda i: i["KmsKeyId"],
    "maxAllocatedStorage": lambda i: i["MaxAllocatedStorage"],
    "enabledCloudwatchLogsExports": lambda i: sorted(i["EnabledCloudwatchLogsExports"]),
    "copyTagsToSnapshot": lambda i: i["CopyTagsToSnapshot"],
    "autoMinorVersionUpgrade": lambda i: i["AutoMinorVersionUpgrade"],
    "manageMasterUserPassword": lambda i: bool(i.get("MasterUserSecret", {}).get("SecretArn")),
    "masterUserSecretKmsKeyId": lambda i: i.get("MasterUserSecret", {}).get("KmsKeyId"),
}
"""What the restore and the provider's post-restore modify set, compared input by input. Not
compared: the settings the full `pulumi up` then updates in place (maintenance and backup
windows, CA, Performance Insights; the fake models no update), and provider-only arguments."""


def test_apply_runs_the_whole_reset_to_a_managed_secret_log_groups_with_retention_and_a_matching_render(world):
    """Issue 18's must-show: `crane reset --apply` end to end through the real Pulumi seam."""
    assert world.reset("--to", flow.iso(world.to), "--yes", "--apply") == 0
    state = world.state()
    restored = state["restored"]
    assert all(state["steps"][step]["status"] == "done" for step in flow.STEPS)
    targeted = [args for args in world.pulumi if "--target" in args]
    assert [args[3].rsplit("::", 1)[1] for args in targeted] == ["example-maintenance", restored]
    assert world.pulumi.index(targeted[0]) == 0, "maintenance goes live before anything else is deployed"
    assert world.pulumi.index(targeted[1]) == 1, "then the restore starts, before the full deploy"
    assert state["steps"]["verified"]["db_host"].startswith(restored)
    spec = yaml.safe_load(world.spec.read_text())
    assert "maintenance" not in spec["service"] and spec["database"]["restore"]["applied"] is True
    assert "adopt" not in spec["database"]["restore"]

    # What exists in AWS: the managed secret with the database key, and the log groups RDS
    # exports into made by the program, with retention and the log key, none made by RDS.
    instance = world.aws.client("rds").describe_db_instances(DBInstanceIdentifier=restored)["DBInstances"][0]
    assert instance["MasterUserSecret"]["SecretArn"] and instance["MasterUserSecret"]["KmsKeyId"] == world.key
    prefix = f"/aws/rds/instance/{restored}/"
    groups = world.aws.client("logs").describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]
    retention = yaml.safe_load(world.original_text)["database"].get("log_retention_days", 30)
    assert sorted(g["logGroupName"] for g in groups) == [prefix + "postgresql", prefix + "upgrade"]
    assert all(g.get("retentionInDays") == retention and g.get("kmsKeyId") == world.log_key for g in groups)

    # The program's next render declares exactly that: no import, and every input the restore
    # and its modify set equals what AWS reports (the engine version as the provider keeps it).
    plan = render_stack("example", world.spec, world.project)
    assert [r.urn for r in plan if r.import_id] == []
    [declared] = [r for r in plan.of_type("aws:rds/instance:Instance") if r.name == restored]
    fake_state = fake_pulumi.load(world.project, "example")["resources"]
    swap = {m: e["real"][k] for e in fake_state.values() for k, m in e["mock"].items() if m}
    inputs = fake_pulumi._resolved(declared.inputs, swap)
    for prop, read in READ_BACK.items():
        want = sorted(inputs[prop]) if isinstance(inputs[prop], list) else inputs[prop]
        assert want == read(instance), prop
    assert instance["EngineVersion"].startswith(inputs["engineVersion"] + "."), "compareActualEngineVersion keeps it"
    for group in groups:
        [log] = [
            r for r in plan.of_type("aws:cloudwatch/logGroup:LogGroup") if r.inputs.get("name") == group["logGroupName"]
        ]
        assert fake_pulumi._resolved(log.inputs["kmsKeyId"], swap) == group["kmsKeyId"]
        assert log.inputs["retentionInDays"] == group["retentionInDays"]
    assert {urn for urn in fake_state} == {r.urn for r in plan}, "the state holds what the program declares"


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


# --- AWS answering otherwise than expected (issue 18, item 15) ------------------------------------


def test_image_skips_the_deployment_history(world, capsys):
    assert world.reset("--to", flow.iso(world.to), "--image", "ghcr.io/acme/shop:1.4.1", "--dry-run") == 0
    assert "app       ghcr.io/acme/shop:1.4.1, from --image" in capsys.readouterr().out
    assert world.deployments.calls == [], "no ListServiceDeployments (or any history call) with --image"


def test_an_endpoint_without_the_deployment_history_falls_back_to_git_in_one_line(world, capsys):
    world.aws._clients["ecs"] = world.deployments._ecs  # moto's own client: it has no ListServiceDeployments
    assert world.reset("--to", flow.iso(world.to), "--dry-run") == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    [line] = [line for line in captured.err.splitlines() if "no deployment history" in line]
    assert "ListServiceDeployments" in line and "falling back to the spec's git history" in line
    assert f"app       {OLD_IMAGE}, from the spec's git history" in captured.out


class _Throttled:
    """An RDS client whose DescribeDBInstanceAutomatedBackups is throttled; every other call is moto's."""

    def __init__(self, rds) -> None:
        self._rds = rds

    def __getattr__(self, name):
        return getattr(self._rds, name)

    def describe_db_instance_automated_backups(self, **request):
        answer = {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}
        raise ClientError(answer, "DescribeDBInstanceAutomatedBackups")


def test_an_aws_error_is_one_line_naming_the_call_exit_2_and_nothing_changed(world, capsys):
    world.aws._clients["rds"] = _Throttled(world.aws.client("rds"))
    assert world.reset("--to", flow.iso(world.to), "--yes") == 2
    assert capsys.readouterr().err.splitlines() == [
        "crane reset: AWS DescribeDBInstanceAutomatedBackups failed: ThrottlingException: Rate exceeded; nothing changed"
    ]
    assert world.spec.read_text() == world.original_text
    assert not (world.project / "stacks" / "example.reset.json").exists()
    assert world.pulumi == []
