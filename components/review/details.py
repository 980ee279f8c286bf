"""The behaviour-changing inputs `crane plan` shows beside a resource, read from canonical inputs.

A reviewer must see in the tree every input that changes what a client's app does or may do:
env var names and plain values, secret names (never their values: the inputs given here are
already masked by :mod:`crane_it.review.plan_json`, and secret *values* never reach a task
definition anyway, only their ARNs), IAM actions and resources, DNS names, certificate
domains and alarm thresholds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .plan_json import parsed

Inputs = Mapping[str, Any]


def containers(inputs: Inputs) -> dict[str, Any]:
    """Per container: image, memory, read-only root, health check, env (name=value), secret names."""
    shown = {}
    for c in parsed(inputs.get("containerDefinitions")) or []:
        shown[f"container[{c.get('name')}]"] = {
            "image": c.get("image"),
            "memory": c.get("memory"),
            "readonlyRootFilesystem": c.get("readonlyRootFilesystem"),
            "healthCheck": "container" if c.get("healthCheck") else "load balancer",
            "env": {e.get("name"): e.get("value") for e in sorted(c.get("environment") or [], key=_named)},
            "secrets": sorted(s.get("name") for s in c.get("secrets") or []),
        }
    return shown


def _named(item: Mapping[str, Any]) -> str:
    return str(item.get("name"))


def statements(document: Any) -> list[dict[str, Any]]:
    """An IAM policy document's statements reduced to effect, principal, actions, resources, conditions."""
    doc = parsed(document)
    if not isinstance(doc, dict):
        return []
    found = doc.get("Statement") or doc.get("statement") or []
    out = []
    for s in found if isinstance(found, list) else [found]:
        entry = {k: s[k] for k in ("Effect", "Principal", "Action", "NotAction", "Resource", "Condition") if k in s}
        out.append(entry)
    return out


def policy(key: str) -> Callable[[Inputs], dict[str, Any]]:
    """A reader of the policy document in input ``key`` (statements with actions and resources)."""

    def read(inputs: Inputs) -> dict[str, Any]:
        found = statements(inputs.get(key))
        return {key: found} if found else {}

    return read


def alarm(inputs: Inputs) -> dict[str, Any]:
    """Threshold and how long it must hold; for an anomaly alarm, the band's width."""
    shown = {
        k: inputs[k]
        for k in ("metricName", "threshold", "comparisonOperator", "evaluationPeriods", "datapointsToAlarm", "period")
        if inputs.get(k) is not None
    }
    for query in inputs.get("metricQueries") or []:
        if query.get("expression"):
            shown[f"expression[{query.get('id')}]"] = query["expression"]
        metric = query.get("metric") or {}
        if metric.get("metricName"):
            shown[f"metric[{query.get('id')}]"] = (
                f"{metric.get('metricName')} {metric.get('stat')}/{metric.get('period')}s"
            )
    return shown


def record(inputs: Inputs) -> dict[str, Any]:
    """A DNS record: its name, type and where it points."""
    aliases = [a.get("name") for a in inputs.get("aliases") or []]
    return {
        k: v
        for k, v in (
            ("name", inputs.get("name")),
            ("type", inputs.get("type")),
            ("alias", aliases),
            ("records", inputs.get("records")),
        )
        if v
    }


def certificate(inputs: Inputs) -> dict[str, Any]:
    """The domains a certificate covers and how they are validated."""
    return {k: inputs[k] for k in ("domainName", "subjectAlternativeNames", "validationMethod") if inputs.get(k)}


def listener(inputs: Inputs) -> dict[str, Any]:
    """What a listener does with a request: forward, redirect (to where) or answer."""
    actions = [
        {"type": a.get("type"), **({"redirect": a["redirect"]} if a.get("redirect") else {})}
        for a in inputs.get("defaultActions") or []
    ]
    return {"defaultActions": actions} if actions else {}


BEHAVIOUR: dict[str, Callable[[Inputs], dict[str, Any]]] = {
    "aws:ecs/taskDefinition:TaskDefinition": containers,
    "aws:iam/role:Role": policy("assumeRolePolicy"),
    "aws:iam/rolePolicy:RolePolicy": policy("policy"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": lambda i: {"policyArn": i.get("policyArn")},
    "aws:s3/bucketPolicy:BucketPolicy": policy("policy"),
    "aws:sns/topicPolicy:TopicPolicy": policy("policy"),
    "aws:kms/key:Key": policy("policy"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": alarm,
    "aws:route53/record:Record": record,
    "aws:acm/certificate:Certificate": certificate,
    "aws:lb/listener:Listener": listener,
}
"""Type token -> reader of the behaviour-changing inputs beyond plan.KEY_SETTINGS."""


def behaviour(type_: str, inputs: Inputs) -> dict[str, Any]:
    """The behaviour-changing inputs of a resource of ``type_``, for the tree view."""
    reader = BEHAVIOUR.get(type_)
    return reader(inputs) if reader else {}
