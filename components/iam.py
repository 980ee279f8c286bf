"""IAM policy documents: the one place the policy language version is written."""

from collections.abc import Sequence
from typing import Any

import pulumi

POLICY_VERSION = "2012-10-17"
"""The current IAM policy language version; without it IAM reads a document as the 2008 one."""


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
