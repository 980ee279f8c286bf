"""Run a Pulumi program under Pulumi's own mock engine and record every resource it declares.

This is how Crane It previews a client without the Pulumi CLI, a backend or AWS: the real
SDK and the real ``pulumi_aws`` argument classes run, and a recording monitor keeps each
registration (inputs, parent, provider and resource options) for the plan printer, the
tests and the benchmark.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from .facts.names import NAMES, auto_name
from .facts.read_back import import_mismatches

ACCOUNT_ID = "123456789012"
PROJECT = "crane-it"
"""The project name offline runs use unless told otherwise."""
ORGANIZATION = "organization"
"""The organization the mock engine runs in (what DIY backends call every stack's)."""
STACK_REFERENCE = "pulumi:pulumi:StackReference"


_UNCHECKED_IMPORTS: list[str] = []
"""Why imports go unchecked for now (``imports_unchecked``); empty: every import is checked."""


@contextlib.contextmanager
def imports_unchecked(reason: str) -> Iterator[None]:
    """Skip strict mode's import check inside the block (names are still checked).

    For a test of code whose imports are known not to match yet, across calls that render
    deep inside (``crane reset``): say why in ``reason``, and remove it once they match.
    """
    _UNCHECKED_IMPORTS.append(reason)
    try:
        yield
    finally:
        _UNCHECKED_IMPORTS.pop()


class UnknownStackReferenceError(LookupError):
    """A program read a stack whose outputs the offline run was not given."""


class StrictModeError(AssertionError):
    """What ``pulumi up`` or AWS would refuse in a program the mock engine accepted.

    ``problems`` lists each one, naming the resource, the input and the rule it breaks.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("strict offline engine: " + "; ".join(problems))


@dataclass
class Registration:
    """One resource the program declared, as the engine received it."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    provider: str = ""
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    read: bool = False
    """Read from elsewhere (a StackReference), not managed by this stack."""
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    """Input name -> the URNs that input's value came from (what stack policies follow)."""
    id: str = ""
    """The physical id the engine answered with (what other resources' inputs carry)."""
    replace_on_changes: list[str] = field(default_factory=list)
    custom_timeouts: dict[str, str] = field(default_factory=dict)
    """The ``create``, ``update`` and ``delete`` timeouts that are set, like ``{"update": "25m"}``."""
    import_id: str = ""
    """The ``import_`` option: the physical id of an existing resource Pulumi adopts."""


class PlanMocks(pulumi.runtime.Mocks):
    """Plausible provider answers: inputs echoed back plus the computed attributes we read."""

    def __init__(
        self,
        region: str = "eu-west-1",
        stack_outputs: dict[str, dict[str, Any]] | None = None,
        *,
        strict: bool = True,
    ) -> None:
        """``stack_outputs``: stack name (``org/project/stack``) -> the outputs a StackReference reads.

        ``strict``: name resources as ``pulumi up`` would (``facts/names.py``) and record in
        ``problems`` every name AWS or the engine would refuse, and every type with no row.
        """
        self.region = region
        self._region_seen = False
        self.stack_outputs = stack_outputs or {}
        self.strict = strict
        self.problems: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.typ == STACK_REFERENCE:
            return self._stack_reference(args.resource_id or args.name)
        if args.typ == "pulumi:providers:aws" and args.inputs.get("region") and not self._region_seen:
            # The stack's first AWS provider names its region: answer in that region from now on.
            self.region, self._region_seen = args.inputs["region"], True
        state = dict(args.inputs)
        suffix = hashlib.sha1(args.name.encode()).hexdigest()[:7]
        physical = f"{args.name}-{suffix}"
        if self.strict and args.custom:
            self._name_strictly(args.typ, args.name, suffix, state)
        service = args.typ.split(":")[1].split("/")[0] if args.typ.count(":") == 2 else "x"
        region = state.get("region") or self.region
        state.setdefault("name", physical[:32] if args.typ.startswith("aws:lb/") else physical)
        state.setdefault("arn", mock_arn(args.typ, str(state["name"]), region, service))
        extra = _COMPUTED.get(args.typ)
        if extra:
            state.update({k: v for k, v in extra(args.name, state, region).items() if k not in args.inputs})
        return state.get("id") or f"{physical}-id", state

    def _name_strictly(self, typ: str, name: str, suffix: str, state: dict[str, Any]) -> None:
        """Auto-name as the engine does and check the name against AWS's rule for ``typ``.

        The random part is derived from the logical name, so a plan renders the same twice.
        """
        rule = NAMES.get(typ)
        if rule is None:
            self.problems.append(f"{typ} {name}: no naming rule; add a row for this type to crane_it/facts/names.py")
            return
        if rule.prop is None:
            return
        if rule.prop not in state:
            if not rule.auto:
                return  # a required input the SDK itself insists on
            try:
                state[rule.prop] = auto_name(rule, name, suffix)
            except ValueError as error:
                self.problems.append(f"{typ} {name}: the engine refuses it: {error}")
                return
        value = state[rule.prop]
        if isinstance(value, str):
            for problem in rule.problems(value):
                self.problems.append(f"{typ} {name}: {rule.prop} {value!r}: {problem} ({rule.source})")

    def _stack_reference(self, stack: str) -> tuple[str, dict[str, Any]]:
        if stack not in self.stack_outputs:
            known = ", ".join(sorted(self.stack_outputs)) or "none"
            raise UnknownStackReferenceError(f"no outputs for stack {stack!r} in this offline run (given: {known})")
        return stack, {"name": stack, "outputs": self.stack_outputs[stack], "secretOutputNames": []}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        token, region = args.token, args.args.get("region") or self.region
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{region}{z}" for z in "abc"]
            return {"names": names, "zoneIds": [f"az{i}" for i in (1, 2, 3)], "id": region}, []
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/plan",
                "userId": "plan",
                "id": ACCOUNT_ID,
            }, []
        if token == "aws:index/getRegion:getRegion":
            return {"name": region, "region": region, "id": region, "endpoint": f"ec2.{region}.amazonaws.com"}, []
        if token == "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return {
                "authorizationToken": "QVdTOnRva2Vu",
                "userName": "AWS",
                "password": "token",
                "proxyEndpoint": f"https://{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com",
                "expiresAt": "2030-01-01T00:00:00Z",
                "registryId": args.args.get("registryId") or ACCOUNT_ID,
                "id": region,
            }, []
        if token == "aws:ec2/getVpc:getVpc":
            return {"id": args.args.get("id"), "cidrBlock": "10.0.0.0/16", "arn": f"arn:aws:ec2:{region}:vpc"}, []
        if token == "aws:ec2/getAmi:getAmi":
            return {
                "id": "ami-0123456789abcdef0",
                "name": "fck-nat-al2023-hvm-1.3.0-arm64-ebs",
                "architecture": "arm64",
            }, []
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        return dict(args.args), []


_ARN_FORMS: dict[str, str] = {
    # type token -> the ARN AWS gives one: {p} partition-free prefix parts, {n} the physical name.
    "aws:cloudwatch/logGroup:LogGroup": "arn:aws:logs:{r}:{a}:log-group:{n}",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "arn:aws:cloudwatch:{r}:{a}:alarm:{n}",
    "aws:cloudwatch/dashboard:Dashboard": "arn:aws:cloudwatch::{a}:dashboard/{n}",
    "aws:cloudwatch/eventRule:EventRule": "arn:aws:events:{r}:{a}:rule/{n}",
    "aws:ecr/repository:Repository": "arn:aws:ecr:{r}:{a}:repository/{n}",
    "aws:ecs/cluster:Cluster": "arn:aws:ecs:{r}:{a}:cluster/{n}",
    "aws:ecs/service:Service": "arn:aws:ecs:{r}:{a}:service/{n}",
    "aws:ecs/taskDefinition:TaskDefinition": "arn:aws:ecs:{r}:{a}:task-definition/{n}:1",
    "aws:iam/role:Role": "arn:aws:iam::{a}:role/{n}",
    "aws:iam/policy:Policy": "arn:aws:iam::{a}:policy/{n}",
    "aws:iam/instanceProfile:InstanceProfile": "arn:aws:iam::{a}:instance-profile/{n}",
    "aws:kms/alias:Alias": "arn:aws:kms:{r}:{a}:{n}",
    "aws:sns/topic:Topic": "arn:aws:sns:{r}:{a}:{n}",
    "aws:sns/topicSubscription:TopicSubscription": "arn:aws:sns:{r}:{a}:{n}:00000000-0000-0000-0000-000000000000",
    "aws:sqs/queue:Queue": "arn:aws:sqs:{r}:{a}:{n}",
    "aws:lb/loadBalancer:LoadBalancer": "arn:aws:elasticloadbalancing:{r}:{a}:loadbalancer/app/{n}/50dc6c495c0c9188",
    "aws:lb/targetGroup:TargetGroup": "arn:aws:elasticloadbalancing:{r}:{a}:targetgroup/{n}/73e2d6bc24d8a067",
    "aws:lb/listener:Listener": "arn:aws:elasticloadbalancing:{r}:{a}:listener/app/{n}/50dc6c495c0c9188/f2f7dc8efc522ab2",
    "aws:lb/listenerRule:ListenerRule": (
        "arn:aws:elasticloadbalancing:{r}:{a}:listener-rule/app/{n}/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
    ),
    "aws:backup/vault:Vault": "arn:aws:backup:{r}:{a}:backup-vault:{n}",
    "aws:backup/plan:Plan": "arn:aws:backup:{r}:{a}:backup-plan:{n}",
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": "arn:aws:backup:{r}:{a}:restore-testing-plan:{n}",
    "aws:rds/parameterGroup:ParameterGroup": "arn:aws:rds:{r}:{a}:pg:{n}",
    "aws:rds/subnetGroup:SubnetGroup": "arn:aws:rds:{r}:{a}:subgrp:{n}",
    "aws:secretsmanager/secret:Secret": "arn:aws:secretsmanager:{r}:{a}:secret:{n}-AbCdEf",
    "aws:ssm/parameter:Parameter": "arn:aws:ssm:{r}:{a}:parameter/{n}",
    "aws:wafv2/webAcl:WebAcl": "arn:aws:wafv2:{r}:{a}:regional/webacl/{n}/00000000-0000-0000-0000-000000000000",
    "aws:ec2/vpc:Vpc": "arn:aws:ec2:{r}:{a}:vpc/{n}",
    "aws:ec2/subnet:Subnet": "arn:aws:ec2:{r}:{a}:subnet/{n}",
    "aws:ec2/securityGroup:SecurityGroup": "arn:aws:ec2:{r}:{a}:security-group/{n}",
    "aws:ec2/launchTemplate:LaunchTemplate": "arn:aws:ec2:{r}:{a}:launch-template/{n}",
}
"""ARNs shaped as AWS shapes them, so a plan reads like the real thing (resource types without
an entry get :func:`mock_arn`'s visible placeholder)."""


def mock_arn(type_: str, name: str, region: str, service: str = "x") -> str:
    """The offline ARN of a ``type_`` resource named ``name``: AWS's own form where we know it,
    else ``arn:aws:<service>:<region>:<account>:mock-arn/<type>/<name>``, visibly a placeholder."""
    form = _ARN_FORMS.get(type_)
    if form:
        return form.format(r=region, a=ACCOUNT_ID, n=name.lstrip("/") if ":log-group:" not in form else name)
    kind = type_.rsplit(":", 1)[-1]
    return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:mock-arn/{kind}/{name}"


def _bucket(name: str, state: dict[str, Any], region: str) -> dict[str, Any]:
    bucket = state.get("bucket") or f"{state.get('bucketPrefix', name)}{hashlib.sha1(name.encode()).hexdigest()[:12]}"
    return {
        "bucket": bucket,
        "arn": f"arn:aws:s3:::{bucket}",
        "id": bucket,
        "bucketRegionalDomainName": f"{bucket}.s3.{region}.amazonaws.com",
    }


def _rds(name: str, state: dict[str, Any], region: str) -> dict[str, Any]:
    identifier = state.get("identifier") or state["name"]
    return {
        "identifier": identifier,
        "address": f"{identifier}.abcdefghijkl.{region}.rds.amazonaws.com",
        "endpoint": f"{identifier}.abcdefghijkl.{region}.rds.amazonaws.com:{state.get('port', 5432)}",
        "resourceId": f"db-{hashlib.sha1(name.encode()).hexdigest()[:26].upper()}",
        "arn": f"arn:aws:rds:{region}:{ACCOUNT_ID}:db:{identifier}",
        "masterUserSecrets": [
            {
                "secretArn": f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:rds!db-{name}-AbCdEf",
                "kmsKeyId": state.get("masterUserSecretKmsKeyId") or f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/default",
                "secretStatus": "active",
            }
        ],
    }


_COMPUTED: dict[str, Callable[[str, dict[str, Any], str], dict[str, Any]]] = {
    "aws:s3/bucket:Bucket": _bucket,
    "aws:rds/instance:Instance": _rds,
    "aws:lb/loadBalancer:LoadBalancer": lambda n, s, r: {
        "arnSuffix": f"app/{s['name']}/50dc6c495c0c9188",
        "dnsName": f"{s['name']}-1234567890.{r}.elb.amazonaws.com",
        "zoneId": "Z32O12XQLNTSW2",
    },
    "aws:lb/targetGroup:TargetGroup": lambda n, s, r: {"arnSuffix": f"targetgroup/{s['name']}/73e2d6bc24d8a067"},
    "aws:ec2/eip:Eip": lambda n, s, r: {
        "allocationId": f"eipalloc-{hashlib.sha1(n.encode()).hexdigest()[:17]}",
        "publicIp": "203.0.113.10",
    },
    "aws:ecr/repository:Repository": lambda n, s, r: {
        "repositoryUrl": f"{ACCOUNT_ID}.dkr.ecr.{r}.amazonaws.com/{s['name']}",
        "registryId": ACCOUNT_ID,
    },
    "aws:kms/key:Key": lambda n, s, r: {"keyId": f"key-{n}", "arn": f"arn:aws:kms:{r}:{ACCOUNT_ID}:key/{n}"},
    "aws:ecs/cluster:Cluster": lambda n, s, r: {"arn": f"arn:aws:ecs:{r}:{ACCOUNT_ID}:cluster/{s['name']}"},
    "aws:acm/certificate:Certificate": lambda n, s, r: {
        "domainValidationOptions": [
            {
                "domainName": s.get("domainName", "example.com"),
                "resourceRecordName": f"_x1.{s.get('domainName', 'example.com')}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": "_x2.acm-validations.aws.",
            }
        ],
        "arn": f"arn:aws:acm:{r}:{ACCOUNT_ID}:certificate/00000000-0000-0000-0000-000000000000",
    },
    "docker:index/image:Image": lambda n, s, r: {"repoDigest": f"{s.get('imageName', n)}@sha256:{'0' * 64}"},
}


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, also keeping the options that ``Mocks.new_resource`` never sees."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self.stack_outputs: dict[str, Any] = {}

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 - the gRPC method name
        # Reads (a StackReference, ``Resource.get``) are in the plan too: they are in the state.
        response = super().ReadResource(request)
        self.registrations.append(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                custom=True,
                inputs={"id": request.id},
                provider=request.provider,
                dependencies=list(request.dependencies),
                outputs=dict(self.resources[response.urn].state),
                read=True,
            )
        )
        return response

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - the gRPC method name
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        state = self.resources[response.urn].state
        self.registrations.append(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                custom=request.custom,
                inputs=rpc.deserialize_properties(request.object),
                provider=request.provider,
                protect=request.protect,
                retain_on_delete=request.retainOnDelete,
                delete_before_replace=request.deleteBeforeReplace,
                ignore_changes=list(request.ignoreChanges),
                dependencies=list(request.dependencies),
                outputs=dict(state),
                property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
                id=response.id,
                replace_on_changes=list(request.replaceOnChanges),
                custom_timeouts={
                    kind: getattr(request.customTimeouts, kind)
                    for kind in ("create", "update", "delete")
                    if getattr(request.customTimeouts, kind)
                },
                import_id=request.importId,
            )
        )
        return response


def run(
    program: Callable[[], object],
    *,
    stack: str = "example",
    project: str = PROJECT,
    region: str = "eu-west-1",
    preview: bool = True,
    config: dict[str, str] | None = None,
    monitor: RecordingMonitor | None = None,
    stack_outputs: dict[str, dict[str, Any]] | None = None,
    strict: bool = True,
) -> list[Registration]:
    """Run ``program`` under the mock engine and return the resources it declared, in order.

    Each call starts from a fresh runtime, so many stacks can be rendered in one process.
    Pass your own ``monitor`` to see what was registered even when the program fails; its
    ``stack_outputs`` then holds what the program exported. ``stack_outputs`` here answers
    the program's StackReferences: fully qualified stack name -> that stack's outputs.

    ``strict`` (the default) makes the run fail, with StrictModeError, wherever ``pulumi up``
    would: auto-names as the engine makes them, every name checked against AWS's rule for
    its type (``crane_it.facts.names``; a type with no row fails too), and every resource
    declared with ``import_`` checked against what AWS reads back (``crane_it.facts.read_back``).
    ``strict=False`` is the plain mock engine, for a program that declares types of its own.
    """
    monitor = monitor or RecordingMonitor(PlanMocks(region, stack_outputs, strict=strict))
    mocks = monitor.mocks
    settings.ROOT.set(None)
    pulumi.runtime.set_mocks(
        mocks, project=project, stack=stack, preview=preview, monitor=monitor, organization=ORGANIZATION
    )
    pulumi.runtime.set_all_config({f"{project}:{k}" if ":" not in k else k: v for k, v in (config or {}).items()})
    settings.SETTINGS.rpc_manager.clear()
    settings.SETTINGS.outputs.clear()

    def main() -> None:
        program()

    _sync_await(run_pulumi_func(main))
    root = settings.get_root_resource()
    exported = dict(getattr(root, "outputs", None) or {})
    resolved: dict[str, Any] | None = _sync_await(pulumi.Output.from_input(exported).future())
    monitor.stack_outputs = resolved or {}
    if strict:
        problems = list(getattr(mocks, "problems", []))
        if not _UNCHECKED_IMPORTS:
            problems += import_mismatches(monitor.registrations)
        if problems:
            raise StrictModeError(problems)
    return monitor.registrations


class Plan(list[Registration]):
    """The registrations of one run, with look-ups for tests and printers."""

    outputs: dict[str, Any]
    """The stack outputs the program exported (what a StackReference to it would read)."""

    def of_type(self, type_: str) -> list[Registration]:
        """Every resource of Pulumi type token ``type_`` (like ``aws:s3/bucket:Bucket``)."""
        return [r for r in self if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> Registration:
        """The single resource of ``type_`` (named ``name``, if given); fail loudly otherwise."""
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            names = [r.name for r in self.of_type(type_)]
            raise LookupError(f"expected one {type_}{' named ' + name if name else ''}, found {names}")
        return found[0]

    def children_of(self, urn: str) -> list[Registration]:
        """The direct children of the resource ``urn``."""
        return [r for r in self if r.parent == urn]

    def by_urn(self, urn: str) -> Registration:
        """The resource whose URN is ``urn``."""
        return next(r for r in self if r.urn == urn)


def render(program: Callable[[], object], **kwargs: Any) -> Plan:
    """``run`` returning a Plan, with the program's exported outputs."""
    monitor = kwargs.pop("monitor", None) or RecordingMonitor(
        PlanMocks(kwargs.get("region", "eu-west-1"), kwargs.get("stack_outputs"), strict=kwargs.get("strict", True))
    )
    plan = Plan(run(program, monitor=monitor, **kwargs))
    plan.outputs = monitor.stack_outputs
    return plan
