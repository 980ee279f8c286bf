"""The release function: run a new revision's release task, wait for it, report how it ended.

This file is the code of an AWS Lambda function (``crane_it.app.release`` packages it with
``pulumi.AssetArchive``), so it uses the standard library and boto3 only, never crane_it.

``pulumi up`` invokes it synchronously (``aws.lambda_.Invocation``) after registering the
new task definition revision and before updating the service. It:

1. takes the client's release lock, an SSM parameter created only if absent, so two
   releases of one client never run at once (a lock older than its deadline is stale:
   its function was killed, and the lock is taken over);
2. starts the release task (RunTask) with the new revision, the service's subnets and
   security group, and the release command as the app container's command override;
3. polls DescribeTasks until the task stops or the timeout passes (then it stops it);
4. records the run (revision, command, start, end, exit code) in an SSM parameter, whose
   version history `crane history` reads, and frees the lock;
5. returns the result, or raises :class:`ReleaseFailedError` with the exit code and the last log
   lines: Lambda reports a function error, the Invocation fails, `pulumi up` stops before
   the service is touched, and the old revision keeps serving.

Each step follows the ECS deployment lifecycle hook contract (``hookStatus`` SUCCEEDED,
FAILED or IN_PROGRESS with ``callBackDelay``), so :func:`step` can also answer ECS should
the service move to a deployment strategy that calls hooks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

CONTAINER = "app"
"""The app container of the task definition (crane_it.app.container.CONTAINER)."""
STARTED_BY = "crane-release"
"""ECS ``startedBy`` of release tasks (at most 36 characters)."""
POLL_SECONDS = 10
LOG_LINES = 20
"""Last log lines quoted in a failure."""
RECORD_LIMIT = 4096
"""An SSM standard parameter holds at most 4 KB."""


class ReleaseFailedError(Exception):
    """The release exited non-zero, timed out or could not start; the message says which and why."""


Clients = dict[str, Any]


def _now() -> float:
    return time.time()


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def _aws_error(error: Exception) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


# --- the lock -------------------------------------------------------------------------------


def _take_lock(ssm: Any, request: dict[str, Any], holder: str, now: float) -> str | None:
    """Take the client's release lock; None when taken, else who holds it."""
    value = json.dumps({"holder": holder, "revision": request["revision"], "until": now + request["timeoutSeconds"]})
    try:
        ssm.put_parameter(Name=request["lockParameter"], Value=value, Type="String", Overwrite=False)
        return None
    except Exception as error:
        if _aws_error(error) != "ParameterAlreadyExists":
            raise
    current = json.loads(ssm.get_parameter(Name=request["lockParameter"])["Parameter"]["Value"])
    if current.get("holder") == holder:
        return None
    if float(current.get("until", 0)) + 60 < now:  # stale: its function was killed mid-release
        ssm.put_parameter(Name=request["lockParameter"], Value=value, Type="String", Overwrite=True)
        return None
    return f"release of {current.get('revision')} (holder {current.get('holder')})"


def _free_lock(ssm: Any, request: dict[str, Any], holder: str) -> None:
    try:
        current = json.loads(ssm.get_parameter(Name=request["lockParameter"])["Parameter"]["Value"])
    except Exception as error:
        if _aws_error(error) == "ParameterNotFound":
            return
        raise
    if current.get("holder") == holder:
        ssm.delete_parameter(Name=request["lockParameter"])


# --- the record -----------------------------------------------------------------------------


def last_record(ssm: Any, request: dict[str, Any]) -> dict[str, Any] | None:
    """The latest recorded run of this client's release, or None."""
    try:
        return dict(json.loads(ssm.get_parameter(Name=request["recordParameter"])["Parameter"]["Value"]))
    except Exception as error:
        if _aws_error(error) == "ParameterNotFound":
            return None
        raise


def _record(ssm: Any, request: dict[str, Any], run: dict[str, Any]) -> None:
    entry = {
        "revision": request["revision"],
        "command": request["command"],
        "task": run.get("taskArn"),
        "start": _iso(run["started"]),
        "end": _iso(run["ended"]),
        "exitCode": run.get("exitCode"),
        "status": run["status"],
        "reason": run.get("reason", ""),
    }
    text = json.dumps(entry)
    if len(text) > RECORD_LIMIT:  # a very long command: keep its head, the rest fits
        entry["command"] = [" ".join(request["command"])[:1000] + " ..."]
        text = json.dumps(entry)[:RECORD_LIMIT]
    ssm.put_parameter(Name=request["recordParameter"], Value=text, Type="String", Overwrite=True)


# --- the task -------------------------------------------------------------------------------


def _start(ecs: Any, request: dict[str, Any]) -> str:
    response = ecs.run_task(
        cluster=request["cluster"],
        taskDefinition=request["taskDefinition"],
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": request["subnets"],
                "securityGroups": request["securityGroups"],
                "assignPublicIp": request.get("assignPublicIp", "DISABLED"),
            }
        },
        overrides={"containerOverrides": [{"name": CONTAINER, "command": request["command"]}]},
        startedBy=STARTED_BY,
        propagateTags="TASK_DEFINITION",
    )
    if response.get("failures") or not response.get("tasks"):
        reasons = "; ".join(f"{f.get('arn', '')} {f.get('reason', '')}".strip() for f in response.get("failures", []))
        raise ReleaseFailedError(f"ECS did not start the release task: {reasons or 'no task returned'}")
    return str(response["tasks"][0]["taskArn"])


def last_lines(logs: Any, request: dict[str, Any], task_arn: str, count: int = LOG_LINES) -> list[str]:
    """The release task's last ``count`` log lines (stream ``<prefix>/app/<task id>``)."""
    stream = f"{request['logStreamPrefix']}/{CONTAINER}/{task_arn.rsplit('/', 1)[-1]}"
    try:
        page = logs.get_log_events(
            logGroupName=request["logGroup"], logStreamName=stream, startFromHead=False, limit=count
        )
    except Exception as error:
        if _aws_error(error) == "ResourceNotFoundException":
            return []
        raise
    return [event["message"].rstrip("\n") for event in page.get("events", [])]


# --- one step of the hook contract ----------------------------------------------------------


def step(
    request: dict[str, Any], state: dict[str, Any], clients: Clients, now: Callable[[], float] = _now
) -> dict[str, Any]:
    """Advance the release one step; return ``{"hookStatus", "hookDetails", "callBackDelay"?, "message"?}``.

    ``state`` is the previous step's ``hookDetails`` (``{}`` at first).
    """
    ecs, ssm = clients["ecs"], clients["ssm"]
    holder = state.get("holder") or f"{request['revision']}@{now():.0f}"
    started = float(state.get("started") or now())
    deadline = started + request["timeoutSeconds"]
    state = {**state, "holder": holder, "started": started}
    if not state.get("taskArn"):
        previous = last_record(ssm, request)
        if (
            previous
            and previous.get("revision") == request["revision"]
            and previous.get("command") == request["command"]
            and previous.get("exitCode") == 0
        ):
            return {"hookStatus": "SUCCEEDED", "hookDetails": {**state, "skipped": True, "exitCode": 0}}
        held_by = _take_lock(ssm, request, holder, now())
        if held_by:
            if now() > deadline:
                return _end(request, state, clients, now, "FAILED", f"timed out waiting for the {held_by} to end")
            return {"hookStatus": "IN_PROGRESS", "hookDetails": {**state, "waitingFor": held_by}, "callBackDelay": 15}
        try:
            state["taskArn"] = _start(ecs, request)
        except ReleaseFailedError as error:
            return _end(request, state, clients, now, "FAILED", str(error))
        return {"hookStatus": "IN_PROGRESS", "hookDetails": state, "callBackDelay": POLL_SECONDS}
    task = ecs.describe_tasks(cluster=request["cluster"], tasks=[state["taskArn"]])["tasks"][0]
    if task.get("lastStatus") != "STOPPED":
        if now() > deadline:
            ecs.stop_task(cluster=request["cluster"], task=state["taskArn"], reason="crane release timed out")
            return _end(request, state, clients, now, "FAILED", f"timed out after {request['timeoutSeconds']} s")
        return {"hookStatus": "IN_PROGRESS", "hookDetails": state, "callBackDelay": POLL_SECONDS}
    container: dict[str, Any] = next((c for c in task.get("containers", []) if c.get("name") == CONTAINER), {})
    if container.get("exitCode") is None:
        reason = container.get("reason") or task.get("stoppedReason") or "no reason given"
        return _end(request, state, clients, now, "FAILED", f"the task stopped before {CONTAINER} exited: {reason}")
    state["exitCode"] = int(container["exitCode"])
    if state["exitCode"] == 0:
        return _end(request, state, clients, now, "SUCCEEDED", "exited 0")
    return _end(request, state, clients, now, "FAILED", f"exited with {state['exitCode']}")


def _end(
    request: dict[str, Any], state: dict[str, Any], clients: Clients, now: Callable[[], float], status: str, why: str
) -> dict[str, Any]:
    """Record the run, free the lock, and say how it ended (with the last log lines on failure)."""
    ssm = clients["ssm"]
    run = {**state, "ended": now(), "status": status, "reason": why}
    _record(ssm, request, run)
    _free_lock(ssm, request, state["holder"])
    message = f"release {' '.join(request['command'])!r} of {request['revision']}: {why}"
    if status == "FAILED":
        lines = last_lines(clients["logs"], request, state["taskArn"]) if state.get("taskArn") else []
        if lines:
            message += "; last log lines:\n" + "\n".join(lines)
        message += "\nThe service was not updated: the previous revision keeps serving."
    return {"hookStatus": status, "hookDetails": {**state, "status": status}, "message": message}


# --- the Lambda entry point -----------------------------------------------------------------


def run(
    request: dict[str, Any],
    clients: Clients,
    *,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = _now,
) -> dict[str, Any]:
    """Drive :func:`step` until the release ends; return its result or raise ReleaseFailedError."""
    state: dict[str, Any] = {}
    while True:
        answer = step(request, state, clients, now)
        state = answer["hookDetails"]
        if answer["hookStatus"] == "SUCCEEDED":
            return {
                "status": "SUCCEEDED",
                "revision": request["revision"],
                "exitCode": 0,
                "task": state.get("taskArn"),
                "skipped": bool(state.get("skipped")),
            }
        if answer["hookStatus"] == "FAILED":
            raise ReleaseFailedError(answer["message"])
        sleep(float(answer.get("callBackDelay", POLL_SECONDS)))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda handler: ``event`` is the release request the stack passes (see crane_it.app.release)."""
    import boto3

    clients = {name: boto3.client(name) for name in ("ecs", "ssm", "logs")}
    return run(event, clients)
