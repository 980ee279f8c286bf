"""Crane It's policy pack: `pulumi preview --policy-pack policy` checks every change against it."""

from pulumi_policy import EnforcementLevel, PolicyPack

from crane_it.policy import POLICIES, STACK_POLICIES

PolicyPack(
    name="crane-it-guardrails", enforcement_level=EnforcementLevel.MANDATORY, policies=[*POLICIES, *STACK_POLICIES]
)
