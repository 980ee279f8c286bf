"""The client spec: pure pydantic data describing one client, validated before any resource."""

from .alerts import AlertsSpec
from .backup import BackupSpec, RestoreTestingSpec
from .base import STATELESS_MESSAGE, StrictModel
from .client import ClientSpec
from .data import BucketSpec, DatabaseSpec, RestoreSpec
from .network import NetworkSpec
from .security import AccessLogsSpec, WafSpec
from .service import (
    AutoscalingSpec,
    BuildSpec,
    ContainerHealthCheckSpec,
    HealthCheckSpec,
    ServiceSpec,
)

__all__ = [
    "STATELESS_MESSAGE",
    "AccessLogsSpec",
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
    "WafSpec",
]
