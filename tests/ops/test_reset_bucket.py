"""Bucket point-in-time reset: the pure planner, the refusals, and real runs against moto.

S3 (and moto) report LastModified to the second, so the shared timeline writes its phases
in different seconds: `_mark()` returns a whole second after every write so far and then
waits until the clock has passed it, about half a second per phase.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from fake_aws import moto_server, use_fake_credentials
from moto import mock_aws

from crane_it.cli import main as crane_main
from crane_it.cli.reset_output import ProgressLines
from crane_it.ops.reset import bucket_copying, bucket_listing, bucket_plan
from crane_it.ops.reset.bucket_plan import Action, Entry, Plan, ResetError, Skipped, isoformat

REPO = Path(__file__).resolve().parents[2]
MiB = 1024**2
STORY_BUCKETS = ("story-reset", "story-rereset", "story-dry", "story-cli", "story-client")
WRITES = {
    "CopyObject",
    "DeleteObject",
    "CreateMultipartUpload",
    "UploadPartCopy",
    "CompleteMultipartUpload",
    "AbortMultipartUpload",
}
READS = {
    "ListObjectVersions",
    "GetBucketVersioning",
    "GetBucketLifecycleConfiguration",
    "HeadObject",
    "GetObjectTagging",
}


# --- fixtures and helpers ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def fake_aws_credentials(monkeypatch):
    """Point boto3 at fake credentials and no config files, so nothing can reach real AWS."""
    use_fake_credentials(monkeypatch, "us-east-1")


@pytest.fixture
def s3():
    """An S3 client on moto's in-process mock, fresh for each test."""
    with mock_aws():
        yield boto3.client("s3", region_name="us-east-1")


@pytest.fixture(scope="module")
def server_url():
    """A moto server on a free local port, shared by the module."""
    with moto_server() as url:
        yield url


def _client(url: str):
    """An S3 client on the moto server, with explicit fake credentials."""
    return boto3.client(
        "s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def _mark() -> datetime:
    """Return a whole second not before any earlier write; wait until new writes are after it."""
    now = time.time()
    second = math.floor(now)
    time.sleep(second + 1 - now + 0.05)
    return datetime.fromtimestamp(second, UTC)


def _versioned_bucket(client, name: str, tags: dict[str, str] | None = None) -> None:
    """Create a bucket with versioning Enabled and optional tags."""
    client.create_bucket(Bucket=name)
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    if tags:
        client.put_bucket_tagging(
            Bucket=name, Tagging={"TagSet": [{"Key": key, "Value": value} for key, value in tags.items()]}
        )


def _put(client, bucket: str, key: str, body: bytes, content_type: str, rev: str) -> str:
    """Write one object with a content type and a `rev` metadata entry; return its VersionId."""
    return client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type, Metadata={"rev": rev})[
        "VersionId"
    ]


def _delete(client, bucket: str, key: str) -> str:
    """Delete a key the way an application would; return the new delete marker's VersionId."""
    return client.delete_object(Bucket=bucket, Key=key)["VersionId"]


def _state(client, bucket: str) -> dict[str, tuple[bytes, str, dict[str, str]]]:
    """Return what a reader sees now: key -> (body, content type, user metadata)."""
    state = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            got = client.get_object(Bucket=bucket, Key=item["Key"])
            state[item["Key"]] = (got["Body"].read(), got["ContentType"], got["Metadata"])
    return state


def _versions(client, bucket: str) -> list[tuple]:
    """Return the full version listing: (key, version id, is marker, is latest, LastModified)."""
    rows = []
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket):
        rows += [(v["Key"], v["VersionId"], False, v["IsLatest"], v["LastModified"]) for v in page.get("Versions", [])]
        rows += [
            (m["Key"], m["VersionId"], True, m["IsLatest"], m["LastModified"]) for m in page.get("DeleteMarkers", [])
        ]
    return sorted(rows)


@contextlib.contextmanager
def _recording(client):
    """Record every (operation, parameters) the client sends inside the block."""
    calls: list[tuple[str, dict]] = []

    def record(params, model, **kwargs):
        calls.append((model.name, dict(params)))

    client.meta.events.register("provide-client-params.s3", record)
    try:
        yield calls
    finally:
        client.meta.events.unregister("provide-client-params.s3", record)


def _plan_rows(plan: Plan) -> set[tuple]:
    """Reduce a plan to comparable (key, kind, from, to) rows."""
    return {(a.key, a.kind, a.from_version, a.to_version) for a in plan.actions}


# --- the shared timeline ----------------------------------------------------------------


@dataclass
class Timeline:
    """Buckets with writes in three phases, split by the whole seconds t1 < t2 < t3."""

    url: str
    client: object
    t1: datetime = None
    t2: datetime = None
    t3: datetime = None
    ids: dict[str, dict[str, str]] = field(default_factory=dict)
    states: dict[str, dict] = field(default_factory=dict)
    """Visible state of a story bucket at "t1", "t2" and "t3" (all story buckets are alike)."""

    def time(self, name: str) -> datetime:
        """Return t1, t2 or t3 by name."""
        return getattr(self, name)


def _story_phase_1(client, bucket: str, ids: dict[str, str]) -> None:
    ids["kept"] = _put(client, bucket, "kept.txt", b"kept", "text/plain", "1")
    ids["edited@1"] = _put(client, bucket, "edited.txt", b"first", "text/plain", "1")
    ids["gone@1"] = _put(client, bucket, "gone.txt", b'{"gone": false}', "application/json", "1")
    ids["flip@1"] = _put(client, bucket, "flip.txt", b"flip", "text/plain", "1")


def _story_phase_2(client, bucket: str, ids: dict[str, str]) -> None:
    ids["edited@2"] = _put(client, bucket, "edited.txt", b"second", "text/markdown", "2")
    ids["flip-marker@2"] = _delete(client, bucket, "flip.txt")


def _story_phase_3(client, bucket: str, ids: dict[str, str]) -> None:
    ids["edited@3"] = _put(client, bucket, "edited.txt", b"third", "text/csv", "3")
    ids["new@3"] = _put(client, bucket, "new.txt", b"new", "text/plain", "3")
    ids["gone-marker@3"] = _delete(client, bucket, "gone.txt")
    ids["flip@3"] = _put(client, bucket, "flip.txt", b"flop", "text/plain", "3")
    ids["ghost@3"] = _put(client, bucket, "ghost.txt", b"boo", "text/plain", "3")
    ids["ghost-marker@3"] = _delete(client, bucket, "ghost.txt")


def _multipart_upload(client, bucket: str, key: str, chunks: list[bytes]) -> str:
    """Upload chunks as the parts of one object with headers and a tag; return its VersionId."""
    upload = client.create_multipart_upload(
        Bucket=bucket, Key=key, ContentType="application/x-big", Metadata={"origin": "upload"}, Tagging="team=data"
    )
    parts = []
    for number, chunk in enumerate(chunks, start=1):
        part = client.upload_part(Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=number, Body=chunk)
        parts.append({"PartNumber": number, "ETag": part["ETag"]})
    return client.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
    )["VersionId"]


@pytest.fixture(scope="module")
def timeline(server_url) -> Timeline:
    """Write every scenario's history in the same three phases, so the module sleeps only ~1.5s."""
    client = _client(server_url)
    line = Timeline(server_url, client)
    for bucket in (*STORY_BUCKETS, "paged", "multipart"):
        line.ids[bucket] = {}
        _versioned_bucket(
            client, bucket, {"client": "acme", "managed-by": "crane-it"} if bucket == "story-client" else None
        )

    for bucket in STORY_BUCKETS:
        _story_phase_1(client, bucket, line.ids[bucket])
    for number in range(30):
        _put(client, "paged", f"page/k{number:02}", f"a-{number}".encode(), "text/plain", "1")
    line.ids["multipart"]["big@1"] = _multipart_upload(
        client, "multipart", "big-multipart.bin", [b"a" * 5 * MiB, b"b" * 5 * MiB, b"tail"]
    )
    line.ids["multipart"]["single@1"] = _put(
        client, "multipart", "big-single.bin", b"s" * (6 * MiB + 1), "application/x-single", "1"
    )
    line.states["t1"] = _state(client, "story-dry")
    line.t1 = _mark()

    for bucket in STORY_BUCKETS:
        _story_phase_2(client, bucket, line.ids[bucket])
    for number in range(30):
        _put(client, "paged", f"page/k{number:02}", f"b-{number}".encode(), "text/plain", "2")
    for key in ("big-multipart.bin", "big-single.bin"):
        _put(client, "multipart", key, b"small", "text/plain", "2")
    line.states["t2"] = _state(client, "story-dry")
    line.t2 = _mark()

    for bucket in STORY_BUCKETS:
        _story_phase_3(client, bucket, line.ids[bucket])
    line.states["t3"] = _state(client, "story-dry")
    line.t3 = _mark()
    return line


def _expected_plan(ids: dict[str, str], at: str) -> set[tuple]:
    """The actions that bring a story bucket from its final state back to t1, t2 or t3."""
    return {
        "t1": {
            ("edited.txt", "restore", ids["edited@3"], ids["edited@1"]),
            ("flip.txt", "restore", ids["flip@3"], ids["flip@1"]),
            ("gone.txt", "undelete", ids["gone-marker@3"], ids["gone@1"]),
            ("new.txt", "delete", ids["new@3"], None),
        },
        "t2": {
            ("edited.txt", "restore", ids["edited@3"], ids["edited@2"]),
            ("flip.txt", "delete", ids["flip@3"], None),
            ("gone.txt", "undelete", ids["gone-marker@3"], ids["gone@1"]),
            ("new.txt", "delete", ids["new@3"], None),
        },
        "t3": set(),
    }[at]


# --- runs against moto --------------------------------------------------------------------


def test_reset_to_t2_brings_back_every_key_as_it_was_and_keeps_all_versions(timeline):
    client, bucket = timeline.client, "story-reset"
    before = _versions(client, bucket)
    with _recording(client) as calls:
        plan = bucket_listing.prepare_reset(client, bucket, timeline.t2)
        report = bucket_copying.execute_plan(client, bucket, plan)

    assert report.failures == []
    assert dict(report.applied) == {"restore": 1, "undelete": 1, "delete": 2}
    assert _state(client, bucket) == timeline.states["t2"]
    assert _state(client, bucket)["edited.txt"] == (b"second", "text/markdown", {"rev": "2"})
    assert _state(client, bucket)["gone.txt"] == (b'{"gone": false}', "application/json", {"rev": "1"})
    for hidden in ("new.txt", "flip.txt", "ghost.txt"):
        with pytest.raises(ClientError, match="NoSuchKey"):
            client.get_object(Bucket=bucket, Key=hidden)
    after = _versions(client, bucket)
    old_ids = {(key, version) for key, version, *_ in before}
    assert old_ids <= {(key, version) for key, version, *_ in after}, "a version was lost"
    assert len(after) == len(before) + len(plan.actions)
    assert [row for row in after if row[0] == "kept.txt"] == [row for row in before if row[0] == "kept.txt"], (
        "an untouched key got a new version"
    )
    assert {name for name, _ in calls} <= WRITES | READS
    assert not [params for name, params in calls if name == "DeleteObject" and "VersionId" in params], (
        "a version was deleted"
    )


def test_second_reset_to_the_same_time_is_a_no_op_and_reset_to_t3_undoes_the_first(timeline):
    client, bucket = timeline.client, "story-rereset"
    bucket_copying.execute_plan(client, bucket, bucket_listing.prepare_reset(client, bucket, timeline.t2))
    versions_after_first = _versions(client, bucket)

    again = bucket_listing.prepare_reset(client, bucket, timeline.t2)
    assert again.actions == () and again.unchanged == 6
    assert bucket_copying.execute_plan(client, bucket, again).applied == {}
    assert _versions(client, bucket) == versions_after_first

    undo = bucket_copying.execute_plan(client, bucket, bucket_listing.prepare_reset(client, bucket, timeline.t3))
    assert undo.failures == []
    assert _state(client, bucket) == timeline.states["t3"]


@pytest.mark.parametrize("at", ["t1", "t2", "t3"])
def test_dry_run_plans_exactly_the_expected_actions_and_changes_nothing(timeline, at):
    client, bucket = timeline.client, "story-dry"
    before = _versions(client, bucket)

    plan = bucket_listing.prepare_reset(client, bucket, timeline.time(at))

    assert _plan_rows(plan) == _expected_plan(timeline.ids[bucket], at)
    assert plan.unchanged == 6 - len(plan.actions)
    assert plan.skipped == ()
    assert _versions(client, bucket) == before


def test_listing_in_pages_of_seven_plans_and_restores_all_thirty_keys(timeline):
    client, bucket = timeline.client, "paged"
    progress: list[tuple[int, int]] = []

    with _recording(client) as calls:
        plan = bucket_listing.prepare_reset(client, bucket, timeline.t1, prefix="page/", page_size=7)
    report = bucket_copying.execute_plan(
        client, bucket, plan, workers=3, progress=lambda done, total: progress.append((done, total))
    )

    listings = [params for name, params in calls if name == "ListObjectVersions"]
    assert len(listings) == math.ceil(60 / 7), "60 versions in pages of 7"
    assert all(params["MaxKeys"] == 7 and params["Prefix"] == "page/" for params in listings)
    assert len(plan.actions) == 30 and {a.kind for a in plan.actions} == {"restore"}
    assert progress == [(done, 30) for done in range(1, 31)]
    assert report.failures == [] and report.applied == {"restore": 30}
    assert _state(client, bucket) == {
        f"page/k{n:02}": (f"a-{n}".encode(), "text/plain", {"rev": "1"}) for n in range(30)
    }


def test_versions_above_the_copy_limit_are_copied_in_parts_with_headers_tags_and_etag(timeline):
    client, bucket = timeline.client, "multipart"
    original = {
        v["Key"]: v
        for v in client.list_object_versions(Bucket=bucket)["Versions"]
        if v["VersionId"] in timeline.ids[bucket].values()
    }
    with _recording(client) as calls:
        plan = bucket_listing.prepare_reset(client, bucket, timeline.t1)
        report = bucket_copying.execute_plan(client, bucket, plan, copy_limit=6 * MiB, part_size=5 * MiB)

    assert report.failures == [] and report.applied == {"restore": 2}
    part_copies = [params for name, params in calls if name == "UploadPartCopy"]
    assert sorted(p["CopySourceRange"] for p in part_copies if p["Key"] == "big-multipart.bin") == [
        "bytes=0-5242879",
        "bytes=10485760-10485763",
        "bytes=5242880-10485759",
    ]
    assert len([p for p in part_copies if p["Key"] == "big-single.bin"]) == 2
    assert "CopyObject" not in {name for name, _ in calls}
    big = client.get_object(Bucket=bucket, Key="big-multipart.bin")
    assert big["Body"].read() == b"a" * 5 * MiB + b"b" * 5 * MiB + b"tail"
    assert (big["ContentType"], big["Metadata"]) == ("application/x-big", {"origin": "upload"})
    assert big["ETag"] == original["big-multipart.bin"]["ETag"]
    assert client.get_object_tagging(Bucket=bucket, Key="big-multipart.bin")["TagSet"] == [
        {"Key": "team", "Value": "data"}
    ]
    single = client.get_object(Bucket=bucket, Key="big-single.bin")
    assert single["Body"].read() == b"s" * (6 * MiB + 1)
    assert (single["ContentType"], single["Metadata"]) == ("application/x-single", {"rev": "1"})
    # Copying with the original upload's parts reproduces its ETag, so a rerun sees that key
    # as unchanged; a single-part source copied in parts gets a new ETag and is copied again.
    rerun = bucket_listing.prepare_reset(client, bucket, timeline.t1)
    assert [action.key for action in rerun.actions] == ["big-single.bin"]


def test_cli_dry_run_then_reset_end_to_end_against_the_moto_server(timeline):
    client, bucket = timeline.client, "story-cli"
    before = _versions(client, bucket)
    command = [
        sys.executable,
        "-m",
        "crane_it",
        "reset-bucket",
        "--bucket",
        bucket,
        "--to",
        isoformat(timeline.t2),
        "--endpoint-url",
        timeline.url,
        "--region",
        "us-east-1",
        "--workers",
        "2",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    dry = subprocess.run(
        [*command, "--dry-run", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert dry.returncode == 0, dry.stderr
    planned = json.loads(dry.stdout)
    assert planned["dry_run"] is True
    rows = {(a["key"], a["kind"], a["from_version"], a["to_version"]) for a in planned["actions"]}
    assert rows == _expected_plan(timeline.ids[bucket], "t2")
    assert _versions(client, bucket) == before

    # Without a terminal to confirm on, a real run refuses unless --yes says so.
    unconfirmed = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=REPO, timeout=60, stdin=subprocess.DEVNULL
    )
    assert unconfirmed.returncode == 2
    assert "need confirmation and there is no terminal to ask on; rerun with --yes; nothing changed" in (
        unconfirmed.stderr
    )
    assert _versions(client, bucket) == before

    real = subprocess.run(
        [*command, "--yes"], capture_output=True, text=True, env=env, cwd=REPO, timeout=60, stdin=subprocess.DEVNULL
    )
    assert real.returncode == 0, real.stderr
    assert "plan: restore 1, undelete 1, delete 2, unchanged 2, skipped 0" in real.stdout
    assert "done: restore 1, undelete 1, delete 2, failed 0" in real.stdout
    assert "edited.txt" not in real.stdout  # per-key lines only with --verbose or --json
    assert "listed 12 versions and delete markers in 1 page " in real.stderr
    assert "applied 4/4 (100%)" in real.stderr and "/s, took " in real.stderr
    assert _state(client, bucket) == timeline.states["t2"]


def test_cli_dry_run_prints_the_plan_as_a_table_when_verbose(timeline, capsys):
    before = _versions(timeline.client, "story-dry")
    t2 = isoformat(timeline.t2)
    command = ["reset-bucket", "--bucket", "story-dry", "--to", t2, "--dry-run"]
    command += ["--endpoint-url", timeline.url, "--region", "us-east-1"]

    assert crane_main(command) == 0
    quiet = capsys.readouterr().out.splitlines()
    assert quiet == [
        f"reset s3://story-dry to {t2} (dry run, nothing changed)",
        "plan: restore 1, undelete 1, delete 2, unchanged 2, skipped 0",
    ]

    code = crane_main([*command, "--verbose"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == f"reset s3://story-dry to {t2} (dry run, nothing changed)"
    assert out[1].split() == ["ACTION", "KEY", "FROM", "VERSION", "TO", "VERSION"]
    ids = timeline.ids["story-dry"]
    assert out[2].split() == ["restore", "edited.txt", ids["edited@3"], ids["edited@2"]]
    assert out[3].split() == ["delete", "flip.txt", ids["flip@3"], "(new", "delete", "marker)"]
    assert out[-1] == "plan: restore 1, undelete 1, delete 2, unchanged 2, skipped 0"
    assert _versions(timeline.client, "story-dry") == before


def test_cli_finds_the_bucket_by_client_tags(timeline, capsys):
    code = crane_main(
        [
            "reset-bucket",
            "--yes",
            "--client",
            "acme",
            "--to",
            isoformat(timeline.t2),
            "--endpoint-url",
            timeline.url,
            "--region",
            "us-east-1",
        ]
    )

    assert code == 0
    assert "client acme: bucket story-client" in capsys.readouterr().err
    assert _state(timeline.client, "story-client") == timeline.states["t2"]


# --- refusals -----------------------------------------------------------------------------


def _bucket_with_one_object(s3, name: str = "history") -> datetime:
    """Create a versioned bucket holding one object; return that object's LastModified."""
    _versioned_bucket(s3, name)
    s3.put_object(Bucket=name, Key="a.txt", Body=b"a")
    return s3.list_object_versions(Bucket=name)["Versions"][0]["LastModified"]


def test_a_time_in_the_future_is_refused(s3):
    _bucket_with_one_object(s3)
    future = datetime.now(UTC) + timedelta(hours=1)
    with pytest.raises(ResetError, match=r"bucket history: .* is in the future"):
        bucket_listing.prepare_reset(s3, "history", future)


def test_a_time_before_the_oldest_version_is_refused_with_the_earliest_restorable_time(s3):
    oldest = _bucket_with_one_object(s3)
    with pytest.raises(ResetError) as refused:
        bucket_listing.prepare_reset(s3, "history", oldest - timedelta(days=1))
    assert "bucket history" in str(refused.value)
    assert f"earliest restorable time is {isoformat(oldest)}" in str(refused.value)


def test_a_time_older_than_noncurrent_version_expiration_is_refused(s3):
    _bucket_with_one_object(s3)
    s3.put_bucket_lifecycle_configuration(
        Bucket="history",
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "trim-history",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                }
            ]
        },
    )
    expected = (
        "lifecycle rule 'trim-history' expires noncurrent versions after 30 days, .*; earliest restorable time is"
    )
    with pytest.raises(ResetError, match=expected):
        bucket_listing.prepare_reset(s3, "history", datetime.now(UTC) - timedelta(days=31))


def test_a_bucket_that_never_had_versioning_is_refused(s3):
    s3.create_bucket(Bucket="plain")
    with pytest.raises(ResetError, match="bucket plain has never had versioning enabled"):
        bucket_listing.prepare_reset(s3, "plain", datetime.now(UTC))


def test_a_bucket_with_versioning_suspended_is_refused(s3):
    _bucket_with_one_object(s3, "paused")
    s3.put_bucket_versioning(Bucket="paused", VersioningConfiguration={"Status": "Suspended"})
    with pytest.raises(ResetError, match="bucket paused has versioning Suspended"):
        bucket_listing.prepare_reset(s3, "paused", datetime.now(UTC))


def test_a_missing_bucket_is_refused(s3):
    with pytest.raises(ResetError, match="bucket nowhere does not exist"):
        bucket_listing.prepare_reset(s3, "nowhere", datetime.now(UTC))


def test_cli_refuses_a_naive_time_with_exit_code_2(capsys):
    code = crane_main(["reset-bucket", "--bucket", "any", "--to", "2026-11-20T10:00:00"])
    assert code == 2
    assert "has no timezone" in capsys.readouterr().err


def test_cli_refuses_a_future_time_with_exit_code_2(s3, capsys):
    _bucket_with_one_object(s3)
    code = crane_main(["reset-bucket", "--bucket", "history", "--to", "2999-01-01T00:00:00Z", "--region", "us-east-1"])
    assert code == 2
    assert "is in the future" in capsys.readouterr().err


def test_failed_actions_are_reported_and_the_rest_still_applied(s3):
    _versioned_bucket(s3, "partial")
    current = {key: s3.put_object(Bucket="partial", Key=key, Body=b"x")["VersionId"] for key in ("a.txt", "b.txt")}
    plan = Plan(
        datetime.now(UTC),
        (
            Action("a.txt", "restore", current["a.txt"], "no-such-version", 1),
            Action("b.txt", "delete", current["b.txt"], None),
        ),
        unchanged=0,
    )

    report = bucket_copying.execute_plan(s3, "partial", plan)

    assert [failure.action.key for failure in report.failures] == ["a.txt"]
    assert report.applied == {"delete": 1}


# --- finding a client's bucket ------------------------------------------------------------


@pytest.fixture
def tagged_buckets(s3):
    """Buckets with no tags, foreign tags, and one or two crane-it buckets per client."""
    s3.create_bucket(Bucket="untagged")
    _versioned_bucket(s3, "acme-data", {"client": "acme", "managed-by": "crane-it"})
    _versioned_bucket(s3, "acme-by-hand", {"client": "acme"})
    _versioned_bucket(s3, "globex-1", {"client": "globex", "managed-by": "crane-it"})
    _versioned_bucket(s3, "globex-2", {"client": "globex", "managed-by": "crane-it"})
    return s3


def test_client_slug_resolves_to_its_one_managed_bucket(tagged_buckets):
    assert bucket_listing.find_client_bucket(tagged_buckets, "acme") == "acme-data"


def test_client_slug_without_a_bucket_is_refused(tagged_buckets):
    expected = "no bucket is tagged client=initech and managed-by=crane-it"
    with pytest.raises(ResetError, match=expected):
        bucket_listing.find_client_bucket(tagged_buckets, "initech")


def test_client_slug_with_two_buckets_is_refused_naming_both(tagged_buckets):
    expected = (
        "2 buckets are tagged client=globex and managed-by=crane-it: globex-1, globex-2; choose one with --bucket"
    )
    with pytest.raises(ResetError, match=expected):
        bucket_listing.find_client_bucket(tagged_buckets, "globex")


# --- the pure planner ---------------------------------------------------------------------

BASE = datetime(2026, 11, 20, 10, 0, 0, tzinfo=UTC)


def _at(seconds: int) -> datetime:
    return BASE + timedelta(seconds=seconds)


def _version(vid: str, second: int, latest: bool = False, etag: str | None = None, **extra) -> Entry:
    return Entry("k", vid, _at(second), latest, False, etag or f'"{vid}"', 1, **extra)


def _marker(vid: str, second: int, latest: bool = False) -> Entry:
    return Entry("k", vid, _at(second), latest, True)


def _plan(entries: list[Entry], second: int) -> Plan:
    """Plan one key "k" from its versions and markers, each kind newest first as S3 lists them."""
    return bucket_plan.plan_reset({"k": entries}, _at(second))


def test_key_created_after_the_time_gets_a_delete_marker():
    plan = _plan([_version("v1", 10, latest=True)], 5)
    assert plan.actions == (Action("k", "delete", "v1", None),)


def test_key_absent_at_the_time_and_deleted_now_is_left_alone():
    plan = _plan([_marker("m1", 20, latest=True), _version("v1", 10)], 5)
    assert plan.actions == () and plan.unchanged == 1


def test_key_deleted_at_the_time_and_deleted_now_is_left_alone():
    plan = _plan([_marker("m2", 30, latest=True), _version("v2", 20), _marker("m1", 10), _version("v1", 0)], 15)
    assert plan.actions == () and plan.unchanged == 1


def test_key_deleted_after_the_time_is_undeleted_with_the_version_current_then():
    plan = _plan([_marker("m1", 20, latest=True), _version("v1", 10)], 15)
    assert plan.actions == (Action("k", "undelete", "m1", "v1", 1, None),)


def test_a_copy_with_the_same_etag_and_size_counts_as_unchanged():
    plan = _plan(
        [_version("copy", 30, latest=True, etag='"same"'), _version("v2", 20), _version("v1", 10, etag='"same"')], 15
    )
    assert plan.actions == () and plan.unchanged == 1


def test_versions_in_the_same_second_keep_the_listing_order():
    plan = _plan([_version("v3", 20, latest=True), _version("v2", 10), _version("v1", 10)], 15)
    assert plan.actions == (Action("k", "restore", "v3", "v2", 1, None),)


def test_is_latest_decides_between_a_version_and_a_marker_in_the_same_second():
    deleted_last = _plan([_version("v1", 10), _marker("m1", 10, latest=True)], 15)
    written_last = _plan([_marker("m1", 10), _version("v1", 10, latest=True)], 15)
    assert deleted_last.actions == () and written_last.actions == ()


def test_an_unordered_version_and_marker_in_the_same_second_are_skipped_not_guessed():
    plan = _plan([_version("v2", 20, latest=True), _version("v1", 10), _marker("m1", 10)], 15)
    assert plan.actions == ()
    assert plan.skipped == (Skipped("k", plan.skipped[0].reason),)
    assert "LastModified 2026-11-20T10:00:10Z" in plan.skipped[0].reason


def test_an_archived_version_is_skipped_with_the_reason():
    plan = _plan([_version("v2", 20, latest=True), _version("v1", 10, storage_class="GLACIER")], 15)
    assert plan.actions == () and "v1 is in GLACIER" in plan.skipped[0].reason


def test_part_ranges_cover_every_byte_exactly_once():
    assert bucket_plan.part_ranges(11, 5) == [(0, 4), (5, 9), (10, 10)]
    assert bucket_plan.part_ranges(10, 5) == [(0, 4), (5, 9)]


def test_part_size_prefers_the_original_upload_and_respects_the_part_count_limit():
    assert bucket_plan.choose_part_size(6 * 1024**3, original=64 * MiB) == 64 * MiB
    assert bucket_plan.choose_part_size(6 * 1024**3, original=None) == bucket_plan.DEFAULT_PART_SIZE
    five_tib = 5 * 1024**4
    assert bucket_plan.choose_part_size(five_tib, original=None) == math.ceil(five_tib / 10_000)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-20T10:00:00Z", datetime(2026, 11, 20, 10, tzinfo=UTC)),
        ("2026-11-20T11:30:00+01:30", datetime(2026, 11, 20, 10, tzinfo=UTC)),
    ],
)
def test_times_with_a_timezone_are_read_as_utc(text, expected):
    assert bucket_plan.parse_time(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("2026-11-20T10:00:00", "has no timezone"),
        ("2026-11-20", "has no timezone"),
        ("last tuesday", "is not an ISO-8601 time"),
    ],
)
def test_naive_or_unreadable_times_are_refused(text, message):
    with pytest.raises(ResetError, match=message):
        bucket_plan.parse_time(text)


# --- confirmation, errors and progress of the command -----------------------------------------


class _Terminal:
    """A stdin that is a terminal and answers ``answer``."""

    def __init__(self, answer: str) -> None:
        self.answer = answer

    def isatty(self) -> bool:
        return True

    def readline(self) -> str:
        return self.answer


def _bucket_with_a_later_key(s3, name: str) -> datetime:
    """A bucket whose `late.txt` was written a second after the time this returns."""
    early = _bucket_with_one_object(s3, name)
    while datetime.now(UTC) < early.replace(microsecond=0) + timedelta(seconds=1.05):
        time.sleep(0.05)
    s3.put_object(Bucket=name, Key="late.txt", Body=b"late")
    return early


def test_a_real_run_asks_first_and_changes_nothing_unless_the_answer_is_yes(s3, capsys, monkeypatch):
    early = _bucket_with_a_later_key(s3, "asked")
    before = _versions(s3, "asked")
    command = ["reset-bucket", "--bucket", "asked", "--to", isoformat(early), "--region", "us-east-1"]

    monkeypatch.setattr(sys, "stdin", _Terminal("n\n"))
    assert crane_main(command) == 2
    err = capsys.readouterr().err
    assert "Apply 1 changes to s3://asked (restore 0, undelete 0, delete 1, unchanged 1, skipped 0)? [y/N]" in err
    assert "reset-bucket cancelled; nothing changed" in err
    assert _versions(s3, "asked") == before

    monkeypatch.setattr(sys, "stdin", _Terminal("y\n"))
    assert crane_main(command) == 0
    assert "done: restore 0, undelete 0, delete 1, failed 0" in capsys.readouterr().out
    assert s3.list_objects_v2(Bucket="asked")["KeyCount"] == 1  # late.txt is behind a delete marker


def test_yes_applies_without_a_terminal_and_json_keeps_stdout_clean(s3, capsys, monkeypatch):
    early = _bucket_with_a_later_key(s3, "scripted")
    monkeypatch.setattr(sys, "stdin", _Terminal("never read\n"))
    command = ["reset-bucket", "--bucket", "scripted", "--to", isoformat(early), "--region", "us-east-1"]
    assert crane_main([*command, "--yes", "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)  # progress and questions stay on stderr
    assert result["applied"] == {"delete": 1} and result["actions"][0]["key"] == "late.txt"
    assert "[y/N]" not in captured.err


@pytest.mark.parametrize(
    ("credentials", "words"),
    [(False, "Unable to locate credentials"), (True, "Could not connect to the endpoint URL")],
)
def test_credential_and_endpoint_errors_exit_2_saying_nothing_changed(capsys, monkeypatch, credentials, words):
    if not credentials:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # no retries against a closed port
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # resolve credentials afresh, from this environment
    # A closed port on loopback: never real AWS, whatever happens.
    command = [
        "reset-bucket",
        "--bucket",
        "any",
        "--to",
        "2026-11-20T10:00:00Z",
        "--endpoint-url",
        "http://127.0.0.1:9",
    ]
    assert crane_main([*command, "--region", "us-east-1"]) == 2
    err = capsys.readouterr().err
    assert "could not read the bucket" in err and words in err and err.rstrip().endswith("nothing changed")


def test_progress_lines_give_rate_and_eta_at_most_once_a_second():
    stream, now = io.StringIO(), [0.0]
    lines = ProgressLines(stream, clock=lambda: now[0])
    for page in range(1, 4):
        now[0] += 0.5
        lines.listed_page(page, page * 1000)
    lines.listing_done()
    lines.start_applying()
    for done in range(1, 21):
        now[0] += 0.25  # 4 actions a second
        lines.applied(done, 20)
    assert stream.getvalue().splitlines() == [
        "listing: 1,000 versions and delete markers (1 page) ...",
        # page 2 came half a second after page 1: no line
        "listing: 3,000 versions and delete markers (3 pages) ...",
        "listed 3,000 versions and delete markers in 3 pages (2s)",
        "applied 1/20 (5%), 4.0/s, ETA 5s",
        "applied 5/20 (25%), 4.0/s, ETA 4s",
        "applied 9/20 (45%), 4.0/s, ETA 3s",
        "applied 13/20 (65%), 4.0/s, ETA 2s",
        "applied 17/20 (85%), 4.0/s, ETA 1s",
        "applied 20/20 (100%), 4.0/s, took 5s",
    ]
