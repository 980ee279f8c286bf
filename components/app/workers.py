"""Workers: services of the app's container that take no traffic (queue consumers, schedulers).

A worker runs on the client's cluster (or the platform's) with its own command and size, in
the background security group, which admits nothing: no load balancer, no listener rule, no
ingress rule. Deployments are guarded like the web service's (circuit breaker with rollback,
``pulumi up`` waits for steady state). While ``service.maintenance`` is on, a worker runs no
task (count and autoscaling bounds 0), so nothing writes to data being replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import pulumi
import pulumi_aws as aws

from ..core.component import Component
from ..facts import tags
from ..spec.lifecycle import WorkerScalingSpec, WorkerSpec

if TYPE_CHECKING:
    from .service import Service

MEMORY_METRIC = "ECSServiceAverageMemoryUtilization"
CPU_METRIC = "ECSServiceAverageCPUUtilization"


def stream_prefix(worker: str) -> str:
    """The worker's log stream prefix in the app's log group: ``worker-<name>/app/<task id>``."""
    return f"worker-{worker}"


def background_security_group(name: str, vpc_id: pulumi.Input[str], parent: pulumi.Resource) -> aws.ec2.SecurityGroup:
    """The group of jobs and workers: no ingress rule at all; egress to anywhere (APIs, the database)."""
    group = aws.ec2.SecurityGroup(
        f"{name}-background-sg",
        vpc_id=vpc_id,
        description="Jobs and workers: no inbound traffic",
        opts=pulumi.ResourceOptions(parent=parent),
    )
    aws.vpc.SecurityGroupEgressRule(
        f"{name}-background-out",
        security_group_id=group.id,
        ip_protocol="-1",
        cidr_ipv4="0.0.0.0/0",
        description="jobs and workers egress",
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return group


class Worker(Component):
    """One background service: the app's container with its own command, no load balancer."""

    type_token = "crane:index:Worker"

    cluster_name: pulumi.Output[str]
    service_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        worker: str,
        spec: WorkerSpec,
        service: Service,
        *,
        subnets: pulumi.Input[Sequence[pulumi.Input[str]]],
        assign_public_ip: pulumi.Input[bool],
        security_group_ids: Sequence[pulumi.Input[str]],
        default_size: tuple[int, int],
        maintenance: bool = False,
        wait_for_steady_state: bool = True,
        ready: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``name``: the client stack's base name; ``worker``: the worker's name in the spec."""
        key = f"{name}-worker-{worker}"
        super().__init__(key, opts=opts)
        self.worker = worker
        self.definition = service.task_definition_for(
            f"{key}-task",
            key,
            cpu=spec.cpu or default_size[0],
            memory=spec.memory or default_size[1],
            command=spec.command,
            stream_prefix=stream_prefix(worker),
            parent=self,
            image=spec.image,
        )
        count = 0 if maintenance else spec.count
        self.service = aws.ecs.Service(
            f"{key}-service",
            cluster=service.cluster_arn,
            task_definition=self.definition.arn,
            desired_count=count,
            launch_type="FARGATE",
            platform_version="LATEST",
            network_configuration={
                "subnets": subnets,
                "security_groups": list(security_group_ids),
                "assign_public_ip": assign_public_ip,
            },
            availability_zone_rebalancing="ENABLED",
            # A new revision starts beside the old tasks; one whose tasks keep failing is
            # stopped and rolled back to the last revision that reached steady state.
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            deployment_circuit_breaker={"enable": True, "rollback": True},
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            # The day-two commands look for the web service by the client's tags; this one is not it.
            tags={tags.WORKER: worker},
            wait_for_steady_state=wait_for_steady_state,
            opts=self.child(depends_on=list(ready), ignore_changes=["desired_count"] if spec.autoscaling else None),
        )
        self.cluster_name = pulumi.Output.from_input(service.cluster_name)
        self.service_name = self.service.name
        if spec.autoscaling:
            self._autoscaling(key, spec.autoscaling, maintenance)
        self.publish({"service_name": self.service_name, "family": self.definition.family})

    def _autoscaling(self, key: str, scaling: WorkerScalingSpec, maintenance: bool) -> None:
        # During maintenance the bounds are 0..0: Application Auto Scaling itself scales the
        # worker in, and no policy can start a task until maintenance is off.
        target = aws.appautoscaling.Target(
            f"{key}-scaling",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.format("service/{0}/{1}", self.cluster_name, self.service.name),
            min_capacity=0 if maintenance else scaling.min,
            max_capacity=0 if maintenance else scaling.max,
            opts=self.child(),
        )
        tracking: dict[str, dict[str, Any]] = {}
        for suffix, metric, percent in (
            ("cpu", CPU_METRIC, scaling.cpu_percent),
            ("memory", MEMORY_METRIC, scaling.memory_percent),
        ):
            if percent is not None:
                tracking[suffix] = {
                    "predefined_metric_specification": {"predefined_metric_type": metric},
                    "target_value": percent,
                }
        if scaling.queue:
            tracking["queue"] = {
                "customized_metric_specification": self._backlog(scaling.queue),
                "target_value": scaling.messages_per_task,
            }
        for suffix, configuration in tracking.items():
            aws.appautoscaling.Policy(
                f"{key}-scale-{suffix}",
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                # Scale out fast, scale in slowly.
                target_tracking_scaling_policy_configuration=cast(
                    Any, {**configuration, "scale_out_cooldown": 60, "scale_in_cooldown": 300}
                ),
                opts=self.child(),
            )

    def _backlog(self, queue: str) -> dict[str, Any]:
        """Visible messages per running task (AWS's "backlog per task" pattern), as metric math.

        With no task running the backlog itself is the value, so a worker at 0 scales out as
        soon as messages wait.
        """
        ecs = [{"name": "ClusterName", "value": self.cluster_name}, {"name": "ServiceName", "value": self.service.name}]
        return {
            "metrics": [
                {
                    "id": "visible",
                    "return_data": False,
                    "metric_stat": {
                        "metric": {
                            "namespace": "AWS/SQS",
                            "metric_name": "ApproximateNumberOfMessagesVisible",
                            "dimensions": [{"name": "QueueName", "value": queue}],
                        },
                        "stat": "Sum",
                    },
                },
                {
                    "id": "running",
                    "return_data": False,
                    "metric_stat": {
                        "metric": {
                            "namespace": "ECS/ContainerInsights",
                            "metric_name": "RunningTaskCount",
                            "dimensions": ecs,
                        },
                        "stat": "Average",
                    },
                },
                {
                    "id": "backlog",
                    "expression": "IF(running > 0, visible / running, visible)",
                    "label": "messages per task",
                    "return_data": True,
                },
            ]
        }
