"""ECS Exec (``service.exec: true``): exactly what a shell in a task needs, and a log of every session.

ECS Exec runs the SSM agent inside the app container. The task role then needs the four
``ssmmessages`` channel actions (they have no resource-level permissions, so ``*``), and, to
log sessions to CloudWatch, DescribeLogGroups (the agent checks that the group is encrypted
before it writes; it has no resource-level permissions either) plus stream writes on the
session log group only. Sessions are encrypted with a customer KMS key (the task role may
Decrypt with it; the operator needs GenerateDataKey on it), and the session log group is
encrypted with the same key, so ``cloudWatchEncryptionEnabled`` holds.

The agent writes under /var/lib/amazon and /var/log/amazon. Crane It keeps the root
filesystem read-only, which the agent does not support, so those two paths become
task-local scratch volumes while exec is on: the workaround AWS's ecs-exec-checker
maintainers describe, not something exercised here against a real task.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from ..core.iam import account_administers_key, policy_document
from ..keys.kms import customer_key

AGENT_PATHS = ("/var/lib/amazon", "/var/log/amazon")
"""Where the SSM agent writes inside the container: writable scratch volumes while exec is on."""
SESSION_LOG_RETENTION_DAYS = 365
"""Session logs are an audit trail of who ran what in production: kept a year."""


def session_key(
    name: str,
    partition: pulumi.Input[str],
    region: pulumi.Input[str],
    account: pulumi.Input[str],
    parent: Any,
) -> aws.kms.Key:
    """The key of the sessions and their log group; CloudWatch Logs may use it for this group only.

    Retained on delete like the client's other keys, so turning ``exec`` off or retiring the
    stack keeps the session log readable. Not ``protect``ed: a protected key would make both
    refuse to run (the key leaves the program), and retention already keeps it in AWS.
    """
    log_group_arn = pulumi.Output.format(
        "arn:{0}:logs:{1}:{2}:log-group:{3}-exec-sessions*", partition, region, account, name
    )
    policy = pulumi.Output.json_dumps(
        policy_document(
            [
                account_administers_key(partition, account),
                {
                    "Sid": "LogsEncryptSessionLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": pulumi.Output.format("logs.{0}.amazonaws.com", region)},
                    "Action": [
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    "Resource": "*",
                    "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_group_arn}},
                },
            ]
        )
    )
    return customer_key(
        f"{name}-exec-key",
        f"Encrypts the {name} ECS Exec sessions and their log",
        parent.child(retain_on_delete=True),
        policy=policy,
    )


def session_log_group(name: str, key: aws.kms.Key, parent: Any) -> aws.cloudwatch.LogGroup:
    """The encrypted log group every ECS Exec session of the client is written to."""
    return aws.cloudwatch.LogGroup(
        f"{name}-exec-sessions",
        name=f"{name}-exec-sessions",
        retention_in_days=SESSION_LOG_RETENTION_DAYS,
        kms_key_id=key.arn,
        # The audit trail outlives `exec: false` and a retired stack, for its retention.
        opts=parent.child(retain_on_delete=True),
    )


def task_statements(log_group_arn: pulumi.Input[str], key_arn: pulumi.Input[str]) -> list[dict[str, Any]]:
    """The task-role grants ECS Exec needs, and nothing more."""
    return [
        {
            "Sid": "ExecSessionChannels",
            "Effect": "Allow",
            "Action": [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            "Resource": "*",
        },
        {"Sid": "ExecCheckLogEncryption", "Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"},
        {
            "Sid": "ExecWriteSessionLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Resource": pulumi.Output.concat(log_group_arn, ":*"),
        },
        {"Sid": "ExecDecryptSessions", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn},
    ]


def cluster_configuration(
    log_group_name: pulumi.Input[str], key_arn: pulumi.Input[str]
) -> aws.ecs.ClusterConfigurationArgsDict:
    """The cluster's execute-command configuration: encrypted sessions, each logged to the group."""
    return {
        "execute_command_configuration": {
            "kms_key_id": key_arn,
            "logging": "OVERRIDE",
            "log_configuration": {"cloud_watch_log_group_name": log_group_name, "cloud_watch_encryption_enabled": True},
        }
    }
