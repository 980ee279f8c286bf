"""Running, resuming and undoing the steps of `crane reset` (``flow.STEPS``), recording each.

Every step can run twice without harm, so ``--resume`` simply runs the steps the state file
does not mark done: the restore's targeted `pulumi up` finds the restored instance in the
stack's state and changes nothing, the bucket is planned again and only what still differs
is copied, the spec edit writes the same values, and `pulumi up` converges.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ...errors import CraneError
from ...facts.env_names import DB_HOST
from .. import aws as ops
from .. import pulumi_cli
from ..maintenance import quiet_resources
from . import flow as flow
from .engine import Context, reset_bucket, restore_targets_of, spec_yaml, start_restore, write_spec

INSTANCE = "aws:rds/instance:Instance"
RULE = "aws:lb/listenerRule:ListenerRule"
FAILED = 1


def start(ctx: Context, result: dict[str, Any], path: Path) -> int:
    """Record the state before the reset, then run its steps."""
    data = spec_yaml(ctx)
    database = result.get("database") or {}
    state = flow.ResetState(
        client=ctx.spec.client,
        stack=ctx.stack,
        to=result["to"],
        requested_at=result["requested_at"],
        restore_id=database.get("restore_id", ""),
        restored=database.get("restored", ""),
        source=database.get("source", ""),
        bucket=(result.get("bucket") or {}).get("name"),
        image=result["app"]["image"] if "image" in data["service"] else None,
        image_source=result["app"]["source"],
        before={
            "image": data["service"].get("image"),
            "maintenance": data["service"].get("maintenance"),
            "restore": (data.get("database") or {}).get("restore"),
        },
    )
    _record(ctx, state, path, "noted")
    return resume(ctx, state, path)


def _record(ctx: Context, state: flow.ResetState, path: Path, step: str, status: str = "done", **detail: Any) -> None:
    with ctx.lock:
        state.record(step, status, dt.datetime.now(dt.UTC), **detail)
        state.save(path)


def _restore_block(ctx: Context, state: flow.ResetState, **extra: Any) -> dict[str, Any]:
    block: dict[str, Any] = {"id": state.restore_id, "point_in_time": state.to}
    if state.source != f"{ctx.base}-db":
        block["source"] = state.source  # a second reset restores from the first restored instance
    return {**block, **extra}


def resume(ctx: Context, state: flow.ResetState, path: Path) -> int:
    """Run every step not yet done; the restore and the bucket side by side."""
    todo = state.remaining(ctx.args.apply)
    try:
        for step in todo:
            if state.done(step):
                continue  # done beside another step
            if step == "spec-written":
                restore = _restore_block(ctx, state) if state.restored else flow.UNSET_RESTORE
                write_spec(ctx, image=state.image, maintenance=True, **_restore_kw(restore))
                ctx.say(f"wrote {ctx.spec_path.name}: image {state.image}, maintenance on, restore {state.restore_id}")
                _record(ctx, state, path, step)
            elif step == "maintenance-on":
                # The 503 rule, and the workers (to 0) and schedules (disabled): nothing writes
                # to the data while it is replaced.
                wanted = [(RULE, f"{ctx.base}-maintenance"), *quiet_resources(ctx.spec, ctx.base)]
                urns = pulumi_cli.urns_of(ctx.project, ctx.stack, ctx.spec_path, wanted)
                quiet = " with the workers and schedules" if len(urns) > 1 else ""
                ctx.say(f"maintenance on: pulumi up of the 503 rule{quiet} alone")
                pulumi_cli.run(
                    ctx.project, ctx.stack, "up", "--yes", *[arg for urn in urns for arg in ("--target", urn)]
                )
                _record(ctx, state, path, step)
            elif step in ("restore-started", "bucket-reset"):
                _data_side_by_side(ctx, state, path, todo)
            elif step == "restore-available":
                _wait_available(ctx, state)
                _record(ctx, state, path, step)
            elif step == "deployed":
                ctx.say("pulumi up: roll the app out on the restored instance")
                pulumi_cli.run(ctx.project, ctx.stack, "up", "--yes")
                _record(ctx, state, path, step)
            elif step == "verified":
                _record(ctx, state, path, step, **_verify(ctx, state))
            elif step == "maintenance-off":
                restore = _restore_block(ctx, state, applied=True) if state.restored else flow.UNSET_RESTORE
                write_spec(ctx, maintenance=state.before.get("maintenance"), **_restore_kw(restore))
                ctx.say("maintenance off, restore.applied: true; pulumi up")
                pulumi_cli.run(ctx.project, ctx.stack, "up", "--yes")
                _record(ctx, state, path, step)
    except Exception as error:
        reason = _failure(error)
        if reason is None:
            raise
        failed = next((step for step in todo if not state.done(step)), "?")
        _record(ctx, state, path, failed, "failed", error=reason)
        print(
            f"crane reset: {failed} failed: {reason}\n"
            f"  continue: crane reset {state.client} --resume{' --apply' if ctx.args.apply else ''}\n"
            f"  revert:   crane reset {state.client} --undo",
            file=sys.stderr,
        )
        return FAILED
    _next_steps(ctx, state)
    return 0


def _failure(error: BaseException) -> str | None:
    """What went wrong in a step, in one line (AWS's errors name their call); None for a bug."""
    if isinstance(error, (CraneError, subprocess.CalledProcessError, OSError)):
        return str(error)
    return ops.aws_error(error)


def _restore_kw(restore: Any) -> dict[str, Any]:
    return {} if restore is flow.UNSET_RESTORE else {"restore": restore}


def _data_side_by_side(ctx: Context, state: flow.ResetState, path: Path, todo: list[str]) -> None:
    """The restore on one thread, the bucket on this one: neither waits for the other."""
    errors: list[str] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="restore") as pool:
        restore = None
        if "restore-started" in todo and state.restored:
            targets = restore_targets_of(ctx, state)  # rendered here: the Pulumi runtime is not thread-safe
            ctx.say(
                f"starting the restore of {state.source} into {state.restored} at {state.to}: "
                f"pulumi up of the instance and its {len(targets) - 1} log groups alone"
            )
            restore = pool.submit(start_restore, ctx, state, targets)
        elif "restore-started" in todo:
            _record(ctx, state, path, "restore-started", detail="no database")
        if "bucket-reset" in todo and state.bucket:
            ctx.say(f"resetting the bucket {state.bucket} to {state.to}")
            undo_to = state.steps.get("bucket-reset", {}).get("undo_to") or _second_before_now()
            try:
                outcome = reset_bucket(ctx, state.bucket, flow.parse_iso(state.to))
            except Exception as error:  # S3 or the network: recorded, and the restore still recorded
                outcome = {"failed": [f"the bucket reset stopped: {error}"]}
            outcome["undo_to"] = undo_to
            if outcome["failed"]:
                errors.append(f"{len(outcome['failed'])} keys of {state.bucket} failed: {outcome['failed'][:3]}")
                _record(ctx, state, path, "bucket-reset", "failed", **outcome)
            else:
                _record(ctx, state, path, "bucket-reset", **outcome)
        elif "bucket-reset" in todo:
            _record(ctx, state, path, "bucket-reset", detail="no bucket")
        if restore is not None:
            try:
                outcome = restore.result()
            except Exception as error:  # `pulumi up` or AWS: recorded and reported below
                errors.append(f"the restore did not start: {_failure(error) or error!r}")
            else:
                _record(ctx, state, path, "restore-started", outcome.pop("status", "done"), **outcome)
    if errors:
        raise ops.OpsError("; ".join(errors))


def _second_before_now() -> str:
    """A time before every copy the bucket reset is about to make: the current second, after
    waiting for the next one to begin. S3 keeps LastModified to the second, so the undo (a
    reset to this time) keeps every version written before and none of the reset's copies."""
    now = dt.datetime.now(dt.UTC)
    mark = now.replace(microsecond=0)
    time.sleep((mark + dt.timedelta(seconds=1) - now).total_seconds() + 0.01)
    return flow.iso(mark)


def _wait_available(ctx: Context, state: flow.ResetState) -> None:
    """The restored instance is available and RDS keeps its password (the provider's modify went through)."""
    if not state.restored:
        return
    ctx.say(f"waiting for {state.restored} to be available (a restore takes minutes to hours)")
    rds = ctx.aws.client("rds")
    rds.get_waiter("db_instance_available").wait(
        DBInstanceIdentifier=state.restored, WaiterConfig={"Delay": 30, "MaxAttempts": 720}
    )
    instance = rds.describe_db_instances(DBInstanceIdentifier=state.restored)["DBInstances"][0]
    if not (instance.get("MasterUserSecret") or {}).get("SecretArn"):
        raise ops.OpsError(
            f"{state.restored} has no managed master user secret, so the app would get no DB_PASSWORD: "
            "was it restored outside `pulumi up`? Run `pulumi up` to let the provider turn it on"
        )


def _verify(ctx: Context, state: flow.ResetState) -> dict[str, str]:
    """The service's current task definition points at the restored instance and its rollout is over."""
    app = ops.find_app(ctx.aws, ctx.spec.client, ctx.args.stack)
    if ops.deployment_in_progress(app.service):
        raise ops.OpsError(f"the service {app.service_name} is still rolling out")
    container = ops.app_container(ops.task_definition(ctx.aws, app.task_definition_arn))
    env = {item["name"]: item["value"] for item in container.get("environment", [])}
    found: dict[str, str] = {"task_definition": ops.short_arn(app.task_definition_arn)}
    if state.restored:
        rds = ctx.aws.client("rds")
        address = rds.describe_db_instances(DBInstanceIdentifier=state.restored)["DBInstances"][0]["Endpoint"][
            "Address"
        ]
        if env.get(DB_HOST) != address:
            raise ops.OpsError(f"the service's DB_HOST is {env.get('DB_HOST')}, not the restored {address}")
        found["db_host"] = address
    if state.image and container.get("image") != state.image:
        raise ops.OpsError(f"the service runs {container.get('image')}, not {state.image}")
    ctx.say(f"verified: {found}")
    return found


def _next_steps(ctx: Context, state: flow.ResetState) -> None:
    if all(state.done(step) for step in flow.STEPS):
        print(f"reset of {state.client} to {state.to} done; undo with: crane reset {state.client} --undo")
        return
    started = "restore started" if state.done("restore-started") else "restore left to the pull request's `pulumi up`"
    print(
        f"{started} and bucket reset; the spec change is in {ctx.spec_path.name}.\n"
        "  next: commit it and open the pull request (maintenance mode goes live with its `pulumi up`;\n"
        "  until then the app can still write, and what it writes after the reset time is lost),\n"
        f"  then: crane reset {state.client} --resume --apply   (waits for the instance, deploys, verifies,\n"
        "  turns maintenance off)"
    )


def undo(ctx: Context, state: flow.ResetState, path: Path) -> int:
    """Bucket back to when the reset was requested; spec back to before; the restored instance leaves the stack."""
    urn = None
    in_stack = state.done("restore-started") or state.done("deployed")  # the targeted up put it in the state
    if in_stack and state.restored and ctx.args.apply:
        urn = pulumi_cli.urn_of(ctx.project, ctx.stack, ctx.spec_path, INSTANCE, state.restored)
    try:
        if not state.undone("bucket-undone"):
            if state.bucket and "bucket-reset" in state.steps:
                back_to = state.steps["bucket-reset"].get("undo_to") or state.requested_at
                ctx.say(f"bucket {state.bucket} back to {back_to}, just before the reset")
                outcome = reset_bucket(ctx, state.bucket, flow.parse_iso(back_to))
                if outcome["failed"]:
                    raise ops.OpsError(f"{len(outcome['failed'])} keys failed: {outcome['failed'][:3]}")
                _record(ctx, state, path, "bucket-undone", **outcome)
            else:
                _record(ctx, state, path, "bucket-undone", detail="the bucket was not reset")
        if not state.undone("spec-undone"):
            before = state.before
            write_spec(
                ctx, image=before.get("image"), maintenance=before.get("maintenance"), restore=before.get("restore")
            )
            _record(ctx, state, path, "spec-undone")
        if ctx.args.apply:
            if urn and not state.undone("unprotected"):
                pulumi_cli.run(ctx.project, ctx.stack, "state", "unprotect", urn, "--yes")
                _record(ctx, state, path, "unprotected", urn=urn)
            if not state.undone("undeployed"):
                pulumi_cli.run(ctx.project, ctx.stack, "up", "--yes")
                _record(ctx, state, path, "undeployed")
    except Exception as error:
        reason = _failure(error)
        if reason is None:
            raise
        print(f"crane reset: undo stopped: {reason}; run --undo again", file=sys.stderr)
        return FAILED
    kept = (
        f"{state.restored} stays in AWS (deletion protection): `crane leftovers {state.client}`"
        if state.restored
        else ""
    )
    if not ctx.args.apply and in_stack and state.restored:
        print(f"spec reverted; run: pulumi state unprotect '<urn of {state.restored}>' && pulumi up")
    print(f"undo of the reset of {state.client} to {state.to} done. {kept}".rstrip())
    return 0
