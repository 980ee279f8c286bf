"""What one component needs from another, as typed Protocols.

A component names the few attributes it reads from its neighbours here, never their
concrete class, spec or private attributes. So a user can hand ``Database`` or ``Service``
their own VPC (``Network.existing(...)`` or any object with these attributes), and tests can
pass small fakes that type-check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import pulumi

PolicyStatement = Mapping[str, Any]
"""An IAM policy statement; values may be Pulumi Inputs (rendered with Output.json_dumps)."""


class NetworkLike(Protocol):
    """A VPC to place resources in: public subnets for the load balancer, private ones for the rest."""

    @property
    def vpc_id(self) -> pulumi.Input[str]: ...

    @property
    def public_subnet_ids(self) -> pulumi.Input[Sequence[pulumi.Input[str]]]: ...

    @property
    def private_subnet_ids(self) -> pulumi.Input[Sequence[pulumi.Input[str]]]: ...

    @property
    def public_routes(self) -> Sequence[pulumi.Resource]:
        """What must exist before the public subnets reach the internet (empty for a brought VPC)."""
        ...

    @property
    def private_routes(self) -> Sequence[pulumi.Resource]:
        """What must exist before the private subnets reach the internet (empty for a brought VPC)."""
        ...


class DataLink(Protocol):
    """The least privilege a service needs to use one resource, and how the app finds it."""

    @property
    def environment(self) -> Mapping[str, pulumi.Input[str]]:
        """Plain environment variables for the app container."""
        ...

    @property
    def secrets(self) -> Mapping[str, pulumi.Input[str]]:
        """Environment variable -> ECS ``valueFrom`` (secret ARN, optionally ``:json-key::``)."""
        ...

    @property
    def task_statements(self) -> Sequence[PolicyStatement]:
        """Grants for the task role: what the app itself may do."""
        ...

    @property
    def execution_statements(self) -> Sequence[PolicyStatement]:
        """Grants for the execution role: what ECS needs to start the task (read the secrets)."""
        ...


class ServiceMetrics(Protocol):
    """The dimensions a service's alarms and dashboard are keyed by."""

    @property
    def cluster_name(self) -> pulumi.Output[str]: ...

    @property
    def service_name(self) -> pulumi.Output[str]: ...

    @property
    def load_balancer_arn_suffix(self) -> pulumi.Output[str]: ...

    @property
    def target_group_arn_suffix(self) -> pulumi.Output[str]: ...


class DatabaseMetrics(Protocol):
    """What the database alarms need: the instance to watch and the size it was given."""

    @property
    def identifier(self) -> pulumi.Output[str]: ...

    @property
    def engine(self) -> str: ...

    @property
    def instance_class(self) -> str: ...

    @property
    def storage_gb(self) -> int: ...

    @property
    def max_storage_gb(self) -> int: ...


class EncryptionKey(Protocol):
    """A customer-managed KMS key a component encrypts with instead of making its own."""

    @property
    def arn(self) -> pulumi.Output[str]: ...


class BucketTarget(Protocol):
    """A bucket AWS Backup protects: its ARN and the key its objects are encrypted with."""

    @property
    def arn(self) -> pulumi.Output[str]: ...

    @property
    def key_arn(self) -> pulumi.Output[str] | None:
        """The customer KMS key of SSE-KMS, or None for S3-managed keys."""
        ...


class DatabaseTarget(Protocol):
    """Database instances AWS Backup protects, and where its restore tests may start copies."""

    @property
    def arns(self) -> Sequence[pulumi.Output[str]]: ...

    @property
    def subnet_group_name(self) -> pulumi.Output[str]: ...

    @property
    def security_group_id(self) -> pulumi.Output[str]: ...


class BackupVault(Protocol):
    """The vault whose failed jobs the alarms report."""

    @property
    def vault_arn(self) -> pulumi.Output[str]: ...


class LoggedBucket(Protocol):
    """A bucket whose S3 server access logs go to the client's access-log bucket."""

    @property
    def bucket_name(self) -> pulumi.Output[str]: ...

    @property
    def arn(self) -> pulumi.Output[str]: ...


class WorkerMetrics(Protocol):
    """What a worker's alarms are keyed by: its name in the spec and its ECS service."""

    @property
    def worker(self) -> str: ...

    @property
    def cluster_name(self) -> pulumi.Output[str]: ...

    @property
    def service_name(self) -> pulumi.Output[str]: ...


class JobsWatch(Protocol):
    """What the job alerts match: the cluster, the jobs' ECS task groups and their schedule group."""

    @property
    def cluster_arn(self) -> pulumi.Input[str]: ...

    @property
    def task_groups(self) -> Sequence[str]: ...

    @property
    def group_name(self) -> pulumi.Output[str]: ...
