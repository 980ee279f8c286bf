"""Which stacks a project has, and what each one renders from: one answer for every command.

``crane plan/diff/cost/affected``, ``crane status --all`` and the CI workflows all ask this
module, so a stack that one of them sees is seen by all. A project declares a stack in any of
three ways, and a stack may be declared by more than one:

1. ``stacks/<stack>.yaml``: the stack of that client spec (the program's default spec path).
2. ``Pulumi.<stack>.yaml`` (in Pulumi.yaml's ``stackConfigDir`` if set): a stack with settings.
   Its ``crane-it:spec`` names the spec file it deploys (``acme-staging`` -> ``stacks/acme.yaml``);
   without one it deploys ``stacks/<stack>.yaml`` if that exists, else whatever its program builds.
3. ``crane-it:stacks`` in ``Pulumi.yaml``'s ``config:``, a list of stack names: stacks whose
   program builds its spec in Python and that have no settings file in the repo::

       config:
         crane-it:stacks: [tool, tool-staging]

   Pulumi takes this as a project-wide config value that no program has to read.

A stack's *inputs* are the files only it reads (its spec file and its settings file); what every
stack reads (the program, the library, ``Pulumi.yaml``) is :mod:`crane_it.review.affected`'s
business. The same answer is read from a git revision without checking it out
(:func:`stacks_at`), so a diff knows which stacks a change removed or renamed.
"""

from __future__ import annotations

import posixpath
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml

from ..project import CONFIG_NAMESPACE, PROJECT_FILE, STACKS_DIR, ProjectError, stack_config_dir

STACKS_KEY = f"{CONFIG_NAMESPACE}:stacks"
"""The Pulumi.yaml config key that lists the stacks a program declares in Python."""

Kind = Literal["spec", "program"]


class UnknownStackError(ProjectError):
    """A stack named on the command line that the project does not declare."""


@dataclass(frozen=True)
class Stack:
    """One stack of the project and what it renders from."""

    name: str
    spec: str | None
    """The spec file it deploys, relative to the project (``stacks/acme.yaml``); None when its
    program builds the spec itself (or fails to: the render says which)."""
    config: str | None = None
    """Its settings file, relative to the project (``Pulumi.acme-staging.yaml``), if there is one."""
    declared_by: tuple[str, ...] = ()
    """Where the project declares it: ``stacks/acme.yaml``, ``Pulumi.acme.yaml``, ``Pulumi.yaml crane-it:stacks``."""
    settings: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Its settings file's ``config:`` mapping, as written."""

    @property
    def kind(self) -> Kind:
        """``spec``: it deploys a spec file; ``program``: its program builds the spec in Python."""
        return "spec" if self.spec else "program"

    @property
    def inputs(self) -> frozenset[str]:
        """The project-relative files that belong to this stack alone (its spec, its settings)."""
        return frozenset(p for p in (self.spec, self.config) if p)

    def spec_override(self) -> str | None:
        """The spec file to hand the program (``crane-it:spec``), when it is not the default ``stacks/<stack>.yaml``."""
        return self.spec if self.spec and self.spec != default_spec(self.name) else None

    def describe(self) -> str:
        """One line: the stack, what it renders from and who says so."""
        what = self.spec or "the spec its program builds in Python"
        return f"{self.name}: renders {what} (declared by {', '.join(self.declared_by)})"


def default_spec(stack: str) -> str:
    """The spec file a stack deploys unless its settings say otherwise."""
    return f"{STACKS_DIR}/{stack}.yaml"


class _Tree:
    """The files of a project: its working tree, or a git revision of it."""

    def __init__(self, files: Iterable[str], read: Callable[[str], str]) -> None:
        self.files = set(files)
        self.read = read

    def yaml(self, path: str) -> Any:
        try:
            return yaml.safe_load(self.read(path))
        except yaml.YAMLError as err:
            raise ProjectError(f"{path}: invalid YAML: {err}") from None


def stacks_of(project: Path) -> dict[str, Stack]:
    """Every stack the project's working tree declares, by name (sorted)."""
    project = Path(project)
    if not (project / PROJECT_FILE).is_file():
        raise ProjectError(f"no {PROJECT_FILE} in {project}")
    files = [p.relative_to(project).as_posix() for p in _candidates(project)]
    return _stacks(_Tree(files, lambda path: (project / path).read_text(encoding="utf-8")))


def stacks_at(project: Path, commit: str) -> dict[str, Stack]:
    """Every stack the project declared at git ``commit``, read without a checkout; {} when the
    project did not exist there."""
    root = Path(_git(project, "rev-parse", "--show-toplevel").strip())
    prefix = Path(project).resolve().relative_to(root.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    listed = _git(root, "ls-tree", "-r", "--name-only", commit, "--", prefix or ".").splitlines()
    files = [name[len(prefix) :] for name in listed if name.startswith(prefix)]
    if PROJECT_FILE not in files:
        return {}
    return _stacks(_Tree(files, lambda path: _git(root, "show", f"{commit}:{prefix}{path}")))


def find_stack(project: Path, name: str, stacks: dict[str, Stack] | None = None) -> Stack:
    """The stack ``name`` of the project; UnknownStackError saying how to declare one otherwise."""
    stacks = stacks_of(project) if stacks is None else stacks
    if name in stacks:
        return stacks[name]
    raise UnknownStackError(
        f"stack {name!r}: Crane It cannot tell what it renders: there is no {default_spec(name)}, no "
        f"Pulumi.{name}.yaml and {PROJECT_FILE} does not list it in {STACKS_KEY} (stacks here: "
        f"{', '.join(stacks) or 'none'}). Add its spec file, or `pulumi config set crane-it:spec <file> --stack "
        f"{name}`, or, for a program that builds its spec in Python, list it under `config: {STACKS_KEY}:` in "
        f"{PROJECT_FILE}"
    )


def _candidates(project: Path) -> list[Path]:
    """The files the declaration reads: Pulumi.yaml, the stack settings files, stacks/*.yaml."""
    found = [project / PROJECT_FILE, *sorted((project / STACKS_DIR).glob("*.yaml"))]
    found += sorted(stack_config_dir(project).glob("Pulumi.*.y*ml"))
    return [p for p in found if p.is_file()]


def _stacks(tree: _Tree) -> dict[str, Stack]:
    settings = tree.yaml(PROJECT_FILE)
    if not isinstance(settings, dict):
        raise ProjectError(f"{PROJECT_FILE}: not a mapping")
    config_dir = str(settings.get("stackConfigDir") or "").strip("/")
    project_name = settings.get("name") if isinstance(settings.get("name"), str) else None
    found: dict[str, dict[str, Any]] = {}

    def declare(name: str, by: str, **facts: Any) -> None:
        entry = found.setdefault(name, {"declared_by": [], "settings": {}})
        entry["declared_by"].append(by)
        entry.update(facts)

    for path in sorted(tree.files):
        parts = PurePosixPath(path).parts
        if len(parts) == 2 and parts[0] == STACKS_DIR and parts[1].endswith(".yaml"):
            declare(parts[1][: -len(".yaml")], path)
    for path in sorted(tree.files):
        directory, name = posixpath.split(path)
        if directory != config_dir or not name.startswith("Pulumi.") or name == PROJECT_FILE:
            continue
        stem, _, suffix = name[len("Pulumi.") :].rpartition(".")
        if suffix not in ("yaml", "yml") or not stem:
            continue
        document = tree.yaml(path) or {}
        config = document.get("config") if isinstance(document, dict) else None
        config = config if isinstance(config, dict) else {}
        declare(stem, path, config=path, settings=config, spec_setting=_spec_setting(config, project_name, path))
    for name in _listed(settings.get("config"), path=PROJECT_FILE):
        declare(name, f"{PROJECT_FILE} {STACKS_KEY}")
    stacks = {}
    for name in sorted(found):
        entry = found[name]
        spec = entry.get("spec_setting") or (default_spec(name) if default_spec(name) in tree.files else None)
        stacks[name] = Stack(
            name=name,
            spec=spec,
            config=entry.get("config"),
            declared_by=tuple(entry["declared_by"]),
            settings=entry["settings"],
        )
    return stacks


def _spec_setting(config: dict[str, Any], project_name: str | None, source: str) -> str | None:
    """``crane-it:spec`` (or ``<project>:spec``, what ``pulumi.Config().get("spec")`` reads) as a
    project-relative path."""
    value = config.get(f"{CONFIG_NAMESPACE}:spec")
    if value in (None, "") and project_name:
        value = config.get(f"{project_name}:spec")
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ProjectError(f"{source}: {CONFIG_NAMESPACE}:spec must be a file path, got {value!r}")
    if value.startswith("/"):
        raise ProjectError(
            f"{source}: {CONFIG_NAMESPACE}:spec={value!r} is an absolute path; give it relative to the project "
            "so every checkout (and CI) finds the same file"
        )
    return posixpath.normpath(value)


def _listed(config: Any, path: str) -> list[str]:
    """The stack names of ``crane-it:stacks`` in Pulumi.yaml's config (a list, or ``{value: [...]}``)."""
    if not isinstance(config, dict) or STACKS_KEY not in config:
        return []
    value = config[STACKS_KEY]
    if isinstance(value, dict):
        value = value.get("value", value.get("default"))
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ProjectError(f"{path}: config {STACKS_KEY} must be a list of stack names, got {value!r}")
    return list(value)


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if done.returncode:
        raise ProjectError(f"git {' '.join(args)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


__all__ = ["STACKS_KEY", "Stack", "UnknownStackError", "default_spec", "find_stack", "stacks_at", "stacks_of"]
