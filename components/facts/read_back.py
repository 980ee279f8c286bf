"""What AWS reads back for a resource Pulumi imports, where it differs from what a program declares.

``pulumi up`` with ``import_`` reads the existing resource with no prior state and compares
every declared input (except ``ignore_changes``) with what it read; any difference refuses
the whole update ("inputs to import do not match the existing resource", pulumi/pulumi#5260).
The mock engine reads nothing, so this table models the read: per type, the inputs whose
read-back value is known to differ from a plausible declaration, with why. The strict
offline engine (``crane_it.testing``) applies it to every resource declared with ``import_``;
a type imported with no row here fails strict mode, so an import is never unchecked.

Crane It imports only what ``crane reset`` made outside the program: an RDS instance started
with ``RestoreDBInstanceToPointInTime`` and what RDS created beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class _Absent:
    """AWS reports nothing for the input (an unset setting, a create-only argument)."""

    def __repr__(self) -> str:
        return "nothing"


ABSENT = _Absent()

FULL_MINOR = {
    "postgres": {"14": "14.15", "15": "15.10", "16": "16.6", "17": "17.2"},
    "mysql": {"8.0": "8.0.40", "8.4": "8.4.3"},
}
"""A minor version RDS would have created a copy with, per major: any full version differs
from a major-only declaration, which is what matters; the exact minor does not."""


@dataclass(frozen=True)
class ReadBack:
    """One input whose imported value differs from the declaration."""

    prop: str
    """The input, as its Pulumi wire name (``engineVersion``)."""
    read: Callable[[Mapping[str, Any]], Any]
    """Declared inputs -> what the import reads for ``prop`` (ABSENT: nothing)."""
    why: str
    source: str


def _full_version(inputs: Mapping[str, Any]) -> Any:
    declared, engine = str(inputs.get("engineVersion", "")), str(inputs.get("engine", ""))
    return FULL_MINOR.get(engine, {}).get(declared, declared)


READ_BACK: dict[str, tuple[ReadBack, ...]] = {
    "aws:rds/instance:Instance": (
        ReadBack(
            "engineVersion",
            _full_version,
            "an import has no prior state, so the provider records the full minor version",
            "terraform-provider-aws internal/service/rds/instance.go compareActualEngineVersion",
        ),
        ReadBack(
            "manageMasterUserPassword",
            lambda inputs: ABSENT,
            "a copy started by RestoreDBInstanceToPointInTime keeps the source's unmanaged master password",
            "botocore rds RestoreDBInstanceToPointInTime.ManageMasterUserPassword (Oracle only); "
            "hashicorp/terraform-provider-aws#33699",
        ),
        ReadBack(
            "masterUserSecretKmsKeyId",
            lambda inputs: ABSENT,
            "no managed secret, so no key for it",
            "botocore rds RestoreDBInstanceToPointInTime.MasterUserSecretKmsKeyId",
        ),
        ReadBack(
            "restoreToPointInTime",
            lambda inputs: ABSENT,
            "a create-only argument, never read back",
            "pulumi_aws rds Instance restore_to_point_in_time (ForceNew, not in DescribeDBInstances)",
        ),
    ),
    "aws:cloudwatch/logGroup:LogGroup": (
        ReadBack(
            "retentionInDays",
            lambda inputs: ABSENT,
            "RDS creates its log groups with no retention (never expire)",
            "RDS user guide, Publishing database logs to CloudWatch Logs",
        ),
        ReadBack(
            "kmsKeyId",
            lambda inputs: ABSENT,
            "RDS creates its log groups unencrypted by a customer key",
            "RDS user guide, Publishing database logs to CloudWatch Logs",
        ),
    ),
}
"""Pulumi type token -> the inputs an import reads back differently. A type with a row and
no differences is written ``()``."""


class Declared(Protocol):
    """What the check needs of one registration (``crane_it.testing.Registration``)."""

    urn: str
    type: str
    custom: bool
    inputs: dict[str, Any]
    ignore_changes: list[str]
    import_id: str


def created_beside(reg: Declared) -> list[tuple[str, str]]:
    """(type, name) of what AWS creates by itself beside an imported ``reg``.

    An RDS instance exports its logs to ``/aws/rds/instance/<id>/<log>`` groups RDS creates
    as soon as the instance writes them: a program that declares them without ``import_``
    gets ResourceAlreadyExistsException from CreateLogGroup.
    """
    if reg.type != "aws:rds/instance:Instance":
        return []
    identifier = reg.inputs.get("identifier") or reg.import_id
    logs: Sequence[str] = reg.inputs.get("enabledCloudwatchLogsExports") or ()
    return [("aws:cloudwatch/logGroup:LogGroup", f"/aws/rds/instance/{identifier}/{log}") for log in logs]


def import_mismatches(
    registrations: Iterable[Declared], table: Mapping[str, Sequence[ReadBack]] = READ_BACK
) -> list[str]:
    """Why ``pulumi up`` would refuse the imports among ``registrations``; empty when it would not."""
    regs = [reg for reg in registrations if getattr(reg, "custom", False)]
    problems: list[str] = []
    existing: set[tuple[str, str]] = set()
    for reg in regs:
        if not reg.import_id:
            continue
        existing.update(created_beside(reg))
        rules = table.get(reg.type)
        if rules is None:
            problems.append(
                f"{reg.urn}: imported, but no read-back model for {reg.type}; add a row to facts/read_back.py"
            )
            continue
        for rule in rules:
            if rule.prop not in reg.inputs or rule.prop in reg.ignore_changes:
                continue
            declared, read = reg.inputs[rule.prop], rule.read(reg.inputs)
            if read is ABSENT or read != declared:
                problems.append(
                    f"{reg.urn}: import would fail: {rule.prop} declared {declared!r}, AWS reads back {read!r} "
                    f"({rule.why}; {rule.source})"
                )
    for reg in regs:
        name = reg.inputs.get("name")
        if not reg.import_id and (reg.type, name) in existing:
            problems.append(
                f"{reg.urn}: create would fail: {name} already exists (created by AWS beside an imported resource); "
                "import it or create it before"
            )
    return problems
