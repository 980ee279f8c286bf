"""Apply a bucket reset's plan: copy old versions on top and add delete markers, in parallel.

The only writes a reset makes are CopyObject (UploadPartCopy above 5 GiB) and DeleteObject
without a VersionId, so no version is ever removed. Failures are recorded per action
instead of stopping the rest.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from urllib.parse import urlencode

from .bucket_listing import Progress, S3Client
from .bucket_plan import DEFAULT_PART_SIZE, Action, Plan, choose_part_size, part_ranges

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
    from botocore.exceptions import BotoCoreError, ClientError  # boto3's own: present whenever a client is

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
    from botocore.exceptions import BotoCoreError, ClientError

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
