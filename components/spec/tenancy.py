"""Clients sharing one platform, checked together before any resource: priorities, hosts, quotas.

Pure functions over validated specs, so `crane plan`, `pulumi up` and the tests refuse the
same things with the same words, before the shared load balancer would refuse them half-way
through a deploy.

Rule priorities. An ALB listener evaluates rules by priority, and two rules of a listener
cannot share one. Each client's priority comes from its own slug only: the first four bytes
of SHA-256 of the slug, mapped onto 1000-50000 (50000 is the ALB maximum). So it is stable
(never depends on which other clients exist or their order, so adding or removing a client
never renumbers another, and a renumbered rule would briefly route nothing) and needs no
registry. With n clients the chance that some pair collides is about n²/98000 (1 % at 30
clients); a collision is refused naming both clients, and `listener_rule_priority` (2-999,
a band no derived priority uses) pins one of them. Hosts never overlap (refused below), so
the order of rules never decides which client a request reaches.

Maintenance rules. Each client reserves the priority one below its own rule for its
maintenance rule (``maintenance_priority``: same host, evaluated first), whether or not it
is in maintenance. The collision check covers both priorities of every client, so turning
maintenance on in the middle of a reset can never meet a taken priority: a clash is found
when the client joins the platform, not when its data is being replaced. Reserving the
pair doubles the chance of a clash (about n²/49000), still refused by name.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .client import ClientSpec
from .platform import PlatformSpec

DERIVED_PRIORITIES = (1000, 50000)
"""The band of priorities derived from slugs; 1-999 is left for pinned ones (2-999) and the
maintenance rules one below them."""


def rule_priority(spec: ClientSpec) -> int:
    """The client's listener rule priority: pinned, or derived from its slug alone."""
    if spec.listener_rule_priority is not None:
        return spec.listener_rule_priority
    low, high = DERIVED_PRIORITIES
    digest = int.from_bytes(hashlib.sha256(spec.client.encode()).digest()[:4], "big")
    return low + digest % (high - low + 1)


def maintenance_priority(spec: ClientSpec) -> int:
    """The client's maintenance rule priority: one below (evaluated before) its own rule.

    ``listener_rule_priority`` is at least 2 and derived ones at least 1000, so it is >= 1.
    """
    return rule_priority(spec) - 1


@dataclass(frozen=True)
class Tenant:
    """A client stack on a platform: its stack name and validated spec."""

    stack: str
    spec: ClientSpec


@dataclass(frozen=True)
class Usage:
    """How much of the shared load balancer's quotas the platform's clients take."""

    rules: int
    certificates: int
    target_groups: int

    def of(self, platform: PlatformSpec) -> dict[str, tuple[int, int]]:
        """Quota name -> (used, limit)."""
        quotas = platform.quotas
        return {
            "rules per load balancer": (self.rules, quotas.rules_per_load_balancer),
            "certificates per load balancer": (self.certificates, quotas.certificates_per_load_balancer),
            "target groups per load balancer": (self.target_groups, quotas.target_groups_per_load_balancer),
        }

    def near_limit(self, platform: PlatformSpec) -> list[str]:
        """The quotas at or above the platform's headroom threshold, described."""
        return [
            f"{name}: {used} of {limit}"
            for name, (used, limit) in self.of(platform).items()
            if used * 100 >= limit * platform.quotas.headroom_percent
        ]


RULES_PER_CLIENT = 2
"""A client's routing rule and the maintenance rule it reserves (created during a reset): the
ALB quota "rules per load balancer" counts every rule but the listeners' default ones."""


def usage(tenants: Sequence[Tenant]) -> Usage:
    """Each client takes two rules (its own and its maintenance rule), one certificate (its own
    ACM one) and one target group."""
    return Usage(rules=RULES_PER_CLIENT * len(tenants), certificates=len(tenants), target_groups=len(tenants))


def problems(platform_stack: str, platform: PlatformSpec, tenants: Sequence[Tenant]) -> list[str]:
    """Everything that would make the platform's clients fail together; empty when they fit."""
    found: list[str] = []
    if platform.retire and tenants:
        found.append(
            f"platform {platform_stack} is retiring (`retire: true`) but clients {', '.join(t.stack for t in tenants)} "
            "still name it: move them off it, or retire and destroy them, and delete their spec files first"
        )
    elsewhere = sorted(t.stack for t in tenants if t.spec.region != platform.region)
    if elsewhere:
        found.append(
            f"clients {', '.join(elsewhere)} are not in the platform's region {platform.region}: "
            "a load balancer only reaches targets in its own region"
        )
    by_priority: dict[int, list[str]] = defaultdict(list)
    by_host: dict[str, list[str]] = defaultdict(list)
    reserved: dict[int, list[str]] = defaultdict(list)
    for tenant in tenants:
        by_priority[rule_priority(tenant.spec)].append(tenant.stack)
        reserved[maintenance_priority(tenant.spec)].append(tenant.stack)
        if tenant.spec.service.domain:
            by_host[tenant.spec.service.domain].append(tenant.stack)
    for priority, stacks in sorted(by_priority.items()):
        if len(stacks) > 1:
            found.append(
                f"clients {', '.join(sorted(stacks))} get the same listener rule priority {priority}: "
                "set `listener_rule_priority` (2-999, unique on the platform) in one of their specs"
            )
    for priority, stacks in sorted(reserved.items()):
        owners = by_priority.get(priority, [])
        if owners:
            found.append(
                f"client {', '.join(sorted(owners))}'s listener rule priority {priority} is the maintenance rule "
                f"priority of {', '.join(sorted(stacks))} (one below its own rule {priority + 1}): "
                "set `listener_rule_priority` (2-999, two apart from any other) in one of their specs"
            )
    for host, stacks in sorted(by_host.items()):
        if len(stacks) > 1:
            found.append(f"clients {', '.join(sorted(stacks))} both claim host {host}: each host has one owner")
    names = ", ".join(sorted(t.stack for t in tenants))
    for quota, (used, limit) in usage(tenants).of(platform).items():
        if used > limit:
            found.append(
                f"{used} clients need {used} {quota.split(' per ')[0]}, over the quota of {limit} {quota} "
                f"(clients: {names}); move clients to another platform, or raise the quota in Service "
                f"Quotas and set quotas in {platform_stack}'s spec to the granted value"
            )
    return found
