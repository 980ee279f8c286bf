"""The client spec: pure pydantic data describing one client, validated before any resource."""

from components.spec.alerts import AlertsSpec
from components.spec.backup import BackupSpec, RestoreTestingSpec
from components.spec.base import STATELESS_MESSAGE, StrictModel
from components.spec.client import ClientSpec
from components.spec.data import BucketSpec, DatabaseSpec, RestoreSpec
from components.spec.network import NetworkSpec
from components.spec.service import (
    AutoscalingSpec,
    BuildSpec,
    ContainerHealthCheckSpec,
    HealthCheckSpec,
    ServiceSpec,
)

__all__ = [
    "STATELESS_MESSAGE",
    "AlertsSpec",
    "AutoscalingSpec",
    "BackupSpec",
    "BucketSpec",
    "BuildSpec",
    "ClientSpec",
    "ContainerHealthCheckSpec",
    "DatabaseSpec",
    "HealthCheckSpec",
    "NetworkSpec",
    "RestoreSpec",
    "RestoreTestingSpec",
    "ServiceSpec",
    "StrictModel",
]
