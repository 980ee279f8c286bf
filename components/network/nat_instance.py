"""A NAT instance that heals itself: fck-nat on a t4g.nano in an auto-scaling group of one.

About a fifth of a managed NAT gateway's price (no per-GB charge either), for VPCs whose
tasks only pull images and call a few APIs. The private route tables point at a fixed
network interface, not at an instance: when the instance fails its EC2 status checks, the
group starts a new one, whose fck-nat service attaches that interface and the Elastic IP
again at boot (its documented high-availability mode). Egress is down for the ~5 minutes
that takes; inbound traffic through the load balancer is not affected.
"""

from __future__ import annotations

import base64

import pulumi
import pulumi_aws as aws

from ..core.component import Component
from ..core.iam import policy_document, where

FCK_NAT_OWNER = "568608671756"
"""The AWS account that publishes the fck-nat AMIs (fck-nat's docs, "Getting a fck-nat AMI")."""
FCK_NAT_IMAGE = "fck-nat-al2023-*-arm64-ebs"
"""fck-nat on Amazon Linux 2023 for Graviton; the newest matching image is used."""
INSTANCE_TYPE = "t4g.nano"
"""Up to 5 Gbps burst; fck-nat's own benchmark instance. About 3 USD/month on demand."""


def user_data(eni_id: str, eip_id: str) -> str:
    """The boot script (base64, as launch templates take it): fck-nat's config, then a restart."""
    script = (
        "#!/bin/sh\n"
        f"printf 'eni_id={eni_id}\\neip_id={eip_id}\\n' > /etc/fck-nat.conf\n"
        "systemctl restart fck-nat.service\n"
    )
    return base64.b64encode(script.encode()).decode()


def _resources(depends_on: object) -> list[pulumi.Resource]:
    """The resources of a ``depends_on`` option (a list, one resource, or nothing)."""
    if depends_on is None:
        return []
    items = depends_on if isinstance(depends_on, (list, tuple)) else [depends_on]
    return [item for item in items if isinstance(item, pulumi.Resource)]


class NatInstance(Component):
    """fck-nat behind a fixed interface and Elastic IP, kept at one instance by its group."""

    network_interface_id: pulumi.Output[str]
    type_token = "crane:index:NatInstance"
    group_name: pulumi.Output[str]
    public_ip: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        vpc_id: pulumi.Input[str],
        vpc_cidr: pulumi.Input[str],
        subnet_id: pulumi.Input[str],
        *,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(name, opts=opts)
        # Pulumi does not pass a component's depends_on on to its children: the group, which
        # boots the instance, takes it itself (the network's public route, see vpc.py).
        self._boot_after = _resources(opts.depends_on if opts else None)
        self.security_group = self._security_group(name, vpc_id, vpc_cidr)
        # The interface the private routes point at; it outlives every instance.
        self.interface = aws.ec2.NetworkInterface(
            f"{name}-nat-eni",
            subnet_id=subnet_id,
            security_groups=[self.security_group.id],
            source_dest_check=False,  # a NAT forwards packets that are not addressed to it
            description=f"{name} NAT instance: private routes point here",
            tags={"Name": f"{name}-nat"},
            opts=self.child(),
        )
        # A fixed egress address third parties can allowlist, as with a NAT gateway.
        self.address = aws.ec2.Eip(f"{name}-nat-eip", domain="vpc", tags={"Name": f"{name}-nat"}, opts=self.child())
        self.template = self._launch_template(name)
        self.group = self._group(name, subnet_id)
        self.network_interface_id = self.interface.id
        self.group_name = self.group.name
        self.public_ip = self.address.public_ip
        self.publish(
            {
                "network_interface_id": self.network_interface_id,
                "group_name": self.group_name,
                "public_ip": self.public_ip,
            }
        )

    def _security_group(
        self, name: str, vpc_id: pulumi.Input[str], vpc_cidr: pulumi.Input[str]
    ) -> aws.ec2.SecurityGroup:
        group = aws.ec2.SecurityGroup(
            f"{name}-nat-sg", vpc_id=vpc_id, description="NAT instance: anything from the VPC out", opts=self.child()
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-nat-in-vpc",
            security_group_id=group.id,
            ip_protocol="-1",
            cidr_ipv4=vpc_cidr,
            description="traffic to translate, from inside the VPC only",
            opts=self.child(),
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-nat-out",
            security_group_id=group.id,
            ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0",
            description="translated traffic to the internet",
            opts=self.child(),
        )
        return group

    def _role(self, name: str) -> tuple[aws.iam.InstanceProfile, aws.iam.RolePolicy]:
        # What fck-nat calls at boot: move the interface and the address onto itself.
        role = aws.iam.Role(
            f"{name}-nat",
            assume_role_policy=pulumi.Output.json_dumps(
                policy_document(
                    [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
                )
            ),
            opts=self.child(),
        )
        policy = aws.iam.RolePolicy(
            f"{name}-nat",
            role=role.id,
            policy=pulumi.Output.json_dumps(self._policy(name)),
            opts=self.child(),
        )
        return aws.iam.InstanceProfile(f"{name}-nat", role=role.name, opts=self.child()), policy

    def _policy(self, name: str) -> pulumi.Output[dict[str, object]]:
        """fck-nat's own module's scope (terraform-aws-fck-nat iam.tf): the interface and the
        instance by their Name tag, the address by its allocation only."""
        place = where(self)
        tagged = {"StringEquals": {"ec2:ResourceTag/Name": f"{name}-nat"}}
        return pulumi.Output.all(place.partition, place.region, place.account, self.address.allocation_id).apply(
            lambda p: policy_document(
                [
                    {
                        "Sid": "ManageNetworkInterface",
                        "Effect": "Allow",
                        "Action": ["ec2:AttachNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute"],
                        # Both the interface and the instance it attaches to carry the tag.
                        "Resource": "*",
                        "Condition": tagged,
                    },
                    {
                        "Sid": "ManageEIPAllocation",
                        "Effect": "Allow",
                        "Action": ["ec2:AssociateAddress", "ec2:DisassociateAddress"],
                        "Resource": f"arn:{p[0]}:ec2:{p[1]}:{p[2]}:elastic-ip/{p[3]}",
                    },
                    {
                        "Sid": "ManageEIPNetworkInterface",
                        "Effect": "Allow",
                        "Action": ["ec2:AssociateAddress", "ec2:DisassociateAddress"],
                        "Resource": f"arn:{p[0]}:ec2:{p[1]}:{p[2]}:network-interface/*",
                        "Condition": tagged,
                    },
                ]
            )
        )

    def _launch_template(self, name: str) -> aws.ec2.LaunchTemplate:
        image = aws.ec2.get_ami_output(
            owners=[FCK_NAT_OWNER],
            most_recent=True,
            filters=[
                {"name": "name", "values": [FCK_NAT_IMAGE]},
                {"name": "architecture", "values": ["arm64"]},
            ],
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        profile, policy = self._role(name)
        return aws.ec2.LaunchTemplate(
            f"{name}-nat",
            image_id=image.id,
            instance_type=INSTANCE_TYPE,
            iam_instance_profile={"arn": profile.arn},
            # A public address at boot lets fck-nat reach the EC2 API; it then takes the EIP.
            network_interfaces=[
                {
                    "device_index": 0,
                    "associate_public_ip_address": "true",
                    "security_groups": [self.security_group.id],
                    "delete_on_termination": "true",
                }
            ],
            metadata_options={"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1},
            user_data=pulumi.Output.all(self.interface.id, self.address.allocation_id).apply(
                lambda ids: user_data(ids[0], ids[1])
            ),
            tag_specifications=[{"resource_type": "instance", "tags": {"Name": f"{name}-nat"}}],
            # IAM is eventually consistent and fck-nat calls EC2 once at boot: an instance
            # started before its role's policy exists never gets its interface and address.
            opts=self.child(depends_on=[policy]),
        )

    def _group(self, name: str, subnet_id: pulumi.Input[str]) -> aws.autoscaling.Group:
        # One subnet: the interface is zonal, so every replacement must start in its AZ.
        # GroupInServiceInstances feeds the platform's NAT health alarm (group metrics are free).
        return aws.autoscaling.Group(
            f"{name}-nat",
            min_size=1,
            max_size=1,
            desired_capacity=1,
            vpc_zone_identifiers=[subnet_id],
            launch_template=aws.autoscaling.GroupLaunchTemplateArgs(id=self.template.id, version="$Latest"),
            health_check_type="EC2",
            health_check_grace_period=120,
            enabled_metrics=[aws.autoscaling.Metric.GROUP_IN_SERVICE_INSTANCES],
            metrics_granularity="1Minute",
            opts=self.child(depends_on=self._boot_after),
        )
