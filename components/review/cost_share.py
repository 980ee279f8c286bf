"""A client's cost beside its share of the platform it runs on, and a platform's cost per client.

The share rule: a platform's estimate (its own rendered plan, priced by :mod:`crane_it.review.cost`)
divided equally among the client stacks whose specs in ``stacks/`` name it
(``loader.load_tenants``, the same list the quota checks read). Equal shares, because what a
platform bills is mostly by the hour (load balancer, NAT, public addresses) whatever each
client's traffic; a client's traffic-driven load balancer capacity units are inside the
platform's ``alb_lcu`` assumption, not measured per client. A platform with no client yet has
no share: its whole cost is shown, with the number of clients it would be divided by.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..loader import load_tenants, parse_stack_spec
from ..project import find_project, stacks_dir
from ..spec import ClientSpec
from ..spec.platform import PlatformSpec
from . import plan_json
from .cost import Estimate, estimate
from .render import render_stack


@dataclass(frozen=True)
class Share:
    """A platform's monthly estimate and how it divides among its clients."""

    platform: str
    platform_total: float
    clients: tuple[str, ...]

    @property
    def per_client(self) -> float | None:
        """USD a month each client carries; None while no client uses the platform."""
        return round(self.platform_total / len(self.clients), 2) if self.clients else None

    def as_json(self) -> dict[str, Any]:
        """The share as ``crane cost --json`` prints it."""
        return {
            "platform": self.platform,
            "platform_total_usd": self.platform_total,
            "clients": list(self.clients),
            "per_client_usd": self.per_client,
            "rule": "platform total / number of client specs in stacks/ that name the platform",
        }

    def line(self, own: float | None = None) -> str:
        """One line: the share, and with ``own`` the client's total with it."""
        rule = f"{self.platform} costs {self.platform_total:.2f} USD/month"
        if not self.clients:
            return f"platform share: {rule}, no client on it yet"
        share = f"{rule} / {len(self.clients)} clients ({', '.join(self.clients)}) = {self.per_client:.2f} each"
        if own is None:
            return f"platform share: {share}"
        total = own + (self.per_client or 0.0)
        return f"platform share: {share}; own {own:.2f} + share {self.per_client:.2f} = {total:.2f} USD/month"


@dataclass(frozen=True)
class StackCost:
    """A stack's own estimate and, for a platform or a client on one, the platform's share."""

    stack: str
    own: Estimate
    share: Share | None

    def as_json(self) -> dict[str, Any]:
        """``crane cost --json``: the estimate's fields, plus ``share`` (or null)."""
        return self.own.as_json() | {"share": self.share.as_json() if self.share else None}


def platform_of(stack: str, spec: Path | None, project: Path) -> tuple[str, PlatformSpec | None] | None:
    """(platform stack, its spec when ``stack`` is that platform) when the stack is either kind."""
    path = Path(spec) if spec else stacks_dir(project) / f"{stack}.yaml"
    if not path.exists():  # a program that builds its specs in Python (examples/internal-tool)
        return None
    parsed = parse_stack_spec(path.read_text(encoding="utf-8"), str(path), root=project)
    if isinstance(parsed, PlatformSpec):
        return stack, parsed
    if isinstance(parsed, ClientSpec) and parsed.platform:
        return parsed.platform, None
    return None


def share_of(
    platform: str,
    project: Path,
    *,
    platform_estimate: Estimate | None = None,
    usage: dict[str, float] | None = None,
) -> Share:
    """The platform's estimate divided among the clients in ``stacks/`` that name it."""
    if platform_estimate is None:
        platform_estimate = estimate(plan_json.document(render_stack(platform, project=project)), usage)
    clients = tuple(t.stack for t in load_tenants(platform, stacks_dir(project), root=project))
    return Share(platform, platform_estimate.total, clients)


def stack_cost(
    stack: str,
    spec: Path | None = None,
    project: Path | None = None,
    usage: dict[str, float] | None = None,
    *,
    plan: Any = None,
    shares: dict[str, Share] | None = None,
) -> StackCost:
    """Render ``stack`` offline (or take its rendered ``plan``), price it, and add the platform share.

    ``shares``: platform stack -> its share, filled and reused across calls (``crane status``
    prices many clients of one platform; rendering the platform once is enough). Only for
    calls that share ``project`` and ``usage`` and whose specs do not change in between.
    """
    project = find_project(project)
    if plan is None:
        plan = render_stack(stack, spec, project)
    own = estimate(plan_json.document(plan), usage)
    kind = platform_of(stack, spec, project)
    if kind is None:
        return StackCost(stack, own, None)
    platform, platform_spec = kind
    if shares is not None and platform in shares:
        return StackCost(stack, own, shares[platform])
    mine = own if platform_spec is not None else None
    share = share_of(platform, project, platform_estimate=mine, usage=usage)
    if shares is not None:
        shares[platform] = share
    return StackCost(stack, own, share)
