"""The JSON Schema of client specs, generated from the pydantic models and committed for editors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from components.spec import ClientSpec

HELP = "write schema/client.schema.json from the spec models (or --check it)"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "client.schema.json"


def generate() -> str:
    """The schema text exactly as committed (stable key order, trailing newline)."""
    schema = ClientSpec.model_json_schema(mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://crane-it.dev/schema/client.schema.json",
        **schema,
    }
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `python -m crane schema`."""
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed schema is stale")


def run(args: argparse.Namespace) -> int:
    """Write the schema, or with --check report whether the committed one is current."""
    text = generate()
    if args.check:
        current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
        if current != text:
            print(f"{SCHEMA_PATH} is stale: run `python -m crane schema` and commit it")
            return 1
        print(f"{SCHEMA_PATH} is current")
        return 0
    SCHEMA_PATH.parent.mkdir(exist_ok=True)
    SCHEMA_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    return 0
