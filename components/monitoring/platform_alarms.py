"""The platform's own alarms: what no single client watches, because no single client owns it.

Clients keep their alarms (their target group's 5xx and health, their service's memory and
CPU) and dashboards in their own stacks. The platform watches the shared parts: 5xx the load
balancer answers itself (no healthy target, a rule pointing nowhere), and its way out to the
internet: port allocation errors of each NAT gateway, or the NAT instance missing from its
group. Quota headroom has no CloudWatch metric (AWS publishes no count of a listener's rules
or certificates), so it is checked where the count is known: at every render of the platform
and of each client on it (``tenancy``), with a warning past the headroom threshold.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from ..core.component import STANDALONE, Component, Protection
from ..core.iam import account_administers_key, policy_document, where
from ..keys.kms import customer_key
from ..spec.platform import PlatformAlertsSpec
from .metric_alarm import PERIOD, nat_instance_in_service

MAINTENANCE_EXCLUDED = "FILL(elb5xx, 0) - MIN([FILL(fixed, 0), FILL(elb503, 0)])"
"""The platform's ELB 5xx per minute without the 503 pages of clients in maintenance."""


class PlatformAlarms(Component):
    """An encrypted topic for the platform's operators and the alarms that feed it."""

    type_token = "crane:index:PlatformAlarms"
    topic_arn: pulumi.Output[str]
    alarms: dict[str, aws.cloudwatch.MetricAlarm]

    def __init__(
        self,
        name: str,
        spec: PlatformAlertsSpec,
        load_balancer_arn_suffix: pulumi.Input[str],
        *,
        nat_gateway_ids: Sequence[pulumi.Input[str]] = (),
        nat_group_name: pulumi.Input[str] | None = None,
        protection: Protection = STANDALONE,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``protection.retiring``: the platform is being retired (``PlatformSpec.retire``): its
        key is not protected."""
        super().__init__(name, protection=protection, opts=opts)
        self.spec = spec
        here = where(self)
        self._account, self._partition, self._region = here.account, here.partition, here.region
        self.key = self._key(name)
        self.topic = aws.sns.Topic(
            f"{name}-alerts-topic",
            display_name=f"{name} platform alerts",
            kms_master_key_id=self.key.arn,
            opts=self.child(),
        )
        for email in spec.emails:
            # Named after a digest of the address, so reordering the list replaces nothing.
            digest = hashlib.sha256(email.encode()).hexdigest()[:10]
            aws.sns.TopicSubscription(
                f"{name}-alerts-email-{digest}",
                topic=self.topic.arn,
                protocol="email",
                endpoint=email,
                opts=self.child(),
            )
        self._topic_policy(name)
        self.alarms = {"elb-5xx": self._elb_errors(name, load_balancer_arn_suffix)}
        for index, gateway in enumerate(nat_gateway_ids):
            self.alarms[f"nat-{index}-ports"] = self._nat_ports(name, index, gateway)
        if nat_group_name is not None:
            self.alarms["nat-instance"] = self._nat_instance(name, nat_group_name)
        self.topic_arn = self.topic.arn
        self.publish(
            {"topic_arn": self.topic_arn, "alarm_names": {key: alarm.name for key, alarm in self.alarms.items()}}
        )

    def _key(self, name: str) -> aws.kms.Key:
        # As for a client's topic: CloudWatch must be able to encrypt what it publishes.
        policy = pulumi.Output.json_dumps(
            policy_document(
                [
                    account_administers_key(self._partition, self._account),
                    {
                        "Sid": "AlarmsEncryptMessages",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudwatch.amazonaws.com"},
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                        "Resource": "*",
                    },
                ]
            )
        )
        return customer_key(
            f"{name}-alerts-key",
            f"Encrypts the {name} platform alert topic",
            self.child(protect=not self.retiring),
            policy=policy,
        )

    def _topic_policy(self, name: str) -> aws.sns.TopicPolicy:
        alarms = pulumi.Output.format(
            "arn:{0}:cloudwatch:{1}:{2}:alarm:*", self._partition, self._region, self._account
        )
        policy = pulumi.Output.json_dumps(
            policy_document(
                [
                    {
                        "Sid": "CloudWatchAlarmsPublish",
                        "Effect": "Allow",
                        "Action": "sns:Publish",
                        "Resource": self.topic.arn,
                        "Principal": {"Service": "cloudwatch.amazonaws.com"},
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": self._account},
                            "ArnLike": {"aws:SourceArn": alarms},
                        },
                    }
                ]
            )
        )
        return aws.sns.TopicPolicy(f"{name}-alerts-topic-policy", arn=self.topic.arn, policy=policy, opts=self.child())

    def _alarm(self, name: str, key: str, title: str, description: str, **args: Any) -> aws.cloudwatch.MetricAlarm:
        minutes = self.spec.sustained_minutes
        args.setdefault("period", PERIOD)
        return aws.cloudwatch.MetricAlarm(
            f"{name}-alarm-{key}",
            name=f"{name} platform: {title}",
            alarm_description=description,
            alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn],
            evaluation_periods=minutes,
            datapoints_to_alarm=minutes,
            opts=self.child(),
            **args,
        )

    def _elb_errors(self, name: str, load_balancer: pulumi.Input[str]) -> aws.cloudwatch.MetricAlarm:
        # ELB-generated 5xx only: the apps' own 5xx alarm in each client's stack, per target group.
        # A client in maintenance (crane reset) answers 503 with a fixed response, which ALB
        # counts as an ELB 5xx too: planned, so kept out. The only other fixed response here is
        # the default 404, so the maintenance 503s are at most MIN(fixed responses, ELB 503s)
        # (= maintenance 503s + MIN(404s, other 503s)). What that also subtracts is only 503s,
        # never 502/504, and only in minutes with unknown-host 404s; each client's own target
        # group alarms still see its unhealthy targets.
        threshold = self.spec.elb_5xx_per_minute

        def metric(query_id: str, metric_name: str) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
            return aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id=query_id,
                metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                    namespace="AWS/ApplicationELB",
                    metric_name=metric_name,
                    dimensions={"LoadBalancer": load_balancer},
                    stat="Sum",
                    period=PERIOD,
                ),
                return_data=False,
            )

        return self._alarm(
            name,
            "elb-5xx",
            "load balancer 5xx",
            f"The shared load balancer itself answered over {threshold} requests a minute with 5xx for "
            f"{self.spec.sustained_minutes} min, not counting clients' planned maintenance pages: a client has no "
            "healthy task (502/503), a task did not answer in time (504), or the load balancer is short of "
            "capacity. Check first: which clients' target groups are unhealthy (their own alarms), the ALB's "
            "HTTPCode_ELB_5XX by code.",
            period=None,  # set per metric: an alarm on metric math takes no period of its own
            metric_queries=[
                metric("elb5xx", "HTTPCode_ELB_5XX_Count"),
                metric("elb503", "HTTPCode_ELB_503_Count"),
                metric("fixed", "HTTP_Fixed_Response_Count"),
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="unplanned",
                    # ALB publishes nothing in a minute without such responses: FILL makes that 0.
                    expression=MAINTENANCE_EXCLUDED,
                    label="ELB 5xx without maintenance pages",
                    return_data=True,
                ),
            ],
            threshold=threshold,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
        )

    def _nat_ports(self, name: str, index: int, gateway: pulumi.Input[str]) -> aws.cloudwatch.MetricAlarm:
        return self._alarm(
            name,
            f"nat-{index}-ports",
            f"NAT gateway {index} out of ports",
            f"NAT gateway {index} could not allocate a source port for {self.spec.sustained_minutes} min: tasks' "
            "new connections to one destination fail. Check first: ActiveConnectionCount (a client opening a "
            "connection per request?), then add an Elastic IP to the gateway.",
            namespace="AWS/NATGateway",
            metric_name="ErrorPortAllocation",
            dimensions={"NatGatewayId": gateway},
            statistic="Sum",
            threshold=0,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
        )

    def _nat_instance(self, name: str, group: pulumi.Input[str]) -> aws.cloudwatch.MetricAlarm:
        return self._alarm(
            name,
            "nat-instance",
            "NAT instance down",
            f"The NAT instance has not been in service for {self.spec.sustained_minutes} min: every task of every "
            "client on the platform has lost its way to the internet (image pulls, secrets, APIs). The group "
            "replaces a failed instance by itself within minutes; if not, check its activity history and the "
            "instance's console output (fck-nat service).",
            **nat_instance_in_service(group),
        )
