"""The client's key for CloudWatch Logs: one customer key encrypts every log group of the stack.

CloudWatch Logs encrypts a group with a customer key only if the key policy lets the
regional service principal `logs.<region>.amazonaws.com` use it, scoped by the encryption
context CloudWatch Logs sends (`kms:EncryptionContext:aws:logs:arn`, the log group's ARN).
The policy is part of the key itself, so it exists before any group names the key: a group
created against a key that does not admit CloudWatch Logs fails with AccessDeniedException.
Writers (ECS, VPC flow logs, RDS) and readers need no KMS rights of their own: CloudWatch
Logs encrypts and decrypts on their behalf.
"""

from __future__ import annotations

from typing import Any

import pulumi

from ..core.component import STANDALONE, Component, Protection
from ..core.iam import account_administers_key, policy_document, where
from .kms import customer_key


def logs_use_key(partition: pulumi.Input[str], region: pulumi.Input[str], account: pulumi.Input[str]) -> Any:
    """The key-policy statement: CloudWatch Logs of this account and region may use the key for
    its own log groups only."""
    return {
        "Sid": "CloudWatchLogsEncryptsThisAccountsGroups",
        "Effect": "Allow",
        "Principal": {"Service": pulumi.Output.concat("logs.", region, ".amazonaws.com")},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        "Resource": "*",
        "Condition": {
            "ArnLike": {
                "kms:EncryptionContext:aws:logs:arn": pulumi.Output.format(
                    "arn:{0}:logs:{1}:{2}:*", partition, region, account
                )
            }
        },
    }


def log_key_policy(partition: pulumi.Input[str], region: pulumi.Input[str], account: pulumi.Input[str]) -> Any:
    """The key policy: the account administers the key; CloudWatch Logs of this account and
    region may use it for its own log groups only."""
    return policy_document([account_administers_key(partition, account), logs_use_key(partition, region, account)])


class LogKey(Component):
    """The key every log group of one client is encrypted with; pass ``arn`` as ``Protection.log_key_arn``."""

    type_token = "crane:index:LogKey"
    arn: pulumi.Output[str]

    def __init__(
        self, name: str, *, protection: Protection = STANDALONE, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """``protection.retiring`` (``ClientSpec.retire``): the key is not protected, still retained."""
        super().__init__(name, protection=protection, opts=opts)
        here = where(self)
        self.key = customer_key(
            f"{name}-logs-key",
            f"Encrypts the {name} log groups (app, VPC flow logs, database)",
            # Protected like every Crane It key (policy guardrail data_is_protected): deleting
            # it would make every log it encrypted unreadable, retained log groups of restored
            # instances included. Retiring drops the protection; the key stays (retained).
            self.protected(),
            policy=pulumi.Output.json_dumps(log_key_policy(here.partition, here.region, here.account)),
        )
        self.arn = self.key.arn
        self.publish({"arn": self.arn})


def log_key_arn_for(name: str, parent: Component) -> pulumi.Input[str]:
    """``parent.protection.log_key_arn`` (the client's log key), or the ARN of a key of its own
    for a component used alone.

    A Network, Service or Database built on its own, outside a ClientStack, still encrypts its
    log groups: with a LogKey under it, named after it, protected as ``parent`` is.
    """
    given = parent.protection.log_key_arn
    if given is not None:
        return given
    return LogKey(name, protection=Protection(retiring=parent.retiring), opts=parent.child()).arn
