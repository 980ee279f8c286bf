"""The JSON Schema of client specs, generated from the pydantic models and committed for editors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..spec import ClientSpec

HELP = "write the client spec's JSON Schema (package data, or --output FILE) from the spec models, or --check it"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "client.schema.json"
"""The schema shipped as package data, next to the models it is generated from."""


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
    """Options of `crane schema`."""
    parser.add_argument("--check", action="store_true", help="exit 1 if the schema file is stale")
    parser.add_argument(
        "--output", type=Path, default=SCHEMA_PATH, help="where to write it (default: the package's copy)"
    )


def run(args: argparse.Namespace) -> int:
    """Write the schema, or with --check report whether the file is current."""
    text = generate()
    path: Path = args.output
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{path} is stale: run `crane schema` and commit it")
            return 1
        print(f"{path} is current")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0
