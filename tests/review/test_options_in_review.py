"""Issue 18, item 13: `crane plan --json`, `crane plan` and `crane diff` show what a resource's
options do to a deploy: an import (adopted, not created), replace on change, custom timeouts."""

from __future__ import annotations

from pathlib import Path

import yaml

from crane_it import ClientStack
from crane_it.loader import parse_spec
from crane_it.review import diff_report, plan_text
from crane_it.review.plan_diff import diff
from crane_it.review.plan_json import document
from crane_it.testing import Registration
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "aws:s3/bucket:Bucket"


def _reg(name: str, **options) -> Registration:
    return Registration(
        urn=f"urn:pulumi:s::p::{BUCKET}::{name}",
        type=BUCKET,
        name=name,
        parent="",
        custom=True,
        inputs={"bucket": name, "tags": {"a": "1"}},
        **options,
    )


def _report(changes) -> dict:
    entry = {"stack": "s", "changes": [c.as_json() for c in changes], "notes": [], "invalid": False, "cost": None}
    return {"stacks": [entry], "data_at_risk": []}


def test_plan_json_carries_the_import_the_timeouts_and_replace_on_changes():
    [doc] = document(
        [_reg("files", import_id="acme-files", custom_timeouts={"create": "6h"}, replace_on_changes=["tags"])]
    )
    assert doc["import_id"] == "acme-files"
    assert doc["custom_timeouts"] == {"create": "6h"}
    assert doc["replace_on_changes"] == ["tags"]
    [plain] = document([_reg("files")])
    assert (plain["import_id"], plain["custom_timeouts"], plain["replace_on_changes"]) == ("", {}, [])


def test_crane_diff_shows_an_import_and_why_it_matters():
    [change] = diff([], document([_reg("files", import_id="acme-files")]))
    assert change.action == "create" and change.import_id == "acme-files"
    assert any("adopts the existing acme-files instead of creating it" in why for why in change.why)
    text = diff_report.text(_report([change]))
    assert "[import acme-files]" in text and "why: imported: Pulumi adopts the existing acme-files" in text
    assert "(import `acme-files`)" in diff_report.markdown(_report([change]))


def test_replace_on_changes_makes_the_diff_a_replace_and_says_so():
    base = document([_reg("files", replace_on_changes=["tags"])])
    head = document([_reg("files", replace_on_changes=["tags"])])
    head[0]["inputs"]["tags"] = {"a": "2"}  # tags alone never replace a bucket; the option does
    [change] = diff(base, head)
    assert change.action == "replace" and change.replaced_by == ["tags"]
    assert "replaced, not updated, on any change of tags (replace_on_changes)" in change.why


def test_a_document_from_an_older_library_without_the_options_shows_no_change():
    old = document([_reg("files")])
    for key in ("import_id", "custom_timeouts", "replace_on_changes"):
        del old[0][key]
    assert diff(old, document([_reg("files")])) == []


def test_crane_plan_shows_the_restore_s_timeout_under_the_restored_instance(render):
    data = yaml.safe_load((ROOT / "stacks" / "example.yaml").read_text(encoding="utf-8"))
    data["database"]["restore"] = {"id": "20261126t1015", "point_in_time": "2026-11-20T10:00:00Z"}
    spec = parse_spec(yaml.safe_dump(data), "stacks/example.yaml", context={"now": NOW})
    lines = list(plan_text.tree_lines(render(lambda: ClientStack(spec, "example"), stack="example")))
    at = next(i for i, line in enumerate(lines) if "Instance example-db-restore-20261126t1015" in line)
    below = lines[at + 1 : at + 6]
    assert any("option: `pulumi up` waits up to create 6h (custom timeouts" in line for line in below), below
