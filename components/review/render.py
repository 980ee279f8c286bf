"""The offline renderer: run a project's real Pulumi program under the mock engine, as `pulumi up` would.

No Pulumi CLI, backend or AWS credentials are needed; nothing is created. ``crane plan``,
``crane cost``, ``crane diff`` (in its child processes, see :mod:`crane_it.review.revisions`),
``crane status``'s cost column and ``crane reset``'s URN look-ups all render through
:func:`render_stack`.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import testing as offline
from ..errors import SpecError
from ..loader import parse_stack_spec
from ..project import find_project, program_path, stacks_dir
from ..spec import ClientSpec


def render_stack(stack: str, spec: Path | None = None, project: Path | None = None) -> offline.Plan:
    """Run the project's real program for ``stack`` under the mock engine, as ``pulumi up`` would.

    The program runs from its project directory with that directory importable, as the
    Pulumi CLI runs it; ``project`` defaults to the one found from the current directory.
    A client on a platform reads the platform's outputs through a StackReference; offline,
    the platform's own spec (``stacks/<platform>.yaml``) is rendered first and its exported
    outputs answer that reference, so no backend is needed.
    """
    project = find_project(project)
    config = {"spec": str(Path(spec).resolve())} if spec else {}
    references = _platform_outputs(stack, spec, project)
    with inside(project):
        # A bad spec raises SpecError from inside the program, before it declares anything.
        program = str(program_path(project))
        return offline.render(
            lambda: runpy.run_path(program, run_name="__pulumi__"),
            stack=stack,
            config=config,
            stack_outputs=references,
        )


def _platform_outputs(stack: str, spec: Path | None, project: Path) -> dict[str, dict[str, Any]]:
    """The outputs of the platform the stack's client spec names, rendered offline; {} otherwise."""
    path = Path(spec) if spec else stacks_dir(project) / f"{stack}.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}  # the program itself reports the missing spec
    try:
        parsed = parse_stack_spec(text, str(path), root=project)
    except SpecError:
        return {}  # likewise: the program refuses it, with the file's own lines
    if not isinstance(parsed, ClientSpec) or parsed.platform is None:
        return {}
    platform = render_stack(parsed.platform, project=project)
    # The name the client's program asks for (ingress.reference_name) under the mock engine.
    return {f"{offline.ORGANIZATION}/{offline.PROJECT}/{parsed.platform}": platform.outputs}


@contextlib.contextmanager
def inside(project: Path) -> Iterator[None]:
    """Run with ``project`` as the working directory and first on sys.path; restore both after."""
    cwd, path = Path.cwd(), list(sys.path)
    os.chdir(project)
    sys.path.insert(0, str(project))
    try:
        yield
    finally:
        os.chdir(cwd)
        sys.path[:] = path
