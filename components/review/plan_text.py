"""A rendered plan as text for a reviewer: the component tree with key settings, and a summary line.

Each resource shows the inputs a reviewer cares about (:data:`KEY_SETTINGS`), its
data-protection flags, and what it does in words (:func:`crane_it.review.details.behaviour`).
Children are sorted, so the text of one plan is the same in every run (registration order
varies between runs, a review diff must not).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from . import plan_json
from .details import behaviour
from .plan_diff import option_notes

if TYPE_CHECKING:
    from ..testing import Plan, Registration

# The inputs worth a reviewer's eye, per resource type (wire names, as the engine sees them).
KEY_SETTINGS: dict[str, tuple[str, ...]] = {
    "pulumi:providers:aws": ("region",),
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:ec2/subnet:Subnet": ("cidrBlock", "availabilityZone"),
    "aws:ec2/natGateway:NatGateway": ("connectivityType",),
    "aws:ecs/cluster:Cluster": ("settings",),
    "aws:ecs/taskDefinition:TaskDefinition": ("cpu", "memory", "runtimePlatform"),
    "aws:ecs/service:Service": (
        "desiredCount",
        "launchType",
        "deploymentCircuitBreaker",
        "healthCheckGracePeriodSeconds",
        "waitForSteadyState",
    ),
    "aws:lb/loadBalancer:LoadBalancer": ("loadBalancerType", "dropInvalidHeaderFields", "enableDeletionProtection"),
    "aws:lb/targetGroup:TargetGroup": ("port", "targetType", "healthCheck"),
    "aws:lb/listener:Listener": ("port", "protocol", "sslPolicy"),
    "aws:lb/listenerRule:ListenerRule": ("priority", "conditions"),
    "aws:autoscaling/group:Group": ("minSize", "maxSize"),
    "aws:ec2/launchTemplate:LaunchTemplate": ("instanceType",),
    "aws:cloudwatch/logGroup:LogGroup": ("retentionInDays",),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("fromPort", "toPort", "cidrIpv4", "cidrIpv6"),
    "aws:s3/bucketVersioning:BucketVersioning": ("versioningConfiguration",),
    "aws:rds/instance:Instance": (
        "engine",
        "engineVersion",
        "instanceClass",
        "allocatedStorage",
        "maxAllocatedStorage",
        "multiAz",
        "storageEncrypted",
        "deletionProtection",
        "backupRetentionPeriod",
        "restoreToPointInTime",
    ),
    "aws:backup/plan:Plan": ("rules",),
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": (
        "minRetentionDays",
        "maxRetentionDays",
        "changeableForDays",
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("name", "threshold", "comparisonOperator"),
    "aws:sns/topicSubscription:TopicSubscription": ("protocol", "endpoint"),
}


def tree_lines(plan: Plan) -> Iterator[str]:
    """The plan as an indented tree: components, then their resources with key settings."""
    roots = [r for r in plan if r.parent not in {p.urn for p in plan}]
    for root in roots:
        yield from _subtree(plan, root, 0)


def _subtree(plan: Plan, node: Registration, depth: int) -> Iterator[str]:
    flags = "".join(
        f" [{flag}]" for flag, on in (("protected", node.protect), ("retained on delete", node.retain_on_delete)) if on
    )
    inputs = plan_json.canonical(node.inputs)  # secrets masked, unknowns as one marker
    settings = _settings(node.type, inputs)
    yield f"{'  ' * depth}{'+' if node.custom else '*'} {node.type.split(':')[-1]} {node.name}{flags}{settings}"
    for key, value in behaviour(node.type, inputs).items():
        yield f"{'  ' * (depth + 2)}{key}: {_detail(value)}"
    # Options that decide the deploy without showing in the inputs: an import, a replace on change, timeouts.
    options = {
        "import_id": node.import_id,
        "custom_timeouts": node.custom_timeouts,
        "replace_on_changes": node.replace_on_changes,
    }
    for note in option_notes(options):
        yield f"{'  ' * (depth + 2)}option: {note}"
    # Sorted by kind and name: registration order varies between runs, a review diff must not.
    for child in sorted(plan.children_of(node.urn), key=lambda r: (r.custom, r.type.split(":")[-1], r.name)):
        yield from _subtree(plan, child, depth + 1)


def _settings(type_: str, inputs: dict[str, Any]) -> str:
    shown = {key: inputs[key] for key in KEY_SETTINGS.get(type_, ()) if inputs.get(key) not in (None, "", [], {})}
    if not shown:
        return ""
    return "  " + " ".join(f"{key}={_compact(value)}" for key, value in shown.items())


def _detail(value: Any) -> str:
    """A behaviour detail in full (never cut): policy statements as sentences, the rest as JSON."""
    if isinstance(value, list) and value and all(isinstance(s, dict) and "Effect" in s for s in value):
        return "; ".join(_statement(s) for s in value)
    return json.dumps(_integral(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _statement(statement: dict[str, Any]) -> str:
    """``Allow s3:GetObject,s3:PutObject on arn:... for {"Service": ...} if {...}``."""

    def listed(value: Any) -> str:
        return (
            ",".join(value) if isinstance(value, list) else json.dumps(value) if isinstance(value, dict) else str(value)
        )

    text = f"{statement['Effect']} {listed(statement.get('Action', statement.get('NotAction', '*')))}"
    text += f" on {listed(statement['Resource'])}" if "Resource" in statement else ""
    text += f" for {listed(statement['Principal'])}" if "Principal" in statement else ""
    text += f" if {json.dumps(statement['Condition'], sort_keys=True)}" if "Condition" in statement else ""
    return text


def _integral(value: Any) -> Any:
    """The engine carries numbers as floats; show 5432.0 as 5432."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def _compact(value: Any) -> str:
    value = _integral(value)
    text = json.dumps(value, separators=(",", ":"), default=str) if not isinstance(value, str) else value
    return text if len(text) <= 120 else text[:117] + "..."


def summary(plan: Plan) -> str:
    """One closing line: how many resources, components and protected resources."""
    custom = [r for r in plan if r.custom]
    protected = [r for r in custom if r.protect]
    return (
        f"{len(custom)} resources in {len(plan) - len(custom)} components; "
        f"{len(protected)} protected: {', '.join(sorted(r.name for r in protected)) or 'none'}"
    )
