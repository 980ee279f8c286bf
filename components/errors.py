"""Every error Crane It raises on purpose, under one base class, so a caller catches them once.

``crane`` catches :class:`CraneError` at the top (``error: <message>``, exit 2); a program or a
test that drives the library catches it the same way. Each message is written for the person
who has to act: it names the file, the field, the value and what would be accepted. Nothing
here imports anything of crane_it, so every layer can raise these.
"""

from __future__ import annotations

OPS_EXTRA = "pip install 'crane-it[ops]'"
"""How to install the optional dependencies of the commands that call AWS or edit specs."""


class CraneError(Exception):
    """Base class of every error Crane It raises on purpose; the message says what to do."""


class SpecError(CraneError):
    """A client spec that cannot be deployed; the message names file, line, field and valid values."""


class ProjectError(CraneError):
    """No Pulumi project where one was expected."""


class RevisionError(CraneError):
    """Git could not give us the revision asked for."""


class OpsError(CraneError):
    """A command refused before changing anything; the message says what to do."""


class AwsError(OpsError):
    """AWS could not be reached or refused a read; nothing was changed. The message is botocore's."""


class MissingExtraError(OpsError, ImportError):
    """An optional dependency is not installed; the message names the extra that installs it."""


class FlowError(CraneError):
    """The reset's state file or the requested step makes no sense; the message says what to do."""


class ResetError(CraneError):
    """A reset refused before anything in the bucket changed; the message says why."""


def missing_extra(what: str, module: str) -> MissingExtraError:
    """The one-line error for ``what`` (a command, a feature) when ``module`` is not installed."""
    return MissingExtraError(f"{what} needs {module}, which is not installed: {OPS_EXTRA}", name=module)


__all__ = [
    "OPS_EXTRA",
    "AwsError",
    "CraneError",
    "FlowError",
    "MissingExtraError",
    "OpsError",
    "ProjectError",
    "ResetError",
    "RevisionError",
    "SpecError",
    "missing_extra",
]
