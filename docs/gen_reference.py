"""Write docs/reference/{client,platform}.md from the committed JSON Schemas.

Every field of the client and platform specs, with its path, type, default, allowed values
and description, straight from `components/{client,platform}.schema.json` (which `crane
schema` generates from the pydantic models). So the reference is as current as the schema,
and the schema as current as the models: `tests/test_docs.py` fails when either page differs
from what this script writes.

    python docs/gen_reference.py          # write the pages
    python docs/gen_reference.py --check  # exit 1 if a committed page is stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "components"
OUT = ROOT / "docs" / "reference"

PAGES = {
    "client.md": ("client.schema.json", "Client spec reference", "stacks/<client>.yaml", "client"),
    "platform.md": ("platform.schema.json", "Platform spec reference", "stacks/<platform>.yaml", "platform"),
}

Schema = dict[str, Any]


def _ref(schema: Schema, root: Schema) -> Schema:
    """The definition a ``$ref`` points at (``#/$defs/Name``), or ``schema`` itself."""
    ref = schema.get("$ref")
    if not ref:
        return schema
    name = ref.rsplit("/", 1)[-1]
    return root["$defs"][name]


def _variants(schema: Schema) -> tuple[list[Schema], bool]:
    """The non-null alternatives of a field, and whether null is allowed."""
    options = schema.get("anyOf") or schema.get("oneOf") or [schema]
    nullable = any(option.get("type") == "null" for option in options)
    return [option for option in options if option.get("type") != "null"], nullable


def _type(schema: Schema, root: Schema) -> str:
    """A short type name: `integer`, `list of string`, `object (BucketSpec)`, `map of string to string`."""
    if "$ref" in schema:
        return f"object ({schema['$ref'].rsplit('/', 1)[-1]})"
    if "const" in schema:
        return type(schema["const"]).__name__.replace("str", "string").replace("bool", "boolean")
    kind = schema.get("type")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}), root)}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"map of string to {_type(schema['additionalProperties'], root)}"
    if kind == "object" and "patternProperties" in schema:
        (value,) = schema["patternProperties"].values()
        return f"map of string to {_type(value, root)}"
    if isinstance(kind, list):
        return " or ".join(kind)
    return kind or "any"


def _allowed(schema: Schema) -> list[str]:
    """What the schema says about valid values, in words a YAML author reads."""
    facts: list[str] = []
    if "enum" in schema:
        facts.append("one of " + ", ".join(f"`{json.dumps(value)}`" for value in schema["enum"]))
    if "const" in schema:
        facts.append(f"exactly `{json.dumps(schema['const'])}`")
    bounds = [
        ("minimum", ">= {}"),
        ("exclusiveMinimum", "> {}"),
        ("maximum", "<= {}"),
        ("exclusiveMaximum", "< {}"),
        ("minLength", "at least {} characters"),
        ("maxLength", "at most {} characters"),
        ("minItems", "at least {} items"),
        ("maxItems", "at most {} items"),
        ("maxProperties", "at most {} entries"),
    ]
    facts += [template.format(schema[key]) for key, template in bounds if key in schema]
    if "pattern" in schema:
        facts.append(f"matches `{schema['pattern']}`")
    if "format" in schema:
        facts.append(f"format `{schema['format']}`")
    names = schema.get("propertyNames", {})
    if "pattern" in names:
        facts.append(f"keys match `{names['pattern']}`")
    if "patternProperties" in schema:
        facts.append("keys match " + ", ".join(f"`{key}`" for key in schema["patternProperties"]))
    items = schema.get("items")
    if isinstance(items, dict) and "$ref" not in items:
        facts += [f"each item {fact}" for fact in _allowed(items)]
    return facts


def _describe(text: str) -> str:
    """A docstring as Markdown: wrapped lines joined, blank lines kept, `<...>` outside code escaped."""
    paragraphs = [" ".join(line.strip() for line in block.splitlines()) for block in re.split(r"\n\s*\n", text)]
    out = []
    for paragraph in paragraphs:
        parts = paragraph.split("`")
        parts[::2] = [part.replace("<", "&lt;").replace(">", "&gt;") for part in parts[::2]]
        out.append("`".join(parts))
    return "\n\n".join(out)


def _default(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return f"`{text}`" if len(text) <= 60 else "see the fields below"


def fields(schema: Schema, root: Schema, prefix: str = "") -> list[tuple[str, Schema, bool, Schema]]:
    """Every field under ``schema``: (path, field schema, required, resolved value schema), depth first."""
    found = []
    required = set(schema.get("required", []))
    for name, field in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        variants, _ = _variants(field)
        found.append((path, field, name in required, field))
        for variant in variants:
            target = _ref(variant, root)
            if target is not variant and "properties" in target:
                found += fields(target, root, f"{path}.")
            items = variant.get("items", {})
            if variant.get("type") == "array" and "$ref" in items:
                found += fields(_ref(items, root), root, f"{path}[].")
            # A map of models: its values under additionalProperties, or under patternProperties
            # when the keys have a form of their own (job and worker names).
            for values in [variant.get("additionalProperties"), *variant.get("patternProperties", {}).values()]:
                if isinstance(values, dict) and "$ref" in values:
                    found += fields(_ref(values, root), root, f"{path}.<name>.")
    return found


def page(file_name: str) -> str:
    """The reference page for one schema file."""
    schema_file, title, where, kind = PAGES[file_name]
    root = json.loads((SCHEMAS / schema_file).read_text(encoding="utf-8"))
    lines = [
        f"# {title}",
        "",
        "<!-- Generated by docs/gen_reference.py from components/" + schema_file + "; do not edit. -->",
        "",
        f"Every field of a {kind} spec (`{where}`), generated from `components/{schema_file}`, "
        "the JSON Schema that `crane schema` writes from the spec models. "
        f"{_describe(root.get('description', ''))} "
        "Unknown fields are refused, so a typo is an error, never a silent default.",
        "",
        f"Required at the top level: {', '.join(f'`{name}`' for name in root.get('required', []))}.",
        "",
    ]
    for path, field, required, _ in fields(root, root):
        variants, nullable = _variants(field)
        types = " or ".join(_type(variant, root) for variant in variants) or "any"
        if nullable:
            types += " or null"
        lines += [f"## `{path}`", ""]
        lines.append(f"- **type**: {types}")
        if required:
            lines.append("- **required**")
        elif "default" in field:
            lines.append(f"- **default**: {_default(field['default'])}")
        allowed = [fact for variant in variants for fact in _allowed(variant)]
        if allowed:
            lines.append("- **allowed**: " + "; ".join(allowed))
        description = field.get("description") or next(
            (_ref(v, root).get("description") for v in variants if _ref(v, root).get("description")), ""
        )
        lines.append("")
        if description:
            lines += [_describe(description), ""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed page is stale")
    args = parser.parse_args(argv)
    stale = []
    for file_name in PAGES:
        path = OUT / file_name
        text = page(file_name)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    for path in stale:
        print(f"{path.relative_to(ROOT)} is stale: run `python docs/gen_reference.py` and commit it", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
