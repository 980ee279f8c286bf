"""Roll a versioned S3 bucket back to its state at a past time without deleting any version.

The reset only ever adds versions: a key whose content changed gets the old version copied
on top, a key that did not exist gets a delete marker. History stays intact, so a reset is
undone by resetting again to a later time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..facts import tags as tag_keys
from ..reset_plan import (
    DEFAULT_PART_SIZE,
    Action,
    Entry,
    Plan,
    ResetError,
    check_time,
    choose_part_size,
    parse_time,
    part_ranges,
    plan_reset,
)
from .reset_output import ProgressLines, as_json, confirm, print_plan, print_result, summary

HELP = "roll a versioned S3 bucket back to its state at a past time, keeping every version"

COPY_OBJECT_LIMIT = 5 * 1024**3
"""Largest source CopyObject accepts (5 GiB); bigger versions are copied with UploadPartCopy."""
DEFAULT_WORKERS = 8
COPIED_HEADERS = (
    "ContentType",
    "ContentEncoding",
    "ContentDisposition",
    "ContentLanguage",
    "CacheControl",
    "Expires",
    "WebsiteRedirectLocation",
    "Metadata",
)
"""Object headers a multipart copy must pass on, since only CopyObject copies them itself."""

Progress = Callable[[int, int], None]
S3Client = Any
"""A boto3 S3 client (boto3 builds its classes at run time)."""


@dataclass(frozen=True, slots=True)
class Failure:
    """An action S3 refused while the reset ran."""

    action: Action
    error: str


@dataclass
class Report:
    """What a reset applied, and which actions failed."""

    plan: Plan
    applied: Counter = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0


# --- reading and planning ---------------------------------------------------------------


def list_history(
    client: S3Client, bucket: str, prefix: str = "", page_size: int = 1000, on_page: Progress | None = None
) -> dict[str, list[Entry]]:
    """Read every version and delete marker under prefix, grouped by key, in listing order.

    ``on_page(pages, entries)`` is called after each page with the counts so far.
    """
    history: dict[str, list[Entry]] = {}
    pages = client.get_paginator("list_object_versions").paginate(
        Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size}
    )
    entries = 0
    for number, page in enumerate(pages, start=1):
        for item in page.get("Versions", []):
            history.setdefault(item["Key"], []).append(
                Entry(
                    item["Key"],
                    item["VersionId"],
                    item["LastModified"],
                    item["IsLatest"],
                    False,
                    item.get("ETag"),
                    item.get("Size", 0),
                    item.get("StorageClass"),
                )
            )
        for item in page.get("DeleteMarkers", []):
            history.setdefault(item["Key"], []).append(
                Entry(item["Key"], item["VersionId"], item["LastModified"], item["IsLatest"], True)
            )
        entries += len(page.get("Versions", [])) + len(page.get("DeleteMarkers", []))
        if on_page is not None:
            on_page(number, entries)
    return history


def prepare_reset(
    client: S3Client,
    bucket: str,
    to_time: datetime,
    *,
    prefix: str = "",
    page_size: int = 1000,
    now: datetime | None = None,
    on_page: Progress | None = None,
) -> Plan:
    """Check the bucket and the time, then plan the reset from one listing of the bucket."""
    now = now or datetime.now(UTC)
    _require_versioning(client, bucket)
    check_time(bucket, to_time, now=now, earliest=_lifecycle_horizon(client, bucket, now))
    history = list_history(client, bucket, prefix, page_size, on_page)
    if history:
        oldest = min(entry.last_modified for entries in history.values() for entry in entries)
        where = f" under prefix {prefix!r}" if prefix else ""
        check_time(
            bucket,
            to_time,
            now=now,
            earliest=(
                oldest,
                f"that is before the oldest version or delete marker{where}, "
                "so the state of the bucket then is unknown",
            ),
        )
    return plan_reset(history, to_time)


def _require_versioning(client: S3Client, bucket: str) -> None:
    """Refuse a bucket whose versioning is not Enabled, because the reset relies on it."""
    try:
        status = client.get_bucket_versioning(Bucket=bucket).get("Status")
    except ClientError as error:
        if _code(error) == "NoSuchBucket":
            raise ResetError(f"bucket {bucket} does not exist") from error
        raise
    if status == "Suspended":
        raise ResetError(
            f"bucket {bucket} has versioning Suspended: each copy would replace the "
            "'null' version instead of adding one, destroying history; "
            "enable versioning before resetting"
        )
    if status != "Enabled":
        raise ResetError(
            f"bucket {bucket} has never had versioning enabled, so S3 kept no earlier versions to go back to"
        )


def _lifecycle_horizon(client: S3Client, bucket: str, now: datetime) -> tuple[datetime, str] | None:
    """Return how far back lifecycle rules guarantee complete history, and the limiting rule."""
    try:
        rules = client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except ClientError as error:
        if _code(error) == "NoSuchLifecycleConfiguration":
            return None
        raise
    # The version current at T became noncurrent after T, and NoncurrentVersionExpiration
    # deletes it NoncurrentDays later, so only T within the last NoncurrentDays is complete.
    # Rule filters are ignored on purpose: a rule for one prefix still makes T unsafe there.
    limits = [
        (rule["NoncurrentVersionExpiration"]["NoncurrentDays"], rule.get("ID", "(no id)"))
        for rule in rules
        if rule.get("Status") == "Enabled" and "NoncurrentDays" in rule.get("NoncurrentVersionExpiration", {})
    ]
    if not limits:
        return None
    days, rule_id = min(limits)
    return now - timedelta(days=days), (
        f"lifecycle rule {rule_id!r} expires noncurrent versions after {days} days, "
        "so versions current then may already be gone"
    )


# --- applying ----------------------------------------------------------------------------


def execute_plan(
    client: S3Client,
    bucket: str,
    plan: Plan,
    *,
    workers: int = DEFAULT_WORKERS,
    progress: Progress | None = None,
    copy_limit: int = COPY_OBJECT_LIMIT,
    part_size: int = DEFAULT_PART_SIZE,
) -> Report:
    """Apply every action of the plan on a thread pool, recording failures instead of stopping."""
    report = Report(plan)
    started = time.monotonic()
    total = len(plan.actions)
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = {
            pool.submit(_apply, client, bucket, action, copy_limit, part_size): action for action in plan.actions
        }
        for done, future in enumerate(as_completed(futures), start=1):
            action = futures[future]
            try:
                future.result()
            except (ClientError, BotoCoreError) as error:
                report.failures.append(Failure(action, str(error)))
            else:
                report.applied[action.kind] += 1
            if progress is not None:
                progress(done, total)
    finally:
        # On Ctrl-C, drop the queued actions instead of running them all first. The bucket is
        # then partly reset; planning again for the same time finishes the job.
        pool.shutdown(wait=True, cancel_futures=True)
    report.seconds = time.monotonic() - started
    return report


def _apply(client: S3Client, bucket: str, action: Action, copy_limit: int, part_size: int) -> None:
    """Carry out one action; the only writes are copies and VersionId-less deletes."""
    if action.to_version is None:
        # Without VersionId, DeleteObject on a versioning-enabled bucket only adds a delete
        # marker on top; no version is removed.
        client.delete_object(Bucket=bucket, Key=action.key)
    elif action.size > copy_limit:
        _copy_in_parts(client, bucket, action, part_size)
    else:
        # MetadataDirective and TaggingDirective default to COPY, so content type, user
        # metadata and tags come with the bytes. Storage class does not: it defaults to STANDARD.
        client.copy_object(Bucket=bucket, Key=action.key, CopySource=_source(bucket, action), **_storage_class(action))


def _copy_in_parts(client: S3Client, bucket: str, action: Action, part_size: int) -> None:
    """Copy a version too big for CopyObject with UploadPartCopy, keeping headers, tags, ETag."""
    version = _source(bucket, action)
    head = client.head_object(**version)
    # HeadObject with PartNumber=1 returns the size of the original upload's first part and
    # the part count; copying with the same parts reproduces the multipart ETag.
    first_part = client.head_object(**version, PartNumber=1)
    original = first_part["ContentLength"] if first_part.get("PartsCount", 1) > 1 else None
    ranges = part_ranges(action.size, choose_part_size(action.size, original, part_size))
    tags = client.get_object_tagging(**version)["TagSet"]
    # A new multipart upload copies nothing by itself: every header is passed explicitly.
    headers = {name: head[name] for name in COPIED_HEADERS if head.get(name) is not None}
    if tags:
        headers["Tagging"] = urlencode([(tag["Key"], tag["Value"]) for tag in tags])
    headers.update(_storage_class(action))
    upload_id = client.create_multipart_upload(Bucket=bucket, Key=action.key, **headers)["UploadId"]
    try:
        parts = []
        for number, (start, end) in enumerate(ranges, start=1):
            result = client.upload_part_copy(
                Bucket=bucket,
                Key=action.key,
                UploadId=upload_id,
                PartNumber=number,
                CopySource=_source(bucket, action),
                CopySourceRange=f"bytes={start}-{end}",
            )
            parts.append({"PartNumber": number, "ETag": result["CopyPartResult"]["ETag"]})
        client.complete_multipart_upload(
            Bucket=bucket, Key=action.key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
    except BaseException:
        # Uploaded parts are billed until the upload is aborted; aborting touches no version.
        with contextlib.suppress(ClientError, BotoCoreError):
            client.abort_multipart_upload(Bucket=bucket, Key=action.key, UploadId=upload_id)
        raise


def _storage_class(action: Action) -> dict[str, str]:
    """Keep the copied version's storage class, which copies would otherwise reset to STANDARD."""
    if action.storage_class in (None, "STANDARD"):
        return {}
    return {"StorageClass": str(action.storage_class)}


def _source(bucket: str, action: Action) -> dict[str, str]:
    """Name the exact version an action copies."""
    if action.to_version is None:
        raise ValueError(f"{action.key}: a copy action names no source version")
    return {"Bucket": bucket, "Key": action.key, "VersionId": action.to_version}


# --- finding a client's bucket -----------------------------------------------------------


def find_client_bucket(client: S3Client, slug: str) -> str:
    """Return the one bucket tagged client=<slug> and managed-by=crane-it."""
    wanted = {tag_keys.CLIENT: slug, tag_keys.MANAGED_BY: tag_keys.MANAGED_BY_VALUE}
    matches, unreadable = [], []
    pages = client.get_paginator("list_buckets").paginate()
    for bucket in (item["Name"] for page in pages for item in page.get("Buckets", [])):
        tags = _bucket_tags(client, bucket)
        if tags is None:
            unreadable.append(bucket)
        elif wanted.items() <= tags.items():
            matches.append(bucket)
    if len(matches) == 1:
        return matches[0]
    wanted_text = " and ".join(f"{key}={value}" for key, value in wanted.items())
    if matches:
        raise ResetError(
            f"{len(matches)} buckets are tagged {wanted_text}: {', '.join(sorted(matches))}; choose one with --bucket"
        )
    hidden = f" ({len(unreadable)} buckets' tags were unreadable)" if unreadable else ""
    raise ResetError(f"no bucket is tagged {wanted_text}{hidden}")


def _bucket_tags(client: S3Client, bucket: str) -> dict[str, str] | None:
    """Return a bucket's tags, {} when it has none, or None when they cannot be read."""
    try:
        tag_set = client.get_bucket_tagging(Bucket=bucket)["TagSet"]
    except ClientError as error:
        code = _code(error)
        if code in ("NoSuchTagSet", "NoSuchBucket"):  # S3 reports "no tags" as an error
            return {}
        if code in ("AccessDenied", "AllAccessDisabled"):
            return None
        raise
    return {tag["Key"]: tag["Value"] for tag in tag_set}


# --- command line ------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the reset-bucket options on parser."""
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--bucket", help="name of the versioned bucket to reset")
    target.add_argument("--client", metavar="SLUG", help="reset the bucket tagged client=SLUG and managed-by=crane-it")
    parser.add_argument(
        "--to", required=True, metavar="TIME", help="target time, ISO-8601 with timezone, e.g. 2026-11-20T10:00:00Z"
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    parser.add_argument(
        "--yes", action="store_true", help="apply without asking (for scripts; needed without a terminal)"
    )
    parser.add_argument("--verbose", action="store_true", help="print one line per key in the plan")
    parser.add_argument("--prefix", default="", help="only reset keys under this prefix")
    parser.add_argument("--region", help="AWS region of the bucket")
    parser.add_argument("--endpoint-url", help="S3 endpoint, e.g. a local moto server")
    parser.add_argument(
        "--workers", type=_positive, default=DEFAULT_WORKERS, help=f"parallel S3 requests (default {DEFAULT_WORKERS})"
    )
    parser.add_argument("--json", action="store_true", help="print the plan and result as JSON, every key included")
    parser.epilog = (
        "exit status: 0 done; 1 some keys failed or were skipped (listed on stderr); "
        "2 nothing changed: refused, cancelled, or S3 unreachable (message on stderr)"
    )


def run(args: argparse.Namespace) -> int:
    """Run reset-bucket: 0 done, 1 some keys failed or were skipped, 2 nothing changed."""
    progress = ProgressLines(sys.stderr)
    try:
        to_time = parse_time(args.to)
        client = boto3.client(
            "s3",
            region_name=args.region,
            endpoint_url=args.endpoint_url,
            config=Config(max_pool_connections=max(10, args.workers), retries={"mode": "standard"}),
        )
        bucket = args.bucket or find_client_bucket(client, args.client)
        if args.client:
            print(f"client {args.client}: bucket {bucket}", file=sys.stderr)
        plan = prepare_reset(client, bucket, to_time, prefix=args.prefix, on_page=progress.listed_page)
        progress.listing_done()
    except ResetError as error:
        print(f"reset-bucket refused: {error}; nothing changed", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as error:
        # Credentials, endpoint, permissions: nothing was written yet.
        print(f"reset-bucket could not read the bucket: {error}; nothing changed", file=sys.stderr)
        return 2
    for skipped in plan.skipped:
        print(f"skipped {skipped.key}: {skipped.reason}", file=sys.stderr)
    if not args.json:
        print_plan(bucket, plan, dry_run=args.dry_run, verbose=args.verbose, stream=sys.stdout)
    report = None
    if not args.dry_run and plan.actions:
        refusal = _confirmation_refused(args, bucket, plan)
        if refusal:
            print(refusal, file=sys.stderr)
            return 2
        progress.start_applying()
        report = execute_plan(client, bucket, plan, workers=args.workers, progress=progress.applied)
        for failure in report.failures:
            action = failure.action
            print(f"failed {action.kind} {action.key}: {failure.error}", file=sys.stderr)
    if args.json:
        print(json.dumps(as_json(bucket, plan, report if not args.dry_run else None), indent=2))
    elif report is not None:
        print_result(report, sys.stdout)
    return 1 if plan.skipped or (report and report.failures) else 0


def _confirmation_refused(args: argparse.Namespace, bucket: str, plan: Plan) -> str | None:
    """Why the reset must not run (not confirmed), or None to go ahead."""
    if args.yes:
        return None
    answer = confirm(f"Apply {len(plan.actions):,} changes to s3://{bucket} ({summary(plan)})?", sys.stdin, sys.stderr)
    if answer is None:
        return (
            f"reset-bucket refused: {len(plan.actions):,} changes to s3://{bucket} need confirmation and there is "
            "no terminal to ask on; rerun with --yes; nothing changed"
        )
    return None if answer else "reset-bucket cancelled; nothing changed"


def main(argv: list[str] | None = None) -> int:
    """Run reset-bucket on its own, without the `crane` dispatcher."""
    parser = argparse.ArgumentParser(prog="reset-bucket", description=HELP)
    add_arguments(parser)
    return run(parser.parse_args(argv))


def _positive(text: str) -> int:
    """Parse a strictly positive integer option."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _code(error: ClientError) -> str:
    """Return the S3 error code of a ClientError."""
    return error.response.get("Error", {}).get("Code", "")
