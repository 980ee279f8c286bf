"""The JSON Schemas of client and platform specs, generated from the pydantic models and committed for editors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pydantic import BaseModel

from ..spec import ClientSpec
from ..spec.platform import PlatformSpec

HELP = (
    "write the client and platform specs' JSON Schemas (package data, or --output FILE for the client's) "
    "from the spec models, or --check them"
)
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "client.schema.json"
"""The schema shipped as package data, next to the models it is generated from."""
PLATFORM_SCHEMA = "platform.schema.json"
"""The platform spec's schema, written beside the client's."""


def generate(model: type[BaseModel] = ClientSpec, file_name: str = SCHEMA_PATH.name) -> str:
    """The schema text exactly as committed (stable key order, trailing newline)."""
    schema = model.model_json_schema(mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://crane-it.dev/schema/{file_name}",
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
    """Write the schemas, or with --check report whether the files are current."""
    client: Path = args.output
    files = {client: generate(), client.with_name(PLATFORM_SCHEMA): generate(PlatformSpec, PLATFORM_SCHEMA)}
    stale = 0
    for path, text in files.items():
        if args.check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            stale += current != text
            print(f"{path} is stale: run `crane schema` and commit it" if current != text else f"{path} is current")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 1 if stale else 0
