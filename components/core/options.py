"""Resource options shared by every component: the one helper that parents a child resource."""

from typing import Any

import pulumi


def child(parent: pulumi.Resource, **options: Any) -> pulumi.ResourceOptions:
    """Options of a child of ``parent``: it hangs under it in the tree and inherits its provider."""
    return pulumi.ResourceOptions(parent=parent, **options)
