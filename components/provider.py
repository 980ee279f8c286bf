"""The one explicit AWS provider of a client stack, and the tags every resource carries."""

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

MANAGED_BY = "crane-it"


def default_tags(client: str, stack: str, extra: Mapping[str, str]) -> dict[str, str]:
    """The tags on every resource: the spec's own, then client, stack and managed-by."""
    return {**extra, "client": client, "stack": stack, "managed-by": MANAGED_BY}


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
