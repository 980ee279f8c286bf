"""Customer-managed KMS keys, made the same way for every component that encrypts with one."""

import pulumi
import pulumi_aws as aws

DELETION_WINDOW_DAYS = 30
"""The longest wait KMS allows before deleting a key: a mistaken deletion can be cancelled."""


def customer_key(
    name: str,
    description: str,
    opts: pulumi.ResourceOptions,
    *,
    policy: pulumi.Input[str] | None = None,
    region: str | None = None,
) -> aws.kms.Key:
    """A symmetric key with yearly automatic rotation and the longest deletion window.

    Without ``policy`` KMS applies its default policy: the account root administers the key,
    so IAM policies can grant its use.
    """
    return aws.kms.Key(
        name,
        description=description,
        enable_key_rotation=True,
        deletion_window_in_days=DELETION_WINDOW_DAYS,
        policy=policy,
        region=region,
        opts=opts,
    )
