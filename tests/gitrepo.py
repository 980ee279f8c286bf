"""A throw-away git repo holding a copy of this project, for tests of `crane diff` and `crane affected`."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CRANE = str(Path(sys.executable).with_name("crane"))
COPIED = ("components", "stacks", "__main__.py", "Pulumi.yaml", "pyproject.toml", "requirements.txt")
"""What a project built on Crane It holds: the library, the specs and the program."""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def copy_project(repo: Path, message: str, tag: str) -> Path:
    """Copy the project into ``repo``, commit it on `main` as ``message`` and tag it ``tag``."""
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "CI")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    git(repo, "tag", tag)
    return repo
