"""A cache of rendered plan documents, so a re-run of a review renders only what changed.

A committed revision renders the same every time: its specs, program and library are fixed
by the commit. What else goes into a render is in the key too: the stack, the hash of its spec
and settings files, the versions of Python, ``pulumi`` and ``pulumi-aws`` (and of ``crane-it``,
for a repo that renders with the installed package), and the text of the module that writes
the document (``plan_json``). Change any of them and the entry is simply not found.

Entries live in ``$CRANE_RENDER_CACHE``, else ``$XDG_CACHE_HOME/crane-it/renders``, else
``~/.cache/crane-it/renders``: one JSON file per key, written atomically, so two processes
can share the directory (CI restores it with ``actions/cache`` keyed by the base commit).
``CRANE_RENDER_CACHE=off`` turns it off. A failed render is never cached.

The functions are small on purpose: :func:`key` for the identity of a render, :func:`load`
and :func:`save` for one entry. Any caller that renders a fixed revision can use them.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FORMAT = 1
"""Bumped when the shape of an entry changes."""

_PACKAGES = ("pulumi", "pulumi-aws", "pulumi-docker", "pydantic", "crane-it")


def directory() -> Path | None:
    """Where entries live; None when the cache is turned off."""
    configured = os.environ.get("CRANE_RENDER_CACHE", "")
    if configured.lower() in ("off", "0", "no", "false"):
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "crane-it" / "renders"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def environment() -> str:
    """What the machine contributes to a render: Python and the rendering packages' versions."""
    versions = ",".join(f"{p}={_version(p)}" for p in _PACKAGES)
    return f"python={sys.version_info.major}.{sys.version_info.minor};{versions}"


def key(commit: str, stack: str, inputs: Iterable[bytes], writer: str, extra: str = "") -> str:
    """The identity of one stack's render at a committed revision.

    ``inputs``: the contents of the files that are the stack's alone (its spec, its settings);
    ``writer``: the text of the module that writes the document; ``extra``: anything else the
    caller knows matters (which library renders it, the spec path handed to the program).
    """
    digest = hashlib.sha256()
    for part in (str(FORMAT), commit, stack, environment(), writer, extra):
        digest.update(part.encode("utf-8") + b"\0")
    for content in inputs:
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


def load(entry: str) -> list[dict[str, Any]] | None:
    """The plan document stored under ``entry``; None when there is none (or it is unreadable)."""
    folder = directory()
    if folder is None:
        return None
    try:
        stored = json.loads((folder / f"{entry}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    resources = stored.get("resources") if isinstance(stored, dict) else None
    return resources if isinstance(resources, list) else None


def save(entry: str, resources: list[dict[str, Any]]) -> None:
    """Store a plan document under ``entry``; a cache that cannot be written is skipped, not an error."""
    folder = directory()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False, encoding="utf-8") as out:
            json.dump({"format": FORMAT, "resources": resources}, out)
        os.replace(out.name, folder / f"{entry}.json")
    except OSError:
        return


__all__ = ["directory", "environment", "key", "load", "save"]
