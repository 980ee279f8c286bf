"""Find the Pulumi project a command works on: the directory holding ``Pulumi.yaml``.

Crane It's commands and its spec loader work from any repo: they look for the project from
the current directory upward, as the Pulumi CLI does, never in the installed package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


CONFIG_NAMESPACE = "crane-it"
"""The config namespace Crane It's own keys live in (``crane-it:spec``, ``crane-it:client``, ``crane-it:stacks``)."""


def _settings(project: Path) -> dict[str, Any]:
    try:
        settings = yaml.safe_load((project / PROJECT_FILE).read_text(encoding="utf-8")) or {}
    except (FileNotFoundError, yaml.YAMLError):
        return {}
    return settings if isinstance(settings, dict) else {}


def stack_config_dir(project: Path) -> Path:
    """Where the project keeps its ``Pulumi.<stack>.yaml`` files: Pulumi.yaml's ``stackConfigDir``, else beside it."""
    configured = _settings(project).get("stackConfigDir")
    return project / str(configured) if configured else project


def stack_config_file(project: Path, stack: str) -> Path | None:
    """The stack's settings file, ``Pulumi.<stack>.yaml`` (or ``.yml``), if there is one."""
    directory = stack_config_dir(project)
    for suffix in (".yaml", ".yml"):
        path = directory / f"Pulumi.{stack}{suffix}"
        if path.is_file():
            return path
    return None


def stack_config(project: Path, stack: str) -> dict[str, Any]:
    """The ``config:`` mapping of the stack's settings file (keys as written, ``crane-it:spec``); {} without one."""
    path = stack_config_file(project, stack)
    if path is None:
        return {}
    try:
        settings = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise ProjectError(f"{path}: invalid YAML: {err}") from None
    config = settings.get("config") if isinstance(settings, dict) else None
    return config if isinstance(config, dict) else {}


def crane_setting(config: dict[str, Any], key: str, project: Path | None = None) -> Any:
    """A Crane It key of a stack's config: ``crane-it:<key>``; None when unset.

    A program that reads ``pulumi.Config().get(key)`` (as this repo's ``__main__.py`` does)
    reads it in the project's namespace, which is ``crane-it`` only in a project of that name.
    """
    value = config.get(f"{CONFIG_NAMESPACE}:{key}")
    if value is None and project is not None:
        name = _settings(project).get("name")
        value = config.get(f"{name}:{key}") if isinstance(name, str) else None
    return value
