"""The Pulumi program: build the client whose spec matches the selected stack."""

import pulumi

from crane_it import ClientStack, load_spec, spec_path

# `pulumi config set crane-it:spec stacks/other.yaml` points a stack at another spec file.
spec = load_spec(pulumi.Config().get("spec") or spec_path(pulumi.get_stack()))
client = ClientStack(spec, pulumi.get_stack())
for key, value in client.outputs.items():
    pulumi.export(key, value)
