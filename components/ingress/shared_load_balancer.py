"""A platform's shared Application Load Balancer: HTTPS only, and a 404 for every unknown host.

Clients add their own listener rules and certificates to its HTTPS listener (``ingress``);
the platform declares only what no client owns. A request for a host no client claims gets
a plain 404 from the load balancer itself, never some client's app.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..core.component import Component
from ..core.contracts import NetworkLike
from ..spec.platform import LoadBalancerSpec, PlatformCertificateSpec
from . import own_load_balancer as own
from .certificates import validation_record
from .own_load_balancer import TLS_POLICY

NOT_FOUND = "No site is served at this address.\n"
"""The body of the default action's 404: what a request for an unknown host gets."""


class SharedLoadBalancer(Component):
    """One internet-facing ALB with an HTTPS listener clients attach to, and an HTTP redirect."""

    type_token = "crane:index:LoadBalancer"  # named before the file was; URNs keep it
    arn_suffix: pulumi.Output[str]
    dns_name: pulumi.Output[str]
    zone_id: pulumi.Output[str]
    listener_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        spec: LoadBalancerSpec,
        certificate: PlatformCertificateSpec,
        network: NetworkLike,
        *,
        access_logs_bucket: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``access_logs_bucket``: write access logs there (an ``AccessLogs`` bucket, whose name
        is read from its policy so the load balancer waits until ELB may write)."""
        super().__init__(name, opts=opts)
        self.security_group = self._security_group(name, network)
        self.load_balancer = self._load_balancer(name, spec, network, access_logs_bucket)
        self.certificate_arn = self._certificate(name, certificate)
        self.https = self._https(name)
        self.redirect = self._redirect(name)
        self.arn_suffix = self.load_balancer.arn_suffix
        self.dns_name = self.load_balancer.dns_name
        self.zone_id = self.load_balancer.zone_id
        self.listener_arn = self.https.arn
        self.security_group_id = self.security_group.id
        self.publish(
            {
                "arn_suffix": self.arn_suffix,
                "dns_name": self.dns_name,
                "zone_id": self.zone_id,
                "listener_arn": self.listener_arn,
                "security_group_id": self.security_group_id,
            }
        )

    def _security_group(self, name: str, network: NetworkLike) -> aws.ec2.SecurityGroup:
        # Egress to the whole VPC on any TCP port: clients' apps listen on ports the platform
        # does not know. Each client's task group admits only its own port, from this group.
        group = aws.ec2.SecurityGroup(
            f"{name}-alb-sg",
            vpc_id=network.vpc_id,
            description="Shared load balancer: HTTP(S) from the internet",
            opts=self.child(),
        )
        own.internet_ingress(name, group.id, (80, 443), self)
        vpc = aws.ec2.get_vpc_output(id=network.vpc_id, opts=pulumi.InvokeOutputOptions(parent=self))
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-alb-out-vpc",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=1,
            to_port=65535,
            cidr_ipv4=vpc.cidr_block,
            description="requests and health checks to the clients' tasks",
            opts=self.child(),
        )
        return group

    def _load_balancer(
        self, name: str, spec: LoadBalancerSpec, network: NetworkLike, access_logs_bucket: pulumi.Input[str] | None
    ) -> aws.lb.LoadBalancer:
        # The same internet-facing ALB a client has of its own; the platform spec chooses its
        # deletion protection (on unless retiring) and idle timeout.
        return own.load_balancer(
            name,
            network,
            self.security_group.id,
            self,
            deletion_protection=spec.deletion_protection,
            access_logs_bucket=access_logs_bucket,
            idle_timeout=spec.idle_timeout_seconds,
        )

    def _certificate(self, name: str, spec: PlatformCertificateSpec) -> pulumi.Input[str]:
        if spec.certificate_arn:
            return spec.certificate_arn
        assert spec.domain is not None  # PlatformCertificateSpec: exactly one of domain, certificate_arn
        certificate = aws.acm.Certificate(
            f"{name}-cert",
            domain_name=spec.domain,
            subject_alternative_names=[f"*.{spec.domain}"] if spec.wildcard else [],
            validation_method="DNS",
            opts=self.child(),
        )
        fqdns: list[pulumi.Input[str]] = []
        if spec.hosted_zone_id:
            fqdns = [validation_record(self, name, certificate, spec.hosted_zone_id).fqdn]
        validation = aws.acm.CertificateValidation(
            f"{name}-cert", certificate_arn=certificate.arn, validation_record_fqdns=fqdns, opts=self.child()
        )
        return validation.certificate_arn

    def _https(self, name: str) -> aws.lb.Listener:
        return aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=self.load_balancer.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=self.certificate_arn,
            default_actions=[
                {
                    "type": "fixed-response",
                    "fixed_response": {"content_type": "text/plain", "message_body": NOT_FOUND, "status_code": "404"},
                }
            ],
            opts=self.child(),
        )

    def _redirect(self, name: str) -> aws.lb.Listener:
        return aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=self.load_balancer.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}
            ],
            opts=self.child(),
        )
