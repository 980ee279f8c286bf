"""Property tests of the spec loader: whatever a YAML file holds, the answer is a spec or a SpecError.

Any document (random data, random text, and the example specs with one part broken) gives a
ClientSpec or a SpecError that names the file; never another exception, which would reach a
user as a traceback. And a spec that is refused declares no resource at all.

Examples are derandomized (the same ones on every run, so CI never flakes on a new draw)
and bounded to keep the whole module within a few seconds; deadlines are off because the
first validation of a model is slower than the rest.
"""

from __future__ import annotations

import copy
import datetime as dt
import runpy
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crane_it import testing as offline
from crane_it.loader import SpecError, parse_spec
from crane_it.spec import ClientSpec
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "stacks/fuzz.yaml"
EXAMPLES = {  # the client specs (a platform spec is another model)
    path.stem: document
    for path in sorted((ROOT / "stacks").glob("*.yaml"))
    if "client" in (document := yaml.safe_load(path.read_text()))
}
FAST = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["latest", "mysql", "8.0", "eu-west-1", "/tmp", "2026-11-20T10:00:00Z", "", "*", "acme"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)
keys = st.one_of(st.text(max_size=20), st.integers(min_value=-5, max_value=5), st.sampled_from(["client", "service"]))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)),
    max_leaves=20,
)


def outcome(text: str) -> ClientSpec | SpecError:
    """The loader's answer for ``text``: a spec or a SpecError that names the file; anything else fails."""
    try:
        return parse_spec(text, SOURCE, context={"now": NOW}, root=ROOT)
    except SpecError as error:
        assert str(error).startswith(SOURCE), f"the error does not name the file: {error}"
        return error


@FAST
@given(documents)
def test_any_yaml_document_gives_a_spec_or_an_error_naming_the_file(document):
    outcome(yaml.safe_dump(document, allow_unicode=True))


@FAST
@given(st.text(max_size=200))
def test_any_text_gives_a_spec_or_an_error_naming_the_file(text):
    outcome(text)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside the nested dicts and lists of ``node``."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def broken_examples(draw: st.DrawFn) -> Any:
    """One of the example specs with one value replaced or removed, or one key added."""
    document = copy.deepcopy(EXAMPLES[draw(st.sampled_from(sorted(EXAMPLES)))])
    path = draw(st.sampled_from(_paths(document)[1:]))
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    change = draw(st.sampled_from(["replace", "remove", "add"]))
    if change == "replace":
        parent[path[-1]] = draw(documents)
    elif change == "remove" and isinstance(parent, dict):
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[draw(keys)] = draw(documents)
    return document


@FAST
@given(broken_examples())
def test_an_example_spec_with_one_part_broken_gives_a_spec_or_an_error_naming_the_file(document):
    outcome(yaml.safe_dump(document, allow_unicode=True))


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(broken_examples())
def test_a_refused_spec_declares_no_resource(document):
    text = yaml.safe_dump(document, allow_unicode=True)
    if not isinstance(outcome(text), SpecError):
        return  # the change happened to keep the spec valid
    with tempfile.TemporaryDirectory() as directory:
        spec = Path(directory) / "fuzz.yaml"
        spec.write_text(text, encoding="utf-8")
        monitor = offline.RecordingMonitor(offline.PlanMocks())
        with pytest.raises(SpecError):
            offline.run(
                lambda: runpy.run_path(str(ROOT / "__main__.py")),
                stack="fuzz",
                config={"spec": str(spec)},
                monitor=monitor,
            )
    assert monitor.registrations == []


def test_the_examples_themselves_are_valid():
    # The broken examples above start from valid specs, so a refusal comes from the change.
    for name, document in EXAMPLES.items():
        assert isinstance(outcome(yaml.safe_dump(document)), ClientSpec), name
