"""The defaults a client on a platform gets where its spec says nothing, decided by cost.

A client on a platform is the agency's small client: the shared load balancer, NAT and cluster
are the platform's, so its own fixed costs are what remains, and three of them buy nothing
that guards data (docs/cost.md, "The small client's defaults"):

- ``keys: per_client``: one customer key instead of five (1 USD a month instead of 5, 3
  instead of 15 from the third year). The client's data stays encrypted under a key of its
  own, isolated from every other client; what separate keys add is a smaller blast radius
  inside one client (disabling one key touches one purpose), which `per_purpose` still gives
  to whoever opts in.
- ``alerts.dashboard: false``: the alarms already email every condition the dashboard
  shows (memory, CPU, 5xx, running tasks, database CPU, storage and connections), and a
  CloudWatch dashboard costs 3 USD a month once an account has more than three.
- ``backup.restore_testing.schedule`` quarterly: AWS Backup bills each restore test (one per
  tested resource and run, 1.50 USD as far as we know), so weekly tests of a bucket and a
  database cost about 13 USD a month, a third of a small client; quarterly ones cost 1 USD
  and still prove four times a year that both restore. Failed backup jobs are alerted the
  day they fail either way (the backup event rules); the tests catch the rarer backup that
  is taken but would not restore (a key grant or a subnet group changed since).
- ``service.desired_count: 1``: a second task keeps the app up while one task is replaced
  after a crash or an AZ outage (ECS starts a replacement within about a minute either way,
  and a deployment starts the new task before it stops the old one, so deployments do not
  interrupt one task). It costs a whole task again (9.01 USD a month at 0.25 vCPU / 0.5 GB).

Existing stacks: platform clients are new in 0.3.0 (no released version had them), and each
default applies only where the spec names nothing; a spec that names a value keeps it. The
key layout is the one replace-only choice (RDS cannot change an instance's key): a platform
client deployed from an unreleased main without ``keys`` must pin ``keys: per_purpose`` (this
repo's florist does), or ``crane diff`` reports its keys as data at risk and protection
refuses the ``pulumi up``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

PLATFORM_KEYS = "per_client"
"""The key layout of a client on a platform whose spec names none."""
PLATFORM_DASHBOARD = False
"""Whether a client on a platform whose spec does not say gets a dashboard."""
PLATFORM_TASKS = 1
"""Tasks a client on a platform runs when its spec says nothing (``service.desired_count``)."""
QUARTERLY_RESTORE_TESTS = "cron(0 5 1 1,4,7,10 ? *)"
"""05:00 UTC on the first of January, April, July and October: a platform client's restore tests."""


def apply(data: Any) -> Any:
    """Fill the platform defaults into a client spec's raw data (a before-validator).

    Only a mapping that names a ``platform`` is touched, and only where it says nothing; a
    value that is not of the expected shape is left for validation to refuse by name.
    """
    if not isinstance(data, dict) or not data.get("platform"):
        return data
    data = dict(data)
    data.setdefault("keys", PLATFORM_KEYS)
    service = _as_dict(data.get("service"))
    if isinstance(service, dict):
        data["service"] = {"desired_count": PLATFORM_TASKS, **service}
    alerts = _as_dict(data.get("alerts", {}))
    if isinstance(alerts, dict):
        data["alerts"] = {"dashboard": PLATFORM_DASHBOARD, **alerts}
    backup = _as_dict(data.get("backup", {}))
    if isinstance(backup, dict):
        tests = _as_dict(backup.get("restore_testing", True))
        if tests is True:
            tests = {"schedule": QUARTERLY_RESTORE_TESTS}
        elif isinstance(tests, dict):
            tests = {"schedule": QUARTERLY_RESTORE_TESTS, **tests}
        data["backup"] = {**backup, "restore_testing": tests}
    return data


def _as_dict(section: Any) -> Any:
    """A spec section as the mapping of what it names (a model built in Python, or YAML's dict)."""
    if isinstance(section, BaseModel):
        return section.model_dump(exclude_unset=True)
    return section
