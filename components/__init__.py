"""Crane It: Pulumi components for stateless client web apps on AWS, and their specs.

Build a whole client with ``ClientStack(load_spec("stacks/acme.yaml"), pulumi.get_stack())``,
or assemble single components (``Network``, ``Service``, ``Bucket``, ``Database``,
``Backup``, ``Alarms``) yourself. ``crane_it.testing.render`` runs a program under Pulumi's
mock engine for unit tests; ``crane_it.policy`` holds the guardrails for a policy pack.
"""

__version__ = "0.3.0"

# Every public name is loaded on first use (PEP 562), so `import crane_it` and `crane --help` do
# not import every component, and with it the Pulumi SDK and pulumi_aws. Type checkers and IDEs
# read the imports below instead.
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app.service import Service
    from .client import ClientStack
    from .core.component import Component, Protection
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
    from .errors import (
        AwsError,
        CraneError,
        FlowError,
        MissingExtraError,
        OpsError,
        ProjectError,
        ResetError,
        RevisionError,
        SpecError,
    )
    from .keys.client_key import ClientKey
    from .loader import load_spec, load_stack_spec, load_tenants, parse_spec, parse_stack_spec, spec_path
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

_EXPORTS: dict[str, str] = {
    "Alarms": ".monitoring.alarms",
    "AlertsSpec": ".spec",
    "AutoscalingSpec": ".spec",
    "AwsError": ".errors",
    "Backup": ".data.backup",
    "BackupSpec": ".spec",
    "BackupVault": ".core.contracts",
    "Bucket": ".data.bucket",
    "BucketSpec": ".spec",
    "BucketTarget": ".core.contracts",
    "BuildSpec": ".spec",
    "ClientKey": ".keys.client_key",
    "ClientSpec": ".spec",
    "ClientStack": ".client",
    "Component": ".core.component",
    "ContainerHealthCheckSpec": ".spec",
    "CraneError": ".errors",
    "DataLink": ".core.contracts",
    "Database": ".data.database",
    "DatabaseMetrics": ".core.contracts",
    "DatabaseSpec": ".spec",
    "DatabaseTarget": ".core.contracts",
    "EncryptionKey": ".core.contracts",
    "ExistingNetwork": ".network.vpc",
    "FlowError": ".errors",
    "HealthCheckSpec": ".spec",
    "MissingExtraError": ".errors",
    "Network": ".network.vpc",
    "NetworkLike": ".core.contracts",
    "NetworkSpec": ".spec",
    "OpsError": ".errors",
    "PlatformSpec": ".spec.platform",
    "PlatformStack": ".platform",
    "ProjectError": ".errors",
    "Protection": ".core.component",
    "ResetError": ".errors",
    "RestoreSpec": ".spec",
    "RestoreTestingSpec": ".spec",
    "RevisionError": ".errors",
    "Service": ".app.service",
    "ServiceMetrics": ".core.contracts",
    "ServiceSpec": ".spec",
    "SpecError": ".errors",
    "load_spec": ".loader",
    "load_stack_spec": ".loader",
    "load_tenants": ".loader",
    "parse_spec": ".loader",
    "parse_stack_spec": ".loader",
    "spec_path": ".loader",
}
"""Public name -> the module (relative to this package) that defines it."""

__all__ = [
    "Alarms",
    "AlertsSpec",
    "AutoscalingSpec",
    "AwsError",
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
    "Component",
    "ContainerHealthCheckSpec",
    "CraneError",
    "DataLink",
    "Database",
    "DatabaseMetrics",
    "DatabaseSpec",
    "DatabaseTarget",
    "EncryptionKey",
    "ExistingNetwork",
    "FlowError",
    "HealthCheckSpec",
    "MissingExtraError",
    "Network",
    "NetworkLike",
    "NetworkSpec",
    "OpsError",
    "PlatformSpec",
    "PlatformStack",
    "ProjectError",
    "Protection",
    "ResetError",
    "RestoreSpec",
    "RestoreTestingSpec",
    "RevisionError",
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

if not TYPE_CHECKING:  # type checkers see the imports above; a __getattr__ would hide typos from them

    def __getattr__(name: str) -> object:
        """Import a public name's module on first use and keep the name here."""
        module = _EXPORTS.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from importlib import import_module

        value = getattr(import_module(module, __name__), name)
        globals()[name] = value
        return value


del TYPE_CHECKING  # not a public name


def __dir__() -> list[str]:
    """The public names, loaded or not, beside what the module holds."""
    return sorted(set(globals()) | set(__all__))
