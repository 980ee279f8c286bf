"""A client's own way in through a platform's shared load balancer: rule, certificate, task group.

A client on a platform declares no VPC, NAT, load balancer or cluster. It reads them from
the platform stack's outputs (``PlatformOutputs``, through a ``pulumi.StackReference``) and
declares only what is its own: a listener rule that forwards its host to its target group,
a listener certificate the ALB serves by SNI for that host, and a task security group that
admits the app port from the platform load balancer's security group and nothing else. One
client's rule names only its own host and target group, so no client can route another's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import pulumi
import pulumi_aws as aws

from ..core.component import Component
from ..spec.service import ServiceSpec
from .maintenance import maintenance_rule


@dataclass(frozen=True)
class PlatformOutputs:
    """What a platform stack exports for its clients: each field is one stack output.

    The platform exports exactly these names (``as_exports``) and a client reads exactly
    these (``from_reference``): one list, so the two sides cannot drift apart.
    """

    vpc_id: Any
    public_subnet_ids: Any
    private_subnet_ids: Any
    task_subnet_ids: Any
    """Where clients' tasks run: private subnets, or public ones with `nat: none`."""
    assign_public_ip: Any
    listener_arn: Any
    """The HTTPS listener clients add their rules and certificates to."""
    load_balancer_security_group_id: Any
    load_balancer_arn_suffix: Any
    load_balancer_dns_name: Any
    load_balancer_zone_id: Any
    cluster_arn: Any
    cluster_name: Any

    def as_exports(self) -> dict[str, Any]:
        """The stack outputs of the platform, by name."""
        return {field.name: getattr(self, field.name) for field in fields(self)}

    @classmethod
    def from_reference(cls, reference: pulumi.StackReference) -> PlatformOutputs:
        """Read every field from a platform stack; a missing one fails the update by name."""
        return cls(**{field.name: reference.require_output(field.name) for field in fields(cls)})


def reference_name(platform_stack: str) -> str:
    """The fully qualified name of the platform stack in this project and organization.

    Platform and clients are stacks of one project (the same program picks the kind by
    the spec's top-level key). Qualifying the name avoids Pulumi Cloud resolving a bare
    stack name against the user's default organization instead of this stack's.
    """
    return f"{pulumi.get_organization()}/{pulumi.get_project()}/{platform_stack}"


@dataclass(frozen=True)
class PlatformNetwork:
    """The platform's VPC as a client sees it (meets ``contracts.NetworkLike``)."""

    vpc_id: pulumi.Input[str]
    public_subnet_ids: pulumi.Input[list[str]]
    private_subnet_ids: pulumi.Input[list[str]]
    task_subnet_ids: pulumi.Input[list[str]]
    assign_public_ip: pulumi.Input[bool]
    public_routes: Sequence[pulumi.Resource] = ()
    """The platform stack created its routes long before: nothing to wait for."""
    private_routes: Sequence[pulumi.Resource] = ()


@dataclass(frozen=True)
class SharedIngress:
    """A platform's load balancer and cluster as one client uses them, at its rule priority."""

    listener_arn: pulumi.Input[str]
    load_balancer_security_group_id: pulumi.Input[str]
    load_balancer_arn_suffix: pulumi.Input[str]
    dns_name: pulumi.Input[str]
    zone_id: pulumi.Input[str]
    cluster_arn: pulumi.Input[str]
    cluster_name: pulumi.Input[str]
    priority: int
    """Unique among the platform's clients (``tenancy.rule_priority``)."""
    maintenance_priority: int | None = None
    """The client's maintenance rule, above its own (``tenancy.maintenance_priority``)."""


def from_platform(
    outputs: PlatformOutputs, priority: int, maintenance_priority: int | None = None
) -> tuple[PlatformNetwork, SharedIngress]:
    """Split a platform's outputs into the network and the ingress a client's components take."""
    network = PlatformNetwork(
        outputs.vpc_id,
        outputs.public_subnet_ids,
        outputs.private_subnet_ids,
        outputs.task_subnet_ids,
        outputs.assign_public_ip,
    )
    ingress = SharedIngress(
        outputs.listener_arn,
        outputs.load_balancer_security_group_id,
        outputs.load_balancer_arn_suffix,
        outputs.load_balancer_dns_name,
        outputs.load_balancer_zone_id,
        outputs.cluster_arn,
        outputs.cluster_name,
        priority,
        maintenance_priority,
    )
    return network, ingress


def task_security_group(
    name: str,
    port: int,
    vpc_id: pulumi.Input[str],
    load_balancer_security_group_id: pulumi.Input[str],
    parent: Component,
    source: str = "platform load balancer",
) -> aws.ec2.SecurityGroup:
    """The tasks' group: the app ``port`` from the load balancer's group only; any egress.

    Shared by a client's own load balancer (``source="load balancer"``) and a platform's;
    ``source`` words the descriptions, and a group's description is replace-only.
    """
    opts = parent.child()
    group = aws.ec2.SecurityGroup(
        f"{name}-task-sg", vpc_id=vpc_id, description=f"App tasks: the app port from the {source}", opts=opts
    )
    aws.vpc.SecurityGroupIngressRule(
        f"{name}-task-in-alb",
        security_group_id=group.id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        referenced_security_group_id=load_balancer_security_group_id,
        description=f"app port from the {source}",
        opts=opts,
    )
    # Tasks call ECR, Secrets Manager, CloudWatch, S3, the database and third-party APIs.
    aws.vpc.SecurityGroupEgressRule(
        f"{name}-task-out",
        security_group_id=group.id,
        ip_protocol="-1",
        cidr_ipv4="0.0.0.0/0",
        description="app egress",
        opts=opts,
    )
    return group


def listener_rule(
    name: str,
    spec: ServiceSpec,
    ingress: SharedIngress,
    target_group: aws.lb.TargetGroup,
    certificate_arn: pulumi.Input[str] | None,
    parent: Component,
) -> list[pulumi.Resource]:
    """The client's certificate on the shared listener, its host rule, and its DNS alias.

    The certificate is attached first, so the rule never routes the host while the ALB
    would still answer it with the platform's default certificate. Returns what the ECS
    service must wait for (ECS refuses a target group no load balancer forwards to).
    """
    assert spec.domain is not None  # ClientSpec: a client on a platform has service.domain
    options = parent.child()
    attached: list[pulumi.Resource] = []
    if certificate_arn is not None:
        attached.append(
            aws.lb.ListenerCertificate(
                f"{name}-listener-cert",
                listener_arn=ingress.listener_arn,
                certificate_arn=certificate_arn,
                opts=options,
            )
        )
    rule = aws.lb.ListenerRule(
        f"{name}-rule",
        listener_arn=ingress.listener_arn,
        priority=ingress.priority,
        conditions=[{"host_header": {"values": [spec.domain]}}],
        actions=[{"type": "forward", "target_group_arn": target_group.arn}],
        tags={"Name": f"{name}-rule"},
        opts=parent.child(depends_on=attached),
    )
    if spec.maintenance:
        assert ingress.maintenance_priority is not None  # ClientStack passes tenancy.maintenance_priority
        # Its own host only, one priority above its rule: other clients keep being served.
        maintenance_rule(name, ingress.listener_arn, ingress.maintenance_priority, [spec.domain], parent, attached)
    if spec.hosted_zone_id:
        aws.route53.Record(
            f"{name}-alias",
            zone_id=spec.hosted_zone_id,
            name=spec.domain,
            type="A",
            aliases=[{"name": ingress.dns_name, "zone_id": ingress.zone_id, "evaluate_target_health": True}],
            opts=options,
        )
    return [*attached, rule]
