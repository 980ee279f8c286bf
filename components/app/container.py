"""The app container of a task definition: read-only, hard-limited, logging to CloudWatch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from ..spec.service import ServiceSpec

CONTAINER = "app"
"""Name of the app container inside the task definition (the load balancer targets it)."""


def scratch_volumes(paths: Sequence[str]) -> dict[str, str]:
    """Task volume name per scratch path, like `scratch-0-tmp` for /tmp."""
    volumes = {}
    for index, path in enumerate(paths):
        slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in path.strip("/"))
        volumes[path] = f"scratch-{index}-{slug}"[:255]
    return volumes


def merge_variables(
    kind: str, own: Mapping[str, pulumi.Input[str]], linked: Sequence[Mapping[str, pulumi.Input[str]]]
) -> dict[str, pulumi.Input[str]]:
    """The spec's variables plus every link's; a name set by two sources is refused.

    Raises:
        ValueError: a variable is set by the spec and a link, or by two links.
    """
    merged = dict(own)
    for variables in linked:
        twice = sorted(set(merged) & set(variables))
        if twice:
            raise ValueError(f"service {kind} {twice} are set by two sources (the spec or another link)")
        merged.update(variables)
    return merged


def container_definition(
    spec: ServiceSpec,
    image: pulumi.Input[str],
    volumes: Mapping[str, str],
    log_group_name: pulumi.Input[str],
    region: pulumi.Input[str],
    environment: Mapping[str, pulumi.Input[str]],
    secrets: Mapping[str, pulumi.Input[str]],
    *,
    memory: int | None = None,
    command: Sequence[str] | None = None,
    serves: bool = True,
    stream_prefix: str = CONTAINER,
) -> dict[str, Any]:
    """The app container, for ``Output.json_dumps`` into ``containerDefinitions``.

    A release, job or worker runs the same container with its own ``memory``, ``command``
    and log ``stream_prefix``, and without the port (``serves=False``): nothing routes to it.

    ``volumes`` maps each scratch path to its task volume (see scratch_volumes); nothing else
    in the container is writable. A container health check is added only when the spec asks
    for one: every run execs a process inside the container, and frequent exec health checks
    are known to leak memory in container runtimes until the host fails, so the load
    balancer's HTTP check is the default judge of a task and the spec keeps an opted-in check
    to at most one run every 30 seconds.
    """
    container: dict[str, Any] = {
        "name": CONTAINER,
        "image": image,
        "essential": True,
        # Hard limit: the kernel stops the container at this size instead of letting it
        # starve the task; equal to the task size since the app is the only container.
        "memory": memory or spec.memory,
        "readonlyRootFilesystem": True,
        "mountPoints": [
            {"sourceVolume": volume, "containerPath": path, "readOnly": False} for path, volume in volumes.items()
        ],
        "portMappings": (
            [{"containerPort": spec.port, "protocol": "tcp", "name": "http", "appProtocol": "http"}] if serves else []
        ),
        # Sorted, so a reordered spec or link does not register a new task definition.
        "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
        # ECS resolves secrets once, at task start: a rotated secret reaches the app with the
        # next deployment or task replacement.
        "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(secrets.items())],
        # An init process reaps zombies and forwards SIGTERM, so the app can drain and exit.
        "linuxParameters": {"initProcessEnabled": True},
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group_name,
                "awslogs-region": region,
                "awslogs-stream-prefix": stream_prefix,
                # Non-blocking: when CloudWatch is slow, log lines beyond the buffer are
                # dropped rather than the app freezing on its stdout writes.
                "mode": "non-blocking",
                "max-buffer-size": "25m",
            },
        },
    }
    if command or spec.command:
        container["command"] = list(command or spec.command or [])
    check = spec.container_health_check
    if check and serves:
        container["healthCheck"] = {
            "command": list(check.command),
            "interval": check.interval_seconds,
            "timeout": check.timeout_seconds,
            "retries": check.retries,
            "startPeriod": check.start_period_seconds,
        }
    return container
