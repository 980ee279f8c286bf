"""The JSON Schemas of client and platform specs, generated from the pydantic models and committed for editors.

``crane schema`` writes them (or ``--check``s them) as package data next to the models; the
example specs point editors at them with a ``yaml-language-server`` comment.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .client import ClientSpec

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
