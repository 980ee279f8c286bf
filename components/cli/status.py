"""``crane status``: one row per client, and a non-zero exit when something needs a person.

What each row holds is read by crane_it.ops.status. Exit 1 when any of it needs a person, so a
scheduled job can mail the output.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING

from .arguments import add_aws_arguments
from .exits import NOTHING_CHANGED, guarded
from .output import table

if TYPE_CHECKING:
    from ..ops.status import Status
    from ..review.cost_share import Share

HELP = "one row per client: tasks, deployment, alarms, unconfirmed alert emails, backups, restore tests"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the status options on parser."""
    parser.add_argument("clients", nargs="*", metavar="CLIENT", help="the clients to show")
    parser.add_argument("--all", action="store_true", help="every Crane It client in the region")
    add_aws_arguments(parser, client=False)
    parser.epilog = "exit status: 0 all well; 1 something needs a person (listed); 2 refused"


def run(args: argparse.Namespace) -> int:
    """Print the rows; 0 all well, 1 something needs a person, 2 refused."""
    if not args.clients and not args.all:
        print("crane status: name the clients, or pass --all", file=sys.stderr)
        return NOTHING_CHANGED

    from ..ops.aws import Aws
    from ..ops.status import client_status, estimated_cost, targets

    def body() -> int:
        aws = Aws(args.region, args.endpoint_url)
        rows_of = targets(aws, args.clients, args.stack, args.all)
        total = len(rows_of)
        rows = []
        shares: dict[str, Share] = {}  # each platform rendered once for all its clients' rows
        for done, (client, stack) in enumerate(rows_of, start=1):
            if total > 3:
                print(f"{done}/{total} {client}", file=sys.stderr, flush=True)
            row = client_status(aws, client, stack or None)
            row.cost = estimated_cost(row.stack, client=row.client, shares=shares)
            rows.append(row)
        _print(rows, args.json)
        return 1 if any(row.problems for row in rows) else 0

    return guarded("status", body)


def _print(rows: list[Status], as_json: bool) -> None:
    if as_json:
        print(json.dumps([asdict(row) for row in rows], indent=2))
        return
    header = [
        "CLIENT",
        "STACK",
        "TASKS",
        "DEPLOYMENT",
        "ALARMS",
        "UNCONFIRMED EMAILS",
        "NEWEST BACKUP",
        "RESTORE FROM",
        "RESTORE TEST",
        "EST. MONTHLY COST",
    ]
    cells = [header]
    for row in rows:
        newest = min((b.latest for b in row.backups), default="-")
        restore_from = max((b.earliest_restorable for b in row.backups), default="-")
        cells.append(
            [
                row.client,
                row.stack,
                row.tasks,
                row.deployment,
                str(len(row.alarms)) if row.alarms else "0",
                ", ".join(row.pending_emails) or "0",
                newest,
                restore_from,
                row.restore_test,
                row.cost,
            ]
        )
    for line in table(cells):
        print(line)
    for row in rows:
        for backup in row.backups:
            print(
                f"{row.client}: {backup.resource} newest backup {backup.latest}, restorable from {backup.earliest_restorable}"
            )
        for problem in row.problems:
            print(f"{row.client}: NEEDS A PERSON: {problem}")
