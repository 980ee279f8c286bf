"""How long `pulumi up` waits for an ECS rollout: long enough for the circuit breaker to decide.

With ``wait_for_steady_state`` the provider returns only when the service is stable: the new
tasks are healthy and the old ones drained, or the circuit breaker has rolled back (then
``up`` fails, naming the deployment). Without it ``up`` reports success while ECS is still
starting tasks, and a rollback to the old task definition (during a reset: to the old
database) happens after everyone went home.

The wait must outlast the circuit breaker. ECS stops a deployment after
``clamp(ceil(desired / 2), 3, 200)`` failed tasks (ECS developer guide, "deployment circuit
breaker"); each task that fails its load balancer check lives through the start-up, the
health check grace period and ``unhealthy_threshold`` failed checks. With a 200 % maximum,
ECS starts up to ``desired`` new tasks at once, so the failures come in waves; the rollback
then needs one more healthy cycle. The provider's own default (20 minutes) is the floor.
"""

from __future__ import annotations

import math

import pulumi

from ..facts.ecs import DEREGISTRATION_DELAY, TASK_START_SECONDS
from ..spec.service import ServiceSpec

PROVIDER_DEFAULT_MINUTES = 20
"""The pulumi-aws (Terraform) default create/update timeout of ``aws_ecs_service``."""


def circuit_breaker_threshold(desired_count: int) -> int:
    """Failed tasks after which ECS stops a deployment and rolls back."""
    return min(200, max(3, math.ceil(desired_count / 2)))


def steady_state_minutes(spec: ServiceSpec, bake_minutes: int = 0) -> int:
    """Minutes `pulumi up` waits for a rollout of ``spec`` to finish or roll back.

    ``bake_minutes``: how long ECS keeps watching the deployment alarms after the new tasks
    are healthy (the longest alarm window); the deployment completes only after it.
    """
    check = spec.health_check
    failing_task = TASK_START_SECONDS + check.grace_period_seconds + check.unhealthy_threshold * check.interval_seconds
    healthy_task = TASK_START_SECONDS + check.grace_period_seconds + check.healthy_threshold * check.interval_seconds
    waves = math.ceil(circuit_breaker_threshold(spec.desired_count) / spec.desired_count)
    seconds = waves * failing_task + healthy_task + DEREGISTRATION_DELAY
    return max(PROVIDER_DEFAULT_MINUTES, math.ceil(seconds / 60) + bake_minutes)


def rollout_timeouts(spec: ServiceSpec, bake_minutes: int = 0) -> pulumi.CustomTimeouts | None:
    """The service's create and update timeouts while `pulumi up` waits for steady state."""
    if not spec.wait_for_steady_state:
        return None
    minutes = f"{steady_state_minutes(spec, bake_minutes)}m"
    return pulumi.CustomTimeouts(create=minutes, update=minutes)
