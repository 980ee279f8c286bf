"""Time a bucket reset over many keys on moto; a script, not a test.

Run: python benchmarks/reset_bucket.py [--keys 10000] [--workers 8] [--moto server|mock]

The bucket is written in two phases a whole second apart, because S3 (and moto) report
LastModified to the second. Phase 1 writes every key; after the reset time, phase 2
overwrites 20 % of the keys, deletes 10 % and creates 10 % new ones, so the reset restores,
undeletes and deletes.

`--moto server` (default) runs moto's server in a child process, so this process's peak
memory is the reset's own; `--moto mock` uses the in-process mock_aws, whose peak memory
includes moto's copy of the bucket. Moto copies every version of the bucket for each page
of ListObjectVersions, so listing time grows with keys squared here; real S3 does not.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import resource
import socket
import subprocess
import sys
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import boto3
from botocore.config import Config
from moto import mock_aws

from crane_it.ops.reset import bucket_copying, bucket_listing, bucket_plan

BUCKET = "bench-reset"


def _mark() -> datetime:
    """Return a whole second not before any earlier write; wait until new writes are after it."""
    now = time.time()
    second = math.floor(now)
    time.sleep(second + 1 - now + 0.05)
    return datetime.fromtimestamp(second, UTC)


@contextlib.contextmanager
def _moto(kind: str):
    """Yield the endpoint URL of a moto server child process, or None inside mock_aws."""
    if kind == "mock":
        with mock_aws():
            yield None
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
                break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        child.terminate()
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _build(client, keys: int, workers: int) -> datetime:
    """Write the two phases and return the reset time between them."""
    client.create_bucket(Bucket=BUCKET)
    client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    names = [f"data/{number:06}.json" for number in range(keys)]

    def put(name: str, body: bytes) -> None:
        client.put_object(Bucket=BUCKET, Key=name, Body=body, ContentType="application/json")

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda name: put(name, b'{"phase": 1}'), names))
        to_time = _mark()
        list(pool.map(lambda name: put(name, b'{"phase": 2}'), names[: keys // 5]))
        list(pool.map(lambda name: client.delete_object(Bucket=BUCKET, Key=name), names[keys // 5 : keys * 3 // 10]))
        list(pool.map(lambda number: put(f"new/{number:06}.json", b'{"phase": 2}'), range(keys // 10)))
    return to_time


def main() -> None:
    """Build, plan and reset a bucket, printing timings, throughput and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=bucket_copying.DEFAULT_WORKERS)
    parser.add_argument("--moto", choices=("server", "mock"), default="server")
    args = parser.parse_args()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        os.environ[name] = "testing"
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"

    with _moto(args.moto) as url:
        where = f"moto server in a child process at {url}" if url else "moto in-process mock_aws"
        print(f"{where}; {args.keys} keys, {args.workers} workers")
        client = boto3.client(
            "s3", region_name="us-east-1", endpoint_url=url, config=Config(max_pool_connections=max(10, args.workers))
        )
        started = time.monotonic()
        to_time = _build(client, args.keys, args.workers)
        built = time.monotonic() - started
        print(f"build:       {built:7.2f} s  (includes a <1 s wait for a new second)")

        # prepare_reset = two cheap bucket checks + list_history + plan_reset; timed apart here.
        tracemalloc.start()
        started = time.monotonic()
        history = bucket_listing.list_history(client, BUCKET)
        listed = time.monotonic() - started
        plan = bucket_plan.plan_reset(history, to_time)
        planned = time.monotonic() - started - listed
        plan_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()  # tracing slows boto3 by ~30 %, so the execute timing runs without it
        entries = sum(len(versions) for versions in history.values())
        del history
        print(f"list:        {listed:7.2f} s  {entries} versions and delete markers")
        print(f"plan:        {planned:7.2f} s  {plan.counts()}")

        started = time.monotonic()
        report = bucket_copying.execute_plan(client, BUCKET, plan, workers=args.workers)
        executed = time.monotonic() - started
        actions = len(plan.actions)
        print(
            f"execute:     {executed:7.2f} s  {actions} actions, "
            f"{actions / executed:.0f} actions/s, {len(report.failures)} failed"
        )
        started = time.monotonic()
        rerun = bucket_listing.prepare_reset(client, BUCKET, to_time)
        print(
            f"rerun plan:  {time.monotonic() - started:7.2f} s  {len(rerun.actions)} actions "
            "(0: resetting again to the same time changes nothing)"
        )

    print(f"peak traced Python memory during list + plan: {plan_peak / 2**20:.1f} MiB")
    # ru_maxrss is in KiB on Linux.
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak RSS of this process: {peak_rss:.0f} MiB"
        + (" (includes moto's copy of the bucket)" if args.moto == "mock" else "")
    )


if __name__ == "__main__":
    main()
