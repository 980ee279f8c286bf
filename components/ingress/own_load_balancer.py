"""A client's way in through a load balancer of its own: security groups, ALB, target group, certificate, listeners.

A client without a platform gets its own internet-facing ALB, declared here; a client on a
platform attaches to the platform's shared one instead (``ingress.py``). The target group and
the certificate are the client's in both cases, so they are declared here for both and
``ingress.listener_rule`` takes them. ``service.py`` keeps the tasks; this module keeps how
requests reach them.

Every resource is a child of the ``Service`` passed as ``parent``: their URNs stay those of
``crane:index:Service`` children. Wrapping them in a component of their own would change
every URN, a delete and create in every client's next ``pulumi up``.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from ..core.component import Component
from ..core.contracts import NetworkLike
from ..facts.ecs import DEREGISTRATION_DELAY
from ..spec.service import ServiceSpec
from . import platform_route as shared
from .access_logs import ALB_PREFIX
from .certificates import validation_record
from .maintenance import OWN_LISTENER_PRIORITY, maintenance_rule

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
"""TLS 1.3, and TLS 1.2 with forward-secret AEAD ciphers only, with hybrid post-quantum key
exchange: the policy the Elastic Load Balancing guide recommends (and the console default)."""
_WORLD = "0.0.0.0/0"


def security_groups(
    name: str, spec: ServiceSpec, network: NetworkLike, parent: Component
) -> tuple[aws.ec2.SecurityGroup, aws.ec2.SecurityGroup]:
    """The load balancer's group (HTTP, and HTTPS unless plain HTTP, from anywhere) and the tasks'."""
    # Rules are standalone resources (the provider's recommended form): each has its own
    # ID, so adding or changing one never rewrites the others.
    alb = aws.ec2.SecurityGroup(
        f"{name}-alb-sg",
        vpc_id=network.vpc_id,
        description="Load balancer: HTTP(S) from the internet",
        opts=parent.child(),
    )
    tasks = shared.task_security_group(name, spec.port, network.vpc_id, alb.id, parent, source="load balancer")
    internet_ingress(name, alb.id, (80, 443) if spec.https else (80,), parent)
    aws.vpc.SecurityGroupEgressRule(
        f"{name}-alb-out-tasks",
        security_group_id=alb.id,
        ip_protocol="tcp",
        from_port=spec.port,
        to_port=spec.port,
        referenced_security_group_id=tasks.id,
        description="requests and health checks to tasks",
        opts=parent.child(),
    )
    return alb, tasks


def internet_ingress(name: str, group_id: pulumi.Input[str], ports: tuple[int, ...], parent: Component) -> None:
    """A load balancer's group admits ``ports`` from the whole internet (a client's or a platform's)."""
    for port in ports:
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-alb-in-{port}",
            security_group_id=group_id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_ipv4=_WORLD,
            description=f"internet to port {port}",
            opts=parent.child(),
        )


def load_balancer(
    name: str,
    network: NetworkLike,
    security_group_id: pulumi.Input[str],
    parent: Component,
    *,
    deletion_protection: bool,
    access_logs_bucket: pulumi.Input[str] | None,
    idle_timeout: int | None = None,
) -> aws.lb.LoadBalancer:
    """The internet-facing ALB in the public subnets: a client's own, or a platform's shared one.

    ``idle_timeout`` unset leaves AWS's default (60 s).
    """
    return aws.lb.LoadBalancer(
        f"{name}-alb",
        load_balancer_type="application",
        internal=False,
        ip_address_type="ipv4",
        subnets=network.public_subnet_ids,
        security_groups=[security_group_id],
        # Requests with malformed headers are dropped at the edge, not passed to the app.
        drop_invalid_header_fields=True,
        # Clients point their DNS at this name: deleting (or replacing) the load balancer
        # is an outage until they change it. Only a retirement turns this off.
        enable_deletion_protection=deletion_protection,
        idle_timeout=idle_timeout,
        access_logs=(
            {"bucket": access_logs_bucket, "prefix": ALB_PREFIX, "enabled": True}
            if access_logs_bucket is not None
            else None
        ),
        # An internet-facing load balancer created before the VPC's internet route fails
        # with InvalidSubnet (terraform-provider-aws #3494, #4587).
        opts=parent.child(depends_on=list(network.public_routes)),
    )


def target_group(name: str, spec: ServiceSpec, network: NetworkLike, parent: Component) -> aws.lb.TargetGroup:
    """The tasks' target group, health-checked as ``spec.health_check`` says."""
    check = spec.health_check
    return aws.lb.TargetGroup(
        f"{name}-tg",
        port=spec.port,
        protocol="HTTP",
        target_type="ip",  # awsvpc tasks register by IP address
        vpc_id=network.vpc_id,
        deregistration_delay=DEREGISTRATION_DELAY,
        health_check={
            "enabled": True,
            "protocol": "HTTP",
            "port": "traffic-port",
            "path": check.path,
            "matcher": check.matcher,
            "interval": check.interval_seconds,
            "timeout": check.timeout_seconds,
            "healthy_threshold": check.healthy_threshold,
            "unhealthy_threshold": check.unhealthy_threshold,
        },
        opts=parent.child(),
    )


def certificate(
    name: str, spec: ServiceSpec, parent: Component
) -> tuple[pulumi.Output[str] | None, pulumi.Output[dict[str, str]] | None]:
    """The certificate ARN to serve (``None`` for plain HTTP), and the DNS record ACM asks for.

    The record is ``None`` when nothing is requested here (``certificate_arn`` or plain HTTP).
    """
    if spec.certificate_arn:
        return pulumi.Output.from_input(spec.certificate_arn), None
    if not spec.domain:
        return None, None
    certificate = aws.acm.Certificate(
        f"{name}-cert", domain_name=spec.domain, validation_method="DNS", opts=parent.child()
    )
    option = certificate.domain_validation_options[0]
    record = pulumi.Output.all(
        name=option.resource_record_name, type=option.resource_record_type, value=option.resource_record_value
    )
    fqdns: list[pulumi.Input[str]] = []
    if spec.hosted_zone_id:
        fqdns = [validation_record(parent, name, certificate, spec.hosted_zone_id).fqdn]
    else:
        # Without the zone, `pulumi up` waits at the validation below until someone adds
        # the record by hand; say which record while it waits.
        def ask_for_record(args: list[Any]) -> None:
            found, status = args
            if status != "ISSUED":
                pulumi.log.warn(
                    f"add DNS record {found['name']} {found['type']} {found['value']} to validate the "
                    f"certificate of {spec.domain}; the HTTPS listener waits for it",
                    resource=parent,
                )

        pulumi.Output.all(record, certificate.status).apply(ask_for_record)
    # The listener takes the ARN from the validation, so it is created only once ACM has
    # issued the certificate (an HTTPS listener refuses a pending one).
    validation = aws.acm.CertificateValidation(
        f"{name}-cert", certificate_arn=certificate.arn, validation_record_fqdns=fqdns, opts=parent.child()
    )
    return validation.certificate_arn, record


def listeners(
    name: str,
    spec: ServiceSpec,
    alb: aws.lb.LoadBalancer,
    target_group: aws.lb.TargetGroup,
    certificate_arn: pulumi.Output[str] | None,
    parent: Component,
) -> list[pulumi.Resource]:
    """HTTP forwarding to ``target_group``, or HTTPS with an HTTP redirect when there is a certificate.

    Returns the listeners, which the ECS service waits for. With ``domain`` and
    ``hosted_zone_id`` the domain gets an alias record to the load balancer.
    """
    forward: list[aws.lb.ListenerDefaultActionArgsDict] = [{"type": "forward", "target_group_arn": target_group.arn}]
    if certificate_arn is None:
        http = aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=alb.arn,
            port=80,
            protocol="HTTP",
            default_actions=forward,
            opts=parent.child(),
        )
        if spec.maintenance:
            maintenance_rule(name, http.arn, OWN_LISTENER_PRIORITY, None, parent)
        return [http]
    https = aws.lb.Listener(
        f"{name}-https",
        load_balancer_arn=alb.arn,
        port=443,
        protocol="HTTPS",
        ssl_policy=TLS_POLICY,
        certificate_arn=certificate_arn,
        default_actions=forward,
        opts=parent.child(),
    )
    redirect = aws.lb.Listener(
        f"{name}-http",
        load_balancer_arn=alb.arn,
        port=80,
        protocol="HTTP",
        default_actions=[
            {
                "type": "redirect",
                "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"},
            }
        ],
        opts=parent.child(),
    )
    if spec.domain and spec.hosted_zone_id:
        aws.route53.Record(
            f"{name}-alias",
            zone_id=spec.hosted_zone_id,
            name=spec.domain,
            type="A",
            aliases=[
                {
                    "name": alb.dns_name,
                    "zone_id": alb.zone_id,
                    "evaluate_target_health": True,
                }
            ],
            opts=parent.child(),
        )
    if spec.maintenance:
        maintenance_rule(name, https.arn, OWN_LISTENER_PRIORITY, None, parent)
    return [https, redirect]
