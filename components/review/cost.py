"""A monthly list-price estimate of a rendered plan, line by line, each line with its source.

The estimate reads the plan's registrations (resource types and their inputs), never a spec:
whatever declares the resources (a client stack, a shared platform stack, a hand-written
program) is priced the same way. Prices come from :mod:`crane_it.facts.prices`. Traffic, logs
and stored data cannot be read from a plan, so they come from named :data:`USAGE` assumptions
that every line using one names; pass your own figures to :func:`estimate` to change them.
How the resources that take more than a count (Fargate tasks, instances, databases, logs,
backups) are priced is in :mod:`crane_it.review.cost_items`.

Not priced (said in every estimate): requests to S3, KMS and Secrets Manager beyond their free
tiers, Container Insights observations, cross-AZ traffic and SNS deliveries beyond the free tier.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..facts.prices import FREE, HOURS_PER_MONTH, PRICE_DATE, PRICES, Price, priced_region
from . import cost_items

H = HOURS_PER_MONTH


@dataclass(frozen=True)
class Assumption:
    """A usage figure the plan cannot know, with what it means."""

    value: float
    meaning: str


USAGE: dict[str, Assumption] = {
    "egress_gb_month": Assumption(50, "GB a month each public load balancer serves to the internet"),
    "alb_lcu": Assumption(0.5, "average load balancer capacity units in use (1 LCU: 25 new conn/s or 1 GB/h)"),
    "nat_gb_month": Assumption(20, "GB a month through each NAT gateway (image pulls, outbound API calls)"),
    "app_log_gb_month": Assumption(5, "GB of app logs a month per ECS service's log group"),
    "flow_log_gb_month": Assumption(5, "GB of VPC flow logs a month per flow log"),
    "database_log_gb_month": Assumption(0.5, "GB a month per exported database log group"),
    "other_log_gb_month": Assumption(0.5, "GB a month per other log group"),
    "bucket_gb": Assumption(20, "GB stored in each bucket (all versions)"),
    "database_backup_extra": Assumption(
        0.5, "database backup storage beyond the free 100 % of allocated storage, as a fraction of it"
    ),
    "bucket_backup_factor": Assumption(1.2, "bucket backup storage (continuous + daily) as a multiple of bucket_gb"),
    "waf_million_requests_month": Assumption(2, "million requests a month each web ACL inspects"),
    "restore_job_hours": Assumption(1, "hours a restore test's RDS restore takes before its validation window starts"),
    "job_minutes": Assumption(5, "minutes one run of a scheduled job takes (task-hours = runs a month x this)"),
    "instance_root_gb": Assumption(
        8, "GiB of each EC2 instance's root volume (the AMI decides it, so the plan cannot show it)"
    ),
}
"""The usage assumptions, by name; the names appear on the lines that use them."""

NOT_PRICED = (
    "requests (S3, KMS, Secrets Manager) beyond free tiers, Container Insights observations, "
    "cross-AZ traffic and SNS deliveries beyond the free tier are not priced"
)


@dataclass
class Line:
    """One priced item: quantity × unit price, per month."""

    item: str
    quantity: float
    price: Price
    resources: list[str]
    assumption: str = ""
    note: str = ""

    @property
    def monthly(self) -> float:
        """USD a month."""
        return self.quantity * self.price.usd

    def as_json(self) -> dict[str, Any]:
        """The line as ``crane cost --json`` prints it."""
        return {
            "item": self.item,
            "quantity": round(self.quantity, 4),
            "unit": self.price.unit,
            "unit_usd": self.price.usd,
            "monthly_usd": round(self.monthly, 2),
            "source": self.price.source,
            "verified": self.price.verified,
            "assumption": self.assumption,
            "resources": self.resources,
            "note": self.note,
        }


@dataclass
class Estimate:
    """A plan's monthly estimate."""

    region: str
    priced_as: str
    lines: list[Line] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    free: list[str] = field(default_factory=list)
    """What the plan declares that is not billed by itself, with the source that says so."""

    @property
    def total(self) -> float:
        """USD a month, rounded to cents."""
        return round(sum(line.monthly for line in self.lines), 2)

    def as_json(self) -> dict[str, Any]:
        """The estimate as ``crane cost --json`` prints it."""
        return {
            "region": self.region,
            "priced_as": self.priced_as,
            "price_date": PRICE_DATE,
            "total_usd": self.total,
            "lines": [line.as_json() for line in self.lines],
            "assumptions": {k: v.value for k, v in USAGE.items()},
            "warnings": self.warnings,
            "free": self.free,
        }


def estimate(resources: Iterable[Mapping[str, Any]], usage: Mapping[str, float] | None = None) -> Estimate:
    """Price a plan document (:func:`crane_it.review.plan_json.document`) with ``usage`` over :data:`USAGE`."""
    docs = [r for r in resources if r.get("custom")]
    use = {k: v.value for k, v in USAGE.items()} | dict(usage or {})
    # The stack's region is that of the provider most resources use (a backup-copy provider
    # in another region manages only a vault and its key).
    providers = {r["urn"]: r["inputs"].get("region") for r in docs if r["type"] == "pulumi:providers:aws"}
    used = Counter(str(r.get("provider", "")).rsplit("::", 1)[0] for r in docs)
    ranked = sorted(providers, key=lambda urn: (-used[urn], urn))
    region = next((str(providers[urn]) for urn in ranked if providers[urn]), "us-east-1")
    priced = priced_region(region)
    result = Estimate(region, priced)
    if priced != region:
        result.warnings.append(f"{region} is not in the price table: priced as {priced}, the nearest priced region")
    prices = PRICES[priced]
    by_urn = {r["urn"]: r for r in docs}
    lines = result.lines

    def add(item: str, qty: float, price: str | Price, regs: list[Mapping[str, Any]], **kw: str) -> None:
        if qty:
            lines.append(Line(item, qty, prices[price] if isinstance(price, str) else price, _names(regs), **kw))

    of = _by_type(docs)
    for lb in of["aws:lb/loadBalancer:LoadBalancer"]:
        add("load balancer hours", H, "alb_hour", [lb])
        add("load balancer capacity units", use["alb_lcu"] * H, "alb_lcu_hour", [lb], assumption="alb_lcu")
        if not lb["inputs"].get("internal"):
            ips = len(lb["inputs"].get("subnets") or []) or 2
            add("public IPv4 addresses (load balancer, one per AZ)", ips * H, "ipv4_hour", [lb])
            add("data out to the internet", use["egress_gb_month"], "egress_gb", [lb], assumption="egress_gb_month")
    nats = [n for n in of["aws:ec2/natGateway:NatGateway"] if n["inputs"].get("connectivityType") != "private"]
    add("NAT gateway hours", len(nats) * H, "nat_hour", nats)
    add("NAT gateway data", len(nats) * use["nat_gb_month"], "nat_gb", nats, assumption="nat_gb_month")
    eips = of["aws:ec2/eip:Eip"]
    add("public IPv4 addresses (Elastic IPs)", len(eips) * H, "ipv4_hour", eips)
    for group in of["aws:autoscaling/group:Group"]:
        cost_items.instances(group, by_urn, priced, prices, use, add, result.warnings)
    for service in of["aws:ecs/service:Service"]:
        cost_items.fargate(service, by_urn, of, prices, add)
    for schedule in of["aws:scheduler/schedule:Schedule"]:
        cost_items.scheduled_job(schedule, by_urn, use, add, result.warnings)
    for db in of["aws:rds/instance:Instance"]:
        cost_items.database(db, priced, prices, use, add, result.warnings)
    keys = of["aws:kms/key:Key"]
    add("KMS customer-managed keys", len(keys), "kms_key_month", keys, note="each yearly rotation adds 1 USD, twice")
    rotating = [k for k in keys if k["inputs"].get("enableKeyRotation")]
    if rotating:
        later = 2 * len(rotating) * prices["kms_key_month"].usd
        result.warnings.append(
            f"KMS bills each of a key's first two yearly rotations as one more key-month: from the third year "
            f"the {len(rotating)} rotating key(s) add {later:.2f} USD a month to this total"
        )
    alarms = of["aws:cloudwatch/metricAlarm:MetricAlarm"]
    metrics = sum(cost_items.alarm_metrics(a) for a in alarms)
    add("alarm metrics (an anomaly-detection alarm counts 3)", metrics, "alarm_metric_month", alarms)
    for acl in of["aws:wafv2/webAcl:WebAcl"]:
        add("WAF web ACL", 1, "waf_acl_month", [acl])
        rules = len(acl["inputs"].get("rules") or [])
        add("WAF rules (a managed rule group counts one)", rules, "waf_rule_month", [acl])
        requests = use["waf_million_requests_month"]
        add("WAF requests inspected", requests, "waf_million_requests", [acl], assumption="waf_million_requests_month")
    boards = of["aws:cloudwatch/dashboard:Dashboard"]
    add("dashboards", len(boards), "dashboard_month", boards)
    secrets = of["aws:secretsmanager/secret:Secret"]
    add("Secrets Manager secrets", len(secrets), "secret_month", secrets)
    cost_items.logs(of, use, add, result.warnings)
    buckets = of["aws:s3/bucket:Bucket"]
    add("S3 storage", len(buckets) * use["bucket_gb"], "s3_gb_month", buckets, assumption="bucket_gb")
    cost_items.backups(of, use, prices, add)
    cost_items.restore_tests(of, priced, prices, use, add, result.warnings)
    result.warnings.append(NOT_PRICED)
    result.free = [f"{what}: no charge (source: {source})" for what, source in FREE if _declares(of, what)]
    unverified = sorted({line.item for line in lines if not line.price.verified})
    if unverified:
        result.warnings.append(f"unverified prices (not found on a page searched): {', '.join(unverified)}")
    return result


def _by_type(docs: list[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    found: dict[str, list[Mapping[str, Any]]] = {}
    for r in docs:
        found.setdefault(r["type"], []).append(r)
    return _Missing(found)


class _Missing(dict[str, list[Mapping[str, Any]]]):
    def __missing__(self, key: str) -> list[Mapping[str, Any]]:
        return []


_FREE_TYPES = {
    "listener rules": ("aws:lb/listenerRule:ListenerRule", "aws:lb/listenerCertificate:ListenerCertificate"),
    "auto-scaling groups": ("aws:autoscaling/group:Group", "aws:ec2/launchTemplate:LaunchTemplate"),
    "StackReference": ("pulumi:pulumi:StackReference",),
}


def _declares(of: Any, what: str) -> bool:
    return any(of[t] for key, types in _FREE_TYPES.items() if what.startswith(key) for t in types)


def _names(regs: list[Mapping[str, Any]]) -> list[str]:
    return sorted(r["name"] for r in regs)


def format_lines(result: Estimate) -> list[str]:
    """The estimate as aligned text lines, each with its quantity, unit price and source."""
    out = [f"Monthly estimate for {result.region} (list prices of {PRICE_DATE}, priced as {result.priced_as}):"]
    for line in sorted(result.lines, key=lambda ln: -ln.monthly):
        basis = f" [assumption {line.assumption}]" if line.assumption else ""
        check = "" if line.price.verified else " (unverified)"
        out.append(
            f"  {line.monthly:8.2f} USD  {line.item}: {line.quantity:g} {line.price.unit} × {line.price.usd:g} USD{basis}"
        )
        out.append(f"{'':16}source: {line.price.source}{check}" + (f"; {line.note}" if line.note else ""))
    out.append(f"  {result.total:8.2f} USD  total a month")
    out += [f"  note: {w}" for w in result.warnings]
    out += [f"  free: {f}" for f in result.free]
    out.append("  assumptions: " + ", ".join(f"{k}={v.value:g}" for k, v in USAGE.items()))
    return out


def cost_line(result: Estimate) -> str:
    """One line for plan and diff: the total and the largest items."""
    top = sorted(result.lines, key=lambda ln: -ln.monthly)[:3]
    parts = ", ".join(f"{ln.item} {ln.monthly:.2f}" for ln in top)
    return f"cost: ~{result.total:.2f} USD/month at {result.priced_as} list prices ({PRICE_DATE}); largest: {parts}"
