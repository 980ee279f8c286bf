"""Crane It: Pulumi components for stateless client web apps on AWS, and their specs.

Build a whole client with ``ClientStack(load_spec("stacks/acme.yaml"), pulumi.get_stack())``,
or assemble single components (``Network``, ``Service``, ``Bucket``, ``Database``,
``Backup``, ``Alarms``) yourself. ``crane_it.testing.render`` runs a program under Pulumi's
mock engine for unit tests; ``crane_it.policy`` holds the guardrails for a policy pack.
"""

__version__ = "0.3.0"

from .app.service import Service
from .client import ClientStack
from .core.contracts import (
    BackupVault,
    BucketTarget,
    DatabaseMetrics,
    DatabaseTarget,
    DataLink,
    EncryptionKey,
    NetworkLike,
    ServiceMetrics,
)
from .data.backup import Backup
from .data.bucket import Bucket
from .data.database import Database
from .keys.client_key import ClientKey
from .loader import SpecError, load_spec, load_stack_spec, load_tenants, parse_spec, parse_stack_spec, spec_path
from .monitoring.alarms import Alarms
from .network.vpc import ExistingNetwork, Network
from .platform import PlatformStack
from .spec import (
    AlertsSpec,
    AutoscalingSpec,
    BackupSpec,
    BucketSpec,
    BuildSpec,
    ClientSpec,
    ContainerHealthCheckSpec,
    DatabaseSpec,
    HealthCheckSpec,
    NetworkSpec,
    RestoreSpec,
    RestoreTestingSpec,
    ServiceSpec,
)
from .spec.platform import PlatformSpec

__all__ = [
    "Alarms",
    "AlertsSpec",
    "AutoscalingSpec",
    "Backup",
    "BackupSpec",
    "BackupVault",
    "Bucket",
    "BucketSpec",
    "BucketTarget",
    "BuildSpec",
    "ClientKey",
    "ClientSpec",
    "ClientStack",
    "ContainerHealthCheckSpec",
    "DataLink",
    "Database",
    "DatabaseMetrics",
    "DatabaseSpec",
    "DatabaseTarget",
    "EncryptionKey",
    "ExistingNetwork",
    "HealthCheckSpec",
    "Network",
    "NetworkLike",
    "NetworkSpec",
    "PlatformSpec",
    "PlatformStack",
    "RestoreSpec",
    "RestoreTestingSpec",
    "Service",
    "ServiceMetrics",
    "ServiceSpec",
    "SpecError",
    "__version__",
    "load_spec",
    "load_stack_spec",
    "load_tenants",
    "parse_spec",
    "parse_stack_spec",
    "spec_path",
]
