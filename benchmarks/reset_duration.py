"""How long a reset takes, before and after `crane reset`, from the dependency graph of its steps.

Not a measurement: nothing here can run an RDS restore or a review. It is the longest path
through each procedure's dependency graph (``crane_it.ops.reset.flow.before_graph`` and
``after_graph``), with the rollout sized from the example client's own health check and the
bucket from a number of changed keys. The restore and the review are the two inputs that
matter; the table varies them.

    python benchmarks/reset_duration.py
"""

from __future__ import annotations

from pathlib import Path

from crane_it.loader import load_spec
from crane_it.ops.reset import flow as flow

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    spec = load_spec(ROOT / "stacks" / "example.yaml")
    rollout = flow.rollout_minutes(spec.service)
    print(f"example client: a healthy rollout takes about {rollout:.1f} min (task start, grace, checks, drain)")
    print(f"{'restore':>8} {'review':>7} {'keys':>7} | {'before':>7} {'after':>6} {'saved':>6} | after's critical path")
    for restore, review, keys in (
        (30, 30, 10_000),
        (30, 30, 500_000),
        (10, 30, 10_000),
        (120, 30, 10_000),
        (30, 120, 10_000),
    ):
        d = flow.Durations(restore=restore, review=review, rollout=rollout, bucket=flow.bucket_minutes(keys, 8))
        before, _ = flow.critical_path(flow.before_graph(d))
        after, path = flow.critical_path(flow.after_graph(d))
        print(
            f"{restore:>6}m {review:>6}m {keys:>7} | {before:>6.0f}m {after:>5.0f}m {before - after:>5.0f}m | "
            + " -> ".join(path)
        )
    d = flow.Durations(rollout=rollout, bucket=flow.bucket_minutes(10_000, 8))
    print("\nbefore (README's manual procedure), default inputs:")
    for name, task in flow.before_graph(d).items():
        print(f"  {name:<36} {task.minutes:5.1f} min  after: {', '.join(task.after) or '-'}")
    print("after (crane reset --apply):")
    for name, task in flow.after_graph(d).items():
        print(f"  {name:<36} {task.minutes:5.1f} min  after: {', '.join(task.after) or '-'}")
    print(
        "\nThe app also stops writing at minute ~2 (maintenance on) instead of writing to data that is\n"
        "about to be replaced for the whole procedure."
    )


if __name__ == "__main__":
    main()
