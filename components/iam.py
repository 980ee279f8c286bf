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
