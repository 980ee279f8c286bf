"""A one-off task of the app (a migration, an admin command), its logs, its exit code (``crane run``).

The task runs the service's current task definition with the service's own subnets and
security groups, so it reaches the database exactly as the app does, with the same secrets
and task role. Only the app container's command is overridden.

It refuses while a deployment is rolling out (unless ``--force``): the service's task
definition is about to change, and a migration run against the old image while new tasks
start is how schemas and code drift apart.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from ..app.container import CONTAINER
from ..errors import OpsError
from .aws import App, Aws, deployment_in_progress, iso, log_target, short_arn, task_definition

POLL_SECONDS = 3.0
_sleep = time.sleep
"""How the wait pauses between polls (tests replace it to move a moto task along)."""
STARTED_BY = "crane-run"
"""ECS ``startedBy`` of one-off tasks, so they can be told apart from the service's tasks."""


def start_task(aws: Aws, app: App, command: list[str], *, force: bool = False) -> str:
    """Start the one-off task; return its ARN. Refuses (nothing started) during a deployment."""
    rolling = deployment_in_progress(app.service)
    if rolling and not force:
        raise OpsError(
            f"deployment {rolling.get('id')} of {app.client} is in progress (since {iso(rolling.get('createdAt'))}); "
            "wait for it to finish (`crane status`), or pass --force to run on the current task definition"
        )
    network = app.service.get("networkConfiguration")
    if not network:
        raise OpsError(f"service {app.service_name} has no awsvpc network configuration to run the task in")
    request: dict[str, Any] = {
        "cluster": app.cluster_arn,
        "taskDefinition": app.task_definition_arn,
        "launchType": "FARGATE",
        "networkConfiguration": network,
        "overrides": {"containerOverrides": [{"name": CONTAINER, "command": command}]},
        "startedBy": STARTED_BY,
        "propagateTags": "TASK_DEFINITION",
    }
    if app.service.get("platformVersion"):
        request["platformVersion"] = app.service["platformVersion"]
    response = aws.client("ecs").run_task(**request)
    if response.get("failures") or not response.get("tasks"):
        reasons = "; ".join(f"{f.get('arn', '')} {f.get('reason', '')}".strip() for f in response.get("failures", []))
        raise OpsError(f"ECS did not start the task: {reasons or 'no task returned'}")
    return str(response["tasks"][0]["taskArn"])


def wait_for_exit(
    aws: Aws,
    app: App,
    task_arn: str,
    *,
    sleep: Callable[[float], None] | None = None,
    out: Callable[[str], None] = print,
    progress: Callable[[str], None] | None = None,
    definition_arn: str | None = None,
) -> int:
    """Stream the task's log lines and status changes until it stops; return the app's exit code.

    A task that stopped without the app container exiting (image pull or secret failure,
    stopped by someone) returns 1 and says why.
    """
    progress = progress or (lambda text: print(text, file=sys.stderr, flush=True))
    # ``definition_arn``: the task's own definition when it is not the service's (a job's).
    group, prefix = log_target(task_definition(aws, definition_arn or app.task_definition_arn))
    stream = prefix + short_arn(task_arn)
    token: str | None = None
    status = ""
    while True:
        task = aws.client("ecs").describe_tasks(cluster=app.cluster_arn, tasks=[task_arn])["tasks"][0]
        if task["lastStatus"] != status:
            status = task["lastStatus"]
            progress(f"task {short_arn(task_arn)}: {status}")
        token = _print_new_lines(aws, group, stream, token, out)
        if status == "STOPPED":
            break
        (sleep or _sleep)(POLL_SECONDS)
    _print_new_lines(aws, group, stream, token, out)  # lines that arrived while it stopped
    container: dict[str, Any] = next((c for c in task.get("containers", []) if c.get("name") == CONTAINER), {})
    if container.get("exitCode") is None:
        reason = container.get("reason") or task.get("stoppedReason") or "no reason given"
        progress(f"task {short_arn(task_arn)} stopped before {CONTAINER} exited: {reason}")
        return 1
    code = int(container["exitCode"])
    progress(f"task {short_arn(task_arn)} exited with {code}")
    return code if 0 <= code <= 255 else 1


def _print_new_lines(aws: Aws, group: str, stream: str, token: str | None, out: Callable[[str], None]) -> str | None:
    """Print the stream's lines after ``token``; return the token to continue from."""
    logs = aws.client("logs")
    request: dict[str, Any] = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
    while True:
        if token:
            request["nextToken"] = token
        try:
            page = logs.get_log_events(**request)
        except logs.exceptions.ResourceNotFoundException:
            return token  # the container has not written yet
        for event in page.get("events", []):
            out(event["message"].rstrip("\n"))
        if page.get("nextForwardToken") in (None, token):
            return token
        token = page["nextForwardToken"]
        if not page.get("events"):
            return token
