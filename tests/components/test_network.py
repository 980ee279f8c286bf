"""The Network component under Pulumi mocks: what it declares for a created VPC, and for a brought one."""

import base64
import ipaddress
import json

import pulumi
import pytest

from crane_it.core.provider import aws_provider
from crane_it.network.vpc import Network, subnet_cidrs, task_placement
from crane_it.spec import NetworkSpec
from crane_it.testing import ACCOUNT_ID

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
NAT = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"
ROUTE = "aws:ec2/route:Route"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"


def _plan(render, spec: NetworkSpec):
    """Render a Network on an explicit provider; return the plan and the ids it published."""
    ids: dict[str, object] = {}

    def program():
        provider = aws_provider("p", "eu-west-1", {"client": "acme"})
        network = Network("acme", spec, opts=pulumi.ResourceOptions(providers=[provider]))
        network.vpc_id.apply(lambda v: ids.__setitem__("vpc", v))
        network.public_subnet_ids.apply(lambda v: ids.__setitem__("public", v))
        network.private_subnet_ids.apply(lambda v: ids.__setitem__("private", v))
        for i, table in enumerate(getattr(network, "private_route_tables", [])):
            table.id.apply(lambda v, i=i: ids.__setitem__(f"private-rt-{i}", v))
        for i, nat in enumerate(getattr(network, "nat_gateways", [])):
            nat.id.apply(lambda v, i=i: ids.__setitem__(f"nat-{i}", v))

    return render(program), ids


def _subnets(plan, tier):
    return sorted((r for r in plan.of_type(SUBNET) if r.inputs["tags"]["tier"] == tier), key=lambda r: r.name)


@pytest.mark.parametrize("zones", [2, 3])
def test_created_vpc_has_one_public_and_one_private_subnet_per_az(render, zones):
    plan, ids = _plan(render, NetworkSpec(availability_zones=zones))

    vpc = plan.one(VPC)
    assert vpc.inputs["enableDnsSupport"] is True and vpc.inputs["enableDnsHostnames"] is True
    public, private = _subnets(plan, "public"), _subnets(plan, "private")
    expected_zones = [f"eu-west-1{z}" for z in "abc"[:zones]]
    assert [s.inputs["availabilityZone"] for s in public] == expected_zones
    assert [s.inputs["availabilityZone"] for s in private] == expected_zones
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in public + private)
    assert len(ids["public"]) == len(ids["private"]) == zones


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "172.20.0.0/20", "192.168.4.0/22"])
@pytest.mark.parametrize("zones", [2, 3])
def test_subnet_cidrs_fit_the_vpc_without_overlap_and_private_is_larger(cidr, zones):
    public, private = subnet_cidrs(cidr, zones)
    vpc = ipaddress.IPv4Network(cidr)
    nets = [ipaddress.IPv4Network(n) for n in public + private]
    assert len(public) == len(private) == zones
    assert all(n.subnet_of(vpc) for n in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])
    assert all(
        ipaddress.IPv4Network(p).prefixlen > ipaddress.IPv4Network(q).prefixlen
        for p, q in zip(public, private, strict=True)
    )
    # An ALB needs public subnets of at least /27.
    assert all(ipaddress.IPv4Network(p).prefixlen <= 27 for p in public)


def test_growing_from_two_to_three_azs_keeps_existing_subnet_cidrs():
    two, three = subnet_cidrs("10.0.0.0/16", 2), subnet_cidrs("10.0.0.0/16", 3)
    assert three[0][:2] == two[0] and three[1][:2] == two[1]


def test_gateway_nat_gives_each_az_its_own_nat_gateway(render):
    plan, ids = _plan(render, NetworkSpec(availability_zones=3, nat="gateway"))

    nats = sorted(plan.of_type(NAT), key=lambda r: r.name)
    assert len(nats) == 3 and len(plan.of_type(EIP)) == 3
    assert all(e.inputs["domain"] == "vpc" for e in plan.of_type(EIP))
    public_ids = ids["public"]
    assert [n.inputs["subnetId"] for n in nats] == public_ids
    # The private route table of AZ i sends internet traffic to the NAT gateway in AZ i.
    for i in range(3):
        route = plan.one(ROUTE, f"acme-private-{i}-default")
        assert route.inputs["routeTableId"] == ids[f"private-rt-{i}"]
        assert route.inputs["natGatewayId"] == ids[f"nat-{i}"]


def test_single_nat_is_shared_by_every_private_subnet(render):
    plan, ids = _plan(render, NetworkSpec(availability_zones=3, nat="single"))

    nat = plan.one(NAT)
    assert len(plan.of_type(EIP)) == 1
    assert nat.inputs["subnetId"] == ids["public"][0]
    private_routes = [r for r in plan.of_type(ROUTE) if "private" in r.name]
    assert len(private_routes) == 3
    assert {r.inputs["natGatewayId"] for r in private_routes} == {ids["nat-0"]}


def test_only_public_subnets_route_to_the_internet_gateway(render):
    plan, ids = _plan(render, NetworkSpec())

    igw_routes = [r for r in plan.of_type(ROUTE) if "gatewayId" in r.inputs]
    assert len(igw_routes) == 1 and igw_routes[0].inputs["destinationCidrBlock"] == "0.0.0.0/0"
    public_table = igw_routes[0].inputs["routeTableId"]
    associated = {a.inputs["subnetId"] for a in plan.of_type(ASSOCIATION) if a.inputs["routeTableId"] == public_table}
    assert associated == set(ids["public"])
    assert not any("gatewayId" in r.inputs for r in plan.of_type(ROUTE) if "private" in r.name)


def test_flow_logs_capture_all_traffic_with_the_spec_retention(render):
    plan, ids = _plan(render, NetworkSpec(flow_log_retention_days=90))

    group = plan.one("aws:cloudwatch/logGroup:LogGroup")
    flow = plan.one("aws:ec2/flowLog:FlowLog")
    assert group.inputs["retentionInDays"] == 90
    assert flow.inputs["vpcId"] == ids["vpc"]
    assert flow.inputs["trafficType"] == "ALL"
    assert flow.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow.inputs["logDestination"] == group.outputs["arn"]


def test_flow_log_role_is_assumable_by_this_accounts_flow_logs_and_writes_only_its_group(render):
    plan, _ = _plan(render, NetworkSpec())

    role = plan.one("aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "vpc-flow-logs.amazonaws.com"}]
    assert trust[0]["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert plan.one("aws:ec2/flowLog:FlowLog").inputs["iamRoleArn"] == role.outputs["arn"]
    policy = json.loads(plan.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    group_arn = plan.one("aws:cloudwatch/logGroup:LogGroup").outputs["arn"]
    for statement in policy["Statement"]:
        assert statement["Resource"] == f"{group_arn}:*", f"flow log role reaches beyond its group: {statement}"
        assert all(action.startswith("logs:") and "Delete" not in action for action in statement["Action"])


def test_default_security_group_is_adopted_with_no_rules(render):
    plan, ids = _plan(render, NetworkSpec())

    default = plan.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default.inputs["vpcId"] == ids["vpc"]
    assert default.inputs.get("ingress", []) == [] and default.inputs.get("egress", []) == []


def test_s3_gateway_endpoint_serves_the_private_route_tables(render):
    plan, ids = _plan(render, NetworkSpec(availability_zones=3))

    endpoint = plan.one("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    assert endpoint.inputs["serviceName"] == "com.amazonaws.eu-west-1.s3"
    assert endpoint.inputs["routeTableIds"] == [ids[f"private-rt-{i}"] for i in range(3)]


def test_brought_vpc_declares_nothing_and_exposes_the_given_ids(render):
    spec = NetworkSpec(
        vpc_id="vpc-0123456789abcdef0",
        public_subnet_ids=["subnet-0000000a", "subnet-0000000b"],
        private_subnet_ids=["subnet-0000000c", "subnet-0000000d"],
    )
    plan, ids = _plan(render, spec)

    assert [r.type for r in plan if r.custom and not r.type.startswith("pulumi:providers:")] == []
    assert ids == {
        "vpc": "vpc-0123456789abcdef0",
        "public": ["subnet-0000000a", "subnet-0000000b"],
        "private": ["subnet-0000000c", "subnet-0000000d"],
    }


def test_every_network_resource_is_a_child_on_the_explicit_provider(render):
    plan, _ = _plan(render, NetworkSpec(availability_zones=3))

    provider = plan.one("pulumi:providers:aws")
    component = plan.one("crane:index:Network")
    children = [r for r in plan if r.type.startswith("aws:")]
    assert children
    # Used alone, the Network encrypts its flow logs with a LogKey of its own, inside it.
    inside = {component.urn} | {r.urn for r in plan.of_type("crane:index:LogKey") if r.parent == component.urn}
    for r in children:
        assert r.parent in inside, f"{r.urn} is not parented to the Network"
        assert r.provider.startswith(provider.urn + "::"), f"{r.urn} uses provider {r.provider!r}"


def test_nat_instance_is_fck_nat_in_a_self_healing_group_of_one_behind_a_fixed_interface(render):
    plan, _ = _plan(render, NetworkSpec(nat="instance"))
    assert plan.of_type(NAT) == []
    group = plan.one("aws:autoscaling/group:Group")
    assert (group.inputs["minSize"], group.inputs["maxSize"], group.inputs["desiredCapacity"]) == (1, 1, 1)
    assert group.inputs["enabledMetrics"] == ["GroupInServiceInstances"]  # the platform's NAT alarm
    public_0 = plan.one(SUBNET, "acme-public-0")
    assert group.property_dependencies["vpcZoneIdentifiers"] == [public_0.urn], "the interface is zonal"
    template = plan.one("aws:ec2/launchTemplate:LaunchTemplate")
    assert template.inputs["imageId"] == "ami-0123456789abcdef0"  # from the fck-nat owner/name look-up
    assert template.inputs["instanceType"] == "t4g.nano"
    assert template.inputs["metadataOptions"]["httpTokens"] == "required"
    interface = plan.one("aws:ec2/networkInterface:NetworkInterface")
    assert interface.inputs["sourceDestCheck"] is False
    config = base64.b64decode(template.inputs["userData"]).decode()
    assert "eni_id=acme-nat-eni-" in config and "eip_id=" in config and "systemctl restart fck-nat" in config
    routes = [r for r in plan.of_type(ROUTE) if r.name.startswith("acme-private")]
    assert len(routes) == 2
    assert all(r.property_dependencies["networkInterfaceId"] == [interface.urn] for r in routes)


def test_nat_none_has_no_way_out_of_private_subnets_and_puts_tasks_in_public_ones(render):
    placement = {}

    def program():
        provider = aws_provider("p", "eu-west-1", {"client": "acme"})
        network = Network("acme", NetworkSpec(nat="none"), opts=pulumi.ResourceOptions(providers=[provider]))
        subnets, public = task_placement(network)
        pulumi.Output.all(subnets, network.public_subnet_ids).apply(lambda v: placement.update(tasks=v[0], pub=v[1]))
        placement["public_ip"] = public

    plan = render(program)
    assert plan.of_type(NAT) == [] and plan.of_type("aws:autoscaling/group:Group") == []
    assert [r.name for r in plan.of_type(ROUTE)] == ["acme-public-default"]
    assert placement["tasks"] == placement["pub"] and placement["public_ip"] is True
    plan.one("aws:ec2/vpcEndpoint:VpcEndpoint")  # S3 still reachable, for free


def test_single_nat_gateway_is_the_default():
    assert NetworkSpec().nat == "single"


def test_nat_instance_boots_only_after_its_role_policy_and_the_public_route(render):
    """Item 4: fck-nat moves the interface and Elastic IP onto itself once, at boot."""
    plan, _ = _plan(render, NetworkSpec(nat="instance"))
    template = plan.one("aws:ec2/launchTemplate:LaunchTemplate")
    policy = plan.one("aws:iam/rolePolicy:RolePolicy", "acme-nat")
    assert policy.urn in template.dependencies, "an instance could start before its role may call EC2"
    group = plan.one("aws:autoscaling/group:Group")
    public_default = plan.one(ROUTE, "acme-public-default")
    assert public_default.urn in group.dependencies, "an instance could boot with no way to the EC2 API"


def test_tasks_wait_for_the_nat_instance_group(render):
    """Item 4: a service started before the NAT instance cannot pull its image."""
    captured = {}

    def program():
        provider = aws_provider("p", "eu-west-1", {"client": "acme"})
        network = Network("acme", NetworkSpec(nat="instance"), opts=pulumi.ResourceOptions(providers=[provider]))
        captured["routes"] = list(network.private_routes)
        captured["group"] = network.nat_instance.group

    render(program)
    assert captured["group"] in captured["routes"]


def test_nat_instance_role_is_scoped_like_fck_nats_own_module(render):
    """Item 5: the interface and instance by their Name tag, the address by its allocation."""
    plan, _ = _plan(render, NetworkSpec(nat="instance"))
    policy = json.loads(plan.one("aws:iam/rolePolicy:RolePolicy", "acme-nat").inputs["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    tagged = {"StringEquals": {"ec2:ResourceTag/Name": "acme-nat"}}
    eni = statements["ManageNetworkInterface"]
    assert eni["Action"] == ["ec2:AttachNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute"]
    assert eni["Condition"] == tagged
    allocation = plan.one("aws:ec2/eip:Eip").outputs["allocationId"]
    eip = statements["ManageEIPAllocation"]
    assert eip["Resource"] == f"arn:aws:ec2:eu-west-1:{ACCOUNT_ID}:elastic-ip/{allocation}"
    assert "Condition" not in eip
    on_eni = statements["ManageEIPNetworkInterface"]
    assert on_eni["Resource"] == f"arn:aws:ec2:eu-west-1:{ACCOUNT_ID}:network-interface/*"
    assert on_eni["Condition"] == tagged
    # What carries the tag: the interface and every instance the group starts.
    assert plan.one("aws:ec2/networkInterface:NetworkInterface").inputs["tags"]["Name"] == "acme-nat"
    template = plan.one("aws:ec2/launchTemplate:LaunchTemplate")
    assert template.inputs["tagSpecifications"][0]["tags"]["Name"] == "acme-nat"
