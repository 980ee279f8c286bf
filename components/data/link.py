"""The concrete data link a bucket or a database hands the service (it meets ``contracts.DataLink``)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from ..core.contracts import PolicyStatement


@dataclass(frozen=True)
class ServiceLink:
    """The least privilege a service needs to use one resource, and how it finds it."""

    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Plain environment variables for the app container."""
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Environment variable -> ECS ``valueFrom`` (secret ARN, optionally ``:json-key::``)."""
    task_statements: Sequence[PolicyStatement] = ()
    """Grants for the task role: what the app itself may do."""
    execution_statements: Sequence[PolicyStatement] = ()
    """Grants for the execution role: what ECS needs to start the task (read the secrets)."""
