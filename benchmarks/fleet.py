"""Benchmark: review a fleet of N generated clients, seconds per stack against one render per stack.

Builds a throw-away git repo holding this checkout's library, program and N clients cloned from
`stacks/example.yaml` (distinct slugs and domains), commits it as `main`, then changes the
library (a docstring of `core/naming.py`: every stack is affected, nothing renders differently)
and times what CI runs on that pull request, each through the `crane` of the repo's own library:

- floor: every stack rendered once, in one process (the least any review can cost);
- plan --all: `crane plan --all` where it exists, else one `crane plan STACK` process per stack
  (what CI had to do before);
- affected: `crane affected --base main`;
- diff: `crane diff --base main --json` of the library change, every stack at both revisions;
  then the same again (a re-run of the check: with a render cache only the head renders).

Figures are wall seconds in total and per stack. Run it from any checkout to measure that
checkout's code (before/after a change: run it in both).

    python benchmarks/fleet.py                 # 30 clients
    python benchmarks/fleet.py --clients 30 100
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("components", "__main__.py", "Pulumi.yaml", "pyproject.toml", "requirements.txt")
TEMPLATE = ROOT / "stacks" / "example.yaml"

_CLI = "import sys; from crane_it.cli import main; sys.exit(main())"
_FLOOR = """
import sys, time
from pathlib import Path
try:
    from crane_it.review.render import render_stack
except ImportError:
    from crane_it.cli.plan import render_stack
stacks = sys.argv[1:]
start = time.perf_counter()
for stack in stacks:
    render_stack(stack, project=Path.cwd())
print(time.perf_counter() - start)
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def make_repo(folder: Path, count: int) -> tuple[Path, list[str]]:
    """A git repo with the library, the program and ``count`` clients, committed on main."""
    repo = folder / "repo"
    repo.mkdir()
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, repo / name)
    (repo / "stacks").mkdir()
    text = TEMPLATE.read_text(encoding="utf-8")
    stacks = []
    for index in range(count):
        slug = f"client{index:03d}"
        spec = re.sub(r"^client: .*$", f"client: {slug}", text, flags=re.M).replace("example.com", f"{slug}.com")
        (repo / "stacks" / f"{slug}.yaml").write_text(spec, encoding="utf-8")
        stacks.append(slug)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.email=b@example.com", "-c", "user.name=B", "commit", "-q", "-m", "fleet")
    # The pull request: a library change that renders nothing differently.
    naming = repo / "components" / "core" / "naming.py"
    naming.write_text(naming.read_text(encoding="utf-8").replace('"""', '"""(benchmark) ', 1), encoding="utf-8")
    return repo, stacks


def environment(repo: Path, folder: Path) -> dict[str, str]:
    """Python finds ``crane_it`` in the repo's own library, ahead of any installed one."""
    shim = folder / "shim"
    shim.mkdir(exist_ok=True)
    link = shim / "crane_it"
    if not link.exists():
        link.symlink_to(repo / "components", target_is_directory=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(shim), env.get("PYTHONPATH", "")) if p)
    env.pop("CRANE_RENDER_CACHE", None)
    env["XDG_CACHE_HOME"] = str(folder / "cache")
    return env


def timed(command: list[str], repo: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(command[:4])}...: exit {done.returncode}\n{done.stderr[-2000:]}")
    return elapsed


def crane(*args: str) -> list[str]:
    return [sys.executable, "-c", _CLI, *args]


def has_plan_all(repo: Path, env: dict[str, str]) -> bool:
    done = subprocess.run(crane("plan", "--help"), cwd=repo, env=env, capture_output=True, text=True)
    return "--all" in done.stdout


def measure(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="crane-fleet-") as tmp:
        folder = Path(tmp)
        repo, stacks = make_repo(folder, count)
        env = environment(repo, folder)
        figures: dict[str, float] = {}
        done = subprocess.run(
            [sys.executable, "-c", _FLOOR, *stacks], cwd=repo, env=env, capture_output=True, text=True, check=True
        )
        figures["floor (render loop, one process)"] = float(done.stdout.strip().splitlines()[-1])
        if has_plan_all(repo, env):
            figures["plan --all"] = timed(crane("plan", "--all"), repo, env)
        else:
            figures["plan STACK, one process each"] = sum(timed(crane("plan", s), repo, env) for s in stacks)
        figures["affected --base main"] = timed(crane("affected", "--base", "main"), repo, env)
        figures["diff --base main (library change)"] = timed(
            crane("diff", "--base", "main", "--json"), repo, env, ok=(0, 3)
        )
        figures["diff again (re-run of the check)"] = timed(
            crane("diff", "--base", "main", "--json"), repo, env, ok=(0, 3)
        )
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[30])
    args = parser.parse_args()
    print(f"crane-it fleet benchmark, library at {ROOT}, {os.cpu_count()} CPU(s)")
    for count in args.clients:
        figures = measure(count)
        floor = figures["floor (render loop, one process)"] / count
        print(f"\n{count} clients")
        print(f"  {'what':<38} {'total s':>9} {'s/stack':>9} {'x floor':>8}")
        for name, seconds in figures.items():
            per = seconds / count
            print(f"  {name:<38} {seconds:>9.1f} {per:>9.2f} {per / floor:>8.1f}")


if __name__ == "__main__":
    main()
