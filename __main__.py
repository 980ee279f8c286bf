"""The Pulumi program: build the client or platform whose spec matches the selected stack."""

import pulumi

from crane_it import ClientStack, PlatformSpec, PlatformStack, load_stack_spec, load_tenants, spec_path

# `pulumi config set crane-it:spec stacks/other.yaml` points a stack at another spec file.
stack = pulumi.get_stack()
source = pulumi.Config().get("spec") or spec_path(stack)
spec = load_stack_spec(source, stack=stack)  # a platform and its clients are checked together
if isinstance(spec, PlatformSpec):
    built = PlatformStack(spec, stack, tenants=load_tenants(stack, spec_path(stack).parent))
else:
    built = ClientStack(spec, stack)
for key, value in built.outputs.items():
    pulumi.export(key, value)
