"""The client's alarms: every stack watches itself and emails a person when something goes wrong.

The outage behind Crane It went unnoticed for weeks: container memory crept to 80-100 %
until hosts died, and the only trace was a console tab someone had to keep open. So every
client gets, by default, an encrypted SNS topic, alarms on the service, the load balancer
and the database, EventBridge rules for failed deployments and backups, and a dashboard.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from . import alarm_names
from .alert_rules import AlertRule, backup_failures, deployment_failed
from .dashboard import dashboard_body
from .facts.rds import default_max_connections, usable_connections
from .iam import account_administers_key, alert_publishers_use_key, policy_document
from .keys import customer_key
from .options import child
from .spec.alerts import AlertsSpec

if TYPE_CHECKING:  # read through their contract attributes only
    from .contracts import BackupVault, DatabaseMetrics, EncryptionKey, ServiceMetrics

PERIOD = 60
"""ECS, ALB and RDS publish one-minute data points; alarms judge minute by minute."""
TREND_PERIOD = 300
TREND_PERIODS = 12
"""The memory trend alarm needs an hour (12 x 5 min) above the band, so spikes never page."""
GIB = 1024**3

Dimensions = Mapping[str, pulumi.Input[str]]
Alarm = aws.cloudwatch.MetricAlarm


class Alarms(pulumi.ComponentResource):
    """An encrypted alert topic, the alarms and event rules that feed it, and a dashboard."""

    topic: aws.sns.Topic
    topic_arn: pulumi.Output[str]
    dashboard_name: pulumi.Output[str]
    alarms: dict[str, Alarm]

    def __init__(
        self,
        name: str,
        spec: AlertsSpec,
        service: ServiceMetrics,
        database: DatabaseMetrics | None = None,
        backup: BackupVault | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        retiring: bool = False,
        key: EncryptionKey | None = None,
    ) -> None:
        """``key``: encrypt the topic with this key (the client's, ``keys: per_client``)
        instead of a key of its own; its policy must admit ``iam.alert_publishers_use_key``."""
        super().__init__("crane:index:Alarms", name, None, opts)
        self.spec = spec
        self._retiring = retiring
        invoke = pulumi.InvokeOutputOptions(parent=self)
        self._account = aws.get_caller_identity_output(opts=invoke).account_id
        self._partition = aws.get_partition_output(opts=invoke).partition
        self._region = aws.get_region_output(opts=invoke).region

        self.key = self._key(name, key)
        self.topic = self._topic(name)
        self.topic_arn = self.topic.arn
        self.subscriptions = [self._subscription(name, email) for email in spec.emails]
        self.alarms = self._service_alarms(name, spec, service)
        if database is not None:
            self.alarms.update(self._database_alarms(name, spec, database))
        self.rules = {"deploy-failed": self._deployment_failures(name, service)}
        if backup is not None:
            self.rules.update(self._backup_failures(name, backup))
        self.topic_policy = self._topic_policy(name)
        self.dashboard = self._dashboard(name, spec, service, database)
        self.dashboard_name = self.dashboard.dashboard_name
        self.register_outputs(
            {
                "topic_arn": self.topic_arn,
                "dashboard_name": self.dashboard_name,
                "alarm_names": {key: alarm.name for key, alarm in self.alarms.items()},
            }
        )

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
            child(self, protect=not self._retiring),
            policy=policy,
        )
        aws.kms.Alias(
            f"{name}-alerts-key-alias", name=f"alias/{name}-alerts", target_key_id=key.key_id, opts=child(self)
        )
        return key

    def _topic(self, name: str) -> aws.sns.Topic:
        # The display name is the sender name of the alert emails.
        return aws.sns.Topic(
            f"{name}-alerts-topic",
            display_name=f"{name} alerts",
            kms_master_key_id=self.key.arn,
            opts=child(self),
        )

    def _subscription(self, name: str, email: str) -> aws.sns.TopicSubscription:
        # Named after a digest of the address, so reordering the list replaces nothing. The
        # person must confirm the first mail; until then AWS refuses to delete the pending
        # subscription (deleting the topic removes it).
        digest = hashlib.sha256(email.encode()).hexdigest()[:10]
        return aws.sns.TopicSubscription(
            f"{name}-alerts-email-{digest}", topic=self.topic.arn, protocol="email", endpoint=email, opts=child(self)
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
        return aws.sns.TopicPolicy(f"{name}-alerts-topic-policy", arn=self.topic.arn, policy=policy, opts=child(self))

    # Alarms. Every one notifies on ALARM and on OK, so the person knows when it is over.

    def _alarm(self, name: str, key: str, title: str, description: str, **args: Any) -> Alarm:
        # Names are stable (no thresholds in them: renaming replaces the alarm and loses its
        # history) and readable in the email subject: ALARM: "acme: service memory high".
        return aws.cloudwatch.MetricAlarm(
            f"{name}-alarm-{key}",
            name=alarm_names.alarm_name(name, title),
            alarm_description=f"{description} Dashboard: {alarm_names.dashboard_name(name)}.",
            alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn],
            opts=child(self),
            **args,
        )

    def _service_alarms(self, name: str, spec: AlertsSpec, service: ServiceMetrics) -> dict[str, Alarm]:
        ecs = {"ClusterName": service.cluster_name, "ServiceName": service.service_name}
        alb = {"LoadBalancer": service.load_balancer_arn_suffix, "TargetGroup": service.target_group_arn_suffix}
        minutes = spec.sustained_minutes
        sustained = {"period": PERIOD, "evaluation_periods": minutes, "datapoints_to_alarm": minutes}
        return {
            # Maximum is the busiest task (AWS/ECS service metrics): one leaking task dies
            # even while the average looks fine. No data means no running task, which the
            # task-count alarm reports: "missing" turns it INSUFFICIENT_DATA, mailing nobody
            # (an OK mail would claim memory recovered).
            "service-memory": self._alarm(
                name,
                "service-memory",
                alarm_names.SERVICE_MEMORY,
                f"A task of the {name} service has used over {spec.memory_percent} % of its memory limit for "
                f"{minutes} min; at 100 % ECS kills it (OutOfMemoryError). Check first: the memory graph "
                "(a steady climb since the last deploy is a leak), recent deploys, stopped tasks in the ECS "
                "service events. Relief: force a new deployment or raise service.memory.",
                namespace="AWS/ECS",
                metric_name="MemoryUtilization",
                dimensions=ecs,
                statistic="Maximum",
                threshold=spec.memory_percent,
                comparison_operator="GreaterThanThreshold",
                treat_missing_data="missing",
                **sustained,
            ),
            "service-memory-trend": self._memory_trend(name, spec, ecs),
            "service-cpu": self._alarm(
                name,
                "service-cpu",
                "service CPU high",
                f"The {name} service has averaged over {spec.cpu_percent} % CPU for {minutes} min: requests "
                "slow down and health checks may time out. Check first: request count and response time "
                "graphs (traffic spike or slow code?), whether autoscaling is at its max.",
                namespace="AWS/ECS",
                metric_name="CPUUtilization",
                dimensions=ecs,
                statistic="Average",
                threshold=spec.cpu_percent,
                comparison_operator="GreaterThanThreshold",
                treat_missing_data="missing",
                **sustained,
            ),
            "service-tasks": self._missing_tasks(name, spec, ecs),
            "http-5xx": self._error_rate(name, spec, alb),
            # Minimum over the minute: a target that flaps for a few seconds does not count.
            # Without registered targets ALB publishes nothing; the task alarm covers that.
            "unhealthy-targets": self._alarm(
                name,
                "unhealthy-targets",
                "unhealthy load balancer targets",
                f"The load balancer has judged at least one {name} task unhealthy for {minutes} min: its "
                "health check path fails or times out. Check first: the targets graph, the app log group, "
                "the health check path (it should not depend on the database).",
                namespace="AWS/ApplicationELB",
                metric_name="UnHealthyHostCount",
                dimensions=alb,
                statistic="Minimum",
                threshold=0,
                comparison_operator="GreaterThanThreshold",
                treat_missing_data="notBreaching",
                **sustained,
            ),
        }

    def _memory_trend(self, name: str, spec: AlertsSpec, ecs: Dimensions) -> Alarm:
        """Memory above its learned band for an hour: a slow leak, found before the threshold.

        CloudWatch anomaly detection learns the metric's normal daily and weekly shape (deploys
        resetting memory included) and ANOMALY_DETECTION_BAND draws a band
        ``memory_trend_band`` standard deviations wide around it. A leak pushes memory above
        the band while it is still far below ``memory_percent``; requiring every 5-minute
        point of an hour above the band keeps single spikes (a big report, a cache warm-up)
        from paging. The model trains for up to two weeks and keeps learning, so a leak slow
        enough to become the norm is left to the threshold alarm, the backstop.
        """
        return self._alarm(
            name,
            "service-memory-trend",
            "service memory trend",
            f"Memory of the {name} service has stayed above its usual band for an hour, though it may still "
            f"be under {spec.memory_percent} %: this is how a memory leak looks days before tasks are killed. "
            "Check first: the memory graph over the last days and which deploy the climb started with; "
            "plan a fix before the memory alarm fires.",
            # Both returned, as PutMetricAlarm requires for an anomaly detection alarm.
            metric_queries=[
                _query("memory", "AWS/ECS", "MemoryUtilization", ecs, "Maximum", period=TREND_PERIOD, returned=True),
                _expression("band", f"ANOMALY_DETECTION_BAND(memory, {spec.memory_trend_band})", "usual memory"),
            ],
            threshold_metric_id="band",
            comparison_operator="GreaterThanUpperThreshold",
            evaluation_periods=TREND_PERIODS,
            datapoints_to_alarm=TREND_PERIODS,
            # A gap (no running task) says nothing about a trend: keep the current state.
            treat_missing_data="ignore",
        )

    def _missing_tasks(self, name: str, spec: AlertsSpec, ecs: Dimensions) -> Alarm:
        # Desired minus running from Container Insights, so it follows autoscaling instead of
        # a fixed floor. Half of a double window: a crash loop that sometimes reaches the
        # count still alarms, one task being replaced does not. Missing data is breaching:
        # no task metrics means Container Insights is off or the service is gone.
        window = tasks_window_minutes(spec)
        return self._alarm(
            name,
            "service-tasks",
            alarm_names.SERVICE_TASKS,
            f"Fewer {name} tasks are running than ECS wants, for {spec.sustained_minutes} of the last {window} "
            "min: tasks crash, are OOM-killed, fail health checks or cannot start (image, secrets, capacity). "
            "Check first: ECS service events and the stopped reason of stopped tasks, the app log group, "
            "the tasks graph. No data also alarms: check that Container Insights is on.",
            metric_queries=[
                _query("desired", "ECS/ContainerInsights", "DesiredTaskCount", ecs, "Average"),
                _query("running", "ECS/ContainerInsights", "RunningTaskCount", ecs, "Average"),
                _expression("missing", "desired - FILL(running, 0)", "tasks missing"),
            ],
            threshold=0,
            comparison_operator="GreaterThanThreshold",
            evaluation_periods=window,
            datapoints_to_alarm=spec.sustained_minutes,
            treat_missing_data="breaching",
        )

    def _error_rate(self, name: str, spec: AlertsSpec, alb: Dimensions) -> Alarm:
        # ALB publishes no 5XX count in a minute without errors (FILL makes it 0) and no
        # request count without traffic: a quiet minute is a good minute (notBreaching).
        minutes = spec.sustained_minutes
        return self._alarm(
            name,
            "http-5xx",
            alarm_names.HTTP_5XX,
            f"Over {spec.http_5xx_percent} % of requests to the {name} app were answered with 5xx by the app "
            f"itself for {minutes} min. Check first: the app log group for exceptions, recent deploys, the "
            "database graphs (connections, CPU).",
            metric_queries=[
                _query("errors", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", alb, "Sum"),
                _query("requests", "AWS/ApplicationELB", "RequestCount", alb, "Sum"),
                _expression("rate", "100 * FILL(errors, 0) / requests", "5xx % of requests"),
            ],
            threshold=spec.http_5xx_percent,
            comparison_operator="GreaterThanThreshold",
            evaluation_periods=minutes,
            datapoints_to_alarm=minutes,
            treat_missing_data="notBreaching",
        )

    def _database_alarms(self, name: str, spec: AlertsSpec, database: DatabaseMetrics) -> dict[str, Alarm]:
        # RDS publishes every minute while the instance runs; a gap means it is stopped or
        # being replaced, which none of these alarms is about: gaps count neither way
        # ("missing": no data at all turns INSUFFICIENT_DATA, which mails nobody).
        rds = {"DBInstanceIdentifier": database.identifier}
        db = database
        minutes = spec.sustained_minutes
        sustained = {
            "namespace": "AWS/RDS",
            "dimensions": rds,
            "period": PERIOD,
            "evaluation_periods": minutes,
            "datapoints_to_alarm": minutes,
            "treat_missing_data": "missing",
        }
        # RDS sizes max_connections from DBInstanceClassMemory (below the nominal memory),
        # and PostgreSQL keeps some of it for superusers: the share is of what the app can use.
        max_connections = default_max_connections(db.engine, db.instance_class)
        usable = usable_connections(db.engine, db.instance_class)
        connections = spec.database_connections_percent * usable / 100
        # Storage autoscaling grows the disk when free space falls under 10 % of the
        # allocated size, so free space stays above 10 % of storage_gb while it works. With
        # the default 10 %, a share of storage_gb fires only when autoscaling cannot keep up
        # or max_storage_gb is reached. A share of max_storage_gb could exceed the whole disk
        # of a young database (20 of 200 GiB) and alarm from day one.
        free_bytes = spec.database_free_storage_percent * db.storage_gb * GIB / 100
        return {
            "db-cpu": self._alarm(
                name,
                "db-cpu",
                "database CPU high",
                f"The {name} database has used over {spec.database_cpu_percent} % CPU for {minutes} min; queries "
                "slow down. Check first: Performance Insights for the top queries, the request graph, whether "
                "a burstable class ran out of CPU credits.",
                metric_name="CPUUtilization",
                statistic="Average",
                threshold=spec.database_cpu_percent,
                comparison_operator="GreaterThanThreshold",
                **sustained,
            ),
            "db-storage": self._alarm(
                name,
                "db-storage",
                "database storage low",
                f"The {name} database has under {free_bytes / GIB:g} GiB free ({spec.database_free_storage_percent} % "
                f"of its initial {db.storage_gb} GiB): storage autoscaling cannot keep up or the disk reached "
                f"max_storage_gb={db.max_storage_gb}. A full disk stops all writes. Check first: the free storage "
                "graph, then raise database.max_storage_gb or delete data.",
                metric_name="FreeStorageSpace",
                statistic="Minimum",
                threshold=free_bytes,
                comparison_operator="LessThanThreshold",
                **sustained,
            ),
            "db-connections": self._alarm(
                name,
                "db-connections",
                "database connections high",
                f"The {name} database has had over {connections:g} connections ({spec.database_connections_percent} % "
                f"of the {usable} the app can open: max_connections on {db.instance_class} is about "
                f"{max_connections}) for {minutes} min; "
                "new connections will be refused. Check first: the tasks graph (every task opens its own pool), "
                "the app's pool size, long-running queries.",
                metric_name="DatabaseConnections",
                statistic="Maximum",
                threshold=connections,
                comparison_operator="GreaterThanThreshold",
                **sustained,
            ),
        }

    # Events that are not metrics: failed deployments and backups (see alert_rules).

    def _rule(self, name: str, key: str, alert: AlertRule) -> aws.cloudwatch.EventRule:
        rule = aws.cloudwatch.EventRule(
            f"{name}-alerts-{key}",
            description=alert.description,
            event_pattern=pulumi.Output.json_dumps(alert.pattern),
            opts=child(self),
        )
        aws.cloudwatch.EventTarget(
            f"{name}-alerts-{key}-to-topic",
            rule=rule.name,
            arn=self.topic.arn,
            input_transformer=aws.cloudwatch.EventTargetInputTransformerArgs(
                input_paths=alert.paths, input_template=alert.template
            ),
            opts=child(self),
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
            opts=child(self),
        )


def tasks_window_minutes(spec: AlertsSpec) -> int:
    """The tasks-missing alarm's window, the longest of the deployment alarms (ECS's bake time follows it)."""
    return 2 * spec.sustained_minutes


def _query(
    id: str,
    namespace: str,
    metric: str,
    dimensions: Dimensions,
    stat: str,
    period: int = PERIOD,
    returned: bool = False,
) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    """A metric of a metric-math alarm; by default only an input of the expression."""
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=id,
        return_data=returned,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            namespace=namespace, metric_name=metric, dimensions=dimensions, stat=stat, period=period
        ),
    )


def _expression(id: str, expression: str, label: str) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    """The metric-math expression whose value the alarm judges."""
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(id=id, expression=expression, label=label, return_data=True)
