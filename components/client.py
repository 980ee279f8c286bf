"""One client's whole stack: network, stateless service, data, backups and alarms."""

from __future__ import annotations

import pulumi

from .app.jobs import Jobs
from .app.rotation_rollout import RotationRollout
from .app.service import Service
from .app.workers import Worker, background_security_group
from .core.component import Component, Protection
from .core.contracts import NetworkLike
from .core.naming import base_name, stack_domain
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
from .network.vpc import Network, task_placement
from .spec import ClientSpec
from .spec.tenancy import maintenance_priority, rule_priority


class ClientStack(Component):
    """Everything one client runs on, assembled from its validated spec on its own AWS provider.

    Every resource name starts with ``naming.base_name(spec.client, stack)``: the client's
    slug for the stack named after it, ``<client>-<stage>`` for another stack of the same
    spec, so staging and production in one account never share an AWS name. With
    ``spec.retire`` every component drops the protections that would stop ``pulumi destroy``
    and keeps what holds data (see ``ClientSpec.retire``); that setting, the client's key and
    its log key reach every component as one ``core.component.Protection`` value.

    The escape hatch for one setting of one child is Pulumi's own resource transforms, not a
    spec field: ``opts=pulumi.ResourceOptions(transforms=[...])`` runs each function on the
    stack and on every resource under it, before it is registered. A transform returns
    ``None`` to leave a resource as it is, or a ``ResourceTransformResult`` with new inputs or
    options. Match a child by type and logical name (``args.type_``, ``args.name``; names are
    ``<base_name>-<part>``, as ``crane plan --urns`` lists them) so nothing else changes::

        def app_logs_for_a_year(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
            if args.type_ == "aws:cloudwatch/logGroup:LogGroup" and args.name == "acme-app-logs":
                return pulumi.ResourceTransformResult({**args.props, "retentionInDays": 365}, args.opts)
            return None

        ClientStack(spec, stack, opts=pulumi.ResourceOptions(transforms=[app_logs_for_a_year]))

    ``props`` carry the provider's (camelCase) input names. A transform is code, so it is
    reviewed like code: ``crane plan`` and ``crane diff`` show its effect, and the policy pack
    still checks the result (a transform that turns off `protect` on a database is refused).
    Transforms run in the Pulumi engine: the offline renderer (``crane plan``,
    ``crane_it.testing.render``) only records them, so their effect shows in ``pulumi preview``.
    """

    type_token = "crane:index:Client"

    def __init__(self, spec: ClientSpec, stack: str, *, opts: pulumi.ResourceOptions | None = None) -> None:
        """``opts``: options of the stack component; ``transforms`` there reach every child."""
        name = base_name(spec.client, stack)  # refuses a stack name AWS names cannot carry, before any resource
        service_spec = spec.service.model_copy(update={"domain": stack_domain(spec.client, stack, spec.service.domain)})
        super().__init__(name, protection=Protection(retiring=spec.retire), opts=opts)
        self.spec = spec
        self.tags = default_tags(spec.client, stack, spec.tags, retiring=spec.retire)
        self.provider = aws_provider(f"{name}-aws", spec.region, self.tags, self.child())
        on_provider = self.child(providers=[self.provider])

        # One key for every log group; its policy admits CloudWatch Logs before any group uses
        # it. With `keys: per_client` that key encrypts everything else the client keeps too.
        key: ClientKey | None = None
        if spec.keys == "per_client":
            key = self.key = ClientKey(name, protection=self.protection, opts=on_provider)
            logs = key.arn
        else:
            self.log_key = LogKey(name, protection=self.protection, opts=on_provider)
            logs = self.log_key.arn
        protection = Protection(retiring=spec.retire, key=key, log_key_arn=logs)
        network: NetworkLike
        ingress: SharedIngress | None = None
        if spec.platform:
            # On a platform: its VPC, load balancer and cluster, read from its stack outputs.
            self.platform = pulumi.StackReference(
                f"{name}-platform", stack_name=reference_name(spec.platform), opts=self.child()
            )
            network, ingress = from_platform(
                PlatformOutputs.from_reference(self.platform), rule_priority(spec), maintenance_priority(spec)
            )
        else:
            network = self.network = Network(name, spec.network, protection=protection, opts=on_provider)
        self.bucket = Bucket(name, spec.bucket, protection=protection, opts=on_provider) if spec.bucket else None
        self.database = (
            Database(name, spec.database, network, home=spec.platform, protection=protection, opts=on_provider)
            if spec.database
            else None
        )
        self.access_logs = (  # opt-in
            AccessLogs(name, spec.access_logs, logged_bucket=self.bucket, protection=protection, opts=on_provider)
            if spec.access_logs
            else None
        )
        links = [part.link for part in (self.bucket, self.database) if part is not None]
        self.service = Service(
            name,
            service_spec,
            network,
            links=links,
            deployment_alarms=[alarm_name(name, title) for title in DEPLOYMENT_ALARMS],
            deployment_alarm_minutes=tasks_window_minutes(spec.alerts),
            ingress=ingress,
            access_logs_bucket=self.access_logs.bucket_name if self.access_logs and not ingress else None,
            # Before the service and its release start tasks: the tasks may reach the database.
            admit=[self.database.admit] if self.database else [],
            protection=protection,
            opts=on_provider,
        )
        self.waf = (  # opt-in; spec validation refuses it on a platform, whose load balancer is shared
            Waf(name, spec.service.waf, load_balancer_arn=self.service.load_balancer.arn, opts=on_provider)
            if spec.service.waf
            else None
        )
        if self.database:
            # Tasks read DB_PASSWORD at start only: each rotation of it restarts them.
            RotationRollout(
                name,
                self.database.secret_arn,
                self.service.cluster_name,
                self.service.service_name,
                opts=on_provider,
            )
        self._background(name, spec, network, on_provider)
        self.backup = (
            Backup(
                name,
                spec.backup,
                bucket=self.bucket,
                database=self.database,
                tags=self.tags,
                protection=protection,
                opts=on_provider,
            )
            if spec.has_data
            else None
        )
        nat = getattr(self, "network", None) and self.network.nat_instance
        self.alarms = Alarms(
            name,
            spec.alerts,
            self.service,
            database=self.database,
            backup=self.backup,
            nat_group_name=nat.group_name if nat else None,
            workers=self.workers,
            jobs=self.jobs,
            protection=protection,
            opts=on_provider,
        )

        outputs: dict[str, pulumi.Input[object]] = {
            "url": self.service.url,
            "cluster": self.service.cluster_name,
            "service": self.service.service_name,
            "alarm_topic_arn": self.alarms.topic_arn,
        }
        if self.alarms.dashboard_name is not None:  # `alerts.dashboard`, off by default on a platform
            outputs["dashboard"] = self.alarms.dashboard_name
        if self.bucket:
            outputs["bucket"] = self.bucket.bucket_name
        if self.database:
            outputs["database_endpoint"] = self.database.endpoint
            outputs["database_identifier"] = self.database.identifier
        if self.backup:
            outputs["backup_vault"] = self.backup.vault_name
        if self.jobs:
            outputs["job_schedule_group"] = self.jobs.group_name
        if self.workers:
            outputs["workers"] = {worker.worker: worker.service_name for worker in self.workers}
        self.publish(outputs)

    def _background(self, name: str, spec: ClientSpec, network: NetworkLike, opts: pulumi.ResourceOptions) -> None:
        """Jobs and workers: the app's container beside the service, in a group that admits nothing.

        With ``service.maintenance`` on (a reset turns it on) workers run no task and the
        schedules are disabled, so nothing writes to the data being replaced.
        """
        self.workers: list[Worker] = []
        self.jobs: Jobs | None = None
        if not (spec.jobs or spec.workers):
            return
        group = self.background_security_group = background_security_group(name, network.vpc_id, self.service)
        ready = [self.database.admit(group.id)] if self.database else []
        subnets, public = task_placement(network)
        size = (spec.service.cpu, spec.service.memory)
        maintenance = spec.service.maintenance
        self.workers = [
            Worker(
                name,
                worker,
                worker_spec,
                self.service,
                subnets=subnets,
                assign_public_ip=public,
                security_group_ids=[group.id],
                default_size=size,
                maintenance=maintenance,
                wait_for_steady_state=spec.service.wait_for_steady_state,
                ready=[*ready, *network.private_routes, *network.public_routes],
                opts=opts,
            )
            for worker, worker_spec in spec.workers.items()
        ]
        if spec.jobs:
            self.jobs = Jobs(
                name,
                spec.jobs,
                self.service,
                subnets=subnets,
                assign_public_ip=public,
                security_group_ids=[group.id],
                default_size=size,
                maintenance=maintenance,
                opts=opts,
            )
