"""Run the policy pack's checks on recorded registrations, as `pulumi preview --policy-pack` would."""

from pulumi_policy import PolicyCustomTimeouts, PolicyResourceOptions, ResourceValidationArgs

from crane.offline import Registration
from policy.guardrails import POLICIES


def args_of(reg: Registration) -> ResourceValidationArgs:
    """The policy arguments the engine would pass for ``reg``."""
    options = PolicyResourceOptions(
        protect=reg.protect,
        ignore_changes=reg.ignore_changes,
        delete_before_replace=reg.delete_before_replace,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=reg.parent,
    )
    return ResourceValidationArgs(reg.type, reg.inputs, reg.urn, reg.name, options, None)


def violations(registrations: list[Registration]) -> list[str]:
    """Every violation message of every policy over ``registrations``."""
    found: list[str] = []
    for reg in registrations:
        if not reg.custom:
            continue
        args = args_of(reg)
        for policy in POLICIES:
            policy.validate(args, lambda message, urn=None, policy=policy: found.append(f"{policy.name}: {message}"))
    return found
