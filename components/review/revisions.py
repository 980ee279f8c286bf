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
from ..project import PROJECT_FILE, STACKS_DIR

PACKAGE = "crane_it"

RENDERERS = ("crane_it.review.render", "crane_it.cli.plan")
"""Where a revision's ``render_stack`` lives: since 0.4.0, then before the layered packages.

The child process of :func:`start_render` runs the *base* revision's library, which may be
older than this one, so it takes the first of these that the revision has.
"""

_BOOTSTRAP = """
import importlib, importlib.util, json, sys
from pathlib import Path
canon_path, project, out, *stacks = sys.argv[1:]
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
result = {"library": str(library.resolve()), "stacks": {}}
for stack in stacks:
    try:
        plan = render_stack(stack, project=Path(project))
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


def start_render(project: Path, stacks: list[str], workdir: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """Start rendering ``stacks`` of ``project`` with its own library in a child process."""
    env = dict(os.environ)
    library = library_dir(project)
    if library is not None:
        shim = workdir / "path"
        shim.mkdir()
        (shim / PACKAGE).symlink_to(library.resolve(), target_is_directory=True)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(shim), env.get("PYTHONPATH", "")) if p)
    out = workdir / "plans.json"
    # This revision's canonical form, handed to the child as a file it loads by path.
    canonical = workdir / "plan_json.py"
    canonical.write_text(importlib.resources.files(__package__).joinpath("plan_json.py").read_text("utf-8"), "utf-8")
    todo = [s for s in stacks if (project / STACKS_DIR / f"{s}.yaml").is_file()]
    command = [sys.executable, "-c", _BOOTSTRAP, str(canonical), str(project), str(out), *todo]
    process = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return process, out


def finish_render(label: str, project: Path, stacks: list[str], process: subprocess.Popen[bytes], out: Path) -> Side:
    """Wait for a render started by :func:`start_render` and read what it wrote."""
    _, stderr = process.communicate()
    side = Side(label, missing={s for s in stacks if not (project / STACKS_DIR / f"{s}.yaml").is_file()})
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


def render_both(project: Path, base_commit: str, base_label: str, stacks: list[str]) -> tuple[Side, Side]:
    """Render ``stacks`` at ``base_commit`` and in the working tree, at the same time."""
    if not (project / PROJECT_FILE).is_file():
        raise RevisionError(f"no {PROJECT_FILE} in {project}")
    with checkout(project, base_commit) as base_tree, tempfile.TemporaryDirectory(prefix="crane-render-") as tmp:
        (Path(tmp) / "base").mkdir()
        (Path(tmp) / "head").mkdir()
        base_run = start_render(base_tree, stacks, Path(tmp) / "base")
        head_run = start_render(project, stacks, Path(tmp) / "head")
        head = finish_render("the working tree", project, stacks, *head_run)
        base = finish_render(base_label, base_tree, stacks, *base_run)
    return base, head
