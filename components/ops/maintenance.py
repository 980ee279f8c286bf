"""Turning a client's maintenance page on or off: the spec field and the `pulumi up` targeted at its rule,
the workers and the schedules (maintenance scales workers to 0 and disables schedules).

The rule's URN exists in a plan only while maintenance is on, so it is taken from the spec
rendered with maintenance on, whichever way the switch goes; then the spec is written with the
state asked for (comments kept, crane_it.ops.spec_edit).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.naming import base_name
from ..errors import OpsError
from ..loader import load_stack_spec
from ..project import find_project, stacks_dir
from ..spec import ClientSpec
from . import pulumi_cli
from .spec_edit import edit_spec

RULE = "aws:lb/listenerRule:ListenerRule"


@dataclass(frozen=True)
class Switched:
    """The spec written, and the targeted `pulumi up` that deploys the rule alone."""

    project: Path
    stack: str
    client: str
    spec_path: Path
    up: list[str]


def switch(client: str, on: bool, stack: str | None = None, spec: Path | None = None) -> Switched:
    """Write ``service.maintenance`` into the client's spec; refuse (nothing written) a spec of another client."""
    project = find_project(spec.parent if spec else None)
    stack = stack or client
    path = (spec or stacks_dir(project) / f"{stack}.yaml").resolve()
    loaded = load_stack_spec(path, stack=stack)
    if not isinstance(loaded, ClientSpec) or loaded.client != client:
        raise OpsError(f"{path} is not the spec of client {client}")
    rule = f"{base_name(loaded.client, stack)}-maintenance"
    text = path.read_text(encoding="utf-8")
    path.write_text(edit_spec(text, maintenance=True), encoding="utf-8")
    try:
        # The rule, and what maintenance stops (workers, schedules), in one targeted up.
        wanted = [(RULE, rule), *quiet_resources(loaded, base_name(loaded.client, stack))]
        urns = pulumi_cli.urns_of(project, stack, path, wanted)
    except BaseException:
        path.write_text(text, encoding="utf-8")  # refused: the spec as it was
        raise
    path.write_text(edit_spec(text, maintenance=True if on else None), encoding="utf-8")
    return Switched(
        project, stack, loaded.client, path, ["up", "--yes", *[a for urn in urns for a in ("--target", urn)]]
    )


def quiet_resources(spec: ClientSpec, base: str) -> list[tuple[str, str]]:
    """(type, name) of what maintenance stops: each worker's service (and its scaling bounds)
    and each job's schedule, so the targeted `pulumi up` that turns maintenance on stops them
    before the data is replaced, not only at the full `pulumi up` after it."""
    quiet = [("aws:scheduler/schedule:Schedule", f"{base}-job-{job}") for job in spec.jobs]
    for worker, worker_spec in spec.workers.items():
        quiet.append(("aws:ecs/service:Service", f"{base}-worker-{worker}-service"))
        if worker_spec.autoscaling:
            quiet.append(("aws:appautoscaling/target:Target", f"{base}-worker-{worker}-scaling"))
    return quiet
