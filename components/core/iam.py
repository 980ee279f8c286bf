"""IAM policy documents: the one place the policy language version is written."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

POLICY_VERSION = "2012-10-17"
"""The current IAM policy language version; without it IAM reads a document as the 2008 one."""


@dataclass(frozen=True)
class Where:
    """The partition, region and account a component's resources land in: what ARNs and
    policy conditions are built from."""

    partition: pulumi.Output[str]
    region: pulumi.Output[str]
    account: pulumi.Output[str]


def where(parent: pulumi.Resource) -> Where:
    """Read :class:`Where` through ``parent``'s provider (a client's provider sets its region)."""
    invoke = pulumi.InvokeOutputOptions(parent=parent)
    return Where(
        partition=aws.get_partition_output(opts=invoke).partition,
        region=aws.get_region_output(opts=invoke).region,
        account=aws.get_caller_identity_output(opts=invoke).account_id,
    )


def policy_document(statements: pulumi.Input[Sequence[Any]]) -> dict[str, Any]:
    """A policy (or trust) document holding ``statements``; values may be Pulumi Inputs
    (render it with ``pulumi.Output.json_dumps``)."""
    return {"Version": POLICY_VERSION, "Statement": statements}


def account_administers_key(partition: pulumi.Input[str], account: pulumi.Input[str]) -> dict[str, Any]:
    """The key-policy statement that keeps a customer key manageable by its account's IAM.

    Without it only the statements in the key policy grant access, and a mistake there
    makes the key unmanageable (KMS's default key policy is exactly this statement).
    """
    return {
        "Sid": "AccountAdministers",
        "Effect": "Allow",
        "Principal": {"AWS": pulumi.Output.format("arn:{0}:iam::{1}:root", partition, account)},
        "Action": "kms:*",
        "Resource": "*",
    }


def alert_publishers_use_key() -> dict[str, Any]:
    """The key-policy statement that lets CloudWatch alarms and EventBridge publish to a topic
    encrypted with the key.

    The AWS-managed alias/aws/sns key cannot be granted to them: their publishes fail, noted
    only in alarm history and FailedInvocations metrics. AWS does not support
    aws:SourceAccount/SourceArn conditions in a key policy for EventBridge-to-encrypted-topic,
    so the topic policy does the scoping.
    """
    return {
        "Sid": "AlarmsAndEventsEncryptMessages",
        "Effect": "Allow",
        "Principal": {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
    }
