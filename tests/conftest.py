"""Shared test fixtures: the mock engine runner and a clock for time-dependent validation."""

import datetime as dt
import importlib
import warnings
from pathlib import Path

import pytest

from crane_it import testing as offline

ROOT = Path(__file__).resolve().parent.parent

with warnings.catch_warnings():
    # pulumi_aws loads a service module on first use, and loading s3 or ec2 warns about the
    # deprecated *V2 classes those modules define. That is the package importing itself, not
    # our code using a deprecated class, so load them here before deprecations become errors.
    warnings.simplefilter("ignore", DeprecationWarning)
    for _module in (
        "s3",
        "ec2",
        "ecs",
        "lb",
        "iam",
        "kms",
        "rds",
        "backup",
        "cloudwatch",
        "sns",
        "ecr",
        "acm",
        "route53",
        "appautoscaling",
        "vpc",
        "lambda_",
        "scheduler",
    ):
        # Any plain attribute look-up makes the lazy module execute (and warn) now.
        getattr(importlib.import_module(f"pulumi_aws.{_module}"), "_crane_preload", None)

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
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
