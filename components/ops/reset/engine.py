"""The reset engine: a client's app and data back to an earlier time (``crane reset CLIENT --to TIME``).

What it does, in order (``crane_it.ops.reset.flow.STEPS``), recording each step in
``stacks/<stack>.reset.json`` so an interrupted reset can be resumed (``--resume``) or
reverted (``--undo``):

1. Checks ``TIME`` against what AWS can restore now: the database's restore window
   (DescribeDBInstances' LatestRestorableTime, the automated backups' RestoreWindow) and the
   bucket's versions and lifecycle (``bucket_listing.prepare_reset``).
2. Finds the app that ran at ``TIME`` in the service's deployment history (``crane history``),
   cross-checked with the spec's git history when the repo is at hand.
3. Prints the plan; ``--dry-run`` stops here.
4. Writes the spec change (``service.image``, ``service.maintenance: true``, a
   ``database.restore`` block), keeping the file's comments.
5. With ``--apply``, the maintenance rule goes live first (a `pulumi up` targeted at it).
   Then starts the point-in-time restore at once, with the program itself: a `pulumi up`
   targeted at the restored instance and its log groups (``targets.restore_targets``), so
   nothing is imported; and resets the bucket beside it on another thread.
6. With ``--apply`` (and the Pulumi CLI on PATH): checks the instance is available with its
   managed secret, `pulumi up` (rolls the app out on it), verifies the service's DB_HOST is
   the restored instance, then turns maintenance off (``restore.applied: true``) with a
   last `pulumi up`. Without it, the rest is the pull request's `pulumi up`, then
   ``--resume --apply``.

This module checks, plans and holds what every step needs (:class:`Context`); the steps
themselves, resume and undo are in :mod:`crane_it.ops.reset.steps`, and the command's
arguments, printing and exit codes in ``crane_it.cli.reset``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ...core.naming import base_name
from ...data.database_restore import restored_identifier
from ...errors import OpsError
from ...loader import load_stack_spec
from ...project import find_project, stacks_dir
from ...spec import ClientSpec
from .. import aws as ops_aws
from .. import pulumi_cli
from ..aws import Aws, find_app, iso
from ..history import read_history
from ..spec_edit import edit_spec
from . import flow
from .bucket_copying import execute_plan
from .bucket_listing import find_client_bucket, prepare_reset
from .bucket_plan import isoformat
from .targets import restore_targets

HISTORY_DAYS = 90
"""How far back ECS lists a service's deployments (ListServiceDeployments)."""
WAIT_DELAY = 30
"""Seconds between DescribeDBInstances calls while waiting for the restored instance."""


# --- context ------------------------------------------------------------------------------------


@dataclass
class Context:
    """What every step needs: AWS, the spec and where things are."""

    args: argparse.Namespace
    aws: Aws
    project: Path
    spec_path: Path
    spec: ClientSpec
    stack: str
    base: str
    now: dt.datetime
    lock: threading.Lock

    def say(self, text: str) -> None:
        print(f"crane reset: {text}", file=sys.stderr, flush=True)


def context(args: argparse.Namespace, now: dt.datetime) -> Context:
    project = find_project(args.spec.parent if args.spec else None)
    stack = args.stack or args.client
    spec_path = (args.spec or stacks_dir(project) / f"{stack}.yaml").resolve()
    try:
        spec = load_stack_spec(spec_path, stack=stack)
    except Exception as error:  # SpecError, ProjectError: refuse by message
        raise OpsError(str(error)) from error
    if not isinstance(spec, ClientSpec) or spec.client != args.client:
        raise OpsError(f"{spec_path} is not the spec of client {args.client}")
    if spec.database is None and spec.bucket is None:
        raise OpsError(f"client {args.client} has no bucket and no database: nothing to reset")
    if args.apply and pulumi_cli.installed() is None:
        raise OpsError(
            "--apply runs `pulumi up`, and no Pulumi CLI is on PATH: install it "
            "(https://www.pulumi.com/docs/install/) or run without --apply and deploy the pull request"
        )
    aws = ops_aws.Aws(args.region or spec.region, args.endpoint_url)  # looked up now: tests replace it
    return Context(args, aws, project, spec_path, spec, stack, base_name(spec.client, stack), now, threading.Lock())


# --- checking and planning ----------------------------------------------------------------------


def database_window(ctx: Context, source: str) -> tuple[dt.datetime, dt.datetime, str]:
    """(earliest, latest) restorable time of ``source`` as RDS reports it, and where earliest came from."""
    rds = ctx.aws.client("rds")
    try:
        instance = rds.describe_db_instances(DBInstanceIdentifier=source)["DBInstances"][0]
    except rds.exceptions.DBInstanceNotFoundFault:
        raise OpsError(
            f"the database {source} does not exist in {ctx.aws.region}: has the stack been deployed?"
        ) from None
    latest = instance.get("LatestRestorableTime") or ctx.now
    backups = rds.describe_db_instance_automated_backups(DBInstanceIdentifier=source).get("DBInstanceAutomatedBackups")
    windows = [
        b["RestoreWindow"]["EarliestTime"] for b in backups or [] if b.get("RestoreWindow", {}).get("EarliestTime")
    ]
    if windows:
        return min(windows), latest, "RDS automated backups"
    days = ctx.spec.backup.point_in_time_days
    return ctx.now - dt.timedelta(days=days), latest, f"backup.point_in_time_days={days} (RDS reported no window)"


def _source(ctx: Context) -> str:
    """The instance the app uses now: the restored one of an earlier reset, else the original."""
    assert ctx.spec.database is not None
    current = ctx.spec.database.restore
    return restored_identifier(ctx.base, current.id) if current else f"{ctx.base}-db"


def plan(ctx: Context, to: dt.datetime) -> dict[str, Any]:
    """Check everything and decide everything; changes nothing."""
    spec = ctx.spec
    result: dict[str, Any] = {"client": spec.client, "stack": ctx.stack, "to": isoformat(to)}
    result["requested_at"] = isoformat(ctx.now.replace(microsecond=0))
    if spec.database:
        source = _source(ctx)
        earliest, latest, where = database_window(ctx, source)
        if not earliest <= to <= latest:
            raise OpsError(
                f"database {source} can be restored to {isoformat(earliest)} .. {isoformat(latest)} "
                f"(earliest from {where}), not to {isoformat(to)}"
            )
        restore_id = flow.restore_id_at(ctx.now)
        result["database"] = {
            "source": source,
            "restored": restored_identifier(ctx.base, restore_id),
            "restore_id": restore_id,
            "window": [iso(earliest), iso(latest)],
            "window_from": where,
        }
    if spec.bucket:
        s3 = ctx.aws.client("s3")
        name = find_client_bucket(s3, spec.client)
        bucket_plan = prepare_reset(s3, name, to, now=ctx.now)
        result["bucket"] = {"name": name, "counts": bucket_plan.counts(), "actions": len(bucket_plan.actions)}
    result["app"] = _app_at(ctx, to).__dict__
    durations = flow.estimate_for(spec, result.get("bucket", {}).get("actions", 0), ctx.args.workers)
    result["minutes"] = {"before": durations[0], "after": durations[1]}
    if spec.workers or spec.jobs:  # stopped while maintenance is on (quiet_resources)
        result["quiet"] = {"workers": sorted(spec.workers), "jobs": sorted(spec.jobs)}
    result["undo"] = f"crane reset {spec.client} --undo" + (f" --stack {ctx.stack}" if ctx.stack != spec.client else "")
    return result


def _app_at(ctx: Context, to: dt.datetime) -> flow.RanAt:
    if ctx.args.image:  # given: neither the deployment history nor git is asked
        chosen = flow.choose_image(None, None, ctx.args.image)
        assert chosen is not None
        return chosen
    ecs_answer = None
    try:
        app = find_app(ctx.aws, ctx.spec.client, ctx.args.stack)
        # The deployment serving at `to` may have started long before it: read back as far as
        # ECS keeps deployments (90 days).
        rows = read_history(ctx.aws, app, dt.timedelta(days=HISTORY_DAYS), ctx.now)
        ecs_answer = flow.app_at([{k: str(v) for k, v in d.__dict__.items()} for d in rows], to)
    except OpsError as error:
        ctx.say(f"no deployment history: {error}")
    except Exception as error:  # AWS answering otherwise than expected (an API it lacks, a throttle)
        message = ops_aws.aws_error(error)
        if message is None:
            raise
        ctx.say(f"no deployment history: {message}; falling back to the spec's git history")
    git_answer = flow.git_image_at(ctx.spec_path, to)
    chosen = flow.choose_image(ecs_answer, git_answer, ctx.args.image)
    if chosen is None:
        raise OpsError(
            f"cannot tell which image ran at {isoformat(to)}: no deployment history and no git history of "
            f"{ctx.spec_path.name} reaches it; pass --image"
        )
    return chosen


def spec_yaml(ctx: Context) -> dict[str, Any]:
    return dict(yaml.safe_load(ctx.spec_path.read_text(encoding="utf-8")))


def write_spec(ctx: Context, **changes: Any) -> None:
    """Edit the spec file in place (comments kept) and, with --commit, commit it."""
    with ctx.lock:
        text = ctx.spec_path.read_text(encoding="utf-8")
        ctx.spec_path.write_text(edit_spec(text, **changes), encoding="utf-8")
    if ctx.args.commit:
        subprocess.run(["git", "add", str(ctx.spec_path)], cwd=ctx.spec_path.parent, check=True)
        subprocess.run(
            ["git", "commit", "-m", f"crane reset {ctx.spec.client}: {', '.join(sorted(changes))}"],
            cwd=ctx.spec_path.parent,
            check=True,
        )


def restore_targets_of(ctx: Context, state: flow.ResetState) -> list[str]:
    """The URNs `pulumi up --target` starts the restore with: the restored instance and its log
    groups, as the spec on disk (already holding the restore block) declares them."""
    from ...review.render import render_stack  # the Pulumi SDK and the program: only when a reset starts one

    return restore_targets(render_stack(ctx.stack, ctx.spec_path, ctx.project), state.restored)


def start_restore(ctx: Context, state: flow.ResetState, targets: list[str]) -> dict[str, Any]:
    """Start the point-in-time restore with the program itself: a `pulumi up` of ``targets`` alone.

    The provider creates the log groups (retention, log key), calls
    RestoreDBInstanceToPointInTime with the declared settings, waits for the copy, then turns
    the managed master password on with ModifyDBInstance and waits again; the up ends with the
    instance available and in the stack's state. Run again (``--resume``), it changes nothing.
    Without a Pulumi CLI (and without ``--apply``), the pull request's `pulumi up` starts it.
    """
    if pulumi_cli.installed() is None:
        return {"status": "pending", "detail": "no Pulumi CLI on PATH: the pull request's `pulumi up` starts it"}
    pulumi_cli.run(ctx.project, ctx.stack, "up", "--yes", *(arg for urn in targets for arg in ("--target", urn)))
    created = ctx.aws.client("rds").describe_db_instances(DBInstanceIdentifier=state.restored)["DBInstances"][0]
    return {"identifier": created["DBInstanceIdentifier"], "instance_status": created.get("DBInstanceStatus", "")}


def reset_bucket(ctx: Context, bucket: str, to: dt.datetime) -> dict[str, Any]:
    """Plan the bucket again (it may have changed since the plan) and copy on a thread pool."""
    s3 = ctx.aws.client("s3")
    bucket_plan = prepare_reset(s3, bucket, to, now=dt.datetime.now(dt.UTC))
    report = execute_plan(s3, bucket, bucket_plan, workers=ctx.args.workers)
    return {
        "applied": dict(report.applied),
        "failed": [f"{failure.action.key}: {failure.error}" for failure in report.failures],
        "skipped": [skipped.key for skipped in bucket_plan.skipped],
    }
