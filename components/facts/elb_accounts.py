"""The Elastic Load Balancing account of each region, which writes ALB access logs in older regions.

The ALB guide ("Enable access logs for your Application Load Balancer", step 2) says a bucket
policy must grant ``s3:PutObject`` to the region's ELB account in regions available before
August 2022, and to the service principal ``logdelivery.elasticloadbalancing.amazonaws.com``
in regions launched since (which have no such account). A policy that names only the
principal is refused (or silently receives nothing) in the older regions, so Crane It grants
both where the table has a row. Copied from the guide's table; commercial partition only.
"""

ELB_ACCOUNTS: dict[str, str] = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "ap-east-1": "754344448648",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
}
"""Region -> the ELB account that delivers its access logs (regions before August 2022)."""
