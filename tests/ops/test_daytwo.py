"""The day-two commands (logs, run, status, history, exec) against moto, in-process and as a server.

Each test builds a client the way a stack leaves it in AWS: a VPC, an ECS cluster and a
service tagged client/stack/managed-by, the app's task definition logging to its log group,
an alert topic with email subscriptions, alarms, a backup vault. Where moto cannot play AWS,
the test says which call is stubbed and why, in its docstring.
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from botocore.stub import Stubber
from fake_aws import DeploymentsApi, moto_server, use_fake_credentials
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ecs.models import ecs_backends
from moto.moto_api import state_manager
from moto.sns.models import sns_backends

from crane_it.cli import main as crane_main
from crane_it.facts.alarm_names import alarm_name
from crane_it.ops import aws as ops
from crane_it.ops import ecs_exec as exec_command
from crane_it.ops import history, logs, status
from crane_it.ops import one_off_task as run_command

REGION = "eu-west-1"
STACK = "prod"
TAGS = {"managed-by": "crane-it", "stack": STACK}


@pytest.fixture(autouse=True)
def fake_aws_credentials(monkeypatch):
    """Fake credentials, no config files and no instance metadata: nothing can reach real AWS."""
    use_fake_credentials(monkeypatch, REGION)


@pytest.fixture(scope="module")
def server_url():
    """A moto server on a free port of 127.0.0.1, shared by the module."""
    with moto_server() as url:
        yield url


def _tags(client: str, style: str = "lower") -> list[dict[str, str]]:
    items = {**TAGS, "client": client}
    key, value = ("key", "value") if style == "lower" else ("Key", "Value")
    return [{key: k, value: v} for k, v in items.items()]


def _container(image: str, **extra) -> dict:
    return {
        "name": "app",
        "image": image,
        "memory": 512,
        "essential": True,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": "acme-app-logs", "awslogs-region": REGION, "awslogs-stream-prefix": "app"},
        },
        **extra,
    }


def build_client(aws: ops.Aws, client: str = "acme", *, deployed: bool = True) -> dict:
    """Create the AWS side of one client stack; return the ARNs and ids the tests need."""
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # Crane It VPCs resolve DNS names; moto's awsvpc tasks need it for their ENI names.
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName=f"{client}-tasks", Description="tasks", VpcId=vpc)["GroupId"]
    ecs = aws.client("ecs")
    cluster = ecs.create_cluster(clusterName=f"{client}-cluster", tags=_tags(client))["cluster"]["clusterArn"]
    definition = ecs.register_task_definition(
        family=f"{client}-app",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[
            _container("ghcr.io/acme/shop:1.4.2", environment=[{"name": "SHOP_CURRENCY", "value": "EUR"}])
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    service = ecs.create_service(
        cluster=cluster,
        serviceName=f"{client}-service",
        taskDefinition=definition,
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}},
        tags=_tags(client),
    )["service"]["serviceArn"]
    if deployed:
        _set_rollout(client, "COMPLETED")
    if client == "acme":
        aws.client("logs").create_log_group(logGroupName="acme-app-logs")
    return {"cluster": cluster, "service": service, "definition": definition, "subnet": subnet, "group": group}


def _backend_service(client: str):
    return ecs_backends[DEFAULT_ACCOUNT_ID][REGION].services[f"{client}-cluster:{client}-service"]


def _set_rollout(client: str, state: str) -> None:
    """Moto leaves a new service's deployment IN_PROGRESS until tasks run; set where it stands."""
    deployment = _backend_service(client).deployments[0]
    deployment["rolloutState"] = state


def _put(aws: ops.Aws, stream: str, *messages: str, at: datetime | None = None) -> None:
    logs_client = aws.client("logs")
    with contextlib.suppress(logs_client.exceptions.ResourceAlreadyExistsException):
        logs_client.create_log_stream(logGroupName="acme-app-logs", logStreamName=stream)
    at = at or datetime.now(UTC)
    logs_client.put_log_events(
        logGroupName="acme-app-logs",
        logStreamName=stream,
        logEvents=[
            {"timestamp": int((at + timedelta(milliseconds=index)).timestamp() * 1000), "message": message}
            for index, message in enumerate(messages)
        ],
    )


@pytest.fixture
def local():
    """An Aws on moto's in-process mock, fresh for each test."""
    with mock_aws():
        yield ops.Aws(REGION)


# --- logs -----------------------------------------------------------------------------------


def test_logs_interleaves_tasks_in_time_order_with_each_line_s_task_id(local, capsys):
    build_client(local)
    start = datetime.now(UTC) - timedelta(minutes=5)
    _put(local, "app/app/task-one", "GET / 200", at=start)
    _put(local, "app/app/task-two", "GET /cart 200", at=start + timedelta(seconds=1))
    _put(local, "app/app/task-one", "MemoryError in /report", at=start + timedelta(seconds=2))
    _put(local, "other/app/not-ours", "from another prefix", at=start + timedelta(seconds=3))

    code = crane_main(["logs", "acme", "--since", "1h"])

    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert [line.split("  ", 2)[1:] for line in out] == [
        ["task-one", "GET / 200"],
        ["task-two", "GET /cart 200"],
        ["task-one", "MemoryError in /report"],
    ]


def test_logs_since_and_filter_narrow_the_lines(local, capsys):
    build_client(local)
    _put(local, "app/app/t1", "old line", at=datetime.now(UTC) - timedelta(hours=2))
    _put(local, "app/app/t1", "GET / 200", "MemoryError in /report")

    assert crane_main(["logs", "acme", "--since", "1h", "--filter", "MemoryError", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["task"], line["message"]) for line in lines] == [("t1", "MemoryError in /report")]


def test_logs_follow_prints_new_lines_once(local):
    build_client(local)
    _put(local, "app/app/t1", "first")
    printed: list[str] = []
    rounds = iter([["second"], ["third"]])

    def more(_seconds: float) -> None:
        _put(local, "app/app/t2", *next(rounds))

    logs.follow(
        local.client("logs"),
        "acme-app-logs",
        "app/app/",
        datetime.now(UTC) - timedelta(minutes=1),
        None,
        lambda line: printed.append(f"{line.task} {line.message}"),
        sleep=more,
        polls=3,
    )
    assert printed == ["t1 first", "t2 second", "t2 third"]


def test_logs_against_the_moto_server(server_url, capsys):
    aws = ops.Aws(REGION, server_url)
    build_client(aws, "acme")
    _put(aws, "app/app/served", "hello from the server")

    code = crane_main(["logs", "acme", "--region", REGION, "--endpoint-url", server_url])

    assert code == 0
    assert "served  hello from the server" in capsys.readouterr().out


# --- refusals: exit 2, nothing changed ---------------------------------------------------------


def test_missing_credentials_exit_2_before_any_call(monkeypatch, capsys):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    for command in (
        ["logs", "acme"],
        ["run", "acme", "--", "true"],
        ["status", "acme"],
        ["history", "acme"],
        ["exec", "acme"],
    ):
        assert crane_main(command) == 2, command
        err = capsys.readouterr().err
        assert "no AWS credentials found" in err and "nothing changed" in err


def test_unknown_client_names_the_clients_in_the_region(local, capsys):
    build_client(local, "acme")
    assert crane_main(["logs", "initech"]) == 2
    err = capsys.readouterr().err
    assert f"no Crane It service is tagged client=initech in {REGION} (clients in {REGION}: acme)" in err


def test_wrong_region_says_no_client_runs_there(local, capsys):
    build_client(local, "acme")
    assert crane_main(["status", "acme", "--region", "eu-central-1"]) == 2
    assert "no Crane It client runs in eu-central-1: wrong --region?" in capsys.readouterr().err


def test_a_misspelt_region_is_refused_by_name(capsys):
    assert crane_main(["history", "acme", "--region", "eu-wset-1"]) == 2
    assert "'eu-wset-1' is not an AWS region" in capsys.readouterr().err


# --- run ------------------------------------------------------------------------------------


def test_run_refuses_during_a_deployment_and_starts_nothing(local, capsys):
    ids = build_client(local, deployed=False)
    assert crane_main(["run", "acme", "--", "python", "manage.py", "migrate"]) == 2
    assert "is in progress" in capsys.readouterr().err
    started = local.client("ecs").list_tasks(cluster=ids["cluster"], startedBy=run_command.STARTED_BY)["taskArns"]
    assert started == []


def test_run_returns_the_task_s_exit_code_and_streams_its_logs(server_url, monkeypatch, capsys):
    """RunTask, DescribeTasks and the log calls go to the moto server. Stubbed: moto runs no
    container, so the test's sleep moves the task to STOPPED with the app container's exit
    code 3 in moto's backend, and writes the line the migration would have logged."""
    aws = ops.Aws(REGION, server_url)
    ids = build_client(aws, "acme")
    state_manager.set_transition(model_name="ecs::task", transition={"progression": "manual", "times": 10**6})

    def task_finishes(_seconds: float) -> None:
        tasks = ecs_backends[DEFAULT_ACCOUNT_ID][REGION].tasks["acme-cluster"]
        task = next(t for t in tasks.values() if t.started_by == run_command.STARTED_BY)
        _put(aws, f"app/app/{task.id}", "Applying shop.0042_orders... FAILED")
        task.status = "STOPPED"
        task.containers[0].exitCode = 3

    monkeypatch.setattr(run_command, "_sleep", task_finishes)
    try:
        code = crane_main(
            ["run", "acme", "--region", REGION, "--endpoint-url", server_url, "--", "python", "manage.py", "migrate"]
        )
    finally:
        state_manager.unset_transition("ecs::task")

    captured = capsys.readouterr()
    assert code == 3, captured.err
    assert "Applying shop.0042_orders... FAILED" in captured.out
    assert "exited with 3" in captured.err
    ecs = aws.client("ecs")
    arns = ecs.list_tasks(cluster=ids["cluster"], startedBy=run_command.STARTED_BY, desiredStatus="STOPPED")["taskArns"]
    arns += ecs.list_tasks(cluster=ids["cluster"], startedBy=run_command.STARTED_BY)["taskArns"]
    task = ecs.describe_tasks(cluster=ids["cluster"], tasks=arns[:1])["tasks"][0]
    assert task["taskDefinitionArn"] == ids["definition"]
    assert task["overrides"]["containerOverrides"] == [{"name": "app", "command": ["python", "manage.py", "migrate"]}]
    attachment = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    assert attachment["subnetId"] == ids["subnet"]


# --- status ---------------------------------------------------------------------------------


def _alerting(aws: ops.Aws, client: str, emails: list[str], pending: set[str], firing: set[str]) -> str:
    """The client's alert topic with email subscriptions, and its three deployment alarms."""
    sns = aws.client("sns")
    topic = sns.create_topic(Name=f"{client}-alerts", Tags=_tags(client, "upper"))["TopicArn"]
    for email in emails:
        arn = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=email)["SubscriptionArn"]
        if email in pending:
            # Stubbed: moto confirms email subscriptions at once; AWS keeps them pending until
            # the link in the mail is clicked. Set the attribute AWS reports meanwhile.
            sns_backends[DEFAULT_ACCOUNT_ID][REGION].subscriptions[arn].attributes["PendingConfirmation"] = "true"
    cloudwatch = aws.client("cloudwatch")
    for title in ("service memory high", "server error rate high", "service tasks missing"):
        name = alarm_name(client, title)
        cloudwatch.put_metric_alarm(
            AlarmName=name,
            MetricName="MemoryUtilization",
            Namespace="AWS/ECS",
            Statistic="Maximum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=80,
            ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[topic],
            Tags=_tags(client, "upper"),
        )
        if title in firing:
            cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="test")
    aws.client("backup").create_backup_vault(
        BackupVaultName=f"{client}-vault", BackupVaultTags={**TAGS, "client": client}
    )
    return topic


def _stub_backups(aws: ops.Aws, client: str, now: datetime, *, test_status: str = "SUCCESSFUL") -> Stubber:
    """Stubbed: moto has no ListRecoveryPointsByBackupVault or ListRestoreJobs. A Stubber on
    the backup client answers them as AWS Backup would for a continuous (PITR) database point
    with 35 days of retention, a daily snapshot, and one restore-testing job."""
    backup = aws.client("backup")
    stubber = Stubber(backup)
    database = f"arn:aws:rds:{REGION}:{DEFAULT_ACCOUNT_ID}:db:{client}-db"
    points = [
        {
            "RecoveryPointArn": f"arn:aws:backup:{REGION}:{DEFAULT_ACCOUNT_ID}:recovery-point:continuous:db-{client}-1",
            "ResourceArn": database,
            "Status": "COMPLETED",
            "CreationDate": now - timedelta(days=90),
            "Lifecycle": {"DeleteAfterDays": 35},
        },
        {
            "RecoveryPointArn": f"arn:aws:backup:{REGION}:{DEFAULT_ACCOUNT_ID}:recovery-point:snap-{client}-1",
            "ResourceArn": f"arn:aws:s3:::{client}-data",
            "Status": "COMPLETED",
            "CreationDate": now - timedelta(hours=10),
            "CompletionDate": now - timedelta(hours=9),
        },
    ]
    vault = {"BackupVaultName": f"{client}-vault"}
    stubber.add_response("list_recovery_points_by_backup_vault", {"RecoveryPoints": points}, vault)
    stubber.add_response("list_recovery_points_by_backup_vault", {"RecoveryPoints": points}, vault)
    job = {
        "RestoreJobId": "job-1",
        "RecoveryPointArn": points[0]["RecoveryPointArn"],
        "CreationDate": now - timedelta(days=3),
        "Status": "COMPLETED",
        "ValidationStatus": test_status,
        "CreatedBy": {"RestoreTestingPlanArn": f"arn:aws:backup:{REGION}:{DEFAULT_ACCOUNT_ID}:restore-testing-plan:x"},
    }
    stubber.add_response(
        "list_restore_jobs", {"RestoreJobs": [job]}, {"ByCreatedAfter": now - status.RESTORE_TEST_WINDOW}
    )
    stubber.activate()
    return stubber


def test_status_flags_a_pending_email_subscription_and_a_firing_alarm(local):
    build_client(local)
    _alerting(
        local,
        "acme",
        ["ops@acme.example", "oncall@acme.example"],
        pending={"oncall@acme.example"},
        firing={"service memory high"},
    )
    now = datetime.now(UTC)
    with _stub_backups(local, "acme", now):
        row = status.client_status(local, "acme", now=now)

    assert row.pending_emails == ["oncall@acme.example"]
    assert row.alarms == ["acme: service memory high"]
    assert any("oncall@acme.example is not confirmed" in problem for problem in row.problems)
    assert row.tasks == "0/2" and row.deployment.startswith("completed")
    assert {b.resource.rsplit(":", 1)[-1]: b.earliest_restorable for b in row.backups} == {
        "acme-db": ops.iso(now - timedelta(days=35)),
        "acme-data": ops.iso(now - timedelta(hours=10)),
    }
    assert row.restore_test.startswith("successful")


def test_status_cli_against_the_moto_server_exits_1_when_a_person_is_needed(server_url, monkeypatch, capsys):
    aws = ops.Aws(REGION, server_url)
    build_client(aws, "globex")
    _alerting(aws, "globex", ["it@globex.example"], pending={"it@globex.example"}, firing=set())
    now = datetime.now(UTC)
    real_client = ops.Aws.client

    def client(self, service):
        if service == "backup" and "backup" not in self._clients:
            self._clients["backup"] = real_client(self, "backup")
            _stub_backups(self, "globex", now)
        return real_client(self, service)

    monkeypatch.setattr(ops.Aws, "client", client)
    monkeypatch.setattr(status, "datetime", _FrozenDatetime(now))
    code = crane_main(["status", "globex", "--region", REGION, "--endpoint-url", server_url])

    out = capsys.readouterr().out
    assert code == 1
    header, row = out.splitlines()[:2]
    assert header.split()[:5] == ["CLIENT", "STACK", "TASKS", "DEPLOYMENT", "ALARMS"]
    assert row.split()[:3] == ["globex", STACK, "0/2"]
    assert "it@globex.example" in row
    assert "globex: NEEDS A PERSON: alert email to it@globex.example is not confirmed" in out


class _FrozenDatetime:
    """``datetime`` with a fixed now(), so the stubbed ListRestoreJobs sees the expected filter."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self, tz=None):
        return self._now


# --- history --------------------------------------------------------------------------------


def _revision(aws: ops.Aws, image: str, env: dict[str, str], secrets: list[str], memory: str) -> str:
    return aws.client("ecs").register_task_definition(
        family="acme-app",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory=memory,
        containerDefinitions=[
            _container(
                image,
                environment=[{"name": k, "value": v} for k, v in env.items()],
                secrets=[{"name": s, "valueFrom": f"arn:aws:secretsmanager:{REGION}:1:secret:{s}"} for s in secrets],
            )
        ],
    )["taskDefinition"]["taskDefinitionArn"]


def test_history_shows_a_rolled_back_deployment_with_the_fields_it_changed(local, monkeypatch, capsys):
    build_client(local)
    good = _revision(local, "ghcr.io/acme/shop:1.4.2", {"SHOP_CURRENCY": "EUR"}, ["STRIPE_KEY"], "512")
    bad = _revision(
        local, "ghcr.io/acme/shop:1.5.0", {"SHOP_CURRENCY": "USD", "CACHE": "on"}, ["STRIPE_KEY", "SENTRY_DSN"], "1024"
    )
    now = datetime.now(UTC)
    base = f"arn:aws:ecs:{REGION}:{DEFAULT_ACCOUNT_ID}:service-deployment/acme-cluster/acme-service"
    revision = f"arn:aws:ecs:{REGION}:{DEFAULT_ACCOUNT_ID}:service-revision/acme-cluster/acme-service"
    deployments = [
        {
            "serviceDeploymentArn": f"{base}/d1",
            "createdAt": now - timedelta(days=3),
            "startedAt": now - timedelta(days=3),
            "status": "SUCCESSFUL",
            "targetServiceRevision": {"arn": f"{revision}/r1"},
            "sourceServiceRevisions": [],
        },
        {
            "serviceDeploymentArn": f"{base}/d2",
            "createdAt": now - timedelta(hours=2),
            "startedAt": now - timedelta(hours=2),
            "status": "ROLLBACK_SUCCESSFUL",
            "targetServiceRevision": {"arn": f"{revision}/r2"},
            "sourceServiceRevisions": [{"arn": f"{revision}/r1"}],
            "alarms": {"status": "TRIGGERED", "triggeredAlarmNames": ["acme: service memory high"]},
            "rollback": {"reason": "alarm", "serviceRevisionArn": f"{revision}/r1"},
        },
        {
            "serviceDeploymentArn": f"{base}/d0",
            "createdAt": now - timedelta(days=60),
            "status": "SUCCESSFUL",
            "targetServiceRevision": {"arn": f"{revision}/r1"},
        },
    ]
    api = DeploymentsApi(local.client("ecs"), deployments, {f"{revision}/r1": good, f"{revision}/r2": bad})
    local._clients["ecs"] = api
    monkeypatch.setattr(ops, "Aws", lambda region, endpoint: local)

    assert crane_main(["history", "acme", "--since", "30d"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1].split()[1:4] == ["acme-app:3", "ghcr.io/acme/shop:1.5.0", "rolled"]
    assert "rolled back (alarm acme: service memory high)" in lines[1]
    assert lines[2].split()[1:4] == ["acme-app:2", "ghcr.io/acme/shop:1.4.2", "completed"]
    assert lines[3:] == [
        "",
        "acme-app:3 changed from the revision before:",
        "  image: ghcr.io/acme/shop:1.4.2 -> ghcr.io/acme/shop:1.5.0",
        "  memory: 512 -> 1024",
        "  env CACHE: added on",
        "  env SHOP_CURRENCY: EUR -> USD",
        "  secret SENTRY_DSN: added set",
    ], out
    # The deployment from 60 days ago is outside --since; the first one has nothing before it.
    assert "acme-app:2 changed" not in out


def test_history_diff_covers_secrets_removed_cpu_and_health_check():
    def definition(**container) -> dict:
        return {
            "cpu": container.pop("cpu", "256"),
            "memory": "512",
            "containerDefinitions": [{"name": "app", **container}],
        }

    before = definition(image="a:1", secrets=[{"name": "OLD", "valueFrom": "arn:1"}])
    after = definition(
        image="a:1", cpu="512", secrets=[], healthCheck={"command": ["CMD", "/bin/check"], "interval": 60}
    )
    assert [str(change) for change in history.diff(before, after)] == [
        "cpu: 256 -> 512",
        "secret OLD: removed (was set)",
        'health check: added {"command": ["CMD", "/bin/check"], "interval": 60}',
    ]


# --- exec -----------------------------------------------------------------------------------


def test_exec_without_the_opt_in_says_how_to_turn_it_on(local, capsys):
    build_client(local)
    assert crane_main(["exec", "acme"]) == 2
    assert "add `exec: true` under `service:` in stacks/acme.yaml" in capsys.readouterr().err


def test_exec_without_the_plugin_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(exec_command.shutil, "which", lambda name: None)
    with pytest.raises(ops.OpsError, match=r"session-manager-plugin\) on this machine.*brew install"):
        exec_command.require_plugin()


def test_exec_calls_execute_command_and_hands_the_session_to_the_plugin(local):
    """Stubbed: ExecuteCommand (moto does not implement it) answers from a botocore Stubber, and
    the plugin is a recorder; the session itself needs a real task and cannot run here."""
    ids = build_client(local)
    app = ops.find_app(local, "acme")
    ecs = local.client("ecs")
    task = {
        "taskArn": f"arn:aws:ecs:{REGION}:{DEFAULT_ACCOUNT_ID}:task/acme-cluster/0123abcd",
        "lastStatus": "RUNNING",
        "enableExecuteCommand": True,
        "containers": [{"name": "app", "runtimeId": "0123abcd-1111"}],
    }
    session = {"sessionId": "ecs-execute-command-1", "streamUrl": "wss://ssmmessages/x", "tokenValue": "t"}
    with Stubber(ecs) as stubber:
        stubber.add_response(
            "execute_command",
            {"clusterArn": ids["cluster"], "taskArn": task["taskArn"], "interactive": True, "session": session},
            {
                "cluster": ids["cluster"],
                "task": task["taskArn"],
                "container": "app",
                "interactive": True,
                "command": "python manage.py shell",
            },
        )
        seen: list[list[str]] = []
        code = exec_command.open_session(
            local,
            app,
            task,
            ["python", "manage.py", "shell"],
            "/usr/bin/session-manager-plugin",
            lambda a: seen.append(list(a)) or 0,
        )
        stubber.assert_no_pending_responses()
    assert code == 0
    plugin, payload, region, action, _profile, target, _endpoint = seen[0]
    assert (plugin, region, action) == ("/usr/bin/session-manager-plugin", REGION, "StartSession")
    assert json.loads(payload) == session
    assert json.loads(target) == {"Target": "ecs:acme-cluster_0123abcd_0123abcd-1111"}
