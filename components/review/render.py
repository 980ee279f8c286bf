"""The offline renderer: run a project's real Pulumi program under the mock engine, as `pulumi up` would.

No Pulumi CLI, backend or AWS credentials are needed; nothing is created. ``crane plan``,
``crane cost``, ``crane diff`` (in its child processes, see :mod:`crane_it.review.revisions`),
``crane status``'s cost column and ``crane reset``'s URN look-ups all render through
:func:`render_stack`.
"""

from __future__ import annotations

import contextlib
import json
import os
import runpy
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .. import testing as offline
from ..errors import SpecError
from ..loader import from_python, parse_stack_spec
from ..project import CONFIG_NAMESPACE, PROJECT_FILE, find_project, program_path, stacks_dir
from ..spec import ClientSpec
from .plan_json import SECRET
from .stacks import Stack, find_stack


def render_stack(
    stack: str, spec: Path | None = None, project: Path | None = None, *, stacks: dict[str, Stack] | None = None
) -> offline.Plan:
    """Run the project's real program for ``stack`` under the mock engine, as ``pulumi up`` would.

    The program runs from its project directory with that directory importable, as the
    Pulumi CLI runs it; ``project`` defaults to the one found from the current directory.
    The stack is looked up in the project's declared stacks (crane_it.review.stacks): its
    ``Pulumi.<stack>.yaml`` settings reach the program as config, as the Pulumi CLI passes
    them, so ``crane-it:spec`` picks its spec; a stack declared nowhere is refused
    (UnknownStackError), never rendered as nothing. ``spec`` renders that file instead.
    A client on a platform reads the platform's outputs through a StackReference; offline,
    the platform's own spec (``stacks/<platform>.yaml``) is rendered first and its exported
    outputs answer that reference, so no backend is needed. A spec the program builds in
    Python that fails validation is a SpecError located at the program's line.
    """
    project = find_project(project)
    config: dict[str, str] = {}
    if spec is None:
        known = find_stack(project, stack, stacks)
        config.update(settings_config(known.settings))
        override = known.spec_override()
        spec = project / override if override else None
    if spec:
        config[f"{CONFIG_NAMESPACE}:spec"] = config["spec"] = str(Path(spec).resolve())
    name = project_name(project)
    references = _platform_outputs(stack, spec, project, name)
    with inside(project):
        # A bad spec raises SpecError from inside the program, before it declares anything.
        program = str(program_path(project))
        try:
            return offline.render(
                lambda: runpy.run_path(program, run_name="__pulumi__"),
                stack=stack,
                project=name,
                config=config,
                stack_outputs=references,
            )
        except ValidationError as err:
            raise from_python(err, _relative(program, project), _program_line(err, program)) from None


def settings_config(settings: dict[str, Any]) -> dict[str, str]:
    """A stack's ``config:`` as the engine hands it to a program: text, structured values as JSON,
    secrets (which only the Pulumi CLI can decrypt) as the plan's secret marker."""
    config = {}
    for key, value in settings.items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            config[str(key)] = SECRET
        elif isinstance(value, str):
            config[str(key)] = value
        else:
            config[str(key)] = json.dumps(value)
    return config


def project_name(project: Path) -> str:
    """The project's name (Pulumi.yaml ``name``), which the program's URNs and config namespace carry."""
    settings = yaml.safe_load((project / PROJECT_FILE).read_text(encoding="utf-8")) or {}
    name = settings.get("name") if isinstance(settings, dict) else None
    return name if isinstance(name, str) and name else offline.PROJECT


def _relative(program: str, project: Path) -> str:
    try:
        return Path(program).resolve().relative_to(Path(project).resolve()).as_posix()
    except ValueError:
        return program


def _program_line(err: BaseException, program: str) -> int | None:
    """The line of the program where the failing spec was built (the deepest frame in its file)."""
    line = None
    target = str(Path(program).resolve())
    for frame, lineno in traceback.walk_tb(err.__traceback__):
        if str(Path(frame.f_code.co_filename).resolve()) == target:
            line = lineno
    return line


def _platform_outputs(stack: str, spec: Path | None, project: Path, name: str) -> dict[str, dict[str, Any]]:
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
    return {f"{offline.ORGANIZATION}/{name}/{parsed.platform}": platform.outputs}


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
