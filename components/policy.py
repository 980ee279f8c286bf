"""Guardrails every Crane It stack must pass, as Pulumi policies that tests can also call directly.

Another repo's policy pack includes them with ``PolicyPack(..., policies=[*POLICIES, *its_own])``;
``violations(plan)`` runs them on an offline plan from ``crane_it.testing.render``.

They restate the product's lessons as checks on what a change would deploy, so a pull
request preview fails before a client is touched: apps are stateless with read-only root
filesystems and hard memory limits; client data is encrypted, protected and never
force-deleted; only the load balancer faces the internet, and only on 80 and 443.
Messages name the resource's URN so a reviewer can find it.

A client being retired (``retire: true`` in its spec) may drop `protect` and deletion
protection, and only such a client: the checks know it from the ``retiring`` tag its AWS
provider puts on every resource (``provider.default_tags``), read from the resource's
provider, or from the resource's own tags.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from .facts.tags import RETIRING
from .testing import Registration

DATA_TYPES = frozenset(
    {"aws:s3/bucket:Bucket", "aws:rds/instance:Instance", "aws:backup/vault:Vault", "aws:kms/key:Key"}
)
PUBLIC_PORTS = frozenset({80, 443})


class Report(Protocol):
    """The engine's violation callback; the URN is optional (pulumi_policy types it as required)."""

    def __call__(self, message: str, urn: str | None = None) -> None: ...


Check = Callable[[ResourceValidationArgs, Report], None]


def _for(type_: str) -> Callable[[Check], Check]:
    """Run the decorated check only on resources of ``type_``."""

    def wrap(check: Check) -> Check:
        def validate(args: ResourceValidationArgs, report: Report) -> None:
            if args.resource_type == type_:
                check(args, report)

        return validate

    return wrap


def _tags(value: object) -> dict[str, Any]:
    """A tags map from resource or provider props; provider config arrives JSON-encoded."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return dict(value) if isinstance(value, dict) else {}


def retiring(args: ResourceValidationArgs) -> bool:
    """Whether the resource belongs to a client being retired (its ``retiring`` tag is "true")."""
    provider = getattr(args, "provider", None)
    default_tags = _tags(_tags(provider.props.get("defaultTags")).get("tags")) if provider is not None else {}
    tags = {**default_tags, **_tags(args.props.get("tagsAll")), **_tags(args.props.get("tags"))}
    return tags.get(RETIRING) == "true"


def data_is_protected(args: ResourceValidationArgs, report: Report) -> None:
    """Buckets, databases, backup vaults and keys carry Pulumi `protect`, unless retiring."""
    if args.resource_type in DATA_TYPES and not args.opts.protect and not retiring(args):
        report(f"{args.urn} holds client data but is not protected: pulumi destroy could delete it")


@_for("aws:s3/bucket:Bucket")
def bucket_never_force_destroyed(args: ResourceValidationArgs, report: Report) -> None:
    if args.props.get("forceDestroy"):
        report(f"{args.urn} sets force_destroy: deleting the stack would empty the bucket")


@_for("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
def bucket_blocks_public_access(args: ResourceValidationArgs, report: Report) -> None:
    keys = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    off = [key for key in keys if args.props.get(key) is not True]
    if off:
        report(f"{args.urn} leaves public access open: {', '.join(off)}")


@_for("aws:rds/instance:Instance")
def database_is_private_encrypted_and_kept(args: ResourceValidationArgs, report: Report) -> None:
    props = args.props
    if not props.get("storageEncrypted"):
        report(f"{args.urn} stores data unencrypted")
    if props.get("publiclyAccessible"):
        report(f"{args.urn} is publicly accessible")
    if props.get("password"):
        report(f"{args.urn} has its master password in Pulumi state; use manage_master_user_password")
    if not props.get("deletionProtection") and not retiring(args):
        report(f"{args.urn} has no deletion protection")
    if props.get("skipFinalSnapshot"):
        report(f"{args.urn} skips its final snapshot: deleting it would lose the data")
    if (props.get("backupRetentionPeriod") or 0) < 7:
        report(f"{args.urn} keeps automated backups for fewer than 7 days")


@_for("aws:lb/loadBalancer:LoadBalancer")
def load_balancer_is_deletion_protected(args: ResourceValidationArgs, report: Report) -> None:
    if not args.props.get("enableDeletionProtection") and not retiring(args):
        report(f"{args.urn} has no deletion protection: clients point their DNS at it")


@_for("aws:backup/vault:Vault")
def vault_never_force_destroyed(args: ResourceValidationArgs, report: Report) -> None:
    if args.props.get("forceDestroy"):
        report(f"{args.urn} sets force_destroy: deleting the stack would delete the recovery points")
    if not args.props.get("kmsKeyArn"):
        report(f"{args.urn} is not encrypted with a customer-managed key")


@_for("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
def world_reaches_only_web_ports(args: ResourceValidationArgs, report: Report) -> None:
    props = args.props
    if props.get("cidrIpv4") == "0.0.0.0/0" or props.get("cidrIpv6") == "::/0":
        ports = {props.get("fromPort"), props.get("toPort")}
        if not ports <= PUBLIC_PORTS or props.get("ipProtocol") not in ("tcp", "6"):
            report(f"{args.urn} allows the internet to ports {sorted(p for p in ports if p is not None)}")


@_for("aws:ec2/securityGroup:SecurityGroup")
def no_inline_world_ingress(args: ResourceValidationArgs, report: Report) -> None:
    for rule in args.props.get("ingress") or []:
        if "0.0.0.0/0" in (rule.get("cidrBlocks") or []) and {rule.get("fromPort"), rule.get("toPort")} - PUBLIC_PORTS:
            report(f"{args.urn} allows the internet to port {rule.get('fromPort')}")


@_for("aws:ecs/taskDefinition:TaskDefinition")
def task_is_stateless_and_bounded(args: ResourceValidationArgs, report: Report) -> None:
    props = args.props
    for volume in props.get("volumes") or []:
        if volume.get("hostPath") or volume.get("efsVolumeConfiguration") or volume.get("dockerVolumeConfiguration"):
            report(f"{args.urn} mounts persistent storage {volume.get('name')!r}: apps must be stateless")
    raw = props.get("containerDefinitions")
    containers: list[dict[str, Any]] = json.loads(raw) if isinstance(raw, str) else (raw or [])
    for container in containers:
        name = container.get("name")
        if container.get("readonlyRootFilesystem") is not True:
            report(f"{args.urn} container {name!r} has a writable root filesystem")
        if not container.get("memory"):
            report(f"{args.urn} container {name!r} has no hard memory limit")
        check = container.get("healthCheck")
        if check and (check.get("interval") or 30) < 30:
            report(
                f"{args.urn} container {name!r} runs its health check every {check['interval']} s (< 30 s leaks memory)"
            )
        if (container.get("logConfiguration") or {}).get("logDriver") != "awslogs":
            report(f"{args.urn} container {name!r} does not log to CloudWatch")


@_for("aws:cloudwatch/logGroup:LogGroup")
def logs_have_retention(args: ResourceValidationArgs, report: Report) -> None:
    if not args.props.get("retentionInDays"):
        report(f"{args.urn} keeps logs forever (no retention): cost grows without bound")
    if not args.props.get("kmsKeyId"):
        report(f"{args.urn} is not encrypted with the client's log key")


SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def public_tasks_admit_only_security_groups(args: StackValidationArgs, report: Report) -> None:
    """Tasks with public IPs (`nat: none`) are reached only through another security group.

    A task with a public IP is on the internet; what keeps it private is its security
    group admitting only the load balancer's group. Rules are followed through the
    resources their inputs came from, so it holds in a preview whose IDs are not known yet.
    """
    by_urn = {resource.urn: resource for resource in args.resources}
    for service in args.resources:
        if service.resource_type != "aws:ecs/service:Service":
            continue
        network = service.props.get("networkConfiguration") or {}
        if not network.get("assignPublicIp"):
            continue
        groups = {
            dep.urn
            for dep in service.property_dependencies.get("networkConfiguration", [])
            if dep.resource_type == SECURITY_GROUP
        }
        for rule in args.resources:
            if rule.resource_type != INGRESS_RULE:
                continue
            if not {dep.urn for dep in rule.property_dependencies.get("securityGroupId", [])} & groups:
                continue
            if (
                not rule.props.get("referencedSecurityGroupId")
                or rule.props.get("cidrIpv4")
                or rule.props.get("cidrIpv6")
            ):
                report(f"{rule.urn} admits addresses, not a security group, to tasks with public IPs ({service.urn})")
        for urn in sorted(groups):
            if by_urn[urn].props.get("ingress"):
                report(f"{urn} has inline ingress rules on tasks with public IPs ({service.urn})")


def _policy(name: str, description: str, validate: Check) -> ResourceValidationPolicy:
    return ResourceValidationPolicy(name=name, description=description, validate=validate)  # type: ignore[arg-type]


POLICIES: list[ResourceValidationPolicy] = [
    _policy("data-is-protected", "Buckets, databases, backup vaults and their keys are protected.", data_is_protected),
    _policy(
        "load-balancer-deletion-protected",
        "Load balancers have deletion protection, except while their client is retired.",
        load_balancer_is_deletion_protected,
    ),
    _policy("bucket-never-force-destroyed", "Buckets are never force-destroyed.", bucket_never_force_destroyed),
    _policy("bucket-blocks-public-access", "All four S3 public access blocks are on.", bucket_blocks_public_access),
    _policy(
        "database-private-encrypted-kept",
        "Databases are private, encrypted and kept on delete.",
        database_is_private_encrypted_and_kept,
    ),
    _policy(
        "vault-never-force-destroyed",
        "Backup vaults are encrypted and never force-destroyed.",
        vault_never_force_destroyed,
    ),
    _policy(
        "world-reaches-only-web-ports", "The internet reaches only ports 80 and 443.", world_reaches_only_web_ports
    ),
    _policy(
        "no-inline-world-ingress",
        "No inline security group rule opens other ports to the internet.",
        no_inline_world_ingress,
    ),
    _policy(
        "task-stateless-and-bounded",
        "Tasks are stateless, read-only, memory-bounded and log to CloudWatch.",
        task_is_stateless_and_bounded,
    ),
    _policy(
        "logs-have-retention",
        "Log groups have a retention period and are encrypted with a customer key.",
        logs_have_retention,
    ),
]

STACK_POLICIES: list[StackValidationPolicy] = [
    StackValidationPolicy(
        name="public-tasks-admit-only-security-groups",
        description="Tasks with public IPs admit traffic only from another security group (the load balancer's).",
        validate=public_tasks_admit_only_security_groups,  # type: ignore[arg-type]
    )
]
"""Checks over the whole stack; a policy pack lists them beside POLICIES."""


def _args_of(reg: Registration, provider: Registration | None = None) -> ResourceValidationArgs:
    """The policy arguments the engine would pass for ``reg`` (on ``provider``)."""
    options = PolicyResourceOptions(
        protect=reg.protect,
        ignore_changes=reg.ignore_changes,
        delete_before_replace=reg.delete_before_replace,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=reg.parent,
    )
    policy_provider = (
        PolicyProviderResource(provider.type, provider.inputs, provider.urn, provider.name) if provider else None
    )
    return ResourceValidationArgs(reg.type, reg.inputs, reg.urn, reg.name, options, policy_provider)


def _stack_args(registrations: Sequence[Registration]) -> StackValidationArgs:
    """The stack the engine would pass a stack policy, with each input's source resources."""
    resources = {
        reg.urn: PolicyResource(reg.type, reg.inputs, reg.urn, reg.name, _args_of(reg).opts, None, None, [], {})
        for reg in registrations
        if reg.custom
    }
    for reg in registrations:
        if reg.urn in resources:
            resources[reg.urn].property_dependencies = {
                key: [resources[urn] for urn in urns if urn in resources]
                for key, urns in reg.property_dependencies.items()
            }
    return StackValidationArgs(list(resources.values()))


def violations(
    registrations: Iterable[Registration],
    policies: Sequence[ResourceValidationPolicy] = POLICIES,
    stack_policies: Sequence[StackValidationPolicy] = STACK_POLICIES,
) -> list[str]:
    """Every violation of ``policies`` over an offline plan, as ``pulumi preview --policy-pack`` would report it.

    Use it in your own tests: ``assert violations(crane_it.testing.render(program)) == []``.
    """
    found: list[str] = []
    plan = list(registrations)
    providers = {reg.urn: reg for reg in plan if reg.type.startswith("pulumi:providers:")}
    for reg in plan:
        if not reg.custom:
            continue
        args = _args_of(reg, providers.get(reg.provider.rsplit("::", 1)[0]))
        for policy in policies:
            name = policy.name

            def report(message: str, urn: str | None = None, name: str = name) -> None:
                found.append(f"{name}: {message}")

            policy.validate(args, report)
    for stack_policy in stack_policies:

        def report_stack(message: str, urn: str | None = None, name: str = stack_policy.name) -> None:
            found.append(f"{name}: {message}")

        stack_policy.validate(_stack_args(plan), report_stack)
    return found
