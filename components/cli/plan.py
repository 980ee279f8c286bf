"""Render a client's plan offline: run the real Pulumi program under the mock engine and print it.

No Pulumi CLI, backend or AWS credentials are needed; nothing is created. The tree shows
every resource `pulumi up` would declare for the stack, grouped by component, with the
settings a reviewer cares about and the data-protection options on each resource.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import testing as offline
from ..loader import SpecError, parse_stack_spec
from ..project import ProjectError, find_project, program_path, stacks_dir
from ..review import plan_json
from ..review.cost import cost_line, estimate
from ..review.details import behaviour, statements
from ..spec import ClientSpec

HELP = "render a stack's plan offline (no Pulumi CLI, no AWS), from the Pulumi project in this directory"

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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `crane plan`."""
    parser.add_argument("stack", help="the client stack, e.g. example (reads stacks/<stack>.yaml)")
    parser.add_argument("--spec", type=Path, help="render this spec file instead of stacks/<stack>.yaml")
    parser.add_argument("--project", type=Path, help="the Pulumi project directory (default: found from here upward)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument(
        "--json", action="store_true", help="print every resource with all its inputs as stable, sorted JSON"
    )
    output.add_argument("--urns", action="store_true", help="print only the sorted resource URNs")


def render_stack(stack: str, spec: Path | None = None, project: Path | None = None) -> offline.Plan:
    """Run the project's real program for ``stack`` under the mock engine, as ``pulumi up`` would.

    The program runs from its project directory with that directory importable, as the
    Pulumi CLI runs it; ``project`` defaults to the one found from the current directory.
    A client on a platform reads the platform's outputs through a StackReference; offline,
    the platform's own spec (``stacks/<platform>.yaml``) is rendered first and its exported
    outputs answer that reference, so no backend is needed.
    """
    project = find_project(project)
    config = {"spec": str(Path(spec).resolve())} if spec else {}
    references = _platform_outputs(stack, spec, project)
    with _inside(project):
        # A bad spec raises SpecError from inside the program, before it declares anything.
        program = str(program_path(project))
        return offline.render(
            lambda: runpy.run_path(program, run_name="__pulumi__"),
            stack=stack,
            config=config,
            stack_outputs=references,
        )


def _platform_outputs(stack: str, spec: Path | None, project: Path) -> dict[str, dict[str, Any]]:
    """The outputs of the platform the stack's client spec names, rendered offline; {} otherwise."""
    path = Path(spec) if spec else stacks_dir(project) / f"{stack}.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}  # the program itself reports the missing spec
    try:
        parsed = parse_stack_spec(text, str(path), root=project)
    except SpecError:
        return {}  # likewise: the program refuses it, with the file's own lines
    if not isinstance(parsed, ClientSpec) or parsed.platform is None:
        return {}
    platform = render_stack(parsed.platform, project=project)
    # The name the client's program asks for (ingress.reference_name) under the mock engine.
    return {f"{offline.ORGANIZATION}/{offline.PROJECT}/{parsed.platform}": platform.outputs}


@contextlib.contextmanager
def _inside(project: Path) -> Iterator[None]:
    """Run with ``project`` as the working directory and first on sys.path; restore both after."""
    cwd, path = Path.cwd(), list(sys.path)
    os.chdir(project)
    sys.path.insert(0, str(project))
    try:
        yield
    finally:
        os.chdir(cwd)
        sys.path[:] = path


def run(args: argparse.Namespace) -> int:
    """Print the plan of ``args.stack``; exit 2 with the validation message for a bad spec."""
    try:
        plan = render_stack(args.stack, args.spec, args.project)
    except (SpecError, ProjectError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.json:
        # Byte-identical across runs: sorted, unknowns and secrets as fixed markers (plan_json).
        sys.stdout.write(plan_json.dumps(plan_json.document(plan)))
    elif args.urns:
        print("\n".join(sorted(r.urn for r in plan)))
    else:
        print("\n".join(tree_lines(plan)))
        print(summary(plan))
        print(cost_line(estimate(plan_json.document(plan))) + "  (crane cost for every line)")
        share = _share(args, plan)
        if share:
            print(share)
    return 0


def _share(args: argparse.Namespace, plan: offline.Plan) -> str:
    """The platform share line for a platform or a client on one (crane_it.review.cost_share); else ""."""
    from ..review.cost_share import stack_cost  # imports this module: loaded late

    result = stack_cost(args.stack, args.spec, args.project, plan=plan)
    if result.share is None:
        return ""
    return result.share.line(None if result.share.platform == args.stack else result.own.total)


def tree_lines(plan: offline.Plan) -> Iterator[str]:
    """The plan as an indented tree: components, then their resources with key settings."""
    roots = [r for r in plan if r.parent not in {p.urn for p in plan}]
    for root in roots:
        yield from _subtree(plan, root, 0)


def _subtree(plan: offline.Plan, node: offline.Registration, depth: int) -> Iterator[str]:
    flags = "".join(
        f" [{flag}]" for flag, on in (("protected", node.protect), ("retained on delete", node.retain_on_delete)) if on
    )
    inputs = plan_json.canonical(node.inputs)  # secrets masked, unknowns as one marker
    settings = _settings(node.type, inputs)
    yield f"{'  ' * depth}{'+' if node.custom else '*'} {node.type.split(':')[-1]} {node.name}{flags}{settings}"
    for key, value in behaviour(node.type, inputs).items():
        yield f"{'  ' * (depth + 2)}{key}: {_detail(value)}"
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


def summary(plan: offline.Plan) -> str:
    """One closing line: how many resources, components and protected resources."""
    custom = [r for r in plan if r.custom]
    protected = [r for r in custom if r.protect]
    return (
        f"{len(custom)} resources in {len(plan) - len(custom)} components; "
        f"{len(protected)} protected: {', '.join(sorted(r.name for r in protected)) or 'none'}"
    )


__all__ = ["KEY_SETTINGS", "render_stack", "statements", "summary", "tree_lines"]
