"""How long ECS and its load balancer take over a task: what rollout timeouts and reset estimates build on."""

TASK_START_SECONDS = 300
"""Room for placing a task, attaching its ENI, pulling the image and reading its secrets."""
DEREGISTRATION_DELAY = 30
"""Seconds the ALB lets in-flight requests finish on a leaving task (AWS default 300 slows deploys)."""
