"""The committed JSON Schema matches the models, and the example specs reference it."""

import json
from pathlib import Path

import pytest

from crane_it.spec import schema
from crane_it.spec.platform import PlatformSpec

STACKS = sorted((Path(__file__).resolve().parents[2] / "stacks").glob("*.yaml"))


def test_committed_schema_matches_the_models():
    committed = schema.SCHEMA_PATH.read_text(encoding="utf-8")
    assert committed == schema.generate(), "the packaged client.schema.json drifted: run `crane schema`"


def test_schema_documents_fields_and_forbids_unknown_keys():
    document = json.loads(schema.generate())
    assert document["additionalProperties"] is False
    assert set(document["required"]) == {"client", "region", "service"}
    service = document["$defs"]["ServiceSpec"]
    assert service["additionalProperties"] is False
    assert "Hard memory limit" in service["properties"]["memory"]["description"]


def test_committed_platform_schema_matches_the_models():
    committed = schema.SCHEMA_PATH.with_name(schema.PLATFORM_SCHEMA).read_text(encoding="utf-8")
    assert committed == schema.generate(PlatformSpec, schema.PLATFORM_SCHEMA), "run `crane schema`"
    document = json.loads(committed)
    assert set(document["required"]) == {"platform", "region", "certificate"}
    assert document["additionalProperties"] is False


@pytest.mark.parametrize("path", STACKS, ids=lambda p: p.name)
def test_example_specs_point_editors_at_the_schema(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    kind = (
        "platform"
        if any(line.startswith("platform:") for line in lines) and not any(line.startswith("client:") for line in lines)
        else "client"
    )
    assert lines[0] == f"# yaml-language-server: $schema=../components/{kind}.schema.json"
