"""The platform spec, `stacks/<platform>.yaml`: what many small clients share, and nothing of theirs.

A platform is one VPC (with its NAT), one Application Load Balancer and one ECS cluster
that its clients' services join. It holds no client data: every client keeps its own
database, bucket, backups, keys, task roles and security groups in its own stack.
"""

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from ..facts.regions import Region
from .alerts import Email
from .base import Slug, StrictModel, refuse
from .client import RESERVED_TAGS, TagKey, TagValue
from .network import NetworkSpec
from .security import AccessLogsSpec, WafSpec
from .service import CertificateArn, Hostname


class PlatformCertificateSpec(StrictModel):
    """The HTTPS listener's default certificate: served to any host no client certificate matches."""

    domain: Hostname | None = None
    """Request an ACM certificate (DNS validation) for this name, like `apps.agency.example`."""
    wildcard: bool = False
    """Also cover `*.<domain>`: clients on subdomains of it are served even before their own
    certificate is attached. Each client still attaches its own (certificate quota)."""
    hosted_zone_id: Annotated[str, StringConstraints(pattern=r"^Z[A-Z0-9]{4,32}$")] | None = None
    """Route 53 zone of `domain`, for the validation records. Without it, add them by hand."""
    certificate_arn: CertificateArn | None = None
    """Use an existing ACM certificate instead of requesting one."""

    @model_validator(mode="after")
    def _one_source(self) -> "PlatformCertificateSpec":
        if (self.domain is None) == (self.certificate_arn is None):
            refuse(self, "domain", "set exactly one of `domain` (a new certificate) or `certificate_arn`")
        if (self.wildcard or self.hosted_zone_id) and not self.domain:
            refuse(
                self, "wildcard" if self.wildcard else "hosted_zone_id", "`wildcard` and `hosted_zone_id` need `domain`"
            )
        return self


class LoadBalancerSpec(StrictModel):
    """The shared Application Load Balancer."""

    deletion_protection: bool = True
    """AWS refuses to delete the load balancer while on: a `pulumi destroy` or a replacement of
    the platform cannot take every client offline at once. Turn off only to retire the platform."""
    idle_timeout_seconds: Annotated[int, Field(ge=1, le=4000)] = 60
    """Seconds a connection may stay idle; raise for apps with long polling or slow uploads."""


class QuotaSpec(StrictModel):
    """The account's Elastic Load Balancing quotas the platform's clients are checked against.

    Defaults are AWS's (Elastic Load Balancing guide, "Quotas for your Application Load
    Balancers"). Raise one only after Service Quotas granted it, to the value it granted:
    the check exists so that `pulumi up` never fails half-way on a full load balancer.
    """

    rules_per_load_balancer: Annotated[int, Field(ge=1, le=1000)] = 100
    """Listener rules per ALB, excluding default rules (adjustable). One per client."""
    certificates_per_load_balancer: Annotated[int, Field(ge=1, le=1000)] = 25
    """Certificates per ALB, excluding the default certificate (adjustable). One per client;
    with the defaults this is the limit: 25 clients per platform."""
    target_groups_per_load_balancer: Annotated[int, Field(ge=1, le=100)] = 100
    """Target groups per ALB (not adjustable). One per client."""
    headroom_percent: Annotated[int, Field(ge=50, le=100)] = 80
    """Warn in every preview of the platform once a quota is this full."""


class PlatformAlertsSpec(StrictModel):
    """Where the platform's own alarms go: the shared load balancer and the NAT."""

    emails: Annotated[list[Email], Field(max_length=20)] = []
    """Addresses that get the platform's alarms (each confirms a subscription mail first)."""
    elb_5xx_per_minute: Annotated[int, Field(ge=1, le=10000)] = 10
    """5xx answers the load balancer itself gives per minute (no healthy target, a client's
    rule pointing nowhere, capacity) before it alarms; clients' own 5xx alarm per client."""
    sustained_minutes: Annotated[int, Field(ge=1, le=60)] = 5


class PlatformSpec(StrictModel):
    """A VPC, load balancer and cluster shared by many small clients, each in its own stack."""

    platform: Slug
    """The platform's slug: used in resource names and the `client` tag of its resources."""
    region: Region
    """The AWS region; every client on the platform must run in it."""
    tags: Annotated[dict[TagKey, TagValue], Field(max_length=40)] = {}
    """Extra tags on every resource of the platform."""
    network: NetworkSpec = NetworkSpec()
    """The shared VPC, with the same options as a client's own."""
    certificate: PlatformCertificateSpec
    """The HTTPS listener's default certificate (an HTTPS listener cannot exist without one)."""
    load_balancer: LoadBalancerSpec = LoadBalancerSpec()
    quotas: QuotaSpec = QuotaSpec()
    alerts: PlatformAlertsSpec = PlatformAlertsSpec()
    waf: WafSpec | None = None
    """Opt-in (`waf: {}` for the defaults): AWS WAF on the shared load balancer, guarding every
    client on the platform with one web ACL (a client cannot have one of its own there). The
    rate limit counts an address's requests to all clients together. Cost as in WafSpec, paid
    once for the platform and shared like the rest."""
    access_logs: AccessLogsSpec | None = None
    """Opt-in (`access_logs: {}` for the defaults): the shared load balancer's access logs, every
    client's requests, in a log bucket of the platform's own (see AccessLogsSpec). A client's own
    `access_logs` then covers only its bucket."""
    retire: bool = False
    """Retire this platform, the first step of retiring a platform (docs/platform.md). Refused
    while any client spec in `stacks/` still names the platform (they are listed): move those
    clients off it or retire and destroy them, and delete their spec files, first. `pulumi up`
    with `retire: true` turns off the load balancer's deletion protection and Pulumi `protect`
    on the platform's keys, and tags every resource `retiring: true` (the policy pack allows
    these settings only with that tag), so that `pulumi destroy` can run. That destroy deletes
    the load balancer, the NAT, the cluster and the VPC; the platform holds no client data, and
    its log key stays in the account (retained on delete) while the flow logs it encrypted age out."""

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if key.lower().startswith("aws:") or key in RESERVED_TAGS:
                raise ValueError(f"tag {key!r} is reserved: aws:*, {', '.join(sorted(RESERVED_TAGS))}")
        return value
