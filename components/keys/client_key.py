"""One customer key for everything a client keeps in its region (``keys: per_client``).

By default (``keys: per_purpose``) a client has five keys: its bucket's, its database's, its
backup vault's, its log groups' and its alert topic's. KMS bills each key 1 USD a month, and
each of the first two yearly rotations adds another (3 USD a key from the third year), so
for a small client the keys cost about as much as its Fargate task. ``per_client`` encrypts
all of it with this one key instead, whose policy admits what each of those keys admitted:

- the account's IAM (the bucket, database, password secret and backup vault are used through
  IAM grants with ``kms:ViaService`` conditions, as with their own keys);
- CloudWatch Logs of this account and region, for its own log groups (``log_key.py``);
- CloudWatch alarms and EventBridge, to encrypt alert messages (``iam.alert_publishers_use_key``).

Isolation between clients is unchanged: the key is still the client's own. What is given up
is isolation between purposes inside one client: disabling or losing this key makes its
files, database, logs and S3 recovery points unreadable at once (RDS recovery points are
under the database's key in either mode), and three services share one key policy. The key is
protected and retained, and KMS waits 30 days before deleting it (``keys.py``).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..core.component import STANDALONE, Component, Protection
from ..core.iam import account_administers_key, alert_publishers_use_key, policy_document, where
from .kms import customer_key
from .log_key import logs_use_key


class ClientKey(Component):
    """The one key of a ``keys: per_client`` client; pass it as ``Protection.key`` to the components."""

    type_token = "crane:index:ClientKey"
    arn: pulumi.Output[str]

    def __init__(
        self, name: str, *, protection: Protection = STANDALONE, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """``protection.retiring`` (``ClientSpec.retire``): the key is not protected, still retained."""
        super().__init__(name, protection=protection, opts=opts)
        here = where(self)
        policy = policy_document(
            [
                account_administers_key(here.partition, here.account),
                logs_use_key(here.partition, here.region, here.account),
                alert_publishers_use_key(),
            ]
        )
        self.key = customer_key(
            f"{name}-key",
            f"Encrypts everything {name} keeps: bucket, database, secret, logs, alerts, backups",
            # Protected like every Crane It key (policy guardrail data_is_protected), retained
            # when retiring: deleting it would make the client's data and backups unreadable.
            self.protected(),
            policy=pulumi.Output.json_dumps(policy),
        )
        self.alias = aws.kms.Alias(
            f"{name}-key-alias", name=f"alias/{name}", target_key_id=self.key.key_id, opts=self.child()
        )
        self.arn = self.key.arn
        self.publish({"arn": self.arn})
