"""AWS on-demand list prices (USD) that ``crane cost`` multiplies, with where each figure came from.

PRICE_DATE is when the sources below were read. They are public copies of AWS's own figures
where one was found for the region (AWS Price List offer rows, Cost Explorer usage types, the
AWS documentation), otherwise third-party pricing guides quoting AWS's price list for that
region. This table was filled offline, so **a figure marked ``verified=False`` was not found
on any page searched** for its region and is AWS's list price as we last knew it: check it
before you quote it.
Prices change; the date tells a reader how old a figure is. No free tier and no discount
(savings plans, reserved instances) is applied: this is the list price a new account pays.

Only us-east-1 and eu-west-1 are priced. Every other region is estimated with the nearest
priced one (:data:`NEAREST`), and the estimate says so.
"""

from __future__ import annotations

from dataclasses import dataclass

PRICE_DATE = "2026-12"
"""When the sources were read (their own dates run from 2024 to October 2026)."""

HOURS_PER_MONTH = 730
"""AWS's own convention for monthly estimates (8,760 hours / 12)."""


@dataclass(frozen=True)
class Price:
    """One unit price and where it comes from."""

    usd: float
    unit: str
    source: str
    verified: bool = True
    """False: not found on a page searched; AWS's list price as last known, to be checked."""


S_ALB = "https://cal53.calculator.city/aws-alb-cost-calculator/ (ALB hourly by region table)"
S_LCU = (
    "https://aws.darcy-it.com/elb%E3%81%AE%E3%82%B3%E3%82%B9%E3%83%88%E6%96%99%E9%87%91/ (LCU-hour 0.008, "
    "a Tokyo page: not found for us-east-1 on a page searched)"
)
S_PRICE_LIST_EU = (
    "AWS Bulk Price List, eu-west-1 offers retrieved 2026-10-02 (AWSELB offer 20260911124544: EU-LCUUsage "
    "0.008 per LCU-Hrs; AmazonEC2 EU-NatGateway-Bytes 0.048 per GB; AWSDataTransfer EU-DataTransfer-Out-Bytes "
    "0.09 per GB for 0-10 TB), rows quoted in a public price-list client's test fixture (preflight core, "
    "usage-cost tests)"
)
S_CW_EU = (
    "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonCloudWatch/current/eu-west-1/index.json "
    "(published 2026-09-22: 0.57 per GB ingested in Standard, 0.03 per GB-month stored, 0.10 per alarm metric-month; "
    "snapshot in github.com/mamtha4u/SDLC backend/config/pricing_eu-west-1.json)"
)
S_FARGATE_EU = (
    "AWS Price List API, eu-west-1 AmazonECS SKUs K4EXFQ5YFQCP98EN (EU-Fargate-vCPU-Hours:perCPU 0.04048), "
    "UP5ETC3QSW2QZGEY (EU-Fargate-GB-Hours 0.004445), KXC9CEUQGJQPNZPY (EU-Fargate-ARM-vCPU-Hours:perCPU 0.03238), "
    "MGJ5EB5GSHR8QZDF (EU-Fargate-ARM-GB-Hours 0.00356), quoted in 'AUDIT-10: Containers (ECS/ECR/EKS) Service "
    "Adapter' (2026-05-01, a public repository's pricing audit)"
)
S_RDS_EU = (
    "Cost Explorer usage types in eu-west-1 quoted in public repositories: EU-InstanceUsage:db.t4g.micro "
    "10.09 USD for 593 h (0.0170/h) and EU-RDS:GP3-Storage 2.54 USD for 20 GiB (0.127/GB-month), July 2026 "
    "('Always-On Production Cost Architecture', BreadSheet ADR, 2026-08-04); db.t4g.micro 0.0170 and "
    "db.t4g.small 0.0350 per hour ('prezzi effettivi da Cost Explorer', usage type EU)"
)
S_ALB_EU = (
    "https://cal53.calculator.city/aws-alb-cost-calculator/ (Europe (Ireland) 0.0252 per ALB-hour), matching "
    "Cost Explorer EU-LoadBalancerUsage 15.00 USD for 595 h ('Always-On Production Cost Architecture', 2026-08-04)"
)
S_RESTORE_TEST = (
    'https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html (Cost control: "Restore testing '
    "has a cost per restore test\", besides the restore jobs' own cost); the amount, 1.50 USD a test, was not "
    "found on a page searched (the stored AWS Backup pricing page has no table)"
)
S_NAT_US = "https://basavytix.com/blog/aws-nat-gateway-pricing (us-east-1 rates)"
S_NAT_EU = "https://cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026/ (Europe (Ireland...) ~0.048-0.052)"
S_IPV4 = "https://www.doit.com/aws-public-ipv4-price-increase-the-complete-guide/ (0.005/IP-hour since 2024-02-01)"
S_FARGATE_US = "https://www.vantage.sh/blog/fargate-pricing (us-east-1 Linux/x86 and Linux/ARM rates)"
S_RDS_US = "https://infratally.com/articles/aws-rds-pricing-explained-2026.html (PostgreSQL t4g, us-east-1)"
S_RDS_STORAGE_US = "https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/ (gp3 0.115/GB-month)"
S_RDS_BACKUP = "https://druva.com/blog/4-things-you-should-know-about-your-aws-backup-bill (0.095/GB beyond free)"
S_KMS = "https://cloudburn.io/blog/aws-kms-pricing (1 USD per key-month, from the AWS KMS pricing page)"
S_ALARM = "https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm (0.10 per standard alarm-month)"
S_LOGS_US = "https://c3x.dev/blog/cloudwatch-logs-cost-optimization (us-east-1: ingestion 0.50, storage 0.03)"
S_EGRESS = "https://www.wring.co/blog/aws-nat-gateway-pricing-guide (data transfer out 0.09/GB, first 10 TB)"
S_BACKUP = "https://cloudburn.io/blog/aws-backup-pricing (warm storage 0.05/GB-month, us-east-1)"
S_COPY = "https://www.factualminds.com/blog/aws-backup-pricing-vaults-cross-region-restores/ (0.02/GB copy)"
S_T4G_NANO_US = "https://github.com/AndrewGuenther/cdk-fck-nat README (t4g.nano hourly 0.0042, us-east-1)"
S_ALB_FREE = (
    "https://aws.darcy-it.com/elb%E3%81%AE%E3%82%B3%E3%82%B9%E3%83%88%E6%96%99%E9%87%91/ (ALB bills hours and LCUs; "
    "rule evaluations beyond the first 10 rules count toward LCUs) and "
    "https://eathealthy365.com/pricing-an-aws-load-balancer-certificate (public ACM certificates on a load balancer: no charge)"
)
S_WAF = (
    "https://c3x.dev/blog/aws-waf-cost-explained/ (5 USD per web ACL, 1 per rule or managed rule group, "
    "0.60 per million requests) and https://aws.amazon.com/blogs/networking-and-content-delivery/"
    "cost-effective-ways-for-securing-your-web-applications-using-aws-waf/ (the same in every region)"
)
NOT_FOUND = "not found on a page searched; AWS list price as last known"


def _unverified(usd: float, unit: str) -> Price:
    return Price(usd, unit, NOT_FOUND, verified=False)


_COMMON: dict[str, Price] = {
    "ipv4_hour": Price(0.005, "public IPv4 address-hour", S_IPV4),
    "kms_key_month": Price(1.00, "key-month", S_KMS),
    "dashboard_month": _unverified(3.00, "dashboard-month"),
    "secret_month": _unverified(0.40, "secret-month"),
    "backup_s3_gb_month": Price(0.05, "GB-month", S_BACKUP),
    "backup_copy_gb": Price(0.02, "GB copied to another region", S_COPY),
    "s3_gb_month": _unverified(0.023, "GB-month (S3 Standard, first 50 TB)"),
    "waf_acl_month": Price(5.00, "web ACL-month", S_WAF),
    "waf_rule_month": Price(1.00, "rule-month", S_WAF),
    "waf_million_requests": Price(0.60, "million requests inspected", S_WAF),
    "restore_test": Price(1.50, "restore test (one tested resource, one run)", S_RESTORE_TEST, verified=False),
}

FREE: tuple[tuple[str, str], ...] = (
    ("listener rules and listener certificates (a client on a platform adds one of each)", S_ALB_FREE),
    (
        "auto-scaling groups and launch templates (the NAT instance's)",
        "not found on a page searched (unverified): EC2 Auto Scaling bills only the instances it runs",
    ),
    ("StackReference reads of another stack's outputs (Pulumi, not AWS)", "Pulumi: a read of the backend, no AWS call"),
)
"""What a plan declares that AWS does not bill by itself, and why we believe so."""

PRICES: dict[str, dict[str, Price]] = {
    "us-east-1": {
        **_COMMON,
        "alb_hour": Price(0.0225, "ALB-hour", S_ALB),
        "alb_lcu_hour": Price(0.008, "LCU-hour", S_LCU, verified=False),
        "alarm_metric_month": Price(0.10, "alarm metric-month", S_ALARM),
        "nat_hour": Price(0.045, "NAT gateway-hour", S_NAT_US),
        "nat_gb": Price(0.045, "GB processed", S_NAT_US),
        "fargate_vcpu_hour_x86_64": Price(0.04048, "vCPU-hour", S_FARGATE_US),
        "fargate_gb_hour_x86_64": Price(0.004445, "GB-hour", S_FARGATE_US),
        "fargate_vcpu_hour_arm64": Price(0.03238, "vCPU-hour", S_FARGATE_US),
        "fargate_gb_hour_arm64": Price(0.00356, "GB-hour", S_FARGATE_US),
        "rds_gp3_gb_month": Price(0.115, "GB-month", S_RDS_STORAGE_US),
        "rds_backup_gb_month": Price(0.095, "GB-month beyond the free 100 % of storage", S_RDS_BACKUP),
        "logs_ingest_gb": Price(0.50, "GB ingested", S_LOGS_US),
        "logs_store_gb_month": Price(0.03, "GB-month", S_LOGS_US),
        "egress_gb": Price(0.09, "GB out to the internet", S_EGRESS),
        "ebs_gp3_gb_month": _unverified(0.08, "GB-month (EBS gp3)"),
    },
    "eu-west-1": {
        **_COMMON,
        "alb_hour": Price(0.0252, "ALB-hour", S_ALB_EU),
        "alb_lcu_hour": Price(0.008, "LCU-hour", S_PRICE_LIST_EU),
        "alarm_metric_month": Price(0.10, "alarm metric-month", S_CW_EU),
        "nat_hour": Price(0.048, "NAT gateway-hour", S_NAT_EU),
        "nat_gb": Price(0.048, "GB processed", S_PRICE_LIST_EU),
        "fargate_vcpu_hour_x86_64": Price(0.04048, "vCPU-hour", S_FARGATE_EU),
        "fargate_gb_hour_x86_64": Price(0.004445, "GB-hour", S_FARGATE_EU),
        "fargate_vcpu_hour_arm64": Price(0.03238, "vCPU-hour", S_FARGATE_EU),
        "fargate_gb_hour_arm64": Price(0.00356, "GB-hour", S_FARGATE_EU),
        "rds_gp3_gb_month": Price(0.127, "GB-month", S_RDS_EU),
        "rds_backup_gb_month": _unverified(0.095, "GB-month beyond the free 100 % of storage"),
        "logs_ingest_gb": Price(0.57, "GB ingested", S_CW_EU),
        "logs_store_gb_month": Price(0.03, "GB-month", S_CW_EU),
        "egress_gb": Price(0.09, "GB out to the internet", S_PRICE_LIST_EU),
        "ebs_gp3_gb_month": _unverified(0.088, "GB-month (EBS gp3)"),
    },
}
"""Region -> price name -> Price."""

RDS_HOUR: dict[str, dict[str, Price]] = {
    # Single-AZ instance-hour; Multi-AZ runs a standby and costs twice as much (same sources).
    # MySQL and PostgreSQL share these rates for the Graviton classes in both regions.
    "us-east-1": {
        "db.t4g.micro": Price(0.016, "instance-hour", S_RDS_US),
        "db.t4g.small": Price(0.032, "instance-hour", S_RDS_US),
        "db.t4g.medium": Price(0.065, "instance-hour", S_RDS_US),
        "db.t4g.large": _unverified(0.129, "instance-hour"),
        "db.m7g.large": _unverified(0.168, "instance-hour"),
    },
    "eu-west-1": {
        "db.t4g.micro": Price(0.017, "instance-hour", S_RDS_EU),
        "db.t4g.small": Price(0.035, "instance-hour", S_RDS_EU),
        "db.t4g.medium": _unverified(0.072, "instance-hour"),
        "db.t4g.large": _unverified(0.144, "instance-hour"),
        "db.m7g.large": _unverified(0.186, "instance-hour"),
    },
}
"""Region -> RDS instance class -> on-demand Single-AZ price (PostgreSQL/MySQL)."""

EC2_HOUR: dict[str, dict[str, Price]] = {
    # Linux on-demand instance-hour of the instance types Crane It declares (the NAT instance).
    "us-east-1": {"t4g.nano": Price(0.0042, "instance-hour", S_T4G_NANO_US)},
    "eu-west-1": {"t4g.nano": _unverified(0.0046, "instance-hour")},
}
"""Region -> EC2 instance type -> on-demand Linux price."""

NEAREST: dict[str, str] = {
    "eu-": "eu-west-1",
    "il-": "eu-west-1",
    "me-": "eu-west-1",
    "af-": "eu-west-1",
}
"""Region prefix -> the priced region its estimate uses; every other region uses us-east-1."""


def priced_region(region: str) -> str:
    """The priced region that stands in for ``region``."""
    if region in PRICES:
        return region
    return next((priced for prefix, priced in NEAREST.items() if region.startswith(prefix)), "us-east-1")
