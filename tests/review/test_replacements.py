"""The replace-forcing table covers every resource type Crane It declares, with real input names."""

import importlib
import inspect
import re
from pathlib import Path

import pytest

from crane_it.review.render import render_stack
from crane_it.review.replacements import DATA_HOLDING, REPLACE_FORCING, forces_replace

STACKS = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "stacks").glob("*.yaml"))


@pytest.fixture(scope="module")
def declared_types():
    # Reads (a platform client's StackReference) are not managed: nothing to replace.
    return {reg.type for stack in STACKS for reg in render_stack(stack) if reg.custom and not reg.read}


def test_every_declared_type_has_an_entry(declared_types):
    missing = sorted(declared_types - REPLACE_FORCING.keys())
    assert missing == [], f"add the replace-forcing inputs of {missing} to crane_it.review.replacements"


def _sdk_class(type_: str):
    if type_ == "pulumi:providers:aws":
        return importlib.import_module("pulumi_aws").Provider
    package, rest, cls = type_.split(":")
    module = rest.split("/")[0]
    if package == "docker":
        return getattr(importlib.import_module("pulumi_docker"), cls)
    # `lambda` is a Python keyword: the SDK module is `lambda_`.
    return getattr(importlib.import_module(f"pulumi_aws.{'lambda_' if module == 'lambda' else module}"), cls)


@pytest.mark.parametrize("type_", sorted(REPLACE_FORCING))
def test_every_listed_input_exists_on_the_sdk_resource(type_):
    cls = _sdk_class(type_)
    args = set(inspect.signature(cls._internal_init).parameters)
    for key in REPLACE_FORCING[type_]:
        snake = re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()
        assert snake in args, f"{type_}: {key} ({snake}) is not an input of {cls.__name__}"


def test_data_holding_types_are_in_the_table_and_region_always_replaces():
    assert REPLACE_FORCING.keys() >= DATA_HOLDING
    assert forces_replace("aws:rds/instance:Instance", "engine")
    assert not forces_replace("aws:rds/instance:Instance", "instanceClass"), "a class change is an in-place modify"
    assert forces_replace("aws:s3/bucket:Bucket", "region")
