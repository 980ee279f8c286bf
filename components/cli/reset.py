"""``crane reset CLIENT --to TIME``: a client's app and data back to an earlier time, in one command.

What it does, in order (``reset_flow.STEPS``), recording each step in
``stacks/<stack>.reset.json`` so an interrupted reset can be resumed (``--resume``) or
reverted (``--undo``):

1. Checks ``TIME`` against what AWS can restore now: the database's restore window
   (DescribeDBInstances' LatestRestorableTime, the automated backups' RestoreWindow) and the
   bucket's versions and lifecycle (``reset_bucket.prepare_reset``).
2. Finds the app that ran at ``TIME`` in the service's deployment history (``crane history``),
   cross-checked with the spec's git history when the repo is at hand.
3. Prints the plan; ``--dry-run`` stops here.
4. Writes the spec change (``service.image``, ``service.maintenance: true``, a
   ``database.restore`` block with ``adopt: true``), keeping the file's comments.
5. Starts the point-in-time restore at once (``restore_request``), and resets the bucket
   beside it on another thread. With ``--apply``, the maintenance rule goes live first
   (a targeted `pulumi up`).
6. With ``--apply`` (and the Pulumi CLI on PATH): waits for the instance, `pulumi up`
   (adopts it, rolls the app out on it), verifies the service's DB_HOST is the restored
   instance, then turns maintenance off (``restore.applied: true``) with a last `pulumi up`.
   Without it, the rest is the pull request's `pulumi up`, then ``--resume --apply``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..core.naming import base_name
from ..core.provider import default_tags
from ..data.database_restore import restored_identifier
from ..loader import load_stack_spec
from ..ops import aws as ops
from ..ops.reset import flow as flow
from ..ops.reset.bucket_plan import ResetError, isoformat, parse_time
from ..ops.reset.restore_request import restore_request
from ..ops.spec_edit import edit_spec
from ..project import find_project, stacks_dir
from ..spec import ClientSpec
from . import history
from . import reset_bucket as buckets

HELP = "reset a client, app and data, to an earlier time in one command (plan, maintenance, restore, bucket, rollout)"
HISTORY_DAYS = 90
"""How far back ECS lists a service's deployments (ListServiceDeployments)."""
WAIT_DELAY = 30
"""Seconds between DescribeDBInstances calls while waiting for the restored instance."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the reset options on parser."""
    ops.add_aws_arguments(parser)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--to", metavar="TIME", help="the time to go back to, ISO-8601 with a zone: 2026-11-20T10:00:00Z")
    what.add_argument("--resume", action="store_true", help="continue the reset recorded in the state file")
    what.add_argument("--undo", action="store_true", help="revert the reset recorded in the state file")
    parser.add_argument("--dry-run", action="store_true", help="check and print the plan; change nothing")
    parser.add_argument("--apply", action="store_true", help="also run `pulumi up` (needs the Pulumi CLI)")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument("--image", help="run this image after the reset instead of the one found in the history")
    parser.add_argument("--spec", type=Path, help="the client's spec (default: stacks/<stack>.yaml of the project)")
    parser.add_argument("--commit", action="store_true", help="git commit the spec change for the pull request")
    parser.add_argument(
        "--workers",
        type=int,
        default=buckets.DEFAULT_WORKERS,
        help=f"parallel S3 copies (default {buckets.DEFAULT_WORKERS})",
    )


# --- the Pulumi CLI (replaced in tests) ---------------------------------------------------------


def pulumi_cli() -> str | None:
    """The Pulumi CLI on PATH, if any."""
    return shutil.which("pulumi")


def run_pulumi(project: Path, stack: str, *args: str) -> None:
    """Run ``pulumi <args> --stack <stack>`` in the project; a failure raises CalledProcessError."""
    subprocess.run(["pulumi", *args, "--stack", stack, "--non-interactive"], cwd=project, check=True)


def urn_of(project: Path, stack: str, spec: Path, type_: str, name: str) -> str:
    """The URN `pulumi up` gives a resource of the spec (rendered offline, as `crane plan` does)."""
    from .plan import render_stack

    return render_stack(stack, spec, project).one(type_, name).urn


# --- context ------------------------------------------------------------------------------------


@dataclass
class Context:
    """What every step needs: AWS, the spec and where things are."""

    args: argparse.Namespace
    aws: ops.Aws
    project: Path
    spec_path: Path
    spec: ClientSpec
    stack: str
    base: str
    now: dt.datetime
    lock: threading.Lock

    def say(self, text: str) -> None:
        print(f"crane reset: {text}", file=sys.stderr, flush=True)


def _context(args: argparse.Namespace, now: dt.datetime) -> Context:
    project = find_project(args.spec.parent if args.spec else None)
    stack = args.stack or args.client
    spec_path = (args.spec or stacks_dir(project) / f"{stack}.yaml").resolve()
    try:
        spec = load_stack_spec(spec_path, stack=stack)
    except Exception as error:  # SpecError, ProjectError: refuse by message
        raise ops.OpsError(str(error)) from error
    if not isinstance(spec, ClientSpec) or spec.client != args.client:
        raise ops.OpsError(f"{spec_path} is not the spec of client {args.client}")
    if spec.database is None and spec.bucket is None:
        raise ops.OpsError(f"client {args.client} has no bucket and no database: nothing to reset")
    if args.apply and pulumi_cli() is None:
        raise ops.OpsError(
            "--apply runs `pulumi up`, and no Pulumi CLI is on PATH: install it "
            "(https://www.pulumi.com/docs/install/) or run without --apply and deploy the pull request"
        )
    aws = ops.Aws(args.region or spec.region, args.endpoint_url)
    return Context(args, aws, project, spec_path, spec, stack, base_name(spec.client, stack), now, threading.Lock())


# --- checking and planning ----------------------------------------------------------------------


def database_window(ctx: Context, source: str) -> tuple[dt.datetime, dt.datetime, str]:
    """(earliest, latest) restorable time of ``source`` as RDS reports it, and where earliest came from."""
    rds = ctx.aws.client("rds")
    try:
        instance = rds.describe_db_instances(DBInstanceIdentifier=source)["DBInstances"][0]
    except rds.exceptions.DBInstanceNotFoundFault:
        raise ops.OpsError(
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
            raise ops.OpsError(
                f"database {source} can be restored to {isoformat(earliest)} .. {isoformat(latest)} "
                f"(earliest from {where}), not to {isoformat(to)}"
            )
        restore_id = flow.restore_id_at(ctx.now)
        result["database"] = {
            "source": source,
            "restored": restored_identifier(ctx.base, restore_id),
            "restore_id": restore_id,
            "window": [ops.iso(earliest), ops.iso(latest)],
            "window_from": where,
        }
    if spec.bucket:
        s3 = ctx.aws.client("s3")
        name = buckets.find_client_bucket(s3, spec.client)
        bucket_plan = buckets.prepare_reset(s3, name, to, now=ctx.now)
        result["bucket"] = {"name": name, "counts": bucket_plan.counts(), "actions": len(bucket_plan.actions)}
    result["app"] = _app_at(ctx, to).__dict__
    durations = flow.estimate_for(spec, result.get("bucket", {}).get("actions", 0), ctx.args.workers)
    result["minutes"] = {"before": durations[0], "after": durations[1]}
    result["undo"] = f"crane reset {spec.client} --undo" + (f" --stack {ctx.stack}" if ctx.stack != spec.client else "")
    return result


def _app_at(ctx: Context, to: dt.datetime) -> flow.RanAt:
    ecs_answer = None
    try:
        app = ops.find_app(ctx.aws, ctx.spec.client, ctx.args.stack)
        # The deployment serving at `to` may have started long before it: read back as far as
        # ECS keeps deployments (90 days).
        rows = history.read_history(ctx.aws, app, dt.timedelta(days=HISTORY_DAYS), ctx.now)
        ecs_answer = flow.app_at([{k: str(v) for k, v in d.__dict__.items()} for d in rows], to)
    except ops.OpsError as error:
        ctx.say(f"no deployment history: {error}")
    git_answer = flow.git_image_at(ctx.spec_path, to)
    chosen = flow.choose_image(ecs_answer, git_answer, ctx.args.image)
    if chosen is None:
        raise ops.OpsError(
            f"cannot tell which image ran at {isoformat(to)}: no deployment history and no git history of "
            f"{ctx.spec_path.name} reaches it; pass --image"
        )
    return chosen


def print_plan(result: dict[str, Any], dry_run: bool) -> None:
    """The plan as a person reads it."""
    mode = " (dry run: nothing changed)" if dry_run else ""
    print(f"reset {result['client']} (stack {result['stack']}) to {result['to']}{mode}")
    db = result.get("database")
    if db:
        print(f"  database  {db['source']} restored into {db['restored']} (restore id {db['restore_id']})")
        print(f"            restorable now: {db['window'][0]} .. {db['window'][1]} ({db['window_from']})")
    app = result["app"]
    revision = f" ({app['revision']})" if app["revision"] else ""
    where = {"ecs": "the ECS deployment history", "git": "the spec's git history", "given": "--image"}[app["source"]]
    print(f"  app       {app['image']}{revision}, from {where}" + (f"; {app['note']}" if app["note"] else ""))
    bucket = result.get("bucket")
    if bucket:
        counts = bucket["counts"]
        print(
            f"  bucket    {bucket['name']}: restore {counts['restore']}, undelete {counts['undelete']}, "
            f"delete {counts['delete']} (unchanged {counts['unchanged']}, skipped {counts['skipped']})"
        )
    print("  spec      service.image, service.maintenance: true, database.restore (adopt: true)")
    minutes = result["minutes"]
    print(
        f"  duration  about {minutes['after']:.0f} min to a verified app with --apply "
        f"(the README's manual procedure: about {minutes['before']:.0f} min)"
    )
    print(f"  undo      {result['undo']}")


# --- the command --------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """0 done (or planned), 1 a step failed (resume or undo), 2 refused before any change."""

    def body() -> int:
        from ..ops.reset.steps import resume, start, undo

        now = dt.datetime.now(dt.UTC)
        ctx = _context(args, now)
        path = flow.state_path(ctx.spec_path, ctx.stack)
        if args.undo:
            return undo(ctx, flow.ResetState.load(path), path)
        if args.resume:
            return resume(ctx, flow.ResetState.load(path), path)
        if path.exists() and not flow.ResetState.load(path).finished:
            raise ops.OpsError(f"a reset is recorded in {path} and not finished: use --resume or --undo")
        try:
            to = parse_time(args.to)
        except ResetError as error:
            raise ops.OpsError(str(error)) from error
        try:
            result = plan(ctx, to)
        except ResetError as error:
            raise ops.OpsError(str(error)) from error
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            print_plan(result, args.dry_run)
        if args.dry_run:
            return 0
        if not args.yes and not _confirmed(ctx.spec.client):
            raise ops.OpsError("not confirmed")
        return start(ctx, result, path)

    return ops.guarded("reset", body)


def _confirmed(client: str) -> bool:
    if not sys.stdin.isatty():
        raise ops.OpsError("no terminal to confirm on: pass --yes")
    return input(f"type {client} to reset it: ").strip() == client


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


def start_restore(ctx: Context, state: flow.ResetState) -> dict[str, Any]:
    """RestoreDBInstanceToPointInTime with the identity, settings and tags the program declares."""
    rds = ctx.aws.client("rds")
    assert ctx.spec.database is not None
    source = rds.describe_db_instances(DBInstanceIdentifier=state.source)["DBInstances"][0]
    when = flow.parse_iso(state.to)
    restore = {"id": state.restore_id, "point_in_time": when, "adopt": True}
    adopted = type(ctx.spec.database).model_validate({**ctx.spec.database.model_dump(), "restore": restore})
    request = restore_request(
        adopted,
        ctx.base,
        source=state.source,
        when=when,
        subnet_group=source["DBSubnetGroup"]["DBSubnetGroupName"],
        security_group_ids=[group["VpcSecurityGroupId"] for group in source.get("VpcSecurityGroups", [])],
        parameter_group=source["DBParameterGroups"][0]["DBParameterGroupName"],
        key_arn=(source.get("MasterUserSecret") or {}).get("KmsKeyId") or source.get("KmsKeyId", ""),
        tags=default_tags(ctx.spec.client, ctx.stack, ctx.spec.tags, retiring=ctx.spec.retire),
    )
    try:
        created = rds.restore_db_instance_to_point_in_time(**request)["DBInstance"]
    except rds.exceptions.DBInstanceAlreadyExistsFault:
        # Resumed after the call went through: the instance is ours if it carries our identity.
        created = rds.describe_db_instances(DBInstanceIdentifier=state.restored)["DBInstances"][0]
    return {"identifier": created["DBInstanceIdentifier"], "instance_status": created.get("DBInstanceStatus", "")}


def reset_bucket(ctx: Context, bucket: str, to: dt.datetime) -> dict[str, Any]:
    """Plan the bucket again (it may have changed since the plan) and copy on a thread pool."""
    s3 = ctx.aws.client("s3")
    bucket_plan = buckets.prepare_reset(s3, bucket, to, now=dt.datetime.now(dt.UTC))
    report = buckets.execute_plan(s3, bucket, bucket_plan, workers=ctx.args.workers)
    return {
        "applied": dict(report.applied),
        "failed": [f"{failure.action.key}: {failure.error}" for failure in report.failures],
        "skipped": [skipped.key for skipped in bucket_plan.skipped],
    }
