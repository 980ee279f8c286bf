"""Check an installed (not editable) crane-it: one top-level import package, a version, data files.

Run with the interpreter of a fresh virtualenv the wheel was installed into, from a directory
outside the checkout, so nothing of the checkout can be imported by accident.
"""

import importlib.metadata as metadata
import json
import sys
from pathlib import Path

import crane_it

dist = metadata.distribution("crane-it")
tops = sorted({Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")})
tops = [t for t in tops if not t.endswith(".dist-info") and t != "__pycache__"]
assert tops == ["crane_it"], f"crane-it installs these top-level names: {tops}"
assert "site-packages" in crane_it.__file__ and "/.ci/" in sys.prefix, crane_it.__file__
assert crane_it.__version__ == dist.version, (crane_it.__version__, dist.version)
for name in crane_it.__all__:
    getattr(crane_it, name)
schema = json.loads((Path(crane_it.__file__).parent / "client.schema.json").read_text())
assert schema["title"] == "ClientSpec"
assert (Path(crane_it.__file__).parent / "py.typed").exists()
print(f"crane-it {dist.version}: installs only {tops[0]} ({len(crane_it.__all__)} public names), schema and py.typed")
