"""The bucket reset as one call each for planning and applying, with AWS errors made Crane It's.

The pieces: reading the bucket (``bucket_listing``), planning (``bucket_plan``), copying
(``bucket_copying``). Here they get an S3 client made for the copying's thread pool, and a
botocore error while reading becomes :class:`~crane_it.errors.AwsError` (nothing was written
yet), so `crane reset-bucket` tells a refusal from an unreachable S3 without importing botocore.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from ...errors import AwsError
from ..aws import import_boto3
from .bucket_listing import find_client_bucket, prepare_reset
from .bucket_plan import Plan


def s3_client(region: str | None, endpoint_url: str | None, workers: int) -> Any:
    """An S3 client with a connection per worker and standard retries; MissingExtraError without boto3."""
    boto3 = import_boto3()
    from botocore.config import Config

    return boto3.client(
        "s3",
        region_name=region,
        endpoint_url=endpoint_url,
        config=Config(max_pool_connections=max(10, workers), retries={"mode": "standard"}),
    )


def client_bucket(client: Any, owner: str) -> str:
    """The one bucket tagged for client ``owner``; ResetError for none or two, AwsError for S3 out of reach."""
    with _reads():
        return find_client_bucket(client, owner)


def plan_bucket(
    client: Any,
    bucket: str,
    to_time: datetime,
    *,
    prefix: str = "",
    on_page: Callable[[int, int], None] | None = None,
) -> Plan:
    """The plan that takes ``bucket`` back to ``to_time``.

    A refusal (versioning off, a time out of reach, no such bucket) raises ResetError; S3 out
    of reach or denying the reads raises AwsError.
    """
    with _reads():
        return prepare_reset(client, bucket, to_time, prefix=prefix, on_page=on_page)


@contextlib.contextmanager
def _reads() -> Iterator[None]:
    """botocore's errors while reading the bucket, as AwsError: nothing was written yet."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (ClientError, BotoCoreError) as error:
        raise AwsError(str(error)) from error
