"""Find the Pulumi project a command works on: the directory holding ``Pulumi.yaml``.

Crane It's commands and its spec loader work from any repo: they look for the project from
the current directory upward, as the Pulumi CLI does, never in the installed package.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ProjectError

PROJECT_FILE = "Pulumi.yaml"
STACKS_DIR = "stacks"
"""Where a project keeps its client specs: ``stacks/<stack>.yaml``."""


def find_project(start: Path | str | None = None) -> Path:
    """The nearest directory at or above ``start`` (default: the current one) with a Pulumi.yaml."""
    here = Path(start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / PROJECT_FILE).is_file():
            return directory
    raise ProjectError(f"no {PROJECT_FILE} in {here} or any directory above it; run this inside a Pulumi project")


def project_of(path: Path | str) -> Path:
    """The project a file belongs to; the current directory when it sits in none."""
    try:
        return find_project(Path(path).resolve().parent)
    except ProjectError:
        return Path.cwd().resolve()


def program_path(project: Path) -> Path:
    """The project's main program: Pulumi.yaml's ``main`` (a file or a directory), else ``__main__.py``."""
    settings = yaml.safe_load((project / PROJECT_FILE).read_text(encoding="utf-8")) or {}
    main = project / str(settings.get("main") or ".")
    return main / "__main__.py" if main.is_dir() else main


def stacks_dir(project: Path | None = None) -> Path:
    """The project's spec directory."""
    return (project or find_project()) / STACKS_DIR
