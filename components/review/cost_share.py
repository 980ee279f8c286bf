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


@dataclass(frozen=True)
class FleetLine:
    """One client stack in the fleet: its own cost and, on a platform, its share."""

    stack: str
    own: float
    share: float | None = None

    @property
    def total(self) -> float:
        """Own cost plus share, USD a month."""
        return round(self.own + (self.share or 0.0), 2)

    def as_json(self) -> dict[str, Any]:
        return {"stack": self.stack, "own_usd": self.own, "share_usd": self.share, "total_usd": self.total}


@dataclass(frozen=True)
class PlatformFleet:
    """A platform, its clients, and what the platform with all of them costs."""

    share: Share
    clients: tuple[FleetLine, ...]

    @property
    def total(self) -> float:
        """The platform's own cost plus every client's own cost, USD a month."""
        return round(self.share.platform_total + sum(c.own for c in self.clients), 2)

    def as_json(self) -> dict[str, Any]:
        return {
            "platform": self.share.platform,
            "platform_total_usd": self.share.platform_total,
            "per_client_usd": self.share.per_client,
            "clients": [c.as_json() for c in self.clients],
            "total_usd": self.total,
        }


@dataclass(frozen=True)
class Fleet:
    """Every stack in ``stacks/``: the platforms with their clients, and the clients with a VPC of their own."""

    platforms: tuple[PlatformFleet, ...]
    standalone: tuple[FleetLine, ...]

    @property
    def total(self) -> float:
        """USD a month for every stack together."""
        return round(sum(p.total for p in self.platforms) + sum(c.own for c in self.standalone), 2)

    def as_json(self) -> dict[str, Any]:
        """``crane cost --all --json``."""
        from ..facts.prices import PRICE_DATE

        return {
            "price_date": PRICE_DATE,
            "platforms": [p.as_json() for p in self.platforms],
            "standalone": [c.as_json() for c in self.standalone],
            "total_usd": self.total,
            "rule": "a platform's total is divided equally among the client specs in stacks/ that name it",
        }

    def lines(self) -> list[str]:
        """The fleet as text: per platform its clients (own, share, total), then the rest."""
        from ..facts.prices import PRICE_DATE

        out = [f"Fleet: every stack in stacks/, USD a month at list prices of {PRICE_DATE}"]
        width = max(
            [len(c.stack) for p in self.platforms for c in p.clients] + [len(c.stack) for c in self.standalone] + [6]
        )
        for platform in self.platforms:
            share = platform.share
            each = f"{share.per_client:.2f} each" if share.clients else "no client yet"
            out.append(
                f"platform {share.platform}: {share.platform_total:.2f} shared by {len(share.clients)} client(s), {each}"
            )
            out.append(f"  {'client':<{width}}  {'own':>8}  {'share':>8}  {'total':>8}")
            for c in platform.clients:
                out.append(f"  {c.stack:<{width}}  {c.own:8.2f}  {c.share or 0.0:8.2f}  {c.total:8.2f}")
            own = sum(c.own for c in platform.clients)
            out.append(
                f"  platform {share.platform} total: {platform.total:.2f} "
                f"(platform {share.platform_total:.2f} + clients' own {own:.2f})"
            )
        if self.standalone:
            out.append("clients with a VPC of their own:")
            out += [f"  {c.stack:<{width}}  {c.own:8.2f}" for c in self.standalone]
        out.append(f"fleet total: {self.total:.2f}")
        return out


def fleet(project: Path | None = None, usage: dict[str, float] | None = None) -> Fleet:
    """Price every stack in the project's ``stacks/``; each platform is rendered once."""
    project = find_project(project)
    kinds: dict[str, ClientSpec | PlatformSpec] = {}
    for path in sorted(stacks_dir(project).glob("*.yaml")):
        kinds[path.stem] = parse_stack_spec(path.read_text(encoding="utf-8"), str(path), root=project)
    shares: dict[str, Share] = {}
    for stack, spec in kinds.items():  # platforms first: their own estimate is the share's
        if isinstance(spec, PlatformSpec):
            stack_cost(stack, project=project, usage=usage, shares=shares)
    clients: dict[str, list[FleetLine]] = {platform: [] for platform in shares}
    standalone: list[FleetLine] = []
    for stack, spec in kinds.items():
        if not isinstance(spec, ClientSpec):
            continue
        cost = stack_cost(stack, project=project, usage=usage, shares=shares)
        if cost.share is None:
            standalone.append(FleetLine(stack, cost.own.total))
        else:
            clients.setdefault(cost.share.platform, []).append(FleetLine(stack, cost.own.total, cost.share.per_client))
    platforms = tuple(PlatformFleet(shares[p], tuple(lines)) for p, lines in sorted(clients.items()))
    return Fleet(platforms, tuple(standalone))
