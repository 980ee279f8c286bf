"""Small stand-ins for the components a component under test depends on.

Each is typed as the contract it stands for (crane_it.core.contracts), and `mypy tests/fakes.py`
runs in CI, so a fake that drifts from its protocol fails the type check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from crane_it.core.contracts import BackupVault, BucketTarget, DatabaseMetrics, DatabaseTarget, ServiceMetrics


def _out(value: str) -> pulumi.Output[str]:
    return pulumi.Output.from_input(value)


@dataclass(frozen=True)
class FakeService:
    cluster_name: pulumi.Output[str]
    service_name: pulumi.Output[str]
    load_balancer_arn_suffix: pulumi.Output[str]
    target_group_arn_suffix: pulumi.Output[str]


@dataclass(frozen=True)
class FakeDatabase:
    identifier: pulumi.Output[str]
    engine: str
    instance_class: str
    storage_gb: int
    max_storage_gb: int
    arns: list[pulumi.Output[str]] = field(default_factory=list)
    subnet_group_name: pulumi.Output[str] = field(default_factory=lambda: _out("db-subnets"))
    security_group_id: pulumi.Output[str] = field(default_factory=lambda: _out("sg-db"))


@dataclass(frozen=True)
class FakeBucket:
    arn: pulumi.Output[str]
    key_arn: pulumi.Output[str] | None


@dataclass(frozen=True)
class FakeVault:
    vault_arn: pulumi.Output[str]


def service(cluster: str, name: str, load_balancer: str, target_group: str) -> ServiceMetrics:
    """A service's metric dimensions."""
    return FakeService(_out(cluster), _out(name), _out(load_balancer), _out(target_group))


def database_metrics(
    identifier: str, engine: str, instance_class: str, storage_gb: int, max_storage_gb: int
) -> DatabaseMetrics:
    """A database as its alarms see it."""
    return FakeDatabase(_out(identifier), engine, instance_class, storage_gb, max_storage_gb)


def database_target(arns: list[str], subnet_group: str, security_group: str) -> DatabaseTarget:
    """Database instances as AWS Backup sees them."""
    return FakeDatabase(
        _out(arns[0].rsplit(":", 1)[-1]),
        "postgres",
        "db.t4g.micro",
        20,
        100,
        arns=[_out(arn) for arn in arns],
        subnet_group_name=_out(subnet_group),
        security_group_id=_out(security_group),
    )


def bucket(arn: str, key_arn: str | None) -> BucketTarget:
    """A bucket as AWS Backup sees it."""
    return FakeBucket(_out(arn), _out(key_arn) if key_arn else None)


def vault(arn: str) -> BackupVault:
    """A backup vault as the alarms see it."""
    return FakeVault(_out(arn))
