"""Security opt-ins a reviewer asks for, off by default because each one costs money."""

from typing import Annotated

from pydantic import Field

from .base import StrictModel


class WafSpec(StrictModel):
    """AWS WAF in front of the load balancer: AWS's common rule set, its known-bad-inputs rule
    set and a per-address rate limit. About 8 USD a month (5 for the web ACL, 1 per rule)
    plus 0.60 USD per million requests. The common rule set blocks request bodies over 8 KB
    (SizeRestrictions_BODY): uploads should go straight to the bucket with presigned URLs."""

    rate_limit: Annotated[int, Field(ge=10, le=2_000_000_000)] = 2000
    """Requests one IP address may send in 5 minutes before WAF blocks it for a while. Many
    users behind one office or mobile-carrier address share it: raise it for such audiences."""


class AccessLogsSpec(StrictModel):
    """Access logs into a per-client log bucket: every request to the load balancer and, when
    the client has a bucket, every request to it (S3 server access logs). Delivery is free;
    the logs cost S3 storage (about 0.023 USD per GB-month; a busy shop writes a few GB a
    month). The log bucket is encrypted with S3-managed keys, the only encryption ELB can
    write to, private, TLS-only, protected like the client's bucket, and expires old logs."""

    retention_days: Annotated[int, Field(ge=1, le=3650)] = 90
    """Days after which a log file is deleted."""
