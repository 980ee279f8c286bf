"""The child process of `crane diff` finds each revision's renderer by a string import (revisions.RENDERERS).

The base side runs the *base* revision's library, so the bootstrap must take ``render_stack``
from crane_it.review.render (0.4.0 on) and fall back to crane_it.cli.plan (before the layered
packages), and must not hide a real import error behind the fallback.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from gitrepo import CRANE

from crane_it.errors import RevisionError
from crane_it.review import revisions
from crane_it.review.stacks import Stack

ROOT = Path(__file__).resolve().parents[2]
BEFORE_THE_MOVE = "aceb8e4"
"""The last commit with the flat layout (render_stack in crane_it.cli.plan)."""

RENDER = "def render_stack(stack, spec=None, project=None):\n    return []  # {where}\n"


def _library(tmp_path: Path, files: dict[str, str]) -> Path:
    """A project whose pyproject maps crane_it to lib/, holding ``files`` (path -> source)."""
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    (project / "stacks" / "x.yaml").write_text("client: x\n")
    (project / "pyproject.toml").write_text('[tool.setuptools]\npackage-dir = { "crane_it" = "lib" }\n')
    for name, text in {"lib/__init__.py": "", **files}.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    return project


def _render(project: Path, tmp_path: Path) -> revisions.Side:
    work = tmp_path / "work"
    work.mkdir()
    stacks = {"x": Stack("x", "stacks/x.yaml")}
    return revisions.finish_render("base", *revisions.start_render(project, stacks, work), revisions.Side("base"))


def test_the_renderers_are_the_new_place_then_the_one_before_the_move():
    assert revisions.RENDERERS == ("crane_it.review.render", "crane_it.cli.plan")
    import crane_it.review.render

    assert callable(crane_it.review.render.render_stack)


def test_a_revision_from_before_the_move_renders_with_crane_it_cli_plan(tmp_path):
    project = _library(tmp_path, {"lib/cli/__init__.py": "", "lib/cli/plan.py": RENDER.format(where="cli.plan")})
    side = _render(project, tmp_path)
    assert side.plans == {"x": []} and side.errors == {}
    assert side.library == str((project / "lib").resolve())


def test_a_revision_with_review_render_uses_it_and_not_the_old_place(tmp_path):
    broken = "def render_stack(*args, **kwargs):\n    raise RuntimeError('the old renderer ran')\n"
    project = _library(
        tmp_path,
        {
            "lib/review/__init__.py": "",
            "lib/review/render.py": RENDER.format(where="review.render"),
            "lib/cli/__init__.py": "",
            "lib/cli/plan.py": broken,
        },
    )
    assert _render(project, tmp_path).plans == {"x": []}


def test_an_import_error_inside_the_new_renderer_is_not_hidden_by_the_fallback(tmp_path):
    project = _library(
        tmp_path,
        {
            "lib/review/__init__.py": "",
            "lib/review/render.py": "import a_dependency_that_is_not_installed\n",
            "lib/cli/__init__.py": "",
            "lib/cli/plan.py": RENDER.format(where="cli.plan"),
        },
    )
    with pytest.raises(RevisionError, match="a_dependency_that_is_not_installed"):
        _render(project, tmp_path)


def _has_commit(ref: str) -> bool:
    done = subprocess.run(["git", "cat-file", "-e", f"{ref}^{{commit}}"], cwd=ROOT, capture_output=True)
    return done.returncode == 0


@pytest.mark.skipif(not _has_commit(BEFORE_THE_MOVE), reason=f"a shallow clone without {BEFORE_THE_MOVE}")
def test_crane_diff_against_the_flat_layout_renders_the_base_side():
    # The base revision's own (flat) library renders the base side: no stack is invalid or
    # missing. Its changes are this release's real ones (the rotation rollout, explicit
    # backup names, and the strict engine's auto-names), so they are not asserted to be none.
    done = subprocess.run(
        [CRANE, "diff", "example", "--base", BEFORE_THE_MOVE, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 3), done.stderr
    assert "Traceback" not in done.stderr
    import json

    report = json.loads(done.stdout)
    assert report["invalid"] == []
    assert [entry["stack"] for entry in report["stacks"]] == ["example"]
