"""DNS validation of an ACM certificate, shared by a client's and a platform's load balancer."""

import pulumi_aws as aws

from ..core.component import Component


def validation_record(
    parent: Component, name: str, certificate: aws.acm.Certificate, hosted_zone_id: str
) -> aws.route53.Record:
    """The CNAME that proves ``certificate``'s domain, in the Route 53 zone ``hosted_zone_id``.

    ACM asks for the same record for a name and its wildcard, so one record validates both;
    ``allow_overwrite`` lets a re-created certificate take over the record it asks for again.
    """
    option = certificate.domain_validation_options[0]
    return aws.route53.Record(
        f"{name}-cert-validation",
        zone_id=hosted_zone_id,
        name=option.resource_record_name,
        type=option.resource_record_type,
        records=[option.resource_record_value],
        ttl=300,
        allow_overwrite=True,
        opts=parent.child(),
    )
