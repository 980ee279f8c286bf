"""The IAM documents of an app's two roles: what ECS may do to start it, and what the app may do."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from ..core.contracts import DataLink
from ..core.iam import policy_document

ECR_PULL = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]


def secret_resource(value_from: str) -> str:
    """The IAM resource an ECS ``valueFrom`` reads: a Secrets Manager ARN loses its
    ``:json-key:version-stage:version-id`` selector (IAM knows only the secret), an SSM
    parameter ARN is used as is."""
    parts = value_from.split(":")
    return ":".join(parts[:7]) if parts[2] == "secretsmanager" else value_from


def _secret_statements(values: Sequence[str]) -> list[dict[str, Any]]:
    resources = sorted({secret_resource(v) for v in values})
    secrets = [r for r in resources if r.split(":")[2] == "secretsmanager"]
    parameters = [r for r in resources if r.split(":")[2] == "ssm"]
    statements = []
    if secrets:
        statements.append(
            {"Sid": "ReadSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secrets}
        )
    if parameters:
        statements.append(
            {"Sid": "ReadParameters", "Effect": "Allow", "Action": "ssm:GetParameters", "Resource": parameters}
        )
    return statements


def _document(statements: pulumi.Input[list[Any]]) -> pulumi.Output[str]:
    return pulumi.Output.json_dumps(policy_document(statements))


def execution_policy(
    log_group_arn: pulumi.Input[str],
    repository_arn: pulumi.Input[str] | None,
    secrets: Mapping[str, pulumi.Input[str]],
    links: Sequence[DataLink],
) -> pulumi.Output[str]:
    """Write this app's logs, pull its own image, read the secrets it names, plus the links' grants."""
    fixed: list[Any] = [
        {
            "Sid": "WriteAppLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": pulumi.Output.concat(log_group_arn, ":log-stream:*"),
        }
    ]
    if repository_arn is not None:
        fixed += [
            # GetAuthorizationToken has no resource-level permissions: "*" is the only form.
            {"Sid": "LogInToEcr", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Sid": "PullAppImage", "Effect": "Allow", "Action": ECR_PULL, "Resource": repository_arn},
        ]
    granted = pulumi.Output.all(*secrets.values()).apply(_secret_statements)
    linked = [statement for link in links for statement in link.execution_statements]
    statements = pulumi.Output.all(*fixed, *linked, granted).apply(lambda s: [*s[:-1], *s[-1]])
    return _document(statements)


def task_policy(links: Sequence[DataLink], extra: Sequence[Any] = ()) -> pulumi.Output[str] | None:
    """What the app may call: exactly its links' grants (and ``extra``, e.g. ECS Exec's), or None."""
    statements = [statement for link in links for statement in link.task_statements] + list(extra)
    return _document(list(statements)) if statements else None


def execution_trust() -> str:
    """ECS tasks may assume the execution role (the trust policy the ECS guide documents).

    No confused-deputy conditions here: the guide documents them for task roles only, and a
    condition ECS does not satisfy would stop every task from starting.
    """
    return json.dumps(_ecs_trust({}))


def task_trust(
    account: pulumi.Input[str], region: pulumi.Input[str], partition: pulumi.Input[str]
) -> pulumi.Output[str]:
    """ECS tasks of this account and region may assume the task role (confused-deputy guard)."""
    return pulumi.Output.json_dumps(
        _ecs_trust(
            {
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": pulumi.Output.format("arn:{0}:ecs:{1}:{2}:*", partition, region, account)},
            }
        )
    )


def _ecs_trust(condition: Mapping[str, Any]) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = dict(condition)
    return policy_document([statement])
