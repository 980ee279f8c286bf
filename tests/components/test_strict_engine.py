"""The strict offline engine: names as `pulumi up` makes them, checked against AWS's limits, and imports
checked against what AWS reads back, so a defect the plain mock engine accepts fails here."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from crane_it import testing as offline
from crane_it.cli.plan import render_stack
from crane_it.core.naming import MAX_BASE_LENGTH, base_name
from crane_it.facts.names import NAMES, RANDOM_SUFFIX_LENGTH

ROOT = Path(__file__).resolve().parents[2]
STACKS = sorted(p.stem for p in (ROOT / "stacks").glob("*.yaml"))


def longest_stack(client: str) -> str:
    """A stack of ``client`` whose base name is as long as naming allows."""
    stack = f"{client}-" + "x" * (MAX_BASE_LENGTH - len(client) - 1)
    assert base_name(client, stack) == stack and len(stack) == MAX_BASE_LENGTH
    return stack


@pytest.mark.parametrize("client", STACKS)
def test_every_example_stack_renders_strictly_at_the_longest_base_name(client):
    # A platform's stack is named after the platform (its clients reference it by that name).
    stack = client if client == "agency" else longest_stack(client)
    plan = render_stack(stack, ROOT / "stacks" / f"{client}.yaml")
    assert plan.of_type("pulumi:providers:aws")
