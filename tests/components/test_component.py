"""The component base (core/component.py) and the escape hatch it leaves open: transforms."""

from __future__ import annotations

import importlib
import json
import pkgutil
from typing import Any

import pulumi
import pytest
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.sync_await import _sync_await

from crane_it import ClientStack
from crane_it.core.component import Component, Protection
from crane_it.loader import load_spec
from crane_it.review.render import render_stack
from crane_it.testing import PlanMocks, RecordingMonitor, render

APP_LOGS = "aws:cloudwatch/logGroup:LogGroup"


class TransformingMonitor(RecordingMonitor):
    """The recording mock monitor, running resource transforms the way the Pulumi engine does.

    The SDK's mock monitor hands a resource's own transforms to ``Mocks.new_resource`` and
    runs none of them. The engine runs, before it registers a resource, the resource's own
    transforms and then those of each ancestor, so a transform on a component reaches every
    resource under it. This monitor does that for props (the options are left as they are).
    """

    def __init__(self) -> None:
        super().__init__(PlanMocks())
        self._transforms: dict[str, list[Any]] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - the gRPC method name
        urn = self.make_urn(request.parent, request.type, request.name)
        chain = [*pulumi_mocks._resolve_callbacks(request.transforms), *self._transforms.get(request.parent, [])]
        self._transforms[urn] = chain
        if chain and request.type != "pulumi:pulumi:Stack":
            props = rpc.deserialize_properties(request.object)
            for transform in chain:
                args = pulumi.ResourceTransformArgs(
                    request.custom, request.type, request.name, props, pulumi.ResourceOptions()
                )
                result = transform(args)
                if result is not None:
                    props = result.props
            request.object.Clear()
            request.object.update(_sync_await(rpc.serialize_properties(props, {})))
        return super().RegisterResource(request)


def app_logs_for_a_year(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    """The docstring example of ClientStack: one setting of one child."""
    if args.type_ == APP_LOGS and args.name == "example-app-logs":
        return pulumi.ResourceTransformResult({**args.props, "retentionInDays": 365}, args.opts)
    return None


def _comparable(plan) -> dict[str, str]:
    return {r.urn: json.dumps(r.inputs, sort_keys=True, default=str) for r in plan}


def test_a_transform_on_client_stack_changes_one_setting_of_one_child_and_nothing_else():
    spec = load_spec("stacks/example.yaml")
    plain = render(lambda: ClientStack(spec, "example"), stack="example", monitor=TransformingMonitor())
    changed = render(
        lambda: ClientStack(spec, "example", opts=pulumi.ResourceOptions(transforms=[app_logs_for_a_year])),
        stack="example",
        monitor=TransformingMonitor(),
    )
    assert plain.one(APP_LOGS, "example-app-logs").inputs["retentionInDays"] != 365
    assert changed.one(APP_LOGS, "example-app-logs").inputs["retentionInDays"] == 365
    before, after = _comparable(plain), _comparable(changed)
    assert before.keys() == after.keys()
    moved = sorted(urn for urn in before if before[urn] != after[urn])
    assert moved == [changed.one(APP_LOGS, "example-app-logs").urn]


def test_the_transforming_monitor_runs_nothing_that_was_not_passed():
    # Guards the test above: without a transform the monitor renders what the plain one does.
    spec = load_spec("stacks/example.yaml")
    plain = render(lambda: ClientStack(spec, "example"), stack="example")
    through = render(lambda: ClientStack(spec, "example"), stack="example", monitor=TransformingMonitor())
    assert _comparable(plain) == _comparable(through)


def _all_components() -> list[type[Component]]:
    # crane_it loads lazily: import every module of the component areas, so none is missed.
    for area in ("keys", "network", "app", "ingress", "data", "monitoring"):
        package = importlib.import_module(f"crane_it.{area}")
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"crane_it.{area}.{module.name}")
    importlib.import_module("crane_it.client")
    importlib.import_module("crane_it.platform")
    found, todo = [], list(Component.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_component_derives_from_the_base_with_a_literal_unique_type_token():
    tokens = {cls.__name__: cls.type_token for cls in _all_components()}
    assert len(tokens) == 19, sorted(tokens)  # the 15 of the base-class change, RotationRollout, Release, Jobs, Worker
    assert len(set(tokens.values())) == len(tokens)
    assert tokens["SharedLoadBalancer"] == "crane:index:LoadBalancer"  # older than its file name
    assert tokens["ClientStack"] == "crane:index:Client" and tokens["PlatformStack"] == "crane:index:Platform"


def test_a_component_without_a_type_token_is_refused_at_class_definition():
    with pytest.raises(TypeError, match="type_token"):

        class Nameless(Component):
            pass


@pytest.mark.parametrize("stack", ["example", "acme", "agency", "bakery", "brochure", "florist"])
def test_every_component_of_every_stack_publishes_its_outputs(stack, monkeypatch):
    published: dict[str, dict[str, Any]] = {}
    original = Component.publish

    def recording(self: Component, outputs: Any) -> None:
        published[f"{self.type_token}::{self._name}"] = dict(outputs)
        original(self, outputs)

    monkeypatch.setattr(Component, "publish", recording)
    plan = render_stack(stack)
    components = {f"{r.type}::{r.name}" for r in plan if r.type.startswith("crane:index:")}
    # A client on a platform renders the platform first (for its outputs): more published.
    assert components and components <= set(published)
    assert all(published[c] for c in components)


def test_publish_refuses_nothing_and_a_second_call():
    def program() -> None:
        from crane_it.keys.log_key import LogKey

        key = LogKey("solo")
        assert set(key.outputs) == {"arn"}
        with pytest.raises(RuntimeError, match="twice"):
            key.publish({"arn": key.arn})
        with pytest.raises(ValueError, match="publishes no outputs"):
            Component.publish(LogKey("empty"), {})

    render(program)


def test_protection_is_one_frozen_value_and_its_default_protects():
    default = Protection()
    assert (default.retiring, default.key, default.log_key_arn) == (False, None, None)
    with pytest.raises(AttributeError):
        default.retiring = True  # type: ignore[misc]
