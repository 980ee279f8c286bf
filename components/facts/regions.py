"""The commercial AWS regions Crane It can deploy to."""

from typing import TYPE_CHECKING, Literal

# The "aws" partition's regions as listed in the AWS General Reference (opt-in regions
# included; they must be enabled on the account before use). A test cross-checks this
# table against botocore's endpoint data so a drift shows up in review.
REGIONS: frozenset[str] = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    }
)


if TYPE_CHECKING:  # a Literal built from the table above is opaque to type checkers
    Region = str
else:
    Region = Literal[tuple(sorted(REGIONS))]
"""A region of the table, as a spec field type (the schema lists them)."""
