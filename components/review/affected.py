"""Which stacks a change touches: what `crane affected` prints and `crane diff` diffs by default.

The stacks are the project's declared stacks (crane_it.review.stacks: ``stacks/*.yaml``,
``Pulumi.<stack>.yaml``, Pulumi.yaml's ``crane-it:stacks``), at the base and in the working tree.
A change to a stack's own files (its spec, its settings) touches that stack; a spec shared by
two stacks (``acme`` and ``acme-staging``) touches both. A change to what every stack is built
from touches every stack: the library directory, ``Pulumi.yaml``, ``requirements.txt``,
``pyproject.toml`` (the library's dependencies), ``policy/`` (the guardrails every preview
runs) and any Python file of the program (``__main__.py`` and what it may import; not tests,
docs or benchmarks, nor a nested project with its own Pulumi.yaml). Anything else touches none.
A stack declared at the base and no longer in the working tree is *removed* (deleted or
renamed): it is part of the review, never silently dropped. The change is the working tree
against the merge base of REF, which is what a pull request shows.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from ..errors import RevisionError
from ..project import PROJECT_FILE, STACKS_DIR
from .revisions import changed_files, git, library_dir, merge_base
from .stacks import Stack, stacks_at, stacks_of

EVERY_STACK = (PROJECT_FILE, "requirements.txt", "pyproject.toml", "policy/")
"""Paths (a trailing / means a directory) whose change touches every stack, besides the library
and the program's Python files."""
NOT_PROGRAM = ("tests", "test", "docs", "benchmarks", ".github")
"""Top-level directories whose Python files no program imports."""


@dataclass(frozen=True)
class Affected:
    """What a change touches: the stacks to preview or deploy, and the stacks it removed."""

    stacks: list[str]
    removed: list[str]
    head: dict[str, Stack]
    base: dict[str, Stack]


def stacks_in(project: Path) -> list[str]:
    """Every stack the project's working tree declares."""
    return list(stacks_of(project))


def _program_file(path: str, nested: set[str]) -> bool:
    parts = PurePosixPath(path).parts
    if not path.endswith(".py") or (parts and parts[0] in NOT_PROGRAM):
        return False
    return not any(path.startswith(prefix + "/") for prefix in nested)


def affected_stacks(
    changed: Iterable[str], stacks: dict[str, Stack], library: str | None, nested: Iterable[str] = ()
) -> list[str]:
    """The stacks among ``stacks`` that the changed paths (relative to the project) touch."""
    shared = [*EVERY_STACK, *([library.rstrip("/") + "/"] if library else [])]
    nested = set(nested)
    changed = list(changed)
    for path in changed:
        if any(path == p or (p.endswith("/") and path.startswith(p)) for p in shared) or _program_file(path, nested):
            return sorted(stacks)
    files = set(changed)
    return sorted(name for name, stack in stacks.items() if stack.inputs & files)


def affected(project: Path, base: str) -> Affected:
    """What the working tree of ``project`` changes against the merge base of ``base``."""
    commit = merge_base(project, base)
    library = library_dir(project)
    changed = changed_files(project, commit)
    head, before = stacks_of(project), stacks_at(project, commit)
    nested = _nested_projects(project)
    touched = affected_stacks(changed, head, library.relative_to(project).as_posix() if library else None, nested)
    touched = with_platform_neighbours(touched, project / STACKS_DIR)
    return Affected(
        stacks=[s for s in touched if s in head],
        removed=sorted(set(before) - set(head)),
        head=head,
        base=before,
    )


def retired_at(project: Path, commit: str, stack: Stack) -> bool:
    """Whether ``stack``'s spec said ``retire: true`` at ``commit`` (the retire flow's first step)."""
    if stack.spec is None:
        return False
    root = Path(git(project, "rev-parse", "--show-toplevel").strip())
    prefix = Path(project).resolve().relative_to(root.resolve()).as_posix()
    path = stack.spec if prefix == "." else f"{prefix}/{stack.spec}"
    try:
        document = yaml.safe_load(git(root, "show", f"{commit}:{path}"))
    except (RevisionError, yaml.YAMLError):  # a spec git cannot show or YAML cannot read was not retired
        return False
    return isinstance(document, dict) and document.get("retire") is True


def _nested_projects(project: Path) -> set[str]:
    """Directories under the project with a Pulumi.yaml of their own (another project's files)."""
    found = set()
    for directory, subdirectories, files in os.walk(project):
        subdirectories[:] = [d for d in subdirectories if not d.startswith(".") and d not in SKIPPED]
        if PROJECT_FILE in files and Path(directory) != project:
            found.add(Path(directory).relative_to(project).as_posix())
    return found


SKIPPED = frozenset({"node_modules", "__pycache__", "venv", "site-packages"})


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
