"""An internal tool's infrastructure, assembled from Crane It components in the agency's VPC.

It shows the three ways a repo builds on Crane It: single components (a scratch bucket and a
reporting database) placed in a VPC this program does not manage, and a whole client stack
from a spec built in Python rather than read from YAML.
"""

import pulumi

from crane_it import Bucket, BucketSpec, ClientSpec, ClientStack, Database, DatabaseSpec, Network

VPC_ID = "vpc-0a1b2c3d4e5f60718"
PUBLIC_SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
PRIVATE_SUBNETS = ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"]

# Single components: a bucket for exports, and a database for reports in the shared VPC.
scratch = Bucket("scratch", BucketSpec(noncurrent_version_days=30))
reports = Database(
    "reports",
    DatabaseSpec(engine="postgres", name="reports"),
    Network.existing(VPC_ID, PUBLIC_SUBNETS, PRIVATE_SUBNETS),
)

# A whole client stack, its spec built in Python (validated exactly like a YAML spec).
tool = ClientStack(
    ClientSpec.model_validate(
        {
            "client": "tool",
            "region": "eu-west-1",
            "network": {"vpc_id": VPC_ID, "public_subnet_ids": PUBLIC_SUBNETS, "private_subnet_ids": PRIVATE_SUBNETS},
            "service": {
                "image": "ghcr.io/acme-agency/tool:2.3.1",
                "certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
            },
            "bucket": {},
        }
    ),
    pulumi.get_stack(),
)

pulumi.export("scratch_bucket", scratch.bucket_name)
pulumi.export("reports_endpoint", reports.endpoint)
pulumi.export("tool_url", tool.outputs["url"])
