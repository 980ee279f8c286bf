"""The Pulumi CLI, as `crane reset --apply` and `crane maintenance` drive it: found on PATH, run in the project.

One seam for every `pulumi` call, so tests replace :func:`run` and :func:`installed` with a
recorded fake (there is no Pulumi CLI or backend on a test machine).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def installed() -> str | None:
    """The Pulumi CLI on PATH, if any."""
    return shutil.which("pulumi")


def run(project: Path, stack: str, *args: str) -> None:
    """Run ``pulumi <args> --stack <stack>`` in the project; a failure raises CalledProcessError."""
    subprocess.run(["pulumi", *args, "--stack", stack, "--non-interactive"], cwd=project, check=True)


def urn_of(project: Path, stack: str, spec: Path, type_: str, name: str) -> str:
    """The URN `pulumi up` gives a resource of the spec (rendered offline, as `crane plan` does)."""
    from ..review.render import render_stack  # the Pulumi SDK and the program: only when a URN is asked for

    return render_stack(stack, spec, project).one(type_, name).urn


def urns_of(project: Path, stack: str, spec: Path, wanted: list[tuple[str, str]]) -> list[str]:
    """The URNs of several resources (type, name) of the spec, from one offline rendering."""
    from ..review.render import render_stack

    plan = render_stack(stack, spec, project)
    return [plan.one(type_, name).urn for type_, name in wanted]
