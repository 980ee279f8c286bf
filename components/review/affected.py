"""Which client stacks a change touches: what `crane affected` prints and `crane diff` diffs by default.

A spec change (``stacks/<stack>.yaml``) or a stack's own Pulumi config (``Pulumi.<stack>.yaml``)
touches that stack. A change to what every stack is built from touches every stack: the library
directory, ``__main__.py``, ``Pulumi.yaml``, ``requirements.txt``, ``pyproject.toml`` (the
library's dependencies) and ``policy/`` (the guardrails every preview runs). Anything else (docs,
tests, workflows) touches none. The change is the working tree against the merge base of REF,
which is what a pull request shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from ..project import PROJECT_FILE, STACKS_DIR
from .revisions import changed_files, library_dir, merge_base

EVERY_STACK = ("__main__.py", PROJECT_FILE, "requirements.txt", "pyproject.toml", "policy/")
"""Paths (a trailing / means a directory) whose change touches every stack, besides the library."""


def stacks_in(project: Path) -> list[str]:
    """The stacks whose spec is in the project's working tree."""
    return sorted(p.stem for p in (project / STACKS_DIR).glob("*.yaml"))


def affected_stacks(changed: Iterable[str], stacks: Iterable[str], library: str | None) -> list[str]:
    """The stacks among ``stacks`` that the changed paths (relative to the project) touch."""
    stacks = sorted(stacks)
    shared = [*EVERY_STACK, *([library.rstrip("/") + "/"] if library else [])]
    touched: set[str] = set()
    for path in changed:
        if any(path == p or (p.endswith("/") and path.startswith(p)) for p in shared):
            return stacks
        parts = Path(path).parts
        if len(parts) == 2 and parts[0] == STACKS_DIR and parts[1].endswith(".yaml"):
            touched.add(Path(parts[1]).stem)
        elif len(parts) == 1 and path.startswith("Pulumi.") and path.endswith(".yaml"):
            touched.add(path[len("Pulumi.") : -len(".yaml")])
    return sorted(touched)


def affected(project: Path, base: str) -> tuple[list[str], list[str]]:
    """(stacks to preview/deploy, stacks whose spec the change removed) for ``project`` against ``base``."""
    library = library_dir(project)
    changed = changed_files(project, merge_base(project, base))
    present = stacks_in(project)
    touched = affected_stacks(changed, present, library.relative_to(project).as_posix() if library else None)
    removed = sorted(
        Path(p).stem
        for p in changed
        if p.startswith(f"{STACKS_DIR}/") and p.endswith(".yaml") and Path(p).stem not in present
    )
    touched = with_platform_neighbours(touched, project / STACKS_DIR)
    return [s for s in touched if s in present], removed


def with_platform_neighbours(stacks: Iterable[str], directory: Path) -> list[str]:
    """``stacks`` plus, for a platform among them, its clients, and for a client on a platform,
    that platform: clients read the platform's outputs, and the platform's render checks its
    quotas across all its clients."""
    platform_of: dict[str, str] = {}
    for file in directory.glob("*.yaml"):
        head = yaml.safe_load(file.read_text(encoding="utf-8"))
        if isinstance(head, dict) and "client" in head and isinstance(head.get("platform"), str):
            platform_of[file.stem] = head["platform"]
    wanted = set(stacks)
    wanted |= {client for client, platform in platform_of.items() if platform in wanted}
    wanted |= {platform_of[stack] for stack in list(wanted) if stack in platform_of}
    return sorted(wanted)
