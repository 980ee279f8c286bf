"""Shared test fixtures: the mock engine runner and a clock for time-dependent validation."""

import datetime as dt
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crane import offline  # noqa: E402

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.timezone.utc)
"""The fixed 'now' that spec validation sees in tests (restore times are judged against it)."""


@pytest.fixture
def render():
    """Run a program under the mock engine; return the Plan of what it declared.

    Deprecation warnings raised while our code builds resources fail the test: a deprecated
    pulumi_aws resource or argument in our own code is a bug.
    """

    def _render(program, **kwargs) -> offline.Plan:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(grpc|google|asyncio)\..*")
            return offline.render(program, **kwargs)

    return _render
