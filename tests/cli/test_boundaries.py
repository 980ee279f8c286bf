"""The command layer's boundaries, checked across a process boundary (sys.modules is per process).

`crane --help` must not import the Pulumi SDK's AWS package or boto3; no module of cli/ or review/
may import an optional dependency (boto3, botocore, ruamel) when it is imported; and a command
that needs one exits 2 naming the extra to install, not with a traceback.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import crane_it

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(crane_it.__file__).resolve().parent
OPTIONAL = ("boto3", "botocore", "ruamel")
"""The ops extra's top-level modules."""

BLOCKER = textwrap.dedent(
    f"""
    import sys

    class _NotInstalled:
        '''A meta-path finder that makes the ops extra look uninstalled, as on a bare install.'''

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {OPTIONAL!r}:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, _NotInstalled())
    """
)


def _python(code: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300)


def _crane_without_extras(*args: str) -> subprocess.CompletedProcess[str]:
    return _python(BLOCKER + f"from crane_it.cli import main\nsys.exit(main({list(args)!r}))")


def test_crane_help_and_version_import_neither_pulumi_aws_nor_boto3():
    code = textwrap.dedent(
        """
        import contextlib, io, json, sys
        from crane_it.cli import main
        loaded = {}
        for argv in (["--help"], ["--version"]):
            with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
                main(argv)
            loaded[argv[0]] = sorted(m for m in ("pulumi_aws", "pulumi", "boto3", "botocore") if m in sys.modules)
        print(json.dumps(loaded))
        """
    )
    done = _python(code)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"--help": [], "--version": []}


def test_no_cli_or_review_module_imports_an_optional_dependency_at_import_time():
    modules = sorted(
        "crane_it." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        for area in ("cli", "review")
        for path in (PACKAGE / area).rglob("*.py")
    )
    modules = [m.removesuffix(".__init__") for m in modules]
    assert "crane_it.cli.reset_bucket" in modules and "crane_it.review.render" in modules
    done = _python(BLOCKER + f"import importlib\nfor name in {modules!r}:\n    importlib.import_module(name)\n")
    assert done.returncode == 0, done.stderr


def test_without_the_ops_extra_help_and_plan_work_and_ops_commands_name_the_extra(tmp_path):
    assert _crane_without_extras("--help").returncode == 0
    plan = _crane_without_extras("plan", "example")
    assert plan.returncode == 0, plan.stderr
    assert plan.stdout.splitlines()[-1].startswith("cost: ~")
    (tmp_path / "stacks").mkdir()
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    spec = tmp_path / "stacks" / "example.yaml"
    shutil.copy(ROOT / "stacks" / "example.yaml", spec)
    for command in (
        ["leftovers", "example"],
        ["reset-bucket", "--bucket", "any", "--to", "2026-11-20T10:00:00Z"],
        ["history", "acme", "--region", "eu-west-1"],
        ["maintenance", "on", "example", "--no-up", "--spec", str(spec)],
    ):
        done = _crane_without_extras(*command)
        assert done.returncode == 2, (command, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "pip install 'crane-it[ops]'" in lines[0], (command, done.stderr)
    assert spec.read_text() == (ROOT / "stacks" / "example.yaml").read_text(), "refused: the spec is unchanged"
