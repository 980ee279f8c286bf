"""A shell, or one command, inside a running task of the app, through ECS Exec (``crane exec``).

ECS Exec is off unless the client's spec opts in (``service.exec: true``), which adds the SSM
permissions to the task role and logs every session to the client's encrypted session log
group. The session itself is a WebSocket that only the AWS Session Manager plugin speaks:
ExecuteCommand returns a session token, and this command hands it to
``session-manager-plugin`` the same way the AWS CLI's ``aws ecs execute-command`` does.
"""

from __future__ import annotations

import json
import shlex
import shutil
import signal
import subprocess
from collections.abc import Callable, Sequence
from typing import Any

from ..app.container import CONTAINER
from ..errors import OpsError
from .aws import App, Aws, short_arn

PLUGIN = "session-manager-plugin"
PLUGIN_INSTALL = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html"
)

RunPlugin = Callable[[Sequence[str]], int]


def require_plugin() -> str:
    """The plugin's path; refuses with how to install it when it is not on PATH."""
    path = shutil.which(PLUGIN)
    if path is None:
        raise OpsError(
            f"crane exec needs the AWS Session Manager plugin ({PLUGIN}) on this machine and it is not on PATH; "
            f"install it (macOS: `brew install --cask session-manager-plugin`; Linux and Windows: {PLUGIN_INSTALL}), "
            "then run crane exec again"
        )
    return path


def require_exec_enabled(app: App) -> None:
    """Refuse, saying how to turn it on, when the service was not deployed with ECS Exec."""
    if not app.service.get("enableExecuteCommand"):
        raise OpsError(
            f"ECS Exec is off for {app.client}: add `exec: true` under `service:` in stacks/{app.client}.yaml "
            "and run `pulumi up` (tasks started after that deployment accept sessions; every session is logged)"
        )


def choose_task(aws: Aws, app: App, wanted: str | None = None) -> dict[str, Any]:
    """A running task of the service whose ExecuteCommandAgent runs (or the one asked for)."""
    ecs = aws.client("ecs")
    arns = ecs.list_tasks(cluster=app.cluster_arn, serviceName=app.service_name, desiredStatus="RUNNING")["taskArns"]
    tasks = ecs.describe_tasks(cluster=app.cluster_arn, tasks=arns)["tasks"] if arns else []
    if wanted:
        tasks = [task for task in tasks if short_arn(task["taskArn"]) == wanted]
        if not tasks:
            raise OpsError(f"no running task {wanted} in service {app.service_name}")
    for task in tasks:
        if task.get("lastStatus") == "RUNNING" and task.get("enableExecuteCommand"):
            return dict(task)
    raise OpsError(
        f"no running task of {app.service_name} accepts ECS Exec yet: tasks started before `exec: true` was "
        "deployed do not; wait for the deployment (`crane status`)"
    )


def open_session(
    aws: Aws,
    app: App,
    task: dict[str, Any],
    command: Sequence[str],
    plugin: str,
    run_plugin: RunPlugin | None = None,
) -> int:
    """Call ExecuteCommand for the app container, then hand the session to the plugin; its exit code.

    ``command`` is what the session runs (``crane exec`` defaults it to a shell).
    """
    ecs = aws.client("ecs")
    response = ecs.execute_command(
        cluster=app.cluster_arn,
        task=task["taskArn"],
        container=CONTAINER,
        interactive=True,  # ECS Exec supports interactive sessions only
        command=shlex.join(command),
    )
    container: dict[str, Any] = next((c for c in task.get("containers", []) if c.get("name") == CONTAINER), {})
    cluster_name = app.cluster_arn.rsplit("/", 1)[-1]
    target = f"ecs:{cluster_name}_{short_arn(task['taskArn'])}_{container.get('runtimeId', '')}"
    arguments = [
        plugin,
        json.dumps(response["session"]),
        aws.region,
        "StartSession",
        "",  # profile: the plugin needs none, the session token is in the first argument
        json.dumps({"Target": target}),
        ecs.meta.endpoint_url,
    ]
    return (run_plugin or _run_plugin)(arguments)


def _run_plugin(arguments: Sequence[str]) -> int:
    # Ctrl-C belongs to the remote shell: the plugin forwards it, this process ignores it.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.call(list(arguments))
    finally:
        signal.signal(signal.SIGINT, previous)
