"""The one explicit AWS provider of a client stack, and the tags every resource carries."""

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from ..facts import tags as tag_keys

MANAGED_BY = tag_keys.MANAGED_BY_VALUE


def default_tags(client: str, stack: str, extra: Mapping[str, str], *, retiring: bool = False) -> dict[str, str]:
    """The tags on every resource: the spec's own, then client, stack and managed-by, and
    ``retiring: "true"`` while the client is being retired (the policy pack reads it from
    the provider to allow the settings a retirement needs)."""
    tags = {**extra, tag_keys.CLIENT: client, tag_keys.STACK: stack, tag_keys.MANAGED_BY: MANAGED_BY}
    if retiring:
        tags[tag_keys.RETIRING] = "true"
    return tags


def aws_provider(
    name: str, region: str, tags: Mapping[str, str], opts: pulumi.ResourceOptions | None = None
) -> aws.Provider:
    """An AWS provider pinned to ``region`` that tags everything it creates with ``tags``."""
    return aws.Provider(
        name,
        region=region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=dict(tags)),
        opts=opts,
    )
