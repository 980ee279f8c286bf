"""The client's alarms: every stack watches itself and emails a person when something goes wrong.

The outage behind Crane It went unnoticed for weeks: container memory crept to 80-100 %
until hosts died, and the only trace was a console tab someone had to keep open. So every
client gets, by default, an encrypted SNS topic, alarms on the service, the load balancer
and the database, EventBridge rules for failed deployments and backups, and a dashboard.

This module holds the component: the topic and who may publish to it, the email
subscriptions, the event rules and the dashboard. What each alarm watches and when it fires
is in :mod:`crane_it.monitoring.service_alarms` and :mod:`crane_it.monitoring.database_alarms`.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from ..core.component import STANDALONE, Component, Protection
from ..core.iam import account_administers_key, alert_publishers_use_key, policy_document, where
from ..facts import alarm_names
from ..keys.kms import customer_key
from ..spec.alerts import AlertsSpec
from .alert_rules import AlertRule, backup_failures, deployment_failed
from .dashboard import dashboard_body
from .database_alarms import database_alarms
from .lifecycle_alarms import job_failed, jobs_alarms, worker_alarms
from .metric_alarm import PERIOD, Alarm, nat_instance_in_service
from .service_alarms import service_alarms
from .service_alarms import tasks_window_minutes as tasks_window_minutes  # client.py imports it from here

if TYPE_CHECKING:  # read through their contract attributes only
    from collections.abc import Sequence

    from ..core.contracts import BackupVault, DatabaseMetrics, EncryptionKey, JobsWatch, ServiceMetrics, WorkerMetrics


class Alarms(Component):
    """An encrypted alert topic, the alarms and event rules that feed it, and a dashboard."""

    type_token = "crane:index:Alarms"
    topic: aws.sns.Topic
    topic_arn: pulumi.Output[str]
    dashboard_name: pulumi.Output[str] | None
    """None with ``spec.dashboard`` off (the default for a client on a platform)."""
    alarms: dict[str, Alarm]

    def __init__(
        self,
        name: str,
        spec: AlertsSpec,
        service: ServiceMetrics,
        *,
        database: DatabaseMetrics | None = None,
        backup: BackupVault | None = None,
        nat_group_name: pulumi.Input[str] | None = None,
        workers: Sequence[WorkerMetrics] = (),
        jobs: JobsWatch | None = None,
        protection: Protection = STANDALONE,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``protection.key``: encrypt the topic with this key (the client's, ``keys: per_client``)
        instead of a key of its own; its policy must admit ``iam.alert_publishers_use_key``.
        ``nat_group_name``: the auto-scaling group of the client's own NAT instance, watched too.
        ``workers`` and ``jobs``: alarm on them too (see lifecycle_alarms)."""
        super().__init__(name, protection=protection, opts=opts)
        self.spec = spec
        here = where(self)
        self._account, self._partition, self._region = here.account, here.partition, here.region

        self.key = self._key(name, protection.key)
        self.topic = self._topic(name)
        self.topic_arn = self.topic.arn
        self.subscriptions = [self._subscription(name, email) for email in spec.emails]
        self.alarms = service_alarms(self._alarm, name, spec, service)
        if database is not None:
            self.alarms.update(database_alarms(self._alarm, name, spec, database))
        if nat_group_name is not None:
            self.alarms["nat-instance"] = self._nat_instance(name, nat_group_name)
        for worker in workers:
            self.alarms.update(worker_alarms(self._alarm, name, spec, worker))
        self.rules = {"deploy-failed": self._deployment_failures(name, service)}
        if jobs is not None:
            self.alarms.update(jobs_alarms(self._alarm, name, jobs))
            self.rules["job-failed"] = self._rule(
                name, "job-failed", job_failed(name, jobs.cluster_arn, jobs.task_groups)
            )
        if backup is not None:
            self.rules.update(self._backup_failures(name, backup))
        self.topic_policy = self._topic_policy(name)
        self.dashboard = self._dashboard(name, spec, service, database) if spec.dashboard else None
        self.dashboard_name = self.dashboard.dashboard_name if self.dashboard else None
        self.publish(
            {
                "topic_arn": self.topic_arn,
                "dashboard_name": self.dashboard_name,
                "alarm_names": {key: alarm.name for key, alarm in self.alarms.items()},
            }
        )

    def _nat_instance(self, name: str, group_name: pulumi.Input[str]) -> Alarm:
        """An alarm when the client's own NAT instance (``network.nat: instance``) is out of
        its group, as the platform has for its shared one. Declared before ``publish``, so its
        name is among the registered ``alarm_names``."""
        minutes = self.spec.sustained_minutes
        alarm = self._alarm(
            name,
            "nat-instance",
            alarm_names.NAT_INSTANCE,
            f"The NAT instance has not been in service for {minutes} min: the tasks have lost their way to the "
            "internet (image pulls, secrets, APIs), so deployments and new tasks fail. The group replaces a failed "
            "instance by itself within minutes; if not, check its activity history and the instance's console "
            "output (fck-nat service).",
            **nat_instance_in_service(group_name),
            period=PERIOD,
            evaluation_periods=minutes,
            datapoints_to_alarm=minutes,
        )
        return alarm

    # The topic and who may use it.

    def _key(self, name: str, given: EncryptionKey | None) -> EncryptionKey:
        """``given`` (the client's one key), or a key of the topic's own."""
        if given is not None:
            return given
        policy = pulumi.Output.json_dumps(
            policy_document([account_administers_key(self._partition, self._account), alert_publishers_use_key()])
        )
        key = customer_key(
            f"{name}-alerts-key",
            f"Encrypts the {name} alert topic",
            # Protected like every Crane It key (policy guardrail data_is_protected), though it
            # guards only messages in flight: losing it loses no data, only alert delivery.
            self.child(protect=not self.retiring),
            policy=policy,
        )
        aws.kms.Alias(
            f"{name}-alerts-key-alias", name=f"alias/{name}-alerts", target_key_id=key.key_id, opts=self.child()
        )
        return key

    def _topic(self, name: str) -> aws.sns.Topic:
        # The display name is the sender name of the alert emails.
        return aws.sns.Topic(
            f"{name}-alerts-topic",
            display_name=f"{name} alerts",
            kms_master_key_id=self.key.arn,
            opts=self.child(),
        )

    def _subscription(self, name: str, email: str) -> aws.sns.TopicSubscription:
        # Named after a digest of the address, so reordering the list replaces nothing. The
        # person must confirm the first mail; until then AWS refuses to delete the pending
        # subscription (deleting the topic removes it).
        digest = hashlib.sha256(email.encode()).hexdigest()[:10]
        return aws.sns.TopicSubscription(
            f"{name}-alerts-email-{digest}", topic=self.topic.arn, protocol="email", endpoint=email, opts=self.child()
        )

    def _topic_policy(self, name: str) -> aws.sns.TopicPolicy:
        # Replaces SNS's default policy: CloudWatch may publish for alarms of this account and
        # region only, EventBridge for this client's rules only (confused-deputy protection).
        # Principals of the account keep their IAM-granted access.
        alarms = pulumi.Output.format(
            "arn:{0}:cloudwatch:{1}:{2}:alarm:*", self._partition, self._region, self._account
        )
        rules = [rule.arn for rule in self.rules.values()]
        publish = {"Effect": "Allow", "Action": "sns:Publish", "Resource": self.topic.arn}
        policy = pulumi.Output.json_dumps(
            policy_document(
                [
                    {
                        "Sid": "CloudWatchAlarmsPublish",
                        **publish,
                        "Principal": {"Service": "cloudwatch.amazonaws.com"},
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": self._account},
                            "ArnLike": {"aws:SourceArn": alarms},
                        },
                    },
                    {
                        "Sid": "EventRulesPublish",
                        **publish,
                        "Principal": {"Service": "events.amazonaws.com"},
                        "Condition": {"ArnEquals": {"aws:SourceArn": rules}},
                    },
                ]
            )
        )
        return aws.sns.TopicPolicy(f"{name}-alerts-topic-policy", arn=self.topic.arn, policy=policy, opts=self.child())

    # Alarms. Every one notifies on ALARM and on OK, so the person knows when it is over.

    def _alarm(self, name: str, key: str, title: str, description: str, **args: Any) -> Alarm:
        # Names are stable (no thresholds in them: renaming replaces the alarm and loses its
        # history) and readable in the email subject: ALARM: "acme: service memory high".
        return aws.cloudwatch.MetricAlarm(
            f"{name}-alarm-{key}",
            name=alarm_names.alarm_name(name, title),
            alarm_description=f"{description} Dashboard: {alarm_names.dashboard_name(name)}."
            if self.spec.dashboard
            else description,
            alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn],
            opts=self.child(),
            **args,
        )

    # Events that are not metrics: failed deployments and backups (see alert_rules).

    def _rule(self, name: str, key: str, alert: AlertRule) -> aws.cloudwatch.EventRule:
        rule = aws.cloudwatch.EventRule(
            f"{name}-alerts-{key}",
            description=alert.description,
            event_pattern=pulumi.Output.json_dumps(alert.pattern),
            opts=self.child(),
        )
        aws.cloudwatch.EventTarget(
            f"{name}-alerts-{key}-to-topic",
            rule=rule.name,
            arn=self.topic.arn,
            input_transformer=aws.cloudwatch.EventTargetInputTransformerArgs(
                input_paths=alert.paths, input_template=alert.template
            ),
            opts=self.child(),
        )
        return rule

    def _deployment_failures(self, name: str, service: ServiceMetrics) -> aws.cloudwatch.EventRule:
        service_arn = pulumi.Output.format(
            "arn:{0}:ecs:{1}:{2}:service/{3}/{4}",
            self._partition,
            self._region,
            self._account,
            service.cluster_name,
            service.service_name,
        )
        return self._rule(name, "deploy-failed", deployment_failed(name, service_arn))

    def _backup_failures(self, name: str, backup: BackupVault) -> dict[str, aws.cloudwatch.EventRule]:
        return {key: self._rule(name, key, alert) for key, alert in backup_failures(name, backup.vault_arn).items()}

    def _dashboard(
        self, name: str, spec: AlertsSpec, service: ServiceMetrics, database: DatabaseMetrics | None
    ) -> aws.cloudwatch.Dashboard:
        ids = pulumi.Output.all(
            region=self._region,
            cluster=service.cluster_name,
            service=service.service_name,
            load_balancer=service.load_balancer_arn_suffix,
            target_group=service.target_group_arn_suffix,
            alarm_arns=pulumi.Output.all(*[alarm.arn for alarm in self.alarms.values()]),
            database=database.identifier if database is not None else None,
        )
        body = ids.apply(lambda v: dashboard_body(client=name, spec=spec, **v))
        # Dashboards are global to the account, so the name carries the client.
        return aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=alarm_names.dashboard_name(name),
            dashboard_body=pulumi.Output.json_dumps(body),
            opts=self.child(),
        )
