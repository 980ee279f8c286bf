"""The release: a command run once per new task definition revision, before it takes traffic.

The mechanism is an ``aws.lambda_.Invocation`` of a small function
(:mod:`crane_it.app.release_function`) that the service depends on: ``pulumi up`` registers
the new revision, invokes the function synchronously, and updates the service only when the
release task exited 0. Why this and not an ECS deployment lifecycle hook (``PRE_SCALE_UP``):

- AWS documents the lifecycle stages in terms of a blue and a green service revision (ECS
  API reference, ``DeploymentLifecycleHook.lifecycleStages``; developer guide, "Lifecycle
  hooks for Amazon ECS service deployments"), i.e. for the BLUE_GREEN, LINEAR and CANARY
  strategies. Our service rolls (ROLLING, with the circuit breaker and alarm rollback), and
  moving it to BLUE_GREEN needs a second target group, listener *rules* to shift (the own
  load balancer routes by default action) and a role that rewrites them.
- A failed hook fails the ECS deployment; ``pulumi up`` then reports only that the service
  did not reach a steady state, not the release's exit code and output. A failed Invocation
  fails ``up`` with the function's error: the exit code and the last log lines.
- It holds for a hand-run ``pulumi up``: it is part of the program, not of a crane command.

The Invocation is created (so the function runs) only when it is new or replaced: its
``triggers`` carry the app's revision, the release's own revision and the command, so a
new revision runs the release once, and an ``up`` that changes nothing runs nothing. Lambda
allows 15 minutes, hence ``ReleaseSpec.timeout_seconds`` <= 840.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources

import pulumi
import pulumi_aws as aws

from ..core.component import Component
from ..core.iam import policy_document, where
from ..spec.lifecycle import ReleaseSpec
from . import release_function

LOG_STREAM_PREFIX = "release"
"""The release task's log stream prefix in the app's log group: ``release/app/<task id>``."""
RUNTIME = "python3.12"
FUNCTION_MARGIN_SECONDS = 60
"""The function outlives the release timeout by this much, to stop the task and record the run."""


def parameter_names(name: str) -> tuple[str, str]:
    """The SSM parameters of client stack ``name``'s release: (lock, run record)."""
    return f"/crane/{name}/release/lock", f"/crane/{name}/release/runs"


def function_code() -> pulumi.AssetArchive:
    """The function's package: the one module, read from crane_it's own package data."""
    source = resources.files(release_function.__package__ or "crane_it.app").joinpath("release_function.py")
    return pulumi.AssetArchive({"release_function.py": pulumi.StringAsset(source.read_text(encoding="utf-8"))})


class Release(Component):
    """The release function, its role and log group, and the invocation the service waits for."""

    type_token = "crane:index:Release"

    invocation: aws.lambda_.Invocation

    def __init__(
        self,
        name: str,
        spec: ReleaseSpec,
        *,
        revision_arn: pulumi.Input[str],
        task_definition: aws.ecs.TaskDefinition,
        cluster_arn: pulumi.Input[str],
        subnets: pulumi.Input[Sequence[pulumi.Input[str]]],
        assign_public_ip: pulumi.Input[bool],
        security_group_ids: Sequence[pulumi.Input[str]],
        app_log_group: aws.cloudwatch.LogGroup,
        pass_roles: Sequence[pulumi.Input[str]],
        log_key_arn: pulumi.Input[str | None],
        log_retention_days: int,
        ready: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``revision_arn``: the app's new task definition revision (what the run is recorded
        under); ``task_definition``: the release's own (same container, its size and log
        prefix); ``ready``: what the task needs first (routes out, database ingress)."""
        super().__init__(name, opts=opts)
        here = where(self)
        self._lock, self._record = parameter_names(name)
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-release-fn-logs", retention_in_days=log_retention_days, kms_key_id=log_key_arn, opts=self.child()
        )
        self.role = aws.iam.Role(
            f"{name}-release-fn",
            assume_role_policy=pulumi.Output.json_dumps(
                policy_document(
                    [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ]
                )
            ),
            opts=self.child(),
        )
        parameters = [
            pulumi.Output.format("arn:{0}:ssm:{1}:{2}:parameter{3}", here.partition, here.region, here.account, p)
            for p in (self._lock, self._record)
        ]
        family = task_definition.family
        cluster_name = pulumi.Output.from_input(cluster_arn).apply(lambda arn: arn.rsplit("/", 1)[-1])
        statements = [
            {
                "Sid": "RunTheReleaseTask",
                "Effect": "Allow",
                "Action": "ecs:RunTask",
                "Resource": pulumi.Output.format(
                    "arn:{0}:ecs:{1}:{2}:task-definition/{3}:*", here.partition, here.region, here.account, family
                ),
                "Condition": {"ArnEquals": {"ecs:cluster": cluster_arn}},
            },
            {
                "Sid": "WatchAndStopIt",
                "Effect": "Allow",
                "Action": ["ecs:DescribeTasks", "ecs:StopTask"],
                "Resource": pulumi.Output.format(
                    "arn:{0}:ecs:{1}:{2}:task/{3}/*", here.partition, here.region, here.account, cluster_name
                ),
            },
            {
                # RunTask propagates the task definition's tags: tagging on create needs this.
                "Sid": "TagItOnStart",
                "Effect": "Allow",
                "Action": "ecs:TagResource",
                "Resource": pulumi.Output.format(
                    "arn:{0}:ecs:{1}:{2}:task/{3}/*", here.partition, here.region, here.account, cluster_name
                ),
                "Condition": {"StringEquals": {"ecs:CreateAction": "RunTask"}},
            },
            {
                "Sid": "PassTheTaskRoles",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": list(pass_roles),
                "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            },
            {
                "Sid": "LockAndRecord",
                "Effect": "Allow",
                "Action": ["ssm:GetParameter", "ssm:PutParameter", "ssm:DeleteParameter"],
                "Resource": parameters,
            },
            {
                "Sid": "ReadTheReleaseLog",
                "Effect": "Allow",
                "Action": "logs:GetLogEvents",
                "Resource": pulumi.Output.concat(app_log_group.arn, f":log-stream:{LOG_STREAM_PREFIX}/*"),
            },
            {
                "Sid": "WriteOwnLog",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": pulumi.Output.concat(self.log_group.arn, ":log-stream:*"),
            },
        ]
        grant = aws.iam.RolePolicy(
            f"{name}-release-fn",
            role=self.role.id,
            policy=pulumi.Output.json_dumps(policy_document(statements)),
            opts=self.child(),
        )
        self.function = aws.lambda_.Function(
            f"{name}-release",
            description=f"Runs the {name} release task before a new revision takes traffic (crane-it)",
            runtime=RUNTIME,
            handler="release_function.handler",
            code=function_code(),
            role=self.role.arn,
            timeout=spec.timeout_seconds + FUNCTION_MARGIN_SECONDS,
            memory_size=128,
            logging_config={"log_format": "Text", "log_group": self.log_group.name},
            opts=self.child(depends_on=[grant]),
        )
        request = {
            "cluster": cluster_arn,
            "taskDefinition": task_definition.arn,
            "revision": revision_arn,
            "command": list(spec.command),
            "subnets": subnets,
            "securityGroups": list(security_group_ids),
            "assignPublicIp": pulumi.Output.from_input(assign_public_ip).apply(
                lambda public: "ENABLED" if public else "DISABLED"
            ),
            "timeoutSeconds": spec.timeout_seconds,
            "logGroup": app_log_group.name,
            "logStreamPrefix": LOG_STREAM_PREFIX,
            "lockParameter": self._lock,
            "recordParameter": self._record,
        }
        # CREATE_ONLY (the default): invoked when created or replaced, i.e. when a trigger or
        # the input changes. Not `CRUD`, which would also invoke it on destroy.
        self.invocation = aws.lambda_.Invocation(
            f"{name}-release-run",
            function_name=self.function.name,
            input=pulumi.Output.json_dumps(request),
            triggers={"revision": revision_arn, "release": task_definition.arn, "command": json.dumps(spec.command)},
            opts=self.child(depends_on=[*ready, self.function]),
        )
        self.publish(
            {
                "function_name": self.function.name,
                "record_parameter": self._record,
                "result": self.invocation.result,
            }
        )
