"""The stable, reviewable form of a rendered plan: the same inputs give the same bytes.

``crane plan --json`` prints it and ``crane diff`` compares two of them. What the engine hands
back is not stable as it comes: resources register in a different order on every run, inputs
that only exist after a deploy are ``Unknown`` objects whose text holds a memory address, and
numbers arrive as floats. Here resources are sorted by URN, object keys are sorted, dependency
lists are sorted, every unknown value is the one marker :data:`UNKNOWN`, every secret value is
:data:`SECRET` (the value itself never reaches the document), and integral floats are ints.

This module imports nothing from ``crane_it``: ``crane diff`` loads it by file path into the
process that renders an older revision with that revision's own library, so both sides of a
diff are written by the same code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

UNKNOWN = "<unknown until deployed>"
"""Every value the engine only learns during a deploy (an id, an ARN of a new resource)."""

SECRET = "<secret>"
"""Every value Pulumi marks secret; the value itself is never written."""

_SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
"""Pulumi's wire signature of a secret value (pulumi.runtime.rpc._special_sig_key / _special_secret_sig)."""


def canonical(value: Any) -> Any:
    """``value`` with unknowns and secrets replaced by their markers and integral floats as ints."""
    if type(value).__name__ == "Unknown" or "pulumi.output.Unknown" in repr(type(value)):
        return UNKNOWN
    if isinstance(value, Mapping):
        if value.get(_SECRET_SIG_KEY) == _SECRET_SIG:
            return SECRET
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if value is None or isinstance(value, (str, int, bool)):
        return value
    asset = _asset(value)
    if asset is not None:
        return asset
    return UNKNOWN if "Unknown" in type(value).__name__ else str(value)


def _asset(value: Any) -> dict[str, Any] | None:
    """A Pulumi asset or archive by its content (a function's code), so equal code compares equal.

    Their repr carries the object's address, which differs between two renderings.
    """
    kind = type(value).__name__
    if kind == "AssetArchive":
        return {"archive": {str(k): canonical(v) for k, v in sorted(getattr(value, "assets", {}).items())}}
    if kind == "StringAsset":
        return {"sha256": hashlib.sha256(str(getattr(value, "text", "")).encode()).hexdigest()}
    if kind in ("FileAsset", "FileArchive", "RemoteAsset", "RemoteArchive"):
        return {kind: str(getattr(value, "path", None) or getattr(value, "uri", ""))}
    return None


def _references(reg: Any, handles: Mapping[str, tuple[str, ...]], inputs: Mapping[str, Any]) -> dict[str, list[str]]:
    """Which top-level inputs of ``reg`` carry an id or ARN of which of its dependencies.

    ``crane diff`` needs this to see that replacing a resource changes whoever points at it:
    a new task definition revision has a new ARN, so the ECS service that names it updates.
    """
    found: dict[str, list[str]] = {}
    for key, value in inputs.items():
        text = json.dumps(value, sort_keys=True, default=str)
        hits = [dep for dep in getattr(reg, "dependencies", []) if any(h in text for h in handles.get(dep, ()))]
        if hits:
            found[key] = sorted(set(hits))
    return found


def parsed(value: Any) -> Any:
    """An input holding a JSON document (a policy, container definitions), parsed; anything
    else, or text that only looks like JSON, as it is."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def document(plan: Iterable[Any]) -> list[dict[str, Any]]:
    """Every registration of ``plan`` as a plain, sorted, marker-normalised dict."""
    regs = list(plan)
    handles: dict[str, tuple[str, ...]] = {}
    for reg in regs:
        outputs = getattr(reg, "outputs", {}) or {}
        ids = (getattr(reg, "id", ""), outputs.get("arn"), outputs.get("id"))
        handles[reg.urn] = tuple(h for h in ids if isinstance(h, str) and len(h) >= 8)
    resources = []
    for reg in regs:
        inputs = canonical(reg.inputs)
        resources.append(
            {
                "urn": reg.urn,
                "type": reg.type,
                "name": reg.name,
                "custom": reg.custom,
                "parent": reg.parent,
                "provider": reg.provider,
                "protect": reg.protect,
                "retain_on_delete": reg.retain_on_delete,
                "delete_before_replace": getattr(reg, "delete_before_replace", False),
                "ignore_changes": sorted(getattr(reg, "ignore_changes", [])),
                # Adopting and replacing options: invisible in the inputs, decisive for the deploy.
                "import_id": getattr(reg, "import_id", "") or "",
                "custom_timeouts": dict(sorted((getattr(reg, "custom_timeouts", None) or {}).items())),
                "replace_on_changes": sorted(getattr(reg, "replace_on_changes", None) or []),
                "dependencies": sorted(set(getattr(reg, "dependencies", []))),
                "references": _references(reg, handles, inputs),
                "handles": sorted(handles.get(reg.urn, ())),
                "inputs": inputs,
            }
        )
    return sorted(resources, key=lambda r: r["urn"])


def dumps(resources: list[dict[str, Any]]) -> str:
    """The document as JSON text: sorted keys, two-space indent, a final newline."""
    return json.dumps(resources, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
