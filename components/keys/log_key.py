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

from ..core.iam import account_administers_key, policy_document, where
from ..core.options import child
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


class LogKey(pulumi.ComponentResource):
    """The key every log group of one client is encrypted with; pass ``arn`` to the components."""

    arn: pulumi.Output[str]

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None, *, retiring: bool = False) -> None:
        """``retiring``: the client is being retired (``ClientSpec.retire``): not protected, still retained."""
        super().__init__("crane:index:LogKey", name, None, opts)
        here = where(self)
        self.key = customer_key(
            f"{name}-logs-key",
            f"Encrypts the {name} log groups (app, VPC flow logs, database)",
            # Protected like every Crane It key (policy guardrail data_is_protected): deleting
            # it would make every log it encrypted unreadable, retained log groups of restored
            # instances included. Retiring drops the protection; the key stays (retained).
            child(self, protect=not retiring, retain_on_delete=True),
            policy=pulumi.Output.json_dumps(log_key_policy(here.partition, here.region, here.account)),
        )
        self.arn = self.key.arn
        self.register_outputs({"arn": self.arn})


def log_key_arn_for(
    name: str, given: pulumi.Input[str] | None, parent: pulumi.Resource, *, retiring: bool = False
) -> pulumi.Input[str]:
    """``given`` (the client's log key), or the ARN of a key of its own for a component used alone.

    A Network, Service or Database built on its own, outside a ClientStack, still encrypts its
    log groups: with a LogKey under it, named after it.
    """
    if given is not None:
        return given
    return LogKey(name, opts=child(parent), retiring=retiring).arn
