"""How the resources that take more than a count are priced, one function per kind of resource.

Fargate tasks, an auto-scaling group's instances, RDS instances, alarms' metrics, log groups
and backups each need several of the plan's inputs (task sizes, autoscaling bounds, Multi-AZ,
retention, copy rules) and sometimes a usage assumption. :func:`crane_it.review.cost.estimate` prices
the simple resources inline and calls these; each adds its lines through the estimate's
``add``, so what a line says (item, quantity, price, assumption, note) is decided here.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ..facts.prices import EC2_HOUR, HOURS_PER_MONTH, RDS_HOUR
from ..facts.rds import UPGRADE_LOGS
from ..facts.schedules import runs_per_month, schedule_problem

H = HOURS_PER_MONTH


def fargate(service: Mapping[str, Any], by_urn: Mapping[str, Any], of: Any, prices: Any, add: Any) -> None:
    """An ECS service's Fargate tasks: vCPU and memory hours of the tasks it keeps running."""
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


def scheduled_job(schedule: Mapping[str, Any], by_urn: Mapping[str, Any], use: Any, add: Any, notes: list[str]) -> None:
    """A job's Fargate task-hours: runs a month (from its expression) x the ``job_minutes`` assumption.

    A DISABLED schedule (maintenance) runs nothing. An expression validation accepts but the
    count does not know (``L``, ``W``, a year list) is not guessed: a warning says it is not priced.
    """
    inputs = schedule["inputs"]
    expression = str(inputs.get("scheduleExpression") or "")
    task = next(
        (
            by_urn[d]
            for d in schedule.get("dependencies", [])
            if by_urn.get(d, {}).get("type", "").endswith(":TaskDefinition")
        ),
        None,
    )
    if task is None or schedule_problem(expression) or inputs.get("state") == "DISABLED":
        return
    runs = runs_per_month(expression)
    name = schedule.get("name") or inputs.get("name") or "job"
    if runs is None:
        notes.append(f"{name}: cannot count the runs of schedule {expression}; its task-hours are not priced")
        return
    hours = runs * use["job_minutes"] / 60
    arch = str((task["inputs"].get("runtimePlatform") or {}).get("cpuArchitecture") or "X86_64").lower()
    arch = "arm64" if arch == "arm64" else "x86_64"
    vcpu = _number(task["inputs"].get("cpu"), 256) / 1024
    gb = _number(task["inputs"].get("memory"), 512) / 1024
    note = f"{name}: {runs:.0f} run(s) a month of {vcpu:g} vCPU / {gb:g} GB ({arch})"
    add(
        f"Fargate vCPU ({arch}), scheduled jobs",
        hours * vcpu,
        f"fargate_vcpu_hour_{arch}",
        [schedule, task],
        assumption="job_minutes",
        note=note,
    )
    add(
        f"Fargate memory ({arch}), scheduled jobs",
        hours * gb,
        f"fargate_gb_hour_{arch}",
        [schedule, task],
        assumption="job_minutes",
    )


def instances(
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


def database(db: Mapping[str, Any], priced: str, prices: Any, use: Any, add: Any, warnings: list[str]) -> None:
    """An RDS instance: its hours (twice for Multi-AZ), storage, managed password and backup storage."""
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


def alarm_metrics(alarm: Mapping[str, Any]) -> int:
    """The metrics CloudWatch bills an alarm for: one per metric read, three for an anomaly band."""
    queries = alarm["inputs"].get("metricQueries") or []
    metrics = sum(1 for q in queries if q.get("metric")) or 1
    band = any("ANOMALY_DETECTION_BAND" in str(q.get("expression", "")) for q in queries)
    return metrics * 3 if band else metrics


def logs(of: Any, use: Any, add: Any, notes: list[str]) -> None:
    """Log groups: ingestion by the kind of writer, and storage over retention (at most a year)."""
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


def backups(of: Any, use: Any, prices: Any, add: Any) -> None:
    """AWS Backup: the buckets' backup storage and, with a cross-region copy rule, the copies."""
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


RESTORE_TESTS = (
    "aws:backup/restoreTestingPlan:RestoreTestingPlan",
    "aws:backup/restoreTestingSelection:RestoreTestingSelection",
)


def restore_tests(of: Any, priced: str, prices: Any, use: Any, add: Any, notes: list[str]) -> None:
    """AWS Backup restore tests: a charge per tested resource and run, and the restored copy while it exists.

    AWS bills each restore test (AWS Backup Developer Guide, Restore testing, "Cost control"),
    so a plan costs its runs a month (from its schedule) times the resources its selections
    name. The restored RDS instance runs for the selection's validation window plus the
    restore itself (assumption ``restore_job_hours``) at the source's instance class.
    """
    plans, selections = (of[kind] for kind in RESTORE_TESTS)
    for plan in plans:
        schedule = str(plan["inputs"].get("scheduleExpression"))
        runs = runs_per_month(schedule)
        mine = [s for s in selections if plan["urn"] in s.get("dependencies", [])] or selections
        if runs is None:
            notes.append(
                f"{plan['name']}: cannot count the runs of schedule {schedule}; its restore tests are not priced"
            )
            continue
        tested = sum(len(s["inputs"].get("protectedResourceArns") or [None]) for s in mine)
        note = f"{schedule}: {runs:.3g} run(s) a month × {tested:g} tested resource(s)"
        add(
            "AWS Backup restore tests (one per tested resource and run)",
            runs * tested,
            "restore_test",
            [plan, *mine],
            note=note,
        )
        for selection in (s for s in mine if s["inputs"].get("protectedResourceType") == "RDS"):
            dbs = of["aws:rds/instance:Instance"]
            cls = str(dbs[0]["inputs"].get("instanceClass")) if dbs else ""
            hourly = RDS_HOUR[priced].get(cls)
            if hourly is None:
                continue
            window = _number(selection["inputs"].get("validationWindowHours"), 0)
            hours = runs * len(selection["inputs"].get("protectedResourceArns") or [None])
            hours *= window + use["restore_job_hours"]
            add(
                f"restored test instance (RDS {cls}, while a test keeps it)",
                hours,
                hourly,
                [selection],
                assumption="restore_job_hours",
                note=f"validation window {window:g} h + the restore itself, per run",
            )
        if any(s["inputs"].get("protectedResourceType") == "S3" for s in mine):
            notes.append(
                f"not priced: the temporary bucket each S3 restore test of {plan['name']} writes (kept about a day)"
            )
