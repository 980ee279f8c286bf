"""The client's stateless web app: ECS Fargate tasks in private subnets behind a public ALB."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from ..core.component import STANDALONE, Component, Protection
from ..core.contracts import DataLink, NetworkLike
from ..core.iam import where
from ..ingress import own_load_balancer as own
from ..ingress import platform_route as shared
from ..ingress.own_load_balancer import (
    TLS_POLICY as TLS_POLICY,  # re-exported: crane_it.app.service.TLS_POLICY is public
)
from ..keys.log_key import log_key_arn_for
from ..network.vpc import task_placement
from ..spec.service import AutoscalingSpec, ServiceSpec
from . import exec_access
from . import image as images
from .container import CONTAINER, container_definition, merge_variables, scratch_volumes
from .release import LOG_STREAM_PREFIX as RELEASE_PREFIX
from .release import Release
from .rollout import rollout_timeouts
from .task_iam import execution_policy, execution_trust, task_policy, task_trust


class Service(Component):
    """An app that survives task, deploy and AZ failures, with nothing writable but scratch space.

    The load balancer has deletion protection (clients point their DNS at it, so losing it
    is an outage) unless ``protection.retiring``; `pulumi up` waits for each rollout (``rollout``).
    """

    type_token = "crane:index:Service"

    url: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    service_name: pulumi.Output[str]
    task_security_group_id: pulumi.Output[str]
    load_balancer_arn_suffix: pulumi.Output[str]
    target_group_arn_suffix: pulumi.Output[str]
    log_group_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        spec: ServiceSpec,
        network: NetworkLike,
        *,
        links: Sequence[DataLink] = (),
        deployment_alarms: Sequence[str] = (),
        deployment_alarm_minutes: int = 0,
        ingress: shared.SharedIngress | None = None,
        access_logs_bucket: pulumi.Input[str] | None = None,
        admit: Sequence[Callable[[pulumi.Input[str]], pulumi.Resource]] = (),
        protection: Protection = STANDALONE,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``links``: what the app uses (``Bucket.link``, ``Database.link``), granted to its roles.
        ``deployment_alarms``: alarm names that roll back a deployment firing them, watched for
        ``deployment_alarm_minutes`` after it. ``ingress``: run on a platform's cluster behind its
        load balancer instead of our own. ``protection``: ``retiring`` drops the load balancer's
        deletion protection; ``log_key_arn`` encrypts the app's logs (log_key.py). ``admit``:
        functions that let the task security group reach a data resource (``Database.admit``),
        called once the group exists; a release waits for the rules they return."""
        super().__init__(name, protection=protection, opts=opts)
        self.spec = spec
        self._access_logs_bucket = access_logs_bucket  # opt-in ALB access logs (access_logs.py)
        self._links = tuple(links)
        self._deployment_alarms = tuple(deployment_alarms)
        self._bake_minutes = deployment_alarm_minutes  # the longest window of those alarms
        self._grants: list[pulumi.Resource] = []  # the role policies a task needs before it starts
        here = where(self)
        self._account, self._partition, self._region = here.account, here.partition, here.region

        self.repository, self.image = self._image(name, spec)  # first: checks the build context
        self.log_group = self._log_group(name, spec)
        self.exec_key: aws.kms.Key | None = None
        self.exec_log_group: aws.cloudwatch.LogGroup | None = None
        if spec.exec:
            self.exec_key, self.exec_log_group = self._exec_sessions(name)
        self.execution_role = self._execution_role(name, spec)
        self.task_role = self._task_role(name)
        self.task_definition = self._task_definition(name, spec)
        if ingress is None:
            self.cluster = self._cluster(name)
            self.cluster_arn, self.cluster_name = self.cluster.arn, self.cluster.name
            self.load_balancer_security_group, self.task_security_group = own.security_groups(name, spec, network, self)
            self.load_balancer = own.load_balancer(
                name,
                network,
                self.load_balancer_security_group.id,
                self,
                deletion_protection=not self.retiring,
                access_logs_bucket=self._access_logs_bucket,
            )
            self.load_balancer_arn_suffix = self.load_balancer.arn_suffix
        else:
            self.cluster_arn = pulumi.Output.from_input(ingress.cluster_arn)
            self.cluster_name = pulumi.Output.from_input(ingress.cluster_name)
            self.task_security_group = shared.task_security_group(
                name, spec.port, network.vpc_id, ingress.load_balancer_security_group_id, self
            )
            self.load_balancer_arn_suffix = pulumi.Output.from_input(ingress.load_balancer_arn_suffix)
        self.admitted = [let_in(self.task_security_group.id) for let_in in admit]
        self.target_group = own.target_group(name, spec, network, self)
        self.certificate_arn, self.certificate_validation_record = own.certificate(name, spec, self)
        self.listeners = (
            own.listeners(name, spec, self.load_balancer, self.target_group, self.certificate_arn, self)
            if ingress is None
            else shared.listener_rule(name, spec, ingress, self.target_group, self.certificate_arn, self)
        )
        self.release = self._release(name, spec, network) if spec.release else None
        self.service = self._service(name, spec, network)
        if spec.autoscaling:
            self._autoscaling(name, spec.autoscaling)

        self.url = self._url(spec)
        self.service_name = self.service.name
        self.task_security_group_id = self.task_security_group.id
        self.target_group_arn_suffix = self.target_group.arn_suffix
        self.log_group_name = self.log_group.name
        outputs: dict[str, pulumi.Input[Any]] = {
            "url": self.url,
            "cluster_name": self.cluster_name,
            "service_name": self.service_name,
            "task_security_group_id": self.task_security_group_id,
            "load_balancer_arn_suffix": self.load_balancer_arn_suffix,
            "target_group_arn_suffix": self.target_group_arn_suffix,
            "log_group_name": self.log_group_name,
            "image": self.image,
        }
        if self.certificate_validation_record is not None:
            outputs["certificate_validation_record"] = self.certificate_validation_record
        self.publish(outputs)

    def _log_group(self, name: str, spec: ServiceSpec) -> aws.cloudwatch.LogGroup:
        return aws.cloudwatch.LogGroup(
            f"{name}-app-logs",
            retention_in_days=spec.log_retention_days,
            kms_key_id=log_key_arn_for(name, self),
            opts=self.child(),
        )

    def _exec_sessions(self, name: str) -> tuple[aws.kms.Key, aws.cloudwatch.LogGroup]:
        key = exec_access.session_key(name, self._partition, self._region, self._account, parent=self)
        return key, exec_access.session_log_group(name, key, parent=self)

    def _image(self, name: str, spec: ServiceSpec) -> tuple[aws.ecr.Repository | None, pulumi.Output[str]]:
        if spec.build is None:
            return None, pulumi.Output.from_input(spec.image or "")
        platform = images.PLATFORMS[spec.architecture]
        tag = images.context_tag(spec.build, platform)  # raises before any resource if the context is missing
        repository = images.ecr_repository(name, parent=self)
        built = images.build_image(name, spec.build, platform, tag, repository, parent=self)
        # The tag follows the content and cannot be overwritten, so the name is as exact as a
        # digest, is known at preview, and changes the task definition only when code changes.
        return repository, built.image_name

    def _execution_role(self, name: str, spec: ServiceSpec) -> aws.iam.Role:
        # No AmazonECSTaskExecutionRolePolicy: it reads every repository and log group in the
        # account. This role may write this app's logs, pull its image, read its secrets.
        role = aws.iam.Role(f"{name}-execution", assume_role_policy=execution_trust(), opts=self.child())
        repository_arn = self.repository.arn if self.repository else images.ecr_repository_arn(spec.image or "")
        self._grants.append(
            aws.iam.RolePolicy(
                f"{name}-execution",
                role=role.id,
                policy=execution_policy(self.log_group.arn, repository_arn, self._secrets(), self._links),
                opts=self.child(),
            )
        )
        return role

    def _task_role(self, name: str) -> aws.iam.Role:
        # What the app itself may call: only what its links grant; no policy at all otherwise.
        role = aws.iam.Role(
            f"{name}-task",
            assume_role_policy=task_trust(self._account, self._region, self._partition),
            opts=self.child(),
        )
        extra = (
            exec_access.task_statements(self.exec_log_group.arn, self.exec_key.arn)
            if self.exec_log_group is not None and self.exec_key is not None
            else []
        )
        policy = task_policy(self._links, extra)
        if policy is not None:
            self._grants.append(aws.iam.RolePolicy(f"{name}-task", role=role.id, policy=policy, opts=self.child()))
        return role

    def _environment(self) -> dict[str, pulumi.Input[str]]:
        return merge_variables("environment", self.spec.environment, [link.environment for link in self._links])

    def _secrets(self) -> dict[str, pulumi.Input[str]]:
        return merge_variables("secrets", self.spec.secrets, [link.secrets for link in self._links])

    def _task_definition(self, name: str, spec: ServiceSpec) -> aws.ecs.TaskDefinition:
        # Scratch paths are task-local bind volumes on Fargate ephemeral storage: writable,
        # gone with the task, never shared. Everything else in the container is read-only.
        volumes = scratch_volumes([*spec.scratch_paths, *(exec_access.AGENT_PATHS if spec.exec else ())])
        container = container_definition(
            spec, self.image, volumes, self.log_group.name, self._region, self._environment(), self._secrets()
        )
        return self._definition(f"{name}-task", f"{name}-app", spec.cpu, spec.memory, volumes, container, self)

    def _definition(
        self,
        resource_name: str,
        family: str,
        cpu: int,
        memory: int,
        volumes: dict[str, str],
        container: dict[str, Any],
        parent: pulumi.Resource,
    ) -> aws.ecs.TaskDefinition:
        return aws.ecs.TaskDefinition(
            resource_name,
            family=family,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(cpu),
            memory=str(memory),
            runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": self.spec.architecture.upper()},
            execution_role_arn=self.execution_role.arn,
            task_role_arn=self.task_role.arn,
            volumes=[{"name": volume} for volume in volumes.values()],
            container_definitions=pulumi.Output.json_dumps([container]),
            # Keep replaced revisions registered: the circuit breaker rolls back to the last
            # good revision, and ECS cannot start a deployment on a deregistered one.
            skip_destroy=True,
            # IAM is eventually consistent and the role ARN exists before its policy: a new
            # revision (a first deploy, a reset's new secret) waits for the grants it needs,
            # or its first tasks fail with ResourceInitializationError.
            opts=pulumi.ResourceOptions(parent=parent, depends_on=self._grants),
        )

    def _cluster(self, name: str) -> aws.ecs.Cluster:
        # `enhanced` keeps every cluster and service metric of `enabled` (the alarms use them)
        # and adds per-task and per-container ones, which is what finds the one task that
        # leaks memory or restarts. Its cost grows with the task count: small for a few tasks.
        configuration = (
            exec_access.cluster_configuration(self.exec_log_group.name, self.exec_key.arn)
            if self.exec_log_group is not None and self.exec_key is not None
            else None
        )
        return aws.ecs.Cluster(
            f"{name}-cluster",
            settings=[{"name": "containerInsights", "value": "enhanced"}],
            configuration=configuration,
            opts=self.child(),
        )

    def _service(self, name: str, spec: ServiceSpec, network: NetworkLike) -> aws.ecs.Service:
        # With autoscaling, the scaler owns desired_count: ignoring it keeps `pulumi up` from
        # resetting a scaled-out service to the spec's count in the middle of a traffic peak.
        ignore = ["desired_count"] if spec.autoscaling else None
        return aws.ecs.Service(
            f"{name}-service",
            cluster=self.cluster_arn,
            task_definition=self.task_definition.arn,
            desired_count=spec.desired_count,
            launch_type="FARGATE",
            platform_version="LATEST",
            # Fargate spreads tasks across the AZs of the given subnets by itself (placement
            # strategies are not supported on Fargate); rebalancing restores the spread after
            # an AZ recovers.
            network_configuration={
                "subnets": task_placement(network)[0],
                "security_groups": [self.task_security_group.id],
                "assign_public_ip": task_placement(network)[1],
            },
            availability_zone_rebalancing="ENABLED",
            load_balancers=[
                {
                    "target_group_arn": self.target_group.arn,
                    "container_name": CONTAINER,
                    "container_port": spec.port,
                }
            ],
            health_check_grace_period_seconds=spec.health_check.grace_period_seconds,
            # New tasks come up beside the old ones (100/200 %); a deployment whose tasks keep
            # failing is stopped and rolled back to the last one that reached steady state.
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            deployment_circuit_breaker={"enable": True, "rollback": True},
            # The alarms roll back a deployment that fires them while it rolls out and in the
            # bake time ECS derives from their periods. Names, not the alarms' outputs: the
            # alarms are keyed by this service's name (see alarm_names).
            alarms=(
                {"alarm_names": list(self._deployment_alarms), "enable": True, "rollback": True}
                if self._deployment_alarms
                else None
            ),
            enable_execute_command=spec.exec,
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            # `pulumi up` returns when the rollout is done or rolled back (see rollout.py).
            wait_for_steady_state=spec.wait_for_steady_state,
            # ECS refuses a target group that is not attached to a load balancer yet, and tasks
            # need their way out (NAT, or the internet gateway with `nat: none`) to pull the
            # image and read their secrets.
            opts=self.child(
                depends_on=[
                    *self.listeners,
                    *network.private_routes,
                    *network.public_routes,
                    *([self.release.invocation] if self.release else []),
                ],
                ignore_changes=ignore,
                custom_timeouts=rollout_timeouts(spec, self._bake_minutes if self._deployment_alarms else 0),
            ),
        )

    def _release(self, name: str, spec: ServiceSpec, network: NetworkLike) -> Release:
        # The release runs the new revision's container before the service is updated to it
        # (see release.py): the service depends on the invocation.
        assert spec.release is not None
        release = spec.release
        subnets, public = task_placement(network)
        definition = self.task_definition_for(
            f"{name}-release-task",
            f"{name}-release",
            cpu=release.cpu or spec.cpu,
            memory=release.memory or spec.memory,
            command=release.command,
            stream_prefix=RELEASE_PREFIX,
            parent=self,
        )
        given = self.protection.log_key_arn
        return Release(
            name,
            release,
            revision_arn=self.task_definition.arn,
            task_definition=definition,
            cluster_arn=self.cluster_arn,
            subnets=subnets,
            assign_public_ip=public,
            security_group_ids=[self.task_security_group.id],
            app_log_group=self.log_group,
            pass_roles=[self.execution_role.arn, self.task_role.arn],
            # The client's log key itself when given, so the group waits for the key's policy.
            log_key_arn=given if given is not None else self.log_group.kms_key_id,
            log_retention_days=spec.log_retention_days,
            ready=[*network.private_routes, *network.public_routes, *self.admitted],
            opts=self.child(),
        )

    def task_definition_for(
        self,
        resource_name: str,
        family: str,
        *,
        cpu: int,
        memory: int,
        command: Sequence[str],
        stream_prefix: str,
        parent: pulumi.Resource,
        image: str | None = None,
    ) -> aws.ecs.TaskDefinition:
        """A task definition of the app's container for a release, job or worker.

        Same image (unless ``image``), environment, secrets, roles, scratch paths and log group
        as the app, so it changes with the app's revision; its own size, command and log
        stream prefix, and no port: nothing routes to it. ``parent``: the component it belongs to.
        """
        volumes = scratch_volumes([*self.spec.scratch_paths, *(exec_access.AGENT_PATHS if self.spec.exec else ())])
        container = container_definition(
            self.spec,
            image or self.image,
            volumes,
            self.log_group.name,
            self._region,
            self._environment(),
            self._secrets(),
            memory=memory,
            command=command,
            serves=False,
            stream_prefix=stream_prefix,
        )
        return self._definition(resource_name, family, cpu, memory, volumes, container, parent)

    def _autoscaling(self, name: str, scaling: AutoscalingSpec) -> None:
        target = aws.appautoscaling.Target(
            f"{name}-scaling",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.format("service/{0}/{1}", self.cluster_name, self.service.name),
            min_capacity=scaling.min,
            max_capacity=scaling.max,
            opts=self.child(),
        )
        metrics = {
            "cpu": ("ECSServiceAverageCPUUtilization", scaling.cpu_percent),
            "memory": ("ECSServiceAverageMemoryUtilization", scaling.memory_percent),
        }
        for suffix, (metric, percent) in metrics.items():
            if percent is None:
                continue
            aws.appautoscaling.Policy(
                f"{name}-scale-{suffix}",
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration={
                    "predefined_metric_specification": {"predefined_metric_type": metric},
                    "target_value": percent,
                    # Scale out fast, scale in slowly: a flapping service drops connections.
                    "scale_out_cooldown": 60,
                    "scale_in_cooldown": 300,
                },
                opts=self.child(),
            )

    def _url(self, spec: ServiceSpec) -> pulumi.Output[str]:
        if spec.domain:
            return pulumi.Output.from_input(f"https://{spec.domain}")
        # With certificate_arn the client points their own name (covered by it) at the ALB.
        scheme = "https" if spec.https else "http"
        return pulumi.Output.concat(f"{scheme}://", self.load_balancer.dns_name)
