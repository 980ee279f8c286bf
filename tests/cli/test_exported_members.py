"""``crane_it.__all__`` is exactly the public names, each resolves, and importing the package is cheap."""

from __future__ import annotations

import json
import subprocess
import sys
import types

import crane_it


def test_all_equals_the_public_names_the_package_exposes():
    """httpx's test_exported_members: every non-underscore name is in __all__ and the reverse.

    Subpackages and modules (crane_it.review, crane_it.testing) are attributes once imported,
    but they are reached by import, not listed in __all__.
    """
    public = {
        name
        for name in dir(crane_it)
        if not name.startswith("_") and not isinstance(getattr(crane_it, name), types.ModuleType)
    }
    assert sorted(crane_it.__all__) == sorted(public | {"__version__"})
    assert len(crane_it.__all__) == len(set(crane_it.__all__))


def test_every_public_name_resolves_to_what_its_module_defines():
    for name in crane_it.__all__:
        value = getattr(crane_it, name)
        assert value is not None, name
        if name != "__version__":
            assert getattr(value, "__name__", name) == name, f"crane_it.{name} is {value!r}"
    assert issubclass(crane_it.SpecError, crane_it.CraneError)


def test_an_unknown_name_is_an_attribute_error():
    try:
        crane_it.NoSuchThing  # noqa: B018 - the look-up is the test
    except AttributeError as error:
        assert "NoSuchThing" in str(error)
    else:
        raise AssertionError("crane_it.NoSuchThing resolved")


def test_importing_the_package_or_one_spec_class_loads_no_component():
    code = (
        "import json, sys\n"
        "import crane_it\n"
        "bare = sorted(m for m in ('pulumi', 'pulumi_aws') if m in sys.modules)\n"
        "crane_it.ClientSpec\n"
        "spec = sorted(m for m in ('pulumi', 'pulumi_aws') if m in sys.modules)\n"
        "print(json.dumps([bare, spec, 'ClientSpec' in dir(crane_it), 'ClientStack' in dir(crane_it)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [[], [], True, True]
