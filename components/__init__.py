"""Crane It: Pulumi components for stateless client web apps on AWS, and their specs.

Build a whole client with ``ClientStack(load_spec("stacks/acme.yaml"), pulumi.get_stack())``,
or assemble single components (``Network``, ``Service``, ``Bucket``, ``Database``,
``Backup``, ``Alarms``) yourself. ``crane_it.testing.render`` runs a program under Pulumi's
mock engine for unit tests; ``crane_it.policy`` holds the guardrails for a policy pack.
"""

__version__ = "0.3.0"

from .alarms import Alarms
from .backup import Backup
from .bucket import Bucket
from .client import ClientStack
from .client_key import ClientKey
from .contracts import (
    BackupVault,
    BucketTarget,
    DatabaseMetrics,
    DatabaseTarget,
    DataLink,
    EncryptionKey,
    NetworkLike,
    ServiceMetrics,
)
from .database import Database
from .loader import SpecError, load_spec, load_stack_spec, load_tenants, parse_spec, parse_stack_spec, spec_path
from .network import ExistingNetwork, Network
from .platform import PlatformStack
from .service import Service
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
