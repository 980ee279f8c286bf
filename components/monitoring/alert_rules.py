"""EventBridge alert rules: which AWS events mean trouble for a client, and the mail they become.

Pure data (event patterns, input paths and message templates), so it is tested without
Pulumi; the Alarms component turns each into a rule with the alert topic as its target.
Event shapes: "Amazon ECS service deployment state change events" (ECS developer guide) and
"Monitoring AWS Backup events using Amazon EventBridge" (AWS Backup developer guide).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi

BACKUP_CHECK = "The job in the AWS Backup console (its status message), the backup role's permissions, the vault."


@dataclass(frozen=True)
class AlertRule:
    """An event pattern and the email a matching event becomes."""

    description: str
    pattern: dict[str, Any]
    """The event pattern; values may be Pulumi Inputs (rendered with Output.json_dumps)."""
    paths: dict[str, str]
    """Input transformer variables: name -> JSON path in the event."""
    message: dict[str, str]
    """The mail, a JSON object whose values may hold <variable> placeholders."""

    @property
    def template(self) -> str:
        """The input template: a JSON object, so EventBridge escapes each quoted placeholder
        value (a reason containing quotes still gives valid JSON). `<` and `>` cannot be
        escaped, so the fixed texts never contain them."""
        return json.dumps(self.message, indent=2)


def deployment_failed(client: str, service_arn: pulumi.Input[str]) -> AlertRule:
    """A deployment stopped by the ECS circuit breaker and rolled back.

    ECS emits SERVICE_DEPLOYMENT_FAILED (only with the circuit breaker on) with the service
    ARN in ``resources``.
    """
    return AlertRule(
        description=f"A deployment of the {client} service failed and was rolled back",
        pattern={
            "source": ["aws.ecs"],
            "detail-type": ["ECS Deployment State Change"],
            "resources": [service_arn],
            "detail": {"eventName": ["SERVICE_DEPLOYMENT_FAILED"]},
        },
        paths={"reason": "$.detail.reason", "deployment": "$.detail.deploymentId", "time": "$.time"},
        message={
            "alert": f"{client}: a deployment of the service failed; ECS rolled back to the previous version.",
            "check": "ECS service events and the stopped reason of the new tasks, then the app log group.",
            "reason": "<reason>",
            "deployment": "<deployment>",
            "time": "<time>",
        },
    )


def backup_failures(client: str, vault_arn: pulumi.Input[str]) -> dict[str, AlertRule]:
    """Failed backup, copy and restore jobs of the client's vault.

    Chosen over AWS Backup vault notifications: those only offer BACKUP_JOB_COMPLETED for
    backup jobs whatever their state, so every successful nightly backup would be mailed
    unless each subscription filtered, and they need backup.amazonaws.com in the topic and
    key policies. EventBridge matches the failed states alone.
    """
    common = {"time": "$.time", "message": "$.detail.statusMessage"}
    return {
        # Backup jobs report `state`; EXPIRED means the job did not start within its window.
        "backup-failed": AlertRule(
            description=f"A backup job of the {client} vault failed",
            pattern={
                "source": ["aws.backup"],
                "detail-type": ["Backup Job State Change"],
                "detail": {"state": ["FAILED", "ABORTED", "EXPIRED"], "backupVaultArn": [vault_arn]},
            },
            paths={
                **common,
                "state": "$.detail.state",
                "resource": "$.detail.resourceArn",
                "job": "$.detail.backupJobId",
            },
            message={
                "alert": f"{client}: a backup job ended <state>; this recovery point is missing.",
                "check": BACKUP_CHECK,
                "message": "<message>",
                "resource": "<resource>",
                "job": "<job>",
                "time": "<time>",
            },
        ),
        # Copy jobs (to the copy region) are reported in the source region.
        "copy-failed": AlertRule(
            description=f"A backup copy job of the {client} vault failed",
            pattern={
                "source": ["aws.backup"],
                "detail-type": ["Copy Job State Change"],
                "detail": {"state": ["FAILED"], "sourceBackupVaultArn": [vault_arn]},
            },
            paths={**common, "resource": "$.detail.resourceArn", "job": "$.detail.copyJobId"},
            message={
                "alert": f"{client}: copying a backup to the other region failed.",
                "check": BACKUP_CHECK,
                "message": "<message>",
                "resource": "<resource>",
                "job": "<job>",
                "time": "<time>",
            },
        ),
        # Restore jobs (restore tests included) report `status`, and a failed one may carry
        # no vault ARN at all: match ours or none, so a failed restore is never lost.
        "restore-failed": AlertRule(
            description=f"A restore job from the {client} vault failed",
            pattern={
                "source": ["aws.backup"],
                "detail-type": ["Restore Job State Change"],
                "detail": {
                    "status": ["FAILED", "ABORTED"],
                    "$or": [{"backupVaultArn": [vault_arn]}, {"backupVaultArn": [{"exists": False}]}],
                },
            },
            paths={
                **common,
                "status": "$.detail.status",
                "type": "$.detail.resourceType",
                "job": "$.detail.restoreJobId",
            },
            message={
                "alert": f"{client}: a restore job (or restore test) ended <status>: the backups may not restore.",
                "check": BACKUP_CHECK,
                "message": "<message>",
                "type": "<type>",
                "job": "<job>",
                "time": "<time>",
            },
        ),
    }
