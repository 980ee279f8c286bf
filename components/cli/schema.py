"""``crane schema``: write the client and platform specs' JSON Schemas (crane_it.spec.schema), or check them."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = (
    "write the client and platform specs' JSON Schemas (package data, or --output FILE for the client's) "
    "from the spec models, or --check them"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `crane schema`."""
    parser.add_argument("--check", action="store_true", help="exit 1 if the schema file is stale")
    parser.add_argument("--output", type=Path, help="where to write it (default: the package's copy)")


def run(args: argparse.Namespace) -> int:
    """Write the schemas, or with --check report whether the files are current."""
    from ..spec.platform import PlatformSpec
    from ..spec.schema import PLATFORM_SCHEMA, SCHEMA_PATH, generate

    client: Path = args.output or SCHEMA_PATH
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
