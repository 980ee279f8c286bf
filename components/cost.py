"""A monthly list-price estimate of a rendered plan, line by line, each line with its source.

The estimate reads the plan's registrations (resource types and their inputs), never a spec:
whatever declares the resources (a client stack, a shared platform stack, a hand-written
program) is priced the same way. Prices come from :mod:`crane_it.facts.prices`. Traffic, logs
and stored data cannot be read from a plan, so they come from named :data:`USAGE` assumptions
that every line using one names; pass your own figures to :func:`estimate` to change them.

Not priced (said in every estimate): requests to S3, KMS and Secrets Manager beyond their free
tiers, Container Insights observations, cross-AZ traffic and SNS deliveries beyond the free tier.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .facts.prices import EC2_HOUR, FREE, HOURS_PER_MONTH, PRICE_DATE, PRICES, RDS_HOUR, Price, priced_region
from .facts.rds import UPGRADE_LOGS

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
    """Price a plan document (:func:`crane_it.plan_json.document`) with ``usage`` over :data:`USAGE`."""
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
        _instances(group, by_urn, priced, prices, use, add, result.warnings)
    for service in of["aws:ecs/service:Service"]:
        _fargate(service, by_urn, of, prices, add)
    for db in of["aws:rds/instance:Instance"]:
        _database(db, priced, prices, use, add, result.warnings)
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
    metrics = sum(_alarm_metrics(a) for a in alarms)
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
    _logs(of, use, add, result.warnings)
    buckets = of["aws:s3/bucket:Bucket"]
    add("S3 storage", len(buckets) * use["bucket_gb"], "s3_gb_month", buckets, assumption="bucket_gb")
    _backups(of, use, prices, add)
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


def _fargate(service: Mapping[str, Any], by_urn: Mapping[str, Any], of: Any, prices: Any, add: Any) -> None:
    inputs = service["inputs"]
    if inputs.get("launchType") != "FARGATE":
        return
    task = next(
        (
            by_urn[d]
            for d in service.get("dependencies", [])
            if by_urn.get(d, {}).get("type", "").endswith(":TaskDefinition")
        ),
        None,
    )
    if task is None:
        return
    targets = [t for t in of["aws:appautoscaling/target:Target"] if service["urn"] in t.get("dependencies", [])]
    tasks = max(
        [_number(inputs.get("desiredCount"), 1)] + [_number(t["inputs"].get("minCapacity"), 0) for t in targets]
    )
    peak = max([tasks] + [_number(t["inputs"].get("maxCapacity"), 0) for t in targets])
    arch = str((task["inputs"].get("runtimePlatform") or {}).get("cpuArchitecture") or "X86_64").lower()
    arch = "arm64" if arch == "arm64" else "x86_64"
    vcpu = _number(task["inputs"].get("cpu"), 256) / 1024
    gb = _number(task["inputs"].get("memory"), 512) / 1024
    note = f"{tasks:g} task(s) of {vcpu:g} vCPU / {gb:g} GB ({arch}); autoscaling may run up to {peak:g}"
    add(f"Fargate vCPU ({arch})", tasks * vcpu * H, f"fargate_vcpu_hour_{arch}", [service, task], note=note)
    add(f"Fargate memory ({arch})", tasks * gb * H, f"fargate_gb_hour_{arch}", [service, task])


def _instances(
    group: Mapping[str, Any],
    by_urn: Mapping[str, Any],
    priced: str,
    prices: Any,
    use: Any,
    add: Any,
    warnings: list[str],
) -> None:
    """An auto-scaling group's instances (the NAT instance): hours, root volume, launch-time IPv4."""
    template = next(
        (
            by_urn[d]
            for d in group.get("dependencies", [])
            if by_urn.get(d, {}).get("type", "").endswith(":LaunchTemplate")
        ),
        None,
    )
    if template is None:
        return
    inputs = group["inputs"]
    count = max(_number(inputs.get("desiredCapacity"), 0), _number(inputs.get("minSize"), 0))
    kind = str(template["inputs"].get("instanceType"))
    hourly = EC2_HOUR[priced].get(kind)
    if hourly is None:
        warnings.append(f"{group['name']}: no price for instance type {kind} in the table; not priced")
    else:
        note = f"{count:g} instance(s) kept by the group (max {_number(inputs.get('maxSize'), count):g})"
        add(f"EC2 {kind} (on-demand Linux)", count * H, hourly, [group, template], note=note)
    add(
        "EBS gp3 root volumes",
        count * use["instance_root_gb"],
        "ebs_gp3_gb_month",
        [group, template],
        assumption="instance_root_gb",
    )
    public = [
        n for n in template["inputs"].get("networkInterfaces") or [] if str(n.get("associatePublicIpAddress")) == "true"
    ]
    add(
        "public IPv4 addresses (instances' launch-time address)",
        count * len(public) * H,
        "ipv4_hour",
        [group, template],
        note="besides any Elastic IP the instance takes over",
    )


def _database(db: Mapping[str, Any], priced: str, prices: Any, use: Any, add: Any, warnings: list[str]) -> None:
    inputs = db["inputs"]
    copies = 2 if inputs.get("multiAz") else 1
    cls = str(inputs.get("instanceClass"))
    hourly = RDS_HOUR[priced].get(cls)
    az = "Multi-AZ: primary + standby" if copies == 2 else "Single-AZ"
    if hourly is None:
        warnings.append(f"{db['name']}: no price for instance class {cls} in the table; not priced")
    else:
        add(f"RDS {cls} {inputs.get('engine')} ({az})", copies * H, hourly, [db])
    storage = _number(inputs.get("allocatedStorage"), 20)
    add("RDS gp3 storage", copies * storage, "rds_gp3_gb_month", [db], note=az)
    if inputs.get("manageMasterUserPassword"):
        add("Secrets Manager secret (RDS-managed password)", 1, "secret_month", [db])
    extra = storage * use["database_backup_extra"]
    add("RDS backup storage", extra, "rds_backup_gb_month", [db], assumption="database_backup_extra")


def _alarm_metrics(alarm: Mapping[str, Any]) -> int:
    queries = alarm["inputs"].get("metricQueries") or []
    metrics = sum(1 for q in queries if q.get("metric")) or 1
    band = any("ANOMALY_DETECTION_BAND" in str(q.get("expression", "")) for q in queries)
    return metrics * 3 if band else metrics


def _logs(of: Any, use: Any, add: Any, notes: list[str]) -> None:
    kinds: Counter[str] = Counter()
    groups: dict[str, list[Mapping[str, Any]]] = {}
    writers = {
        "flow_log_gb_month": [set(f.get("dependencies", [])) for f in of["aws:ec2/flowLog:FlowLog"]],
        "app_log_gb_month": [set(t.get("dependencies", [])) for t in of["aws:ecs/taskDefinition:TaskDefinition"]],
    }
    stored = 0.0
    upgrade_only = []
    for group in of["aws:cloudwatch/logGroup:LogGroup"]:
        name = str(group["inputs"].get("name"))
        if name.startswith("/aws/rds/") and name.rsplit("/", 1)[-1] in UPGRADE_LOGS:
            upgrade_only.append(name)
            continue
        kind = next((k for k, deps in writers.items() if any(group["urn"] in d for d in deps)), None)
        if kind is None:
            kind = "database_log_gb_month" if name.startswith("/aws/rds/") else "other_log_gb_month"
        kinds[kind] += 1
        groups.setdefault(kind, []).append(group)
        days = _number(group["inputs"].get("retentionInDays"), 365)
        stored += use[kind] * min(days, 365) / 30.4
    for kind, count in sorted(kinds.items()):
        add(
            f"CloudWatch Logs ingestion ({kind.removesuffix('_gb_month')})",
            count * use[kind],
            "logs_ingest_gb",
            groups[kind],
            assumption=kind,
        )
    if upgrade_only:
        notes.append(f"not priced: {', '.join(sorted(upgrade_only))}, written only while a major version upgrade runs")
    every = [g for gs in groups.values() for g in gs]
    add(
        "CloudWatch Logs storage (steady state over retention)",
        stored,
        "logs_store_gb_month",
        every,
        assumption="*_log_gb_month",
    )


def _backups(of: Any, use: Any, prices: Any, add: Any) -> None:
    plans = of["aws:backup/plan:Plan"]
    if not plans:
        return
    buckets = of["aws:s3/bucket:Bucket"]
    s3_gb = len(buckets) * use["bucket_gb"] * use["bucket_backup_factor"]
    add("AWS Backup storage (S3)", s3_gb, "backup_s3_gb_month", buckets, assumption="bucket_backup_factor")
    copies = any("copyAction" in json.dumps(p["inputs"].get("rules")) for p in plans)
    if copies:
        dbs = of["aws:rds/instance:Instance"]
        db_gb = sum(_number(d["inputs"].get("allocatedStorage"), 20) for d in dbs) * (1 + use["database_backup_extra"])
        note = "cross-region copy: stored again in the destination region"
        add(
            "backup copies stored in the other region (S3)",
            s3_gb,
            "backup_s3_gb_month",
            plans,
            assumption="bucket_backup_factor",
            note=note,
        )
        add(
            "backup copies stored in the other region (RDS)",
            db_gb,
            "rds_backup_gb_month",
            plans,
            assumption="database_backup_extra",
            note=note,
        )
        add(
            "backup data copied across regions",
            s3_gb + db_gb,
            "backup_copy_gb",
            plans,
            note="upper bound: a full copy a month",
        )


def _number(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


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
