"""Benchmark: render 1, 10 and 100 client stacks offline, against the bare-SDK floor.

For each size N the script starts a fresh worker process that renders N clients made from
`stacks/example.yaml` (distinct slugs, a full client: network, service, bucket, database,
backups, alarms) through the real program, and a second worker that registers exactly the
same resources (same types, names, parents, providers, options and inputs, recorded from the
first run) directly with the Pulumi SDK under the same mocks: the `pulumi_aws` classes for
AWS resources, the recorded dependencies as `depends_on`, and no spec loading, validation,
component code or Output plumbing between resources. The difference between
the two is the cost of our layer. Figures: wall time of the rendering loop, and the
worker's peak resident memory (imports included).

    python benchmarks/render.py                      # sizes 1 10 100, 1 and 2 processes
    python benchmarks/render.py --sizes 5 --jobs 1
"""

from __future__ import annotations

import argparse
import json
import pickle
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TEMPLATE = ROOT / "stacks" / "example.yaml"


def write_specs(count: int, folder: Path) -> list[tuple[str, Path]]:
    """``count`` client specs cloned from the example, each with its own slug."""
    text = TEMPLATE.read_text(encoding="utf-8")
    specs = []
    for index in range(count):
        slug = f"client{index:03d}"
        path = folder / f"{slug}.yaml"
        path.write_text(re.sub(r"^client: .*$", f"client: {slug}", text, flags=re.M), encoding="utf-8")
        specs.append((slug, path))
    return specs


def render_clients(specs: list[tuple[str, Path]]):
    """Render every spec through the real program; return the registrations of each."""
    from crane_it.review.render import render_stack

    return [render_stack(slug, path, project=ROOT) for slug, path in specs]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def replay(plans) -> int:
    """Register the recorded resources directly with the SDK and pulumi_aws; return the count."""
    import pulumi

    from crane_it import testing as offline

    count = 0
    for plan in plans:

        def program(plan=plan):
            declared: dict[str, pulumi.Resource] = {}
            for reg in plan:
                opts = pulumi.ResourceOptions(
                    parent=declared.get(reg.parent),
                    provider=_provider_of(declared, reg.provider),
                    protect=reg.protect,
                    retain_on_delete=reg.retain_on_delete,
                    ignore_changes=reg.ignore_changes or None,
                    # The same dependency graph as the real program, so each resource waits on
                    # the same upstream resources a hand-written program would wire in.
                    depends_on=[declared[urn] for urn in reg.dependencies if urn in declared],
                )
                declared[reg.urn] = _declare(reg, opts)

        offline.run(program, stack=plan[0].name if plan else "x")
        count += len(plan)
    return count


def _provider_of(declared, ref: str):
    """The declared provider a registration's provider reference ("urn::id") points at."""
    if not ref:
        return None
    urn = ref.rsplit("::", 1)[0]
    return declared.get(urn)


def _declare(reg, opts):
    import pulumi
    import pulumi_aws as aws

    if reg.type == "pulumi:providers:aws":
        return aws.Provider(reg.name, region=reg.inputs.get("region"), opts=opts)
    if not reg.custom:
        return pulumi.ComponentResource(reg.type, reg.name, None, opts)
    cls = _class_of(reg.type)
    if cls is None:  # not an aws resource (docker): register by type token
        return pulumi.CustomResource(reg.type, reg.name, dict(reg.inputs), opts)
    return cls(reg.name, opts=opts, **{_snake(k): v for k, v in reg.inputs.items()})


_CLASSES: dict[str, type] = {}


def _class_of(type_token: str):
    """The pulumi_aws class registered for ``type_token`` (aws:s3/bucket:Bucket -> aws.s3.Bucket)."""
    if not type_token.startswith("aws:"):
        return None
    if type_token not in _CLASSES:
        import importlib

        _, module_path, class_name = type_token.split(":")
        module = importlib.import_module(f"pulumi_aws.{module_path.split('/')[0]}")
        _CLASSES[type_token] = getattr(module, class_name)
    return _CLASSES[type_token]


def worker(mode: str, first: int, count: int, record: Path) -> dict:
    """Run one measurement in this (fresh) process and return its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        specs = write_specs(first + count, Path(tmp))[first:]
        if mode == "crane":
            start = time.perf_counter()
            plans = render_clients(specs)
            wall = time.perf_counter() - start
            resources = sum(len(p) for p in plans)
            record.write_bytes(pickle.dumps(plans))
        else:
            plans = pickle.loads(record.read_bytes())
            start = time.perf_counter()
            resources = replay(plans)
            wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"resources": resources, "wall_s": wall, "peak_mb": peak_mb}


def measure(mode: str, size: int, jobs: int, folder: Path) -> dict:
    """Render ``size`` clients split over ``jobs`` concurrent worker processes.

    Wall time is the slowest worker's rendering loop (they run side by side); memory is the
    sum of the workers' peaks, since they are resident at the same time.
    """
    shares = [size // jobs + (1 if i < size % jobs else 0) for i in range(jobs)]
    starts = [sum(shares[:i]) for i in range(jobs)]
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--worker",
                mode,
                "--first",
                str(first),
                "--count",
                str(share),
                "--record",
                str(folder / f"plans-{index}.pickle"),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for index, (first, share) in enumerate(zip(starts, shares, strict=True))
        if share
    ]
    results = []
    for process in workers:
        out, _ = process.communicate()
        if process.returncode:
            raise SystemExit(f"{mode} worker failed with status {process.returncode}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return {
        "resources": sum(r["resources"] for r in results),
        "wall_s": max(r["wall_s"] for r in results),
        "peak_mb": sum(r["peak_mb"] for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker processes to split clients over")
    parser.add_argument("--worker", choices=["crane", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--record", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.first, args.count, args.record)))
        return
    print(
        f"{'clients':>7} {'jobs':>4} {'resources':>9} {'crane s':>8} {'floor s':>8} {'overhead':>8} {'crane MB':>9} {'floor MB':>9}"
    )
    for size in args.sizes:
        for jobs in args.jobs:
            if jobs > size:
                continue
            with tempfile.TemporaryDirectory() as tmp:
                crane = measure("crane", size, jobs, Path(tmp))
                floor = measure("floor", size, jobs, Path(tmp))
            overhead = (crane["wall_s"] / floor["wall_s"] - 1) * 100
            print(
                f"{size:>7} {jobs:>4} {crane['resources']:>9} {crane['wall_s']:>8.2f} {floor['wall_s']:>8.2f} "
                f"{overhead:>7.0f}% {crane['peak_mb']:>9.0f} {floor['peak_mb']:>9.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
