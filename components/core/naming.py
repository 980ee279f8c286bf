"""The one name pattern of a client stack: what every AWS-unique name of the stack starts with.

Two stacks of one client (``acme-staging`` and ``acme-production``, both reading
``stacks/acme.yaml`` through ``crane-it:spec``) share one account and region. RDS refuses a
second instance with the same identifier, but CloudWatch's PutMetricAlarm and PutDashboard
are create-or-update: a second stack would silently take over the first one's alarms and
dashboard, and destroying either would delete them for both. So every name AWS wants
unique per account and region (identifiers, alarm and dashboard names, the KMS alias, log
groups, the task family, the restore testing plan) starts with the stack's base name, and
the logical names of the resources follow it.

A stack named after its client (``acme``) keeps the bare slug: nothing changes for it.
"""

from __future__ import annotations

import re

from ..errors import SpecError

MAX_BASE_LENGTH = 20
"""The longest base name. The load balancer and target group are auto-named
``<base>-alb-<7 hex>`` / ``<base>-tg-<7 hex>`` and pulumi-aws refuses an auto-name past 32
characters (``AutoName("name", 32)``; ELBv2 allows 32), which leaves 20 for the base. The
other limits are looser: AWS Backup's 50 (``<base>_restore_tests``, ``<base>-backups-copy``),
EventBridge's 64 (``<base>-alerts-restore-failed-<7 hex>``), RDS's 63
(``<base>-db-restore-<id>``, the restore id being at most 15 characters). The strict offline
engine checks every one of them at this length (tests/components/test_strict_engine.py)."""
_SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def base_name(client: str, stack: str) -> str:
    """The prefix of every AWS-unique name of ``stack``, a stack of client ``client``.

    ``acme`` -> ``acme``; ``acme-staging`` -> ``acme-staging``; ``staging`` -> ``acme-staging``.

    Raises:
        SpecError: the stack name cannot be part of an RDS identifier (lowercase letters,
            digits and single hyphens only) or makes names too long.
    """
    base = stack if stack == client or stack.startswith(f"{client}-") else f"{client}-{stack}"
    if not _SLUG.match(base):
        raise SpecError(
            f"stack {stack!r}: a stack of client {client!r} must be named with lowercase letters, digits and "
            f"single hyphens (it becomes part of RDS identifiers and alarm names), like {client}-staging"
        )
    if len(base) > MAX_BASE_LENGTH:
        raise SpecError(
            f"stack {stack!r}: names of this stack would start with {base!r} ({len(base)} characters); "
            f"at most {MAX_BASE_LENGTH} fit AWS's name limits, like {client}-staging"
        )
    return base


def stack_domain(client: str, stack: str, domain: str | None) -> str | None:
    """The public name a stack serves: ``domain`` itself for the client's own stack, and
    ``<suffix>.<domain>`` for another stack of the same spec (``staging.shop.acme.com`` for
    ``acme-staging``), since one DNS record and one certificate cannot serve two stacks."""
    if domain is None:
        return None
    base = base_name(client, stack)
    return domain if base == client else f"{base.removeprefix(client + '-')}.{domain}"
