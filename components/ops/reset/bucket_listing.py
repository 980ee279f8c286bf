"""Read a versioned S3 bucket before a reset: find it, check it can be reset, list its history.

Only reads: the plan is computed from one listing of the bucket (``reset_plan.plan_reset``), and
nothing is written until reset_copying.py applies it. Shared by `crane reset-bucket` and
`crane reset`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ...facts import tags as tag_keys
from .bucket_plan import Entry, Plan, ResetError, check_time, plan_reset

Progress = Callable[[int, int], None]
S3Client = Any
"""A boto3 S3 client (boto3 builds its classes at run time)."""


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
    from botocore.exceptions import ClientError  # boto3's own: present whenever a client is

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
    from botocore.exceptions import ClientError  # boto3's own: present whenever a client is

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
    from botocore.exceptions import ClientError  # boto3's own: present whenever a client is

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


def _code(error: Any) -> str:
    """Return the S3 error code of a botocore ClientError."""
    return error.response.get("Error", {}).get("Code", "")
