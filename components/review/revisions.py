"""Render stacks as another git revision would: its specs, its program and its library code.

``crane diff --base REF`` must diff a library change honestly, so the base side cannot be
rendered with the library installed here. The base is checked out as a temporary ``git
worktree`` and rendered in a child Python process in which ``crane_it`` *is* that worktree's
library directory: a temporary directory holding a symlink ``crane_it -> <worktree>/components``
goes first on ``PYTHONPATH``, ahead of the installed (editable) package. The child calls that
revision's own ``render_stack`` (:data:`RENDERERS`) and writes the document with this
revision's :mod:`crane_it.review.plan_json`, loaded by file path, so both sides are written alike.
The working tree is rendered the same way, in parallel, with its own library.

A repository that only *uses* crane_it (no library directory of its own) renders both sides
with the installed package; :attr:`Side.library` says which library a side used.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RevisionError
from ..project import PROJECT_FILE
from . import render_cache
from .stacks import Stack, stacks_at, stacks_of

PACKAGE = "crane_it"

RENDERERS = ("crane_it.review.render", "crane_it.cli.plan")
"""Where a revision's ``render_stack`` lives: since 0.4.0, then before the layered packages.

The child process of :func:`start_render` runs the *base* revision's library, which may be
older than this one, so it takes the first of these that the revision has.
"""

_BOOTSTRAP = """
import importlib, importlib.util, inspect, json, sys
from pathlib import Path
canon_path, project, out, todo = sys.argv[1:]
spec = importlib.util.spec_from_file_location("_crane_plan_json", canon_path)
canon = importlib.util.module_from_spec(spec)
spec.loader.exec_module(canon)
import crane_it
library = Path(crane_it.__path__[0])
for name in RENDERERS:
    # Looked for as a file of *this* library: an editable install's finder would otherwise
    # supply a module the revision does not have from the installed (newer) library.
    if library.joinpath(*name.split(".")[1:]).with_suffix(".py").is_file():
        render_stack = importlib.import_module(name).render_stack  # its import errors are real
        break
else:
    sys.exit("no render_stack in " + " or ".join(RENDERERS))
# A renderer that knows the project's declared stacks reads each stack's settings itself; an
# older one is handed the spec file the settings name.
knows_stacks = "stacks" in inspect.signature(render_stack).parameters
result = {"library": str(library.resolve()), "stacks": {}}
for stack, override in json.loads(todo).items():
    try:
        if knows_stacks or not override:
            plan = render_stack(stack, project=Path(project))
        else:
            plan = render_stack(stack, Path(project) / override, project=Path(project))
    except Exception as err:  # a bad spec (SpecError) or a program that fails: reported, not raised
        result["stacks"][stack] = {"error": str(err), "kind": type(err).__name__}
    else:
        result["stacks"][stack] = {"resources": canon.document(plan)}
Path(out).write_text(json.dumps(result), encoding="utf-8")
""".replace("RENDERERS", repr(RENDERERS))


@dataclass
class Side:
    """One side of a diff: each stack's plan document, or why it has none."""

    label: str
    library: str = ""
    plans: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    """Stacks without a spec file at this revision (new or removed clients)."""


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo``; its stdout, or RevisionError with git's own message."""
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if done.returncode:
        raise RevisionError(f"git {' '.join(args)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def toplevel(project: Path) -> Path:
    """The root of the git repository holding ``project``."""
    return Path(git(project, "rev-parse", "--show-toplevel").strip())


def merge_base(project: Path, ref: str) -> str:
    """The commit a change made on top of ``ref`` started from (what a pull request diffs against)."""
    git(project, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return git(project, "merge-base", ref, "HEAD").strip()


def changed_files(project: Path, base: str) -> list[str]:
    """Paths (relative to ``project``) that differ between ``base`` and the working tree, untracked included."""
    root = toplevel(project)
    tracked = git(root, "diff", "--name-only", "--no-renames", base).splitlines()
    untracked = git(root, "ls-files", "--others", "--exclude-standard").splitlines()
    prefix = project.resolve().relative_to(root.resolve())
    paths = []
    for name in sorted(set(tracked + untracked)):
        path = Path(name)
        with contextlib.suppress(ValueError):
            paths.append(path.relative_to(prefix).as_posix() if str(prefix) != "." else path.as_posix())
    return paths


def library_dir(project: Path) -> Path | None:
    """The directory this project's pyproject.toml maps ``crane_it`` to, if the library lives here."""
    pyproject = project / "pyproject.toml"
    if not pyproject.is_file():
        return None
    settings = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    mapped = settings.get("tool", {}).get("setuptools", {}).get("package-dir", {}).get(PACKAGE)
    directory = project / mapped if mapped else None
    return directory if directory and (directory / "__init__.py").is_file() else None


@contextlib.contextmanager
def checkout(project: Path, commit: str) -> Iterator[Path]:
    """``project`` as it is at ``commit``, in a temporary git worktree removed afterwards."""
    root = toplevel(project)
    with tempfile.TemporaryDirectory(prefix="crane-base-") as tmp:
        tree = Path(tmp) / "tree"
        git(root, "worktree", "add", "--detach", "--quiet", str(tree), commit)
        try:
            yield tree / project.resolve().relative_to(root.resolve())
        finally:
            # Only our own worktree is removed; other worktrees of the repository are left alone.
            with contextlib.suppress(RevisionError):
                git(root, "worktree", "remove", "--force", str(tree))


def start_render(project: Path, stacks: dict[str, Stack], workdir: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """Start rendering ``stacks`` (name -> what it renders from) of ``project`` with its own
    library, all in one child process."""
    env = dict(os.environ)
    library = library_dir(project)
    if library is not None:
        shim = workdir / "path"
        shim.mkdir()
        (shim / PACKAGE).symlink_to(library.resolve(), target_is_directory=True)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(shim), env.get("PYTHONPATH", "")) if p)
    out = workdir / "plans.json"
    todo = json.dumps({name: stack.spec_override() for name, stack in stacks.items()})
    command = [sys.executable, "-c", _BOOTSTRAP, str(_writer_file(workdir)), str(project), str(out), todo]
    process = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return process, out


def _writer() -> str:
    """This revision's canonical form (plan_json), which writes both sides' documents."""
    return importlib.resources.files(__package__).joinpath("plan_json.py").read_text("utf-8")


def _writer_file(workdir: Path) -> Path:
    canonical = workdir / "plan_json.py"
    if not canonical.is_file():
        canonical.write_text(_writer(), "utf-8")
    return canonical


def finish_render(label: str, process: subprocess.Popen[bytes], out: Path, side: Side) -> Side:
    """Wait for a render started by :func:`start_render` and add what it wrote to ``side``."""
    _, stderr = process.communicate()
    if process.returncode or not out.is_file():
        message = stderr.decode(errors="replace").strip().splitlines()
        raise RevisionError(f"rendering {label} failed: {message[-1] if message else 'no output'}")
    result = json.loads(out.read_text(encoding="utf-8"))
    side.library = result["library"]
    for stack, rendered in result["stacks"].items():
        if "error" in rendered:
            side.errors[stack] = rendered["error"]
        else:
            side.plans[stack] = rendered["resources"]
    return side


def render_key(tree: Path, commit: str, stack: Stack) -> str:
    """The render cache key of ``stack`` at ``commit`` (checked out at ``tree``): crane_it.review.render_cache."""
    inputs = [(tree / path).read_bytes() for path in sorted(stack.inputs) if (tree / path).is_file()]
    library = "own" if library_dir(tree) is not None else "installed"
    return render_cache.key(commit, stack.name, inputs, _writer(), f"{library};{stack.spec_override()}")


def render_both(
    project: Path,
    base_commit: str,
    base_label: str,
    names: list[str],
    *,
    base_stacks: dict[str, Stack] | None = None,
    head_stacks: dict[str, Stack] | None = None,
) -> tuple[Side, Side]:
    """Render ``names`` at ``base_commit`` and in the working tree, each side in one child process,
    both at the same time. A stack a side does not declare is in that side's ``missing``.

    Base renders are cached (crane_it.review.render_cache): a committed revision renders the
    same every time, so a re-run of a review renders only the working tree.
    """
    if not (project / PROJECT_FILE).is_file():
        raise RevisionError(f"no {PROJECT_FILE} in {project}")
    base_stacks = stacks_at(project, base_commit) if base_stacks is None else base_stacks
    head_stacks = stacks_of(project) if head_stacks is None else head_stacks
    base = Side(base_label, missing={n for n in names if n not in base_stacks})
    head = Side("the working tree", missing={n for n in names if n not in head_stacks})
    with checkout(project, base_commit) as base_tree, tempfile.TemporaryDirectory(prefix="crane-render-") as tmp:
        keys = {n: render_key(base_tree, base_commit, base_stacks[n]) for n in names if n in base_stacks}
        for name, entry in keys.items():
            cached = render_cache.load(entry)
            if cached is not None:
                base.plans[name] = cached
        todo_base = {n: base_stacks[n] for n in keys if n not in base.plans}
        todo_head = {n: head_stacks[n] for n in names if n in head_stacks}
        runs = []
        for side, tree, todo in (("base", base_tree, todo_base), ("head", project, todo_head)):
            if todo:
                (Path(tmp) / side).mkdir()
                runs.append((side, *start_render(tree, todo, Path(tmp) / side)))
        for side, process, out in runs:
            finish_render(base_label if side == "base" else head.label, process, out, base if side == "base" else head)
        for name in todo_base:
            if name in base.plans:
                render_cache.save(keys[name], base.plans[name])
    if not base.library and not todo_base:
        base.library = "(cached renders)"
    return base, head
