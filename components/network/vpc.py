"""The client's network: a private-by-default VPC Crane It creates, or the one the client brings."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..core.component import STANDALONE, Component, Protection
from ..core.iam import policy_document, where
from ..keys.log_key import log_key_arn_for
from ..spec.network import NetworkSpec
from .nat_instance import NatInstance


def subnet_cidrs(cidr_block: str, zones: int) -> tuple[list[str], list[str]]:
    """The (public, private) subnet CIDRs of ``zones`` AZs carved from ``cidr_block``.

    The VPC is cut in quarters: private subnets take one quarter each (the tasks and the
    database live there, so they get the room), and the public subnets, which only hold
    load balancer nodes and NAT gateways, share the last quarter in eighths. Blocks never
    move when ``zones`` grows from 2 to 3, and a /22 still leaves /27 public subnets, the
    smallest an Application Load Balancer accepts.
    """
    quarters = list(ipaddress.IPv4Network(cidr_block).subnets(prefixlen_diff=2))
    public = list(quarters[-1].subnets(prefixlen_diff=3))
    return [str(net) for net in public[:zones]], [str(net) for net in quarters[:zones]]


@dataclass(frozen=True)
class ExistingNetwork:
    """A VPC that exists already, outside this program (it meets ``contracts.NetworkLike``).

    Its routes are the client's: they exist before this program runs, so nothing waits for them.
    """

    vpc_id: pulumi.Input[str]
    public_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    task_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """Where tasks run; None: the private subnets."""
    assign_public_ip: pulumi.Input[bool] = False
    """Whether tasks get public IPs (public subnets of a VPC without NAT)."""
    public_routes: Sequence[pulumi.Resource] = ()
    private_routes: Sequence[pulumi.Resource] = ()


def task_placement(network: object) -> tuple[pulumi.Input[Sequence[pulumi.Input[str]]], pulumi.Input[bool]]:
    """The subnets tasks run in and whether they get public IPs.

    The private subnets without public IPs, unless the network names ``task_subnet_ids``
    and ``assign_public_ip`` (a VPC with ``nat: none`` puts tasks in its public subnets,
    and their security group admits only the load balancer). A ``NetworkLike`` without
    these attributes is an ordinary private one.
    """
    subnets = getattr(network, "task_subnet_ids", None)
    if subnets is None:
        subnets = getattr(network, "private_subnet_ids")  # noqa: B009 - NetworkLike says it exists
    return subnets, getattr(network, "assign_public_ip", False)


class Network(Component):
    """Public subnets for the load balancer, private subnets for tasks and data, and flow logs."""

    type_token = "crane:index:Network"

    vpc_id: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[list[str]]
    private_subnet_ids: pulumi.Output[list[str]]
    task_subnet_ids: pulumi.Output[list[str]]
    assign_public_ip: bool
    nat_instance: NatInstance | None = None
    public_routes: list[pulumi.Resource]
    """The internet route of the public subnets and its associations: an internet-facing load
    balancer created before them fails with InvalidSubnet (the VPC has no internet gateway)."""
    private_routes: list[pulumi.Resource]
    """The NAT routes of the private subnets and their associations: tasks started before them
    cannot pull their image or read their secrets."""

    def __init__(
        self,
        name: str,
        spec: NetworkSpec,
        *,
        protection: Protection = STANDALONE,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``protection.log_key_arn``: the key of the flow logs (log_key.py)."""
        super().__init__(name, protection=protection, opts=opts)
        self.spec = spec
        self.assign_public_ip = spec.creates_vpc and spec.nat == "none"
        self.public_routes, self.private_routes = [], []
        if not spec.creates_vpc:
            # A brought VPC is the client's: Crane It only places resources in its subnets.
            assert spec.vpc_id is not None  # NetworkSpec: a brought VPC names vpc_id and both subnet lists
            self.vpc_id = pulumi.Output.from_input(spec.vpc_id)
            self.public_subnet_ids = pulumi.Output.from_input(list(spec.public_subnet_ids or ()))
            self.private_subnet_ids = pulumi.Output.from_input(list(spec.private_subnet_ids or ()))
            self.task_subnet_ids = self.private_subnet_ids
            self.publish(self._outputs())
            return

        self._invoke = pulumi.InvokeOutputOptions(parent=self)
        self._zones = self._availability_zones(spec)
        self.vpc = self._vpc(name, spec)
        self._lock_default_security_group(name)
        self._gateway = self._internet_gateway(name)
        public_cidrs, private_cidrs = subnet_cidrs(spec.cidr_block, spec.availability_zones)
        self.public_subnets = [self._subnet(name, "public", i, cidr) for i, cidr in enumerate(public_cidrs)]
        self.private_subnets = [self._subnet(name, "private", i, cidr) for i, cidr in enumerate(private_cidrs)]
        self._public_routes(name)
        self.nat_gateways = self._nat_gateways(name, spec) if spec.nat in ("gateway", "single") else []
        if spec.nat == "instance":
            # fck-nat reaches the EC2 API at boot through the public route to move the interface
            # and the Elastic IP onto itself, and tries once: booted before the route exists, it
            # keeps egressing from a random address. So the instance waits for the route.
            self.nat_instance = NatInstance(
                name,
                self.vpc.id,
                self.vpc.cidr_block,
                self.public_subnets[0].id,
                opts=self.child(depends_on=list(self.public_routes)),
            )
        self.private_route_tables = self._private_routes(name)
        if self.nat_instance is not None:
            # Tasks wait for private_routes: with a NAT instance, egress also needs the instance.
            self.private_routes.append(self.nat_instance.group)
        self._s3_endpoint(name)
        self.flow_log_group = self._flow_logs(name, spec)

        self.vpc_id = self.vpc.id
        self.public_subnet_ids = pulumi.Output.all(*[s.id for s in self.public_subnets])
        self.private_subnet_ids = pulumi.Output.all(*[s.id for s in self.private_subnets])
        self.task_subnet_ids = self.public_subnet_ids if self.assign_public_ip else self.private_subnet_ids
        self.publish(self._outputs())

    @staticmethod
    def existing(
        vpc_id: pulumi.Input[str],
        public_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]] = (),
        private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]] = (),
    ) -> ExistingNetwork:
        """Wrap a VPC this program does not manage, for ``Database`` and ``Service``; declares nothing.

        ``Database`` needs only private subnets; ``Service`` needs both kinds.
        """
        return ExistingNetwork(vpc_id, public_subnet_ids, private_subnet_ids)

    def _outputs(self) -> dict[str, pulumi.Input[object]]:
        return {
            "vpc_id": self.vpc_id,
            "public_subnet_ids": self.public_subnet_ids,
            "private_subnet_ids": self.private_subnet_ids,
        }

    def _availability_zones(self, spec: NetworkSpec) -> list[pulumi.Output[str]]:
        # Only the region's standard zones: Local and Wavelength Zones are opt-in, and an ALB
        # or NAT gateway placed in one would fail or cost differently.
        zones = aws.get_availability_zones_output(
            state="available",
            filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
            opts=self._invoke,
        )
        return [zones.names[i] for i in range(spec.availability_zones)]

    def _vpc(self, name: str, spec: NetworkSpec) -> aws.ec2.Vpc:
        # DNS support and hostnames let tasks resolve RDS endpoints and VPC endpoints privately.
        return aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=spec.cidr_block,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": f"{name}-vpc"},
            opts=self.child(),
        )

    def _lock_default_security_group(self, name: str) -> aws.ec2.DefaultSecurityGroup:
        # Adopting the default group with no rules strips AWS's allow-all-within-the-group
        # rules, so anything launched without an explicit group can talk to nothing.
        return aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags={"Name": f"{name}-default-locked"},
            opts=self.child(),
        )

    def _internet_gateway(self, name: str) -> aws.ec2.InternetGateway:
        return aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=self.vpc.id, tags={"Name": f"{name}-igw"}, opts=self.child()
        )

    def _subnet(self, name: str, tier: str, index: int, cidr: str) -> aws.ec2.Subnet:
        # Public subnets do not hand out public IPs either: only the ALB and NAT gateways live
        # there, and they get their addresses explicitly.
        return aws.ec2.Subnet(
            f"{name}-{tier}-{index}",
            vpc_id=self.vpc.id,
            cidr_block=cidr,
            availability_zone=self._zones[index],
            map_public_ip_on_launch=False,
            tags={"Name": f"{name}-{tier}-{index}", "tier": tier},
            opts=self.child(),
        )

    def _public_routes(self, name: str) -> aws.ec2.RouteTable:
        table = aws.ec2.RouteTable(
            f"{name}-public-rt", vpc_id=self.vpc.id, tags={"Name": f"{name}-public"}, opts=self.child()
        )
        route = aws.ec2.Route(
            f"{name}-public-default",
            route_table_id=table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=self._gateway.id,
            opts=self.child(),
        )
        self.public_routes.append(route)
        for i, subnet in enumerate(self.public_subnets):
            self.public_routes.append(
                aws.ec2.RouteTableAssociation(
                    f"{name}-public-{i}-rta", route_table_id=table.id, subnet_id=subnet.id, opts=self.child()
                )
            )
        return table

    def _nat_gateways(self, name: str, spec: NetworkSpec) -> list[aws.ec2.NatGateway]:
        # A NAT gateway is zonal: with `single`, tasks in the other AZs lose egress when its
        # AZ fails, and pay cross-AZ data charges meanwhile.
        count = spec.availability_zones if spec.nat == "gateway" else 1
        gateways = []
        for i in range(count):
            address = aws.ec2.Eip(
                f"{name}-nat-{i}-eip", domain="vpc", tags={"Name": f"{name}-nat-{i}"}, opts=self.child()
            )
            gateways.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{i}",
                    allocation_id=address.allocation_id,
                    subnet_id=self.public_subnets[i].id,
                    tags={"Name": f"{name}-nat-{i}"},
                    # AWS: a NAT gateway needs the internet gateway attached before it works.
                    opts=self.child(depends_on=[self._gateway]),
                )
            )
        return gateways

    def _private_routes(self, name: str) -> list[aws.ec2.RouteTable]:
        # One table per AZ in both NAT modes, so switching modes only changes routes.
        tables = []
        for i, subnet in enumerate(self.private_subnets):
            table = aws.ec2.RouteTable(
                f"{name}-private-{i}-rt",
                vpc_id=self.vpc.id,
                tags={"Name": f"{name}-private-{i}"},
                opts=self.child(),
            )
            target = self._egress_target(i)
            if target:  # `nat: none`: no way out; only the S3 endpoint and the VPC
                self.private_routes.append(
                    aws.ec2.Route(
                        f"{name}-private-{i}-default",
                        route_table_id=table.id,
                        destination_cidr_block="0.0.0.0/0",
                        opts=self.child(),
                        **target,
                    )
                )
            association = aws.ec2.RouteTableAssociation(
                f"{name}-private-{i}-rta", route_table_id=table.id, subnet_id=subnet.id, opts=self.child()
            )
            self.private_routes.append(association)
            tables.append(table)
        return tables

    def _egress_target(self, index: int) -> dict[str, pulumi.Input[str]]:
        """Where the default route of private subnet ``index`` points, by NAT mode."""
        if self.nat_gateways:
            return {"nat_gateway_id": self.nat_gateways[min(index, len(self.nat_gateways) - 1)].id}
        if self.nat_instance is not None:
            return {"network_interface_id": self.nat_instance.network_interface_id}
        return {}

    def _s3_endpoint(self, name: str) -> aws.ec2.VpcEndpoint:
        # Gateway endpoints are free; S3 traffic (ECR image layers, the client bucket) then
        # skips the NAT gateway and its per-GB processing charge.
        region = aws.get_region_output(opts=self._invoke).region
        return aws.ec2.VpcEndpoint(
            f"{name}-s3-endpoint",
            vpc_id=self.vpc.id,
            service_name=region.apply(lambda r: f"com.amazonaws.{r}.s3"),
            vpc_endpoint_type="Gateway",
            route_table_ids=[table.id for table in self.private_route_tables],
            tags={"Name": f"{name}-s3"},
            opts=self.child(),
        )

    def _flow_logs(self, name: str, spec: NetworkSpec) -> aws.cloudwatch.LogGroup:
        group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            retention_in_days=spec.flow_log_retention_days,
            kms_key_id=log_key_arn_for(name, self),
            opts=self.child(),
        )
        role = self._flow_log_role(name, group)
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            tags={"Name": f"{name}-vpc"},
            opts=self.child(),
        )
        return group

    def _flow_log_role(self, name: str, group: aws.cloudwatch.LogGroup) -> aws.iam.Role:
        here = where(self)
        # Confused-deputy guard from the VPC guide: only flow logs of this account may assume it.
        trust = pulumi.Output.json_dumps(
            policy_document(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": here.account},
                            "ArnLike": {
                                "aws:SourceArn": pulumi.Output.format(
                                    "arn:{0}:ec2:{1}:{2}:vpc-flow-log/*", here.partition, here.region, here.account
                                )
                            },
                        },
                    }
                ]
            )
        )
        role = aws.iam.Role(f"{name}-flow-logs", assume_role_policy=trust, opts=self.child())
        # The group exists already, so the service only needs to write streams into it.
        aws.iam.RolePolicy(
            f"{name}-flow-logs",
            role=role.id,
            policy=pulumi.Output.json_dumps(
                policy_document(
                    [
                        {
                            "Effect": "Allow",
                            "Action": [
                                "logs:CreateLogStream",
                                "logs:PutLogEvents",
                                "logs:DescribeLogGroups",
                                "logs:DescribeLogStreams",
                            ],
                            "Resource": pulumi.Output.concat(group.arn, ":*"),
                        }
                    ]
                )
            ),
            opts=self.child(),
        )
        return role
