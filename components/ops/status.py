"""What ``crane status`` shows per client, read from AWS by the client's tags, and the estimated cost.

Per client: running/desired tasks and the last deployment's state, alarms in ALARM, alert
email subscriptions still pending confirmation (the silent failure: the alarm fires and the
mail goes nowhere), the latest completed backup per resource and the earliest time a restore
can go back to now, the last restore test's result, and the estimated monthly cost. Every
resource is found by the client's tags in one Resource Groups Tagging API call. The cost is
the stack's plan rendered offline from this repo (``stacks/<stack>.yaml``, priced by
``crane cost``); without that spec here it says "n/a" and why, never a guess.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import OpsError
from ..facts import tags
from ..facts.alarm_names import alarm_name
from .aws import Aws, find_app, iso, tagged_services

if TYPE_CHECKING:
    from ..review.cost_share import Share

BACKUP_STALE = timedelta(hours=36)
"""A resource whose newest completed backup is older than this needs a look (the plan runs daily)."""
RESTORE_TEST_WINDOW = timedelta(days=45)
"""How far back the last restore test is looked for (restore tests run at least monthly)."""
RESOURCE_TYPES = ["sns:topic", "cloudwatch:alarm", "backup:backup-vault"]


@dataclass
class Backup:
    """The newest completed recovery point of one resource, and how far back it can be restored."""

    resource: str
    latest: str
    earliest_restorable: str


@dataclass
class Status:
    """One client's row."""

    client: str
    stack: str
    tasks: str = "-"
    deployment: str = "-"
    alarms: list[str] = field(default_factory=list)
    pending_emails: list[str] = field(default_factory=list)
    backups: list[Backup] = field(default_factory=list)
    restore_test: str = "-"
    cost: str = "-"
    """Estimated USD a month from the repo's spec (own + platform share), or "n/a (why)"."""
    problems: list[str] = field(default_factory=list)


# --- one client ---------------------------------------------------------------------------


def client_status(aws: Aws, client: str, stack: str | None = None, now: datetime | None = None) -> Status:
    """Everything ``status`` shows for one client."""
    now = now or datetime.now(UTC)
    app = find_app(aws, client, stack)
    status = Status(client, app.stack)
    _service(status, app.service)
    arns = _tagged(aws, client, app.stack)
    _alarms(aws, status, client, arns.get("cloudwatch", []))
    for topic in arns.get("sns", []):
        _subscriptions(aws, status, topic)
    vaults = [arn.rsplit(":", 1)[-1] for arn in arns.get("backup", [])]
    for vault in vaults:
        _backups(aws, status, vault, now)
    if vaults:
        _restore_tests(aws, status, vaults, now)
    return status


def _tagged(aws: Aws, client: str, stack: str) -> dict[str, list[str]]:
    """The client's topic, alarm and vault ARNs by service, from their tags."""
    filters = [
        {"Key": tags.MANAGED_BY, "Values": [tags.MANAGED_BY_VALUE]},
        {"Key": tags.CLIENT, "Values": [client]},
        {"Key": tags.STACK, "Values": [stack]},
    ]
    pages = (
        aws.client("resourcegroupstaggingapi")
        .get_paginator("get_resources")
        .paginate(TagFilters=filters, ResourceTypeFilters=RESOURCE_TYPES)
    )
    found: dict[str, list[str]] = defaultdict(list)
    for page in pages:
        for item in page.get("ResourceTagMappingList", []):
            found[item["ResourceARN"].split(":")[2]].append(item["ResourceARN"])
    return found


def _service(status: Status, service: dict[str, Any]) -> None:
    running, desired = service.get("runningCount", 0), service.get("desiredCount", 0)
    status.tasks = f"{running}/{desired}"
    if running < desired:
        status.problems.append(f"{desired - running} of {desired} tasks not running")
    primary = next((d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"), None)
    if primary is None:
        return
    state = str(primary.get("rolloutState", "")).lower().replace("_", " ") or "-"
    status.deployment = f"{state} {iso(primary.get('updatedAt') or primary.get('createdAt'))}"
    if primary.get("rolloutState") == "FAILED":
        status.problems.append(f"last deployment failed: {primary.get('rolloutStateReason', '')}")


def _alarms(aws: Aws, status: Status, client: str, tagged: list[str]) -> None:
    # Tagged alarms when the tagging API lists them; else the names Crane It gives them.
    cloudwatch = aws.client("cloudwatch")
    if tagged:
        names = [arn.split(":alarm:", 1)[1] for arn in tagged]
        alarms = [
            a for chunk in _chunks(names, 100) for a in cloudwatch.describe_alarms(AlarmNames=chunk)["MetricAlarms"]
        ]
    else:
        alarms = cloudwatch.describe_alarms(AlarmNamePrefix=alarm_name(client, ""))["MetricAlarms"]
    firing = sorted(a["AlarmName"] for a in alarms if a.get("StateValue") == "ALARM")
    status.alarms = firing
    status.problems += [f"alarm {name} is in ALARM" for name in firing]


def _subscriptions(aws: Aws, status: Status, topic: str) -> None:
    """Email subscriptions still waiting for their confirmation link to be clicked.

    SNS lists a pending subscription with SubscriptionArn "PendingConfirmation"; its
    attributes say the same (PendingConfirmation "true") once an ARN exists.
    """
    sns = aws.client("sns")
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic):
        for subscription in page.get("Subscriptions", []):
            if subscription.get("Protocol") not in ("email", "email-json"):
                continue
            arn = subscription.get("SubscriptionArn", "")
            pending = arn == "PendingConfirmation" or (
                sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"].get("PendingConfirmation") == "true"
            )
            if pending:
                status.pending_emails.append(subscription["Endpoint"])
                status.problems.append(
                    f"alert email to {subscription['Endpoint']} is not confirmed: alarms will not reach it "
                    "(ask them to click the link in the AWS Notification mail, or resubscribe)"
                )


def _backups(aws: Aws, status: Status, vault: str, now: datetime) -> None:
    """The newest completed recovery point per resource, and the earliest restorable time.

    A continuous recovery point (point-in-time recovery) restores to any second of its
    window: from when it was created, at most its retention (DeleteAfterDays) back. A
    snapshot restores to the moment it was taken; the oldest one bounds how far back.
    """
    latest: dict[str, datetime] = {}
    earliest: dict[str, datetime] = {}
    pages = aws.client("backup").get_paginator("list_recovery_points_by_backup_vault").paginate(BackupVaultName=vault)
    for page in pages:
        for point in page.get("RecoveryPoints", []):
            if point.get("Status") != "COMPLETED":
                continue
            resource = point["ResourceArn"]
            done = point.get("CompletionDate") or point["CreationDate"]
            start = point["CreationDate"]
            days = point.get("Lifecycle", {}).get("DeleteAfterDays")
            if ":continuous:" in point["RecoveryPointArn"]:
                done = now  # restorable up to about five minutes ago
                if days:
                    start = max(start, now - timedelta(days=days))
            latest[resource] = max(latest.get(resource, done), done)
            earliest[resource] = min(earliest.get(resource, start), start)
    for resource in sorted(latest):
        status.backups.append(Backup(resource, iso(latest[resource]), iso(earliest[resource])))
        if now - latest[resource] > BACKUP_STALE:
            status.problems.append(f"newest backup of {resource} is from {iso(latest[resource])}")


def _restore_tests(aws: Aws, status: Status, vaults: list[str], now: datetime) -> None:
    """The newest restore-testing job of the client's recovery points, and whether it validated."""
    backup = aws.client("backup")
    points = {
        point["RecoveryPointArn"]
        for vault in vaults
        for page in backup.get_paginator("list_recovery_points_by_backup_vault").paginate(BackupVaultName=vault)
        for point in page.get("RecoveryPoints", [])
    }
    jobs = [
        job
        for page in backup.get_paginator("list_restore_jobs").paginate(ByCreatedAfter=now - RESTORE_TEST_WINDOW)
        for job in page.get("RestoreJobs", [])
        if job.get("RecoveryPointArn") in points and job.get("CreatedBy", {}).get("RestoreTestingPlanArn")
    ]
    if not jobs:
        status.restore_test = "none"
        status.problems.append(f"no restore test in the last {RESTORE_TEST_WINDOW.days} days")
        return
    job = max(jobs, key=lambda j: j["CreationDate"])
    result = job.get("ValidationStatus") or job.get("Status", "")
    status.restore_test = f"{str(result).lower()} {iso(job['CreationDate'])}"
    if job.get("Status") in ("FAILED", "ABORTED") or job.get("ValidationStatus") in ("FAILED", "TIMED_OUT"):
        status.problems.append(f"last restore test {str(result).lower()}: {job.get('StatusMessage', '')}".rstrip(": "))


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def targets(aws: Aws, clients: list[str], stack: str | None, every: bool) -> list[tuple[str, str]]:
    """(client, stack) of each row: the clients named, or with ``every`` each Crane It client in the region."""
    if not every:
        return [(client, stack or "") for client in clients]
    found = tagged_services(aws)
    rows = sorted({(t.get(tags.CLIENT, ""), t.get(tags.STACK, "")) for _, t in found})
    if not rows:
        raise OpsError(f"no Crane It client runs in {aws.region}: wrong --region?")
    return rows


def estimated_cost(
    stack: str, project: Path | None = None, client: str | None = None, shares: dict[str, Share] | None = None
) -> str:
    """The stack's monthly estimate from its spec in the repo, or "n/a (the reason)".

    With ``client``, a spec in the repo for another client (two clients' stacks of one name)
    is refused rather than priced. ``shares`` caches platform shares across rows (``stack_cost``).
    """
    from ..errors import ProjectError, SpecError
    from ..loader import parse_stack_spec
    from ..project import find_project
    from ..review.cost_share import stack_cost  # renders offline (Pulumi): only loaded when a row needs it
    from ..review.stacks import stacks_of
    from ..spec import ClientSpec

    try:
        project = find_project(project)
    except ProjectError:
        return "n/a (no Pulumi project here to render the spec from)"
    # The same answer as crane plan/diff: stacks/*.yaml, Pulumi.<stack>.yaml, Pulumi.yaml crane-it:stacks.
    known = stacks_of(project).get(stack)
    if known is None:
        return f"n/a (stack {stack} is not declared in {project}: no stacks/{stack}.yaml or Pulumi.{stack}.yaml)"
    try:
        if known.spec is not None:
            path = project / known.spec
            spec = parse_stack_spec(path.read_text(encoding="utf-8"), str(path), root=project)
            if client and isinstance(spec, ClientSpec) and spec.client != client:
                return f"n/a ({known.spec} is client {spec.client}'s, not {client}'s)"
        result = stack_cost(stack, project=project, shares=shares)
    except (SpecError, ProjectError, FileNotFoundError) as err:
        return f"n/a (spec does not render: {str(err).splitlines()[0]})"
    share = result.share.per_client if result.share and result.share.platform != stack else None
    if share is None:
        return f"{result.own.total:.2f} USD"
    return f"{result.own.total + share:.2f} USD ({result.own.total:.2f} own + {share:.2f} platform share)"
