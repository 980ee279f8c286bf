"""The command layer: exit codes, one-line refusals, what the commands print, and the Pulumi CLI seam."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import crane_it
from crane_it.cli import main
from crane_it.cli.status import _print
from crane_it.ops import pulumi_cli
from crane_it.ops.status import Status

ROOT = Path(__file__).resolve().parents[2]


def test_crane_version_prints_the_package_version():
    shown = subprocess.run([sys.executable, "-m", "crane_it", "--version"], capture_output=True, text=True)
    assert shown.stdout.strip() == f"crane-it {crane_it.__version__}"


def test_status_table_has_the_cost_column(capsys):
    _print([Status("globex", "globex", cost="n/a (no stacks/globex.yaml in /repo)")], as_json=False)
    header, row = capsys.readouterr().out.splitlines()[:2]
    assert header.rstrip().endswith("EST. MONTHLY COST")
    assert row.rstrip().endswith("n/a (no stacks/globex.yaml in /repo)")


def test_a_crane_error_is_one_line_on_stderr_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "x.yaml"
    bad.write_text("client: x\nregion: mars-1\nservice: {image: 'a:1'}\n")
    assert main(["plan", "x", "--spec", str(bad), "--project", str(ROOT)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "mars-1" in err and "Traceback" not in err


def test_no_project_is_refused_by_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["affected", "--all"]) == 2
    assert capsys.readouterr().err.startswith("error: no Pulumi.yaml in ")


def test_cost_refuses_an_unknown_assumption_naming_the_valid_ones(capsys):
    assert main(["cost", "example", "--assume", "bogus=1"]) == 2
    assert "unknown assumption 'bogus'; valid: " in capsys.readouterr().err


def test_the_pulumi_seam_runs_the_cli_in_the_project_with_the_stack_and_no_prompts(tmp_path, monkeypatch):
    """The real :func:`pulumi_cli.run`, against a fake ``pulumi`` on PATH that records its argv and cwd."""
    bin_dir, record = tmp_path / "bin", tmp_path / "argv"
    bin_dir.mkdir()
    fake = bin_dir / "pulumi"
    fake.write_text(
        f"#!{sys.executable}\nimport os, sys\nopen({str(record)!r}, 'w').write(os.getcwd() + '\\n' + ' '.join(sys.argv[1:]))\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    project = tmp_path / "project"
    project.mkdir()
    assert pulumi_cli.installed() == str(fake)
    pulumi_cli.run(project, "acme", "up", "--yes", "--target", "urn:pulumi:acme::p::x")
    cwd, argv = record.read_text().splitlines()
    assert Path(cwd) == project
    assert argv == "up --yes --target urn:pulumi:acme::p::x --stack acme --non-interactive"
    fake.write_text("#!/bin/sh\nexit 3\n")
    try:
        pulumi_cli.run(project, "acme", "up", "--yes")
    except subprocess.CalledProcessError as error:
        assert error.returncode == 3
    else:
        raise AssertionError("a failing pulumi up must raise")
