"""One client's whole stack: network, stateless service, data, backups and alarms."""

from __future__ import annotations

import pulumi

from .app.service import Service
from .core.contracts import NetworkLike
from .core.naming import base_name, stack_domain
from .core.options import child
from .core.provider import aws_provider, default_tags
from .data.backup import Backup
from .data.bucket import Bucket
from .data.database import Database
from .facts.alarm_names import DEPLOYMENT_ALARMS, alarm_name
from .ingress.access_logs import AccessLogs
from .ingress.platform_route import PlatformOutputs, SharedIngress, from_platform, reference_name
from .ingress.waf import Waf
from .keys.client_key import ClientKey
from .keys.log_key import LogKey
from .monitoring.alarms import Alarms, tasks_window_minutes
from .network.vpc import Network
from .spec import ClientSpec
from .spec.tenancy import maintenance_priority, rule_priority


class ClientStack(pulumi.ComponentResource):
    """Everything one client runs on, assembled from its validated spec on its own AWS provider.

    Every resource name starts with ``naming.base_name(spec.client, stack)``: the client's
    slug for the stack named after it, ``<client>-<stage>`` for another stack of the same
    spec, so staging and production in one account never share an AWS name. With
    ``spec.retire`` every component drops the protections that would stop ``pulumi destroy``
    and keeps what holds data (see ``ClientSpec.retire``).
    """

    def __init__(self, spec: ClientSpec, stack: str, opts: pulumi.ResourceOptions | None = None) -> None:
        name = base_name(spec.client, stack)  # refuses a stack name AWS names cannot carry, before any resource
        service_spec = spec.service.model_copy(update={"domain": stack_domain(spec.client, stack, spec.service.domain)})
        super().__init__("crane:index:Client", name, None, opts)
        self.spec = spec
        self.tags = default_tags(spec.client, stack, spec.tags, retiring=spec.retire)
        self.provider = aws_provider(f"{name}-aws", spec.region, self.tags, child(self))
        on_provider = child(self, providers=[self.provider])
        retiring = spec.retire

        # One key for every log group; its policy admits CloudWatch Logs before any group uses
        # it. With `keys: per_client` that key encrypts everything else the client keeps too.
        key: ClientKey | None = None
        if spec.keys == "per_client":
            key = self.key = ClientKey(name, opts=on_provider, retiring=retiring)
            logs = key.arn
        else:
            self.log_key = LogKey(name, opts=on_provider, retiring=retiring)
            logs = self.log_key.arn
        network: NetworkLike
        ingress: SharedIngress | None = None
        if spec.platform:
            # On a platform: its VPC, load balancer and cluster, read from its stack outputs.
            self.platform = pulumi.StackReference(
                f"{name}-platform", stack_name=reference_name(spec.platform), opts=child(self)
            )
            network, ingress = from_platform(
                PlatformOutputs.from_reference(self.platform), rule_priority(spec), maintenance_priority(spec)
            )
        else:
            network = self.network = Network(name, spec.network, opts=on_provider, log_key_arn=logs)
        self.bucket = Bucket(name, spec.bucket, retiring=retiring, opts=on_provider, key=key) if spec.bucket else None
        self.database = (
            Database(
                name,
                spec.database,
                network,
                retiring=retiring,
                home=spec.platform,
                opts=on_provider,
                log_key_arn=logs,
                key=key,
            )
            if spec.database
            else None
        )
        self.access_logs = (  # opt-in
            AccessLogs(name, spec.access_logs, logged_bucket=self.bucket, opts=on_provider, retiring=retiring)
            if spec.access_logs
            else None
        )
        links = [part.link for part in (self.bucket, self.database) if part is not None]
        deployment_alarms = [alarm_name(name, title) for title in DEPLOYMENT_ALARMS]
        self.service = Service(
            name,
            service_spec,
            network,
            links=links,
            deployment_alarms=deployment_alarms,
            opts=on_provider,
            ingress=ingress,
            deployment_alarm_minutes=tasks_window_minutes(spec.alerts),
            retiring=retiring,
            log_key_arn=logs,
            access_logs_bucket=self.access_logs.bucket_name if self.access_logs and not ingress else None,
        )
        self.waf = (  # opt-in; spec validation refuses it on a platform, whose load balancer is shared
            Waf(name, spec.service.waf, load_balancer_arn=self.service.load_balancer.arn, opts=on_provider)
            if spec.service.waf
            else None
        )
        if self.database:
            self.database.admit(self.service.task_security_group_id)
        self.backup = (
            Backup(
                name,
                spec.backup,
                bucket=self.bucket,
                database=self.database,
                tags=self.tags,
                retiring=retiring,
                opts=on_provider,
                key=key,
            )
            if spec.has_data
            else None
        )
        self.alarms = Alarms(
            name,
            spec.alerts,
            service=self.service,
            database=self.database,
            backup=self.backup,
            retiring=retiring,
            opts=on_provider,
            key=key,
        )

        self.outputs: dict[str, pulumi.Input[object]] = {
            "url": self.service.url,
            "cluster": self.service.cluster_name,
            "service": self.service.service_name,
            "alarm_topic_arn": self.alarms.topic_arn,
            "dashboard": self.alarms.dashboard_name,
        }
        if self.bucket:
            self.outputs["bucket"] = self.bucket.bucket_name
        if self.database:
            self.outputs["database_endpoint"] = self.database.endpoint
            self.outputs["database_identifier"] = self.database.identifier
        if self.backup:
            self.outputs["backup_vault"] = self.backup.vault_name
        self.register_outputs(self.outputs)
