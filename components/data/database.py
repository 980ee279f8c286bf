"""The client's RDS database: private, encrypted, TLS-only, password kept by RDS, restorable in time."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from ..core.component import STANDALONE, Component, Protection
from ..facts import env_names, rds
from ..keys.kms import customer_key
from ..keys.log_key import log_key_arn_for
from ..spec.data import DatabaseSpec
from .database_restore import log_group_name, restore_args, restored_identifier, restored_instance
from .enhanced_monitoring import enhanced_monitoring
from .link import ServiceLink

if TYPE_CHECKING:
    from ..core.contracts import EncryptionKey, NetworkLike

__all__ = [
    "BACKUP_WINDOW",
    "CA_CERTIFICATE",
    "MAINTENANCE_WINDOW",
    "PERFORMANCE_INSIGHTS_DAYS",
    "Database",
    "restore_args",
    "restored_identifier",
    "subnet_group_resource_name",
]

CA_CERTIFICATE = "rds-ca-rsa2048-g1"
"""The RDS CA that signs the server certificate: AWS's default since rds-ca-2019 expired in
2024, valid until 2061, and RSA 2048 so every client library can verify it."""
BACKUP_WINDOW = "02:00-03:00"
"""Daily UTC window of the automated snapshot."""
MAINTENANCE_WINDOW = "sun:03:30-sun:04:30"
"""Weekly UTC window for minor upgrades and pending changes; RDS refuses one that overlaps the
backup window, so it starts half an hour after it ends."""
PERFORMANCE_INSIGHTS_DAYS = 7
"""Performance Insights retention; 7 days is the free tier."""


def subnet_group_resource_name(name: str, home: str | None) -> str:
    """The DB subnet group's logical name: one per network the database has lived in.

    RDS moves an instance to another VPC only by switching it to a subnet group *in that
    VPC* (ModifyDBInstance ``DBSubnetGroupName``, Single-AZ instances only); it refuses to
    change an existing group's subnets to another VPC (ModifyDBSubnetGroup:
    ``InvalidParameterValue: The new Subnets are not in the same Vpc as the existing subnet
    group``) and to switch an instance to another group in its own VPC
    (``InvalidVPCNetworkStateFault``). So the client's own network keeps ``<name>-db-subnets``
    and platform ``home`` gets ``<name>-db-subnets-<home>``: moving onto a platform, off it
    or between two declares a new group, `pulumi up` creates it, updates the instance to it
    (never replaces it), and deletes the old group last, once nothing uses it. A change of
    subnets *within* one network (another AZ) keeps the name and updates the group in place.
    """
    return f"{name}-db-subnets" if home is None else f"{name}-db-subnets-{home}"


def _managed_secret_arn(secrets: Sequence[aws.rds.outputs.InstanceMasterUserSecret] | None) -> str:
    """The ARN of the password secret RDS manages (manage_master_user_password is always on).

    Empty only for an instance that does not exist yet: a `pulumi up --target` elsewhere
    (the maintenance rule) skips creating a new restored instance, and Pulumi CLIs before
    pulumi/pulumi#24108 still run this function on its empty outputs. Nothing untargeted is
    updated by such an up, so the empty value reaches no resource; raising here would fail it.
    """
    return (secrets[0].secret_arn or "") if secrets else ""


class Database(Component):
    """A private, encrypted RDS instance whose data survives every mistake we can foresee.

    The app receives (through ``link``):

    - ``DB_HOST``: the active instance's address; ``DB_PORT``: 5432 (postgres) or 3306 (mysql).
    - ``DB_NAME``, ``DB_USER``: ``spec.name`` and ``spec.username``; ``DB_ENGINE``: ``postgres`` or ``mysql``.
    - ``DB_PASSWORD``: ECS injects the ``password`` key of the secret RDS keeps in Secrets
      Manager. ECS reads it when a task starts only; RDS rotates it (every 7 days by
      default), after which new connections of a running task fail until it restarts.

    Connections must use TLS: the parameter group refuses plain ones. With ``spec.restore``
    set, the link points at the restored instance; the original stays declared, untouched.

    ``home`` names the platform whose VPC ``network`` is (``ClientSpec.platform``); None for
    the client's own VPC. It names the subnet group (:func:`subnet_group_resource_name`), so
    a client moves between networks with a plain `pulumi up`.

    ``protection.retiring`` (``ClientSpec.retire``) drops `protect` and deletion protection and
    lets `pulumi destroy` delete the instances (each with its final snapshot); the key stays
    retained, since the final snapshots are encrypted with it.
    """

    type_token = "crane:index:Database"

    instance: aws.rds.Instance
    instances: list[aws.rds.Instance]
    arns: list[pulumi.Output[str]]
    identifier: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    subnet_group_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        spec: DatabaseSpec,
        network: NetworkLike,
        *,
        home: str | None = None,
        protection: Protection = STANDALONE,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``protection.key``: encrypt storage, snapshots, the password secret and Performance
        Insights with this key (the client's, ``keys: per_client``) instead of a key of the
        database's own. It can never change on an existing instance: RDS would replace it.
        ``protection.log_key_arn``: the key of the exported engine logs (log_key.py)."""
        super().__init__(name, protection=protection, opts=opts)
        self.spec = spec
        self._name = name
        # What the alarms size their thresholds by (contracts.DatabaseMetrics).
        self.engine, self.instance_class = spec.engine, spec.instance_class
        self.storage_gb, self.max_storage_gb = spec.storage_gb, spec.max_storage_gb
        self._engine = rds.ENGINES[spec.engine]
        # The exported engine logs are encrypted with it (log_key.py); used alone, with a key of its own.
        self._log_key_arn = log_key_arn_for(name, self)
        self._admitted: list[aws.vpc.SecurityGroupIngressRule] = []
        given = protection.key
        self.key: EncryptionKey = given if given is not None else self._key(name, spec)
        self.subnet_group = self._subnet_group(name, network, home)
        self.security_group = self._security_group(name, network)
        self.parameter_group = self._parameter_group(name, spec)  # forces TLS
        self._monitoring = enhanced_monitoring(name, spec.enhanced_monitoring_seconds, self)  # opt-in
        self.original = self._original(name, spec)
        self.restored = self._restored(name, spec) if spec.restore else None
        self.instance = self.restored or self.original
        self.instances = [self.original] + ([self.restored] if self.restored else [])
        self.arns = [instance.arn for instance in self.instances]
        self.identifier = self.instance.identifier
        self.endpoint = self.instance.endpoint
        self.security_group_id = self.security_group.id
        self.subnet_group_name = self.subnet_group.name
        self.secret_arn: pulumi.Output[str] = self.instance.master_user_secrets.apply(_managed_secret_arn)
        self.link = self._link(spec)
        self.publish(
            {
                "identifier": self.identifier,
                "endpoint": self.endpoint,
                "address": self.instance.address,
                "arns": self.arns,
                "secret_arn": self.secret_arn,
                "security_group_id": self.security_group_id,
                "subnet_group_name": self.subnet_group_name,
                "key_arn": self.key.arn,
            }
        )

    def admit(self, source_security_group_id: pulumi.Input[str]) -> aws.vpc.SecurityGroupIngressRule:
        """Let ``source_security_group_id`` (the service tasks) reach the engine port, and nothing else."""
        number = len(self._admitted) + 1
        suffix = "" if number == 1 else f"-{number}"
        port = self._engine.port
        self._admitted.append(
            aws.vpc.SecurityGroupIngressRule(
                f"{self._name}-db-ingress{suffix}",
                security_group_id=self.security_group.id,
                referenced_security_group_id=source_security_group_id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=f"{self.spec.engine} from the service tasks",
                opts=self.child(),
            )
        )
        return self._admitted[-1]

    def _protected(self, spec: DatabaseSpec, **kwargs: Any) -> pulumi.ResourceOptions:
        return self.protected(spec.protect, **kwargs)

    def _key(self, name: str, spec: DatabaseSpec) -> EncryptionKey:
        # One key for storage, snapshots, the password secret and Performance Insights. Losing
        # it loses every snapshot too, so it is protected like the instance.
        return customer_key(
            f"{name}-db-key",
            f"Encrypts the {name} database, its snapshots and its password secret",
            self._protected(spec),
        )

    def _subnet_group(self, name: str, network: NetworkLike, home: str | None) -> aws.rds.SubnetGroup:
        # Named after the network it lives in (``subnet_group_resource_name``), so moving the
        # client to another VPC declares a new group and switches the instance to it.
        return aws.rds.SubnetGroup(
            subnet_group_resource_name(name, home),
            subnet_ids=network.private_subnet_ids,
            description=f"Private subnets of the {name} database",
            opts=self.child(),
        )

    def _security_group(self, name: str, network: NetworkLike) -> aws.ec2.SecurityGroup:
        # No inline rules: the provider also removes the allow-all egress rule AWS adds, and
        # a database needs none (security groups let replies out). Ingress comes from admit().
        return aws.ec2.SecurityGroup(
            f"{name}-db-sg",
            vpc_id=network.vpc_id,
            description=f"The {name} database: reachable only from the service tasks",
            opts=self.child(),
        )

    def _parameter_group(self, name: str, spec: DatabaseSpec) -> aws.rds.ParameterGroup:
        # Auto-named, so a major upgrade (new family) creates the new group before the
        # instance switches to it and only then deletes the old one.
        # Every parameter here is dynamic: applied without a reboot. The log parameters make
        # the engine write the logs the instance exports (an export of a log never written
        # stays empty).
        settings = (self._engine.tls_parameter, *self._engine.log_parameters)
        return aws.rds.ParameterGroup(
            f"{name}-db-params",
            family=self._engine.family(spec.version),
            description=f"{name} {spec.engine}: refuses connections without TLS",
            parameters=[{"name": key, "value": value, "apply_method": "immediate"} for key, value in settings],
            opts=self.child(),
        )

    def _performance_insights(self, spec: DatabaseSpec) -> dict[str, Any]:
        enabled = spec.performance_insights
        if enabled is None:
            enabled = rds.supports_performance_insights(spec.engine, spec.instance_class)
        if not enabled:
            return {"performance_insights_enabled": False}
        return {
            "performance_insights_enabled": True,
            "performance_insights_kms_key_id": self.key.arn,  # can never change once set
            "performance_insights_retention_period": PERFORMANCE_INSIGHTS_DAYS,
        }

    def _settings(self, spec: DatabaseSpec, identifier: str) -> dict[str, Any]:
        """What every instance of this database has, whether created or restored."""
        return {
            "identifier": identifier,
            "engine": spec.engine,
            "engine_version": spec.version,
            # Explicit either way: the API default enrolls a major past its end of standard
            # support in billed Extended Support (spec.extended_support says why it is off).
            "engine_lifecycle_support": rds.lifecycle_support(spec.extended_support),
            "instance_class": spec.instance_class,
            "port": self._engine.port,
            "multi_az": spec.multi_az,
            "publicly_accessible": False,
            "db_subnet_group_name": self.subnet_group.name,
            "vpc_security_group_ids": [self.security_group.id],
            "parameter_group_name": self.parameter_group.name,
            "ca_cert_identifier": CA_CERTIFICATE,
            # Storage autoscaling: RDS grows gp3 storage up to the ceiling when it runs low.
            "max_allocated_storage": spec.max_storage_gb,
            "storage_type": "gp3",
            "storage_encrypted": True,
            "kms_key_id": self.key.arn,
            # RDS generates the password and keeps it in Secrets Manager, encrypted with our
            # key: no password ever passes through the program or the Pulumi state.
            "manage_master_user_password": True,
            "master_user_secret_kms_key_id": self.key.arn,
            "backup_retention_period": spec.backup_retention_days,
            "backup_window": BACKUP_WINDOW,
            "maintenance_window": MAINTENANCE_WINDOW,
            "copy_tags_to_snapshot": True,
            "delete_automated_backups": not spec.keep_automated_backups,
            "deletion_protection": spec.deletion_protection and not self.retiring,
            "skip_final_snapshot": not spec.final_snapshot,
            # Only used when skip_final_snapshot is false; unique per instance.
            "final_snapshot_identifier": f"{identifier}-final",
            "enabled_cloudwatch_logs_exports": list(self._engine.log_exports),
            "auto_minor_version_upgrade": True,
            # Lets a changed `version` major go through (RDS snapshots the instance first).
            "allow_major_version_upgrade": True,
            # Changes happen during `pulumi up`, not in the next maintenance window: deferred
            # ones leave the instance out of step with the state, and a major upgrade could
            # not release its old parameter group. A class change restarts the instance.
            "apply_immediately": True,
            **self._performance_insights(spec),
            **self._monitoring,
        }

    def _instance_options(
        self, spec: DatabaseSpec, logs: list[aws.cloudwatch.LogGroup], **kwargs: Any
    ) -> pulumi.ResourceOptions:
        # AWS Backup's continuous rule takes over the automated backups and sets their
        # retention to its own window (`backup_retention_days` only applies at creation):
        # setting it back on every update would fight AWS Backup. A retiring instance is
        # not retained: `pulumi destroy` deletes it after its final snapshot, or the
        # network it sits in could never be deleted. RDS reads the lifecycle support only
        # when it creates or restores an instance (ModifyDBInstance has no such field), so a
        # change of it is left to the next restore instead of planned as an update that
        # does nothing.
        return self.protected(
            spec.protect,
            retain=spec.protect and not self.retiring,
            depends_on=logs,
            ignore_changes=["backupRetentionPeriod", "engineLifecycleSupport"],
            **kwargs,
        )

    def _log_groups(self, identifier: str, retain: bool = False) -> list[aws.cloudwatch.LogGroup]:
        # RDS exports into /aws/rds/instance/<id>/<log>, creating the group without retention
        # if it does not exist yet; created first, it keeps ours. ``retain``: the groups stay
        # when the instance leaves the stack but lives on (a retained restore), so its logs
        # keep expiring instead of RDS recreating the groups to keep logs forever.
        return [
            aws.cloudwatch.LogGroup(
                f"{identifier}-log-{log}",
                name=log_group_name(identifier, log),
                retention_in_days=self.spec.log_retention_days,
                kms_key_id=self._log_key_arn,
                opts=self.child(retain_on_delete=retain),
            )
            for log in self._engine.log_exports
        ]

    def _original(self, name: str, spec: DatabaseSpec) -> aws.rds.Instance:
        # A fixed identifier and logical name: adding or changing `restore` never touches
        # this resource, and runbooks can name it.
        identifier = f"{name}-db"
        logs = self._log_groups(identifier)
        return aws.rds.Instance(
            identifier,
            db_name=spec.name,
            username=spec.username,
            allocated_storage=spec.storage_gb,
            **self._settings(spec, identifier),
            opts=self._instance_options(spec, logs),
        )

    def _restored(self, name: str, spec: DatabaseSpec) -> aws.rds.Instance:
        # The new instance of the point-in-time restore (database_restore.py), with this
        # database's settings and options and log groups of its own.
        assert spec.restore is not None
        identifier = restored_identifier(name, spec.restore.id)
        source = spec.restore.source or self.original.identifier
        logs = self._log_groups(identifier, retain=spec.protect and not self.retiring)
        options = functools.partial(self._instance_options, spec, logs)
        return restored_instance(identifier, spec.restore, source, self._settings(spec, identifier), options)

    def _link(self, spec: DatabaseSpec) -> ServiceLink:
        """Where the active instance is, and the right to read its password at task start."""
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        read_password = [
            {
                "Sid": "ReadDatabasePassword",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": self.secret_arn,
            },
            {
                "Sid": "DecryptDatabasePassword",
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": self.key.arn,
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": pulumi.Output.concat("secretsmanager.", region, ".amazonaws.com")
                    }
                },
            },
        ]
        return ServiceLink(
            environment={
                env_names.DB_SECRET_ARN: self.secret_arn,
                env_names.DB_HOST: self.instance.address,
                env_names.DB_PORT: str(self._engine.port),
                env_names.DB_NAME: spec.name,
                env_names.DB_USER: spec.username,
                env_names.DB_ENGINE: spec.engine,
            },
            # The RDS-managed secret is JSON {"username": ..., "password": ...}.
            secrets={env_names.DB_PASSWORD: pulumi.Output.concat(self.secret_arn, ":password::")},
            execution_statements=read_password,
            # RDS rotates the managed password (every 7 days by default) but ECS injects
            # DB_PASSWORD only at task start, so the app may re-read DB_SECRET_ARN itself when
            # a login fails; running tasks then survive a rotation without a restart.
            task_statements=read_password,
        )
