"""Maintenance mode: one listener rule, above every other, that answers 503 with a short page.

While a client's data is replaced (``crane reset``) nothing may write to it. Stopping the
tasks would also stop the rollout onto the restored database, so the app keeps running and
the load balancer stops sending it users instead: a rule with a ``fixed-response`` action,
at a priority above the client's own routing, answers every request with
``503 Service Unavailable`` and :data:`PAGE`. The target group stays attached (the forward
rule or default action is untouched), so health checks and ECS deployments keep working
behind it. Turning ``service.maintenance`` off removes the rule.

AWS limits, checked by the tests: a fixed-response body is at most 1024 characters, its
content type one of text/plain, text/css, text/html, application/javascript or
application/json, and a fixed-response action **cannot set response headers**: the ALB
cannot send ``Retry-After``. The page says when to come back instead.

Priorities (lower is evaluated first, 1-50000, unique per listener):

- A client with its own load balancer: :data:`OWN_LISTENER_PRIORITY`, the first rule; its
  listener has no other rule (forwarding is the default action).
- A client on a platform: :func:`crane_it.spec.tenancy.maintenance_priority`, one below its own
  host rule, matching only its host. Every client reserves that pair of priorities whether
  or not it is in maintenance, and the platform check refuses overlapping pairs, so turning
  maintenance on during a reset can never meet a priority already taken.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..core.component import Component

OWN_LISTENER_PRIORITY = 1
"""The maintenance rule of a client with its own load balancer: the highest priority there is."""
STATUS_CODE = "503"
CONTENT_TYPE = "text/html"
MAX_BODY = 1024
"""The longest fixed-response message body the ALB accepts, in characters."""
PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><meta name=robots content=noindex>"
    '<title>Back soon</title><body style="font:18px/1.5 system-ui,sans-serif;margin:15vh auto;max-width:32em">'
    "<h1>Back soon</h1><p>We are restoring this site to an earlier state. "
    "Nothing you do now would be kept, so it is paused for a few minutes.</p>"
    "<p>Please try again in a quarter of an hour.</p></body></html>"
)
"""The page every request gets while the client is in maintenance (status 503)."""


def maintenance_rule(
    name: str,
    listener_arn: pulumi.Input[str],
    priority: int,
    hosts: list[str] | None,
    parent: Component,
    depends_on: list[pulumi.Resource] | None = None,
) -> aws.lb.ListenerRule:
    """The 503 rule on ``listener_arn`` at ``priority``: for ``hosts`` only, or every path.

    A listener rule needs at least one condition; without hosts it matches every path (``/*``).
    """
    condition: aws.lb.ListenerRuleConditionArgsDict = (
        {"host_header": {"values": hosts}} if hosts else {"path_pattern": {"values": ["/*"]}}
    )
    return aws.lb.ListenerRule(
        f"{name}-maintenance",
        listener_arn=listener_arn,
        priority=priority,
        conditions=[condition],
        actions=[
            {
                "type": "fixed-response",
                "fixed_response": {"status_code": STATUS_CODE, "content_type": CONTENT_TYPE, "message_body": PAGE},
            }
        ],
        tags={"Name": f"{name}-maintenance"},
        opts=parent.child(depends_on=depends_on or []),
    )
