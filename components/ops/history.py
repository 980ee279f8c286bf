"""A client's deployments and what each one changed (``crane history``, and ``crane reset``'s app at a time).

ECS keeps a record of every service deployment (ListServiceDeployments: when, outcome, the
service revision it went to and came from) and every service revision names its task
definition. Crane It keeps replaced task definition revisions registered, so each deployment
can be compared with the revision before it: the answer to "what changed in the last update?".

The load balancer's health check is a target group setting changed in place, not part of a
deployment, so the diff shows the container health check only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .aws import App, Aws, app_container, iso, short_arn, task_definition

BATCH = 20
"""DescribeServiceDeployments and DescribeServiceRevisions take at most 20 ARNs a call."""

OUTCOMES = {
    "SUCCESSFUL": "completed",
    "ROLLBACK_SUCCESSFUL": "rolled back",
    "ROLLBACK_FAILED": "rollback failed",
    "ROLLBACK_IN_PROGRESS": "rolling back",
    "ROLLBACK_REQUESTED": "rolling back",
    "IN_PROGRESS": "in progress",
    "PENDING": "in progress",
    "STOPPED": "stopped",
    "STOP_REQUESTED": "stopping",
}


@dataclass(frozen=True)
class Change:
    """One field that differs between two task definitions; None means absent."""

    field: str
    before: str | None
    after: str | None

    def __str__(self) -> str:
        if self.before is None:
            return f"{self.field}: added {self.after}"
        if self.after is None:
            return f"{self.field}: removed (was {self.before})"
        return f"{self.field}: {self.before} -> {self.after}"


@dataclass
class Deployment:
    """One deployment of the service, newest first in the output."""

    started: str
    revision: str
    image: str
    outcome: str
    reason: str = ""
    changes: list[Change] = field(default_factory=list)


# --- what changed ------------------------------------------------------------------------


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """What differs between two task definitions of the app: image, env, secrets, size, checks."""
    old, new = app_container(before), app_container(after)
    changes: list[Change] = []

    def compare(name: str, a: Any, b: Any) -> None:
        if a != b:
            changes.append(Change(name, _text(a), _text(b)))

    compare("image", old.get("image"), new.get("image"))
    compare("cpu", before.get("cpu"), after.get("cpu"))
    compare("memory", before.get("memory"), after.get("memory"))
    compare("command", old.get("command"), new.get("command"))
    old_env, new_env = _pairs(old.get("environment")), _pairs(new.get("environment"))
    for name in sorted(old_env.keys() | new_env.keys()):
        compare(f"env {name}", old_env.get(name), new_env.get(name))
    old_secrets = {s["name"]: s["valueFrom"] for s in old.get("secrets", [])}
    new_secrets = {s["name"]: s["valueFrom"] for s in new.get("secrets", [])}
    for name in sorted(old_secrets.keys() ^ new_secrets.keys()):
        # Names only: the value is a reference, and its content is never read here.
        changes.append(
            Change(f"secret {name}", None if name not in old_secrets else "set", "set" if name in new_secrets else None)
        )
    for name in sorted(old_secrets.keys() & new_secrets.keys()):
        if old_secrets[name] != new_secrets[name]:
            changes.append(Change(f"secret {name}", "from " + old_secrets[name], "from " + new_secrets[name]))
    compare("health check", old.get("healthCheck"), new.get("healthCheck"))
    return changes


def _pairs(items: Iterable[dict[str, str]] | None) -> dict[str, str]:
    return {item["name"]: item["value"] for item in items or []}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


# --- reading the deployments -------------------------------------------------------------


def read_history(aws: Aws, app: App, since: timedelta, now: datetime | None = None) -> list[Deployment]:
    """The service's deployments created in the last ``since``, newest first, each with its changes."""
    ecs = aws.client("ecs")
    after = (now or datetime.now(UTC)) - since
    arns: list[str] = []
    request: dict[str, Any] = {"cluster": app.cluster_arn, "service": app.service_name, "createdAt": {"after": after}}
    while True:
        page = ecs.list_service_deployments(**request)
        arns += [item["serviceDeploymentArn"] for item in page.get("serviceDeployments", [])]
        if not page.get("nextToken"):
            break
        request["nextToken"] = page["nextToken"]
    details = [
        item
        for chunk in _chunks(arns)
        for item in ecs.describe_service_deployments(serviceDeploymentArns=chunk)["serviceDeployments"]
    ]
    revision_arns = sorted(
        {d["targetServiceRevision"]["arn"] for d in details if d.get("targetServiceRevision")}
        | {s["arn"] for d in details for s in d.get("sourceServiceRevisions", [])}
    )
    task_definitions = {
        item["serviceRevisionArn"]: item["taskDefinition"]
        for chunk in _chunks(revision_arns)
        for item in ecs.describe_service_revisions(serviceRevisionArns=chunk)["serviceRevisions"]
    }
    definitions: dict[str, dict[str, Any]] = {}

    def definition(arn: str) -> dict[str, Any]:
        if arn not in definitions:
            definitions[arn] = task_definition(aws, arn)
        return definitions[arn]

    deployments = []
    for item in sorted(details, key=lambda d: d["createdAt"], reverse=True):
        target = task_definitions.get(item.get("targetServiceRevision", {}).get("arn", ""))
        if target is None:
            continue
        new = definition(target)
        sources = [
            task_definitions[s["arn"]] for s in item.get("sourceServiceRevisions", []) if s["arn"] in task_definitions
        ]
        changes = diff(definition(sources[0]), new) if sources and sources[0] != target else []
        deployments.append(
            Deployment(
                iso(item.get("startedAt") or item["createdAt"]),
                short_arn(target),
                str(app_container(new).get("image", "")),
                OUTCOMES.get(item.get("status", ""), item.get("status", "").lower()),
                _reason(item),
                changes,
            )
        )
    return deployments


def _reason(item: dict[str, Any]) -> str:
    """Why a deployment failed: the alarms that fired, the circuit breaker, or ECS's own words."""
    fired = item.get("alarms", {}).get("triggeredAlarmNames") or []
    if fired:
        return "alarm " + ", ".join(fired)
    if item.get("deploymentCircuitBreaker", {}).get("status") == "TRIGGERED":
        return "circuit breaker: tasks failed to start or stay healthy"
    rollback = item.get("rollback", {}).get("reason")
    if rollback:
        return str(rollback)
    return "" if item.get("status") == "SUCCESSFUL" else str(item.get("statusReason", ""))


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


# --- release runs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseRun:
    """One run of ``service.release``, as the release function recorded it (crane_it.app.release_function)."""

    start: str
    end: str
    revision: str
    command: str
    exit_code: int | None
    status: str
    reason: str


def read_releases(aws: Aws, app: App, since: timedelta, now: datetime | None = None) -> list[ReleaseRun]:
    """The release runs since ``since`` ago, oldest first, from the run record's version history.

    The record is one SSM parameter the release function overwrites per run; SSM keeps its
    last 100 versions. No parameter: the client has no release (or it never ran).
    """
    from ..app.release import parameter_names
    from ..core.naming import base_name

    ssm = aws.client("ssm")
    record = parameter_names(base_name(app.client, app.stack or app.client))[1]
    cutoff = (now or datetime.now(UTC)) - since
    runs: list[ReleaseRun] = []
    request: dict[str, Any] = {"Name": record}
    while True:
        try:
            page = ssm.get_parameter_history(**request)
        except ssm.exceptions.ParameterNotFound:
            return []
        for version in page.get("Parameters", []):
            try:
                entry = json.loads(version["Value"])
            except ValueError:
                continue
            if datetime.fromisoformat(str(entry.get("start"))) < cutoff:
                continue
            runs.append(
                ReleaseRun(
                    start=str(entry.get("start")),
                    end=str(entry.get("end")),
                    revision=short_arn(str(entry.get("revision", ""))),
                    command=" ".join(entry.get("command", [])),
                    exit_code=entry.get("exitCode"),
                    status=str(entry.get("status", "")),
                    reason=str(entry.get("reason", "")),
                )
            )
        if not page.get("NextToken"):
            break
        request["NextToken"] = page["NextToken"]
    return sorted(runs, key=lambda run: run.start)
