"""The network part of a client spec: a dedicated VPC, or the client's own."""

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .base import Matches, StrictModel, refuse

VpcId = Annotated[str, Matches(r"^vpc-([0-9a-f]{8}|[0-9a-f]{17})$", "a VPC ID like vpc-0a1b2c3d4e5f60718")]
SubnetId = Annotated[str, Matches(r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})$", "a subnet ID like subnet-0a1b2c3d4e5f60001")]


class NetworkSpec(StrictModel):
    """Where the client runs: a VPC Crane It creates (default) or one the client brings."""

    availability_zones: Literal[2, 3] = 2
    """How many availability zones the created VPC spans (the load balancer needs two)."""
    nat: Literal["gateway", "single", "instance", "none"] = "single"
    """How tasks reach the internet (ECR, Secrets Manager, third-party APIs); S3 always goes
    through a free gateway endpoint. List prices, us-east-1, per month:
    `gateway`: one managed NAT gateway per AZ (about 33 USD each plus 0.045 USD/GB);
    survives the loss of any AZ. `single` (default): one managed NAT gateway, about 33 USD
    plus data; AWS runs and patches it and it scales to 100 Gbps, but while its AZ is down
    tasks in the other AZs lose egress (inbound traffic is still served). `instance`: a
    fck-nat t4g.nano in an auto-scaling group of one, about 3 USD plus 3.65 USD for its
    Elastic IP, no per-GB charge; the group replaces a failed instance in about 5 minutes
    (egress is down meanwhile), up to 5 Gbps burst, one AZ like `single`. `none`: no NAT
    at all, free: tasks run in the public subnets with public IPs (each 3.65 USD/month),
    reachable only from the load balancer's security group (enforced by the policy pack);
    the database stays in private subnets without internet. `single` is the default: the
    managed, no-maintenance option at half the cost of `gateway`; a platform shares it
    among all its clients."""
    cidr_block: str = "10.0.0.0/16"
    """IPv4 range of the created VPC, /16 to /22, split into one public and one private
    subnet per AZ."""
    flow_log_retention_days: Literal[7, 14, 30, 60, 90, 180, 365] = 30
    """How long VPC flow logs are kept in CloudWatch."""
    vpc_id: VpcId | None = None
    """Bring your own VPC instead of creating one; needs both subnet lists."""
    public_subnet_ids: Annotated[list[SubnetId], Field(min_length=2)] | None = None
    """Subnets (in at least two AZs) for the load balancer of a brought VPC."""
    private_subnet_ids: Annotated[list[SubnetId], Field(min_length=2)] | None = None
    """Subnets for the tasks (and the database) of a brought VPC; they need a route to
    the internet or VPC endpoints to pull images and reach AWS APIs."""

    @field_validator("cidr_block")
    @classmethod
    def _cidr(cls, value: str) -> str:
        try:
            network = ipaddress.IPv4Network(value)
        except ValueError as err:
            raise ValueError(f"{value!r} is not an IPv4 CIDR block like 10.0.0.0/16 ({err})") from None
        if not 16 <= network.prefixlen <= 22:
            raise ValueError(f"{value!r} has prefix /{network.prefixlen}; valid: /16 to /22")
        if not network.is_private:
            raise ValueError(f"{value!r} is not a private range (10/8, 172.16/12, 192.168/16)")
        return value

    @model_validator(mode="after")
    def _own_or_created(self) -> "NetworkSpec":
        byo = {"vpc_id", "public_subnet_ids", "private_subnet_ids"} & self.model_fields_set
        created = {"availability_zones", "nat", "cidr_block", "flow_log_retention_days"} & self.model_fields_set
        if byo and len(byo) != 3:
            missing = sorted({"vpc_id", "public_subnet_ids", "private_subnet_ids"} - byo)
            refuse(
                self,
                missing[0],
                f"a brought VPC needs vpc_id, public_subnet_ids and private_subnet_ids; missing: {', '.join(missing)}",
            )
        if byo and created:
            refuse(
                self,
                sorted(created)[0],
                f"{', '.join(sorted(created))} only apply when Crane It creates the VPC; "
                "remove them or remove vpc_id and the subnet lists",
            )
        if self.vpc_id:
            overlap = set(self.public_subnet_ids or ()) & set(self.private_subnet_ids or ())
            if overlap:
                refuse(self, "private_subnet_ids", f"subnets {sorted(overlap)} are listed as both public and private")
        return self

    @property
    def creates_vpc(self) -> bool:
        """Whether Crane It creates the VPC (no vpc_id was given)."""
        return self.vpc_id is None
