"""A new deployment of the app each time RDS rotates the database's managed password.

ECS reads ``DB_PASSWORD`` from the managed secret only when a task starts. RDS rotates that
secret every 7 days and changes the password on the instance at the same moment, so an
app that opens a connection per request (a stock Django app) fails every request from then
until its tasks restart. Here the rotation starts that restart.

Why a state machine: an EventBridge *rule* cannot call ECS UpdateService. Its ECS target
only runs new tasks (RunTask); the universal ``aws-sdk`` targets belong to EventBridge
*Scheduler*, not to rules; API destinations call HTTP endpoints with API-key, basic or OAuth
auth, not SigV4. A one-step Step Functions state machine with the ``aws-sdk:ecs:updateService``
integration is the direct integration AWS offers: no function code to write or patch. A
rotation costs two state transitions (USD 0.00005).

What a real rotation does, minute by minute (RDS-managed rotation, a rolling deployment):
- 0:00 RDS sets a new master password and marks it AWSCURRENT. Open connections stay
  open; each new connection with the old password is refused.
- 0:00-~0:05 Secrets Manager's RotationSucceeded reaches EventBridge through CloudTrail
  (service events need no trail; delivery is best effort, usually within a minute or two);
  the rule starts the state machine, which calls UpdateService(forceNewDeployment).
- then ECS starts new tasks (image pull, secret read with the new password), waits for the
  load balancer's health checks, and drains the old tasks: one to a few minutes.
So requests that open a new connection fail for roughly the event delay plus one
deployment (about 2-8 minutes) once a week, instead of until the next deploy. Apps that
keep connections open (Django ``CONN_MAX_AGE``) only lose the connections that break.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ..core.component import Component
from ..core.iam import policy_document, where

UPDATE_SERVICE = "arn:aws:states:::aws-sdk:ecs:updateService"
"""Step Functions' AWS SDK integration for ECS UpdateService (its ``Resource`` form)."""


def rotation_pattern(secret_arn: pulumi.Input[str]) -> pulumi.Output[dict[str, object]]:
    """The EventBridge pattern of a successful rotation of ``secret_arn`` (Secrets Manager user
    guide, "Match events when a secret value rotates": a CloudTrail service event)."""
    return pulumi.Output.from_input(secret_arn).apply(
        lambda arn: {
            "source": ["aws.secretsmanager"],
            "detail-type": ["AWS Service Event via CloudTrail"],
            "detail": {
                "eventSource": ["secretsmanager.amazonaws.com"],
                "eventName": ["RotationSucceeded"],
                "additionalEventData": {"SecretId": [arn]},
            },
        }
    )


def state_machine_definition(cluster: str, service: str) -> str:
    """One task: force a new deployment of ``service`` in ``cluster`` (names or ARNs)."""
    return json.dumps(
        {
            "Comment": "Restart the app's tasks so they read the rotated database password",
            "StartAt": "ForceNewDeployment",
            "States": {
                "ForceNewDeployment": {
                    "Type": "Task",
                    "Resource": UPDATE_SERVICE,
                    "Parameters": {"Cluster": cluster, "Service": service, "ForceNewDeployment": True},
                    "End": True,
                }
            },
        }
    )


class RotationRollout(Component):
    """A rule on the rotation of the database secret, starting a new deployment of the service."""

    type_token = "crane:index:RotationRollout"

    def __init__(
        self,
        name: str,
        secret_arn: pulumi.Input[str],
        cluster_name: pulumi.Input[str],
        service_name: pulumi.Input[str],
        *,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(name, opts=opts)
        place = where(self)
        service_arn = pulumi.Output.format(
            "arn:{0}:ecs:{1}:{2}:service/{3}/{4}",
            place.partition,
            place.region,
            place.account,
            cluster_name,
            service_name,
        )
        self.state_machine = self._state_machine(name, cluster_name, service_name, service_arn)
        self.rule = self._rule(name, secret_arn)
        self._target(name)
        self.publish({"rule_name": self.rule.name, "state_machine_arn": self.state_machine.arn})

    def _role(self, name: str, service: str, statements: list[dict[str, object]]) -> aws.iam.Role:
        trust = policy_document([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}])
        role = aws.iam.Role(name, assume_role_policy=pulumi.Output.json_dumps(trust), opts=self.child())
        aws.iam.RolePolicy(
            name, role=role.id, policy=pulumi.Output.json_dumps(policy_document(statements)), opts=self.child()
        )
        return role

    def _state_machine(
        self,
        name: str,
        cluster_name: pulumi.Input[str],
        service_name: pulumi.Input[str],
        service_arn: pulumi.Output[str],
    ) -> aws.sfn.StateMachine:
        # UpdateService on this one service, nothing else: no iam:PassRole is needed, since
        # forceNewDeployment keeps the task definition (and so its roles) as it is.
        role = self._role(
            f"{name}-db-rotation-sfn",
            "states.amazonaws.com",
            [{"Sid": "RestartThisService", "Effect": "Allow", "Action": "ecs:UpdateService", "Resource": service_arn}],
        )
        definition = pulumi.Output.all(cluster_name, service_name).apply(
            lambda names: state_machine_definition(names[0], names[1])
        )
        return aws.sfn.StateMachine(f"{name}-db-rotation", role_arn=role.arn, definition=definition, opts=self.child())

    def _rule(self, name: str, secret_arn: pulumi.Input[str]) -> aws.cloudwatch.EventRule:
        return aws.cloudwatch.EventRule(
            f"{name}-db-rotation",
            description=f"{name}: the database password rotated; restart the app's tasks",
            event_pattern=pulumi.Output.json_dumps(rotation_pattern(secret_arn)),
            opts=self.child(),
        )

    def _target(self, name: str) -> aws.cloudwatch.EventTarget:
        role = self._role(
            f"{name}-db-rotation-events",
            "events.amazonaws.com",
            [
                {
                    "Sid": "StartTheRollout",
                    "Effect": "Allow",
                    "Action": "states:StartExecution",
                    "Resource": self.state_machine.arn,
                }
            ],
        )
        return aws.cloudwatch.EventTarget(
            f"{name}-db-rotation-to-rollout",
            rule=self.rule.name,
            arn=self.state_machine.arn,
            role_arn=role.arn,
            opts=self.child(),
        )
