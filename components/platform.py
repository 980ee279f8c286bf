"""A platform stack: the VPC, NAT, load balancer and cluster many small clients share.

A small client on its own pays for a load balancer (about 18 USD/month plus its public IPv4
addresses) and NAT (33 USD per gateway) that it barely uses, beside about 9 USD of Fargate.
On a platform those are paid once. What stays per client, in the client's own stack, is
everything that isolates it: task role, security groups, keys, target group, service,
bucket, database and backups. The platform holds no client data.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from .core.component import Component, Protection
from .core.provider import aws_provider, default_tags
from .ingress.access_logs import AccessLogs
from .ingress.platform_route import PlatformOutputs
from .ingress.shared_load_balancer import SharedLoadBalancer
from .ingress.waf import Waf
from .keys.log_key import LogKey
from .monitoring.platform_alarms import PlatformAlarms
from .network.vpc import Network
from .spec.platform import PlatformSpec
from .spec.tenancy import Tenant, usage


class PlatformStack(Component):
    """Everything a platform's clients share, on its own tagged AWS provider.

    Like ``ClientStack``, it takes ``opts=pulumi.ResourceOptions(transforms=[...])`` to change
    one setting of one child without a fork (see ``ClientStack``).
    """

    type_token = "crane:index:Platform"

    def __init__(
        self,
        spec: PlatformSpec,
        stack: str,
        *,
        tenants: Sequence[Tenant] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``tenants``: the client stacks on this platform (``loader.load_tenants``), for quota usage."""
        name = spec.platform
        retiring = spec.retire
        super().__init__(name, protection=Protection(retiring=retiring), opts=opts)
        self.spec = spec
        self.tags = default_tags(spec.platform, stack, spec.tags, retiring=retiring)
        self.provider = aws_provider(f"{name}-aws", spec.region, self.tags, self.child())
        on_provider = self.child(providers=[self.provider])

        # The platform's flow logs are encrypted like a client's (log_key.py).
        self.log_key = LogKey(name, protection=self.protection, opts=on_provider)
        protection = Protection(retiring=retiring, log_key_arn=self.log_key.arn)
        self.network = Network(name, spec.network, protection=protection, opts=on_provider)
        # Retiring turns off the deletion protection that would stop `pulumi destroy`.
        balancer = (
            spec.load_balancer.model_copy(update={"deletion_protection": False}) if retiring else spec.load_balancer
        )
        self.access_logs = (  # opt-in
            AccessLogs(name, spec.access_logs, protection=protection, opts=on_provider) if spec.access_logs else None
        )
        self.load_balancer = SharedLoadBalancer(
            name,
            balancer,
            spec.certificate,
            self.network,
            opts=on_provider,
            access_logs_bucket=self.access_logs.bucket_name if self.access_logs else None,
        )
        self.waf = (  # opt-in: one web ACL guards every client behind the shared load balancer
            Waf(name, spec.waf, load_balancer_arn=self.load_balancer.load_balancer.arn, opts=on_provider)
            if spec.waf
            else None
        )
        self.cluster = self._cluster(name, on_provider)
        nat = self.network.nat_instance
        self.alarms = PlatformAlarms(
            name,
            spec.alerts,
            self.load_balancer.arn_suffix,
            nat_gateway_ids=[gateway.id for gateway in getattr(self.network, "nat_gateways", [])],
            nat_group_name=nat.group_name if nat is not None else None,
            protection=protection,
            opts=on_provider,
        )
        self.exports = PlatformOutputs(
            vpc_id=self.network.vpc_id,
            public_subnet_ids=self.network.public_subnet_ids,
            private_subnet_ids=self.network.private_subnet_ids,
            task_subnet_ids=self.network.task_subnet_ids,
            assign_public_ip=self.network.assign_public_ip,
            listener_arn=self.load_balancer.listener_arn,
            load_balancer_security_group_id=self.load_balancer.security_group_id,
            load_balancer_arn_suffix=self.load_balancer.arn_suffix,
            load_balancer_dns_name=self.load_balancer.dns_name,
            load_balancer_zone_id=self.load_balancer.zone_id,
            cluster_arn=self.cluster.arn,
            cluster_name=self.cluster.name,
        )
        used = usage(tenants)
        near = used.near_limit(spec)
        if near:
            pulumi.log.warn(
                f"platform {name} is at or above {spec.quotas.headroom_percent} % of its load balancer quotas "
                f"({'; '.join(near)}): plan a second platform or a quota increase",
                resource=self,
            )
        self.publish(
            {
                **self.exports.as_exports(),
                "clients": [tenant.stack for tenant in tenants],
                "quota_usage": {quota: f"{n} of {limit}" for quota, (n, limit) in used.of(spec).items()},
                "alarm_topic_arn": self.alarms.topic_arn,
            }
        )

    def _cluster(self, name: str, opts: pulumi.ResourceOptions) -> aws.ecs.Cluster:
        # One cluster, many services: a cluster costs nothing itself, and each client's
        # service, task role and deployments stay its own. Container Insights as for a client.
        return aws.ecs.Cluster(
            f"{name}-cluster", settings=[{"name": "containerInsights", "value": "enhanced"}], opts=opts
        )
