"""Shared building blocks of the client spec: the strict model base and constrained types."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, InitErrorDetails, PydanticCustomError, core_schema

# Keys that would give an app local persistent storage. Crane It apps are stateless: two
# tasks writing one local file is the outage this product was built after.
PERSISTENT_STORAGE_KEYS = frozenset(
    {
        "volumes",
        "volume",
        "mount_points",
        "mounts",
        "host_path",
        "host_paths",
        "efs",
        "efs_volumes",
        "ebs",
        "persistent_storage",
        "persistent_volumes",
        "bind_mounts",
        "data_dir",
    }
)

STATELESS_MESSAGE = (
    "local persistent storage is not supported: Crane It apps are stateless, so every task "
    "can be replaced or scaled at any time. Keep files in the client's S3 bucket "
    "(`bucket: {}`, the app gets BUCKET_NAME) and data in the database (`database:`); "
    "use `service.scratch_paths` for throw-away temporary files"
)


class StrictModel(BaseModel):
    """A frozen spec model that refuses unknown keys and documents fields by docstring."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        validate_default=True,
    )


def refuse(model: BaseModel, field: str, message: str) -> NoReturn:
    """Fail a cross-field check of ``model`` at ``field`` (a dotted path below it).

    A plain ValueError in a model validator points at the whole model (``service``); this
    points at the field the message is about (``service.memory``), whether the spec comes
    from YAML or from ``ClientSpec.model_validate`` in Python.
    """
    value: object = model
    for part in field.split("."):
        value = getattr(value, part, None)
    _fail_at(type(model).__name__, tuple(field.split(".")), message, value)


def _fail_at(title: str, loc: tuple[str, ...], message: str, value: object) -> NoReturn:
    """Raise a validation error located at ``loc``; pydantic prefixes the parents' path."""
    error = PydanticCustomError("value_error", "{reason}", {"reason": message})
    raise ValidationError.from_exception_data(title, [InitErrorDetails(type=error, loc=loc, input=value)])


def refuse_persistent_storage(data: object) -> object:
    """Refuse mapping keys that ask for local persistent storage (a before-validator)."""
    if isinstance(data, dict):
        for key in data:
            if isinstance(key, str) and key.lower() in PERSISTENT_STORAGE_KEYS:
                _fail_at("spec", (key,), STATELESS_MESSAGE, data[key])
    return data


@dataclass(frozen=True)
class Matches:
    """A string form: checked against ``pattern``, refused with ``expected`` in words.

    Use it instead of ``StringConstraints(pattern=...)``, whose error prints the raw regex:
    ``Annotated[str, Matches(r"^Z[A-Z0-9]{4,32}$", "a Route 53 zone ID like Z0123456789ABC")]``.
    The JSON schema still carries the pattern, so editors flag a wrong value as it is typed.
    ``diagnose`` may name a more precise problem for some wrong values.
    """

    pattern: str
    expected: str
    diagnose: Callable[[str], str | None] | None = None

    def check(self, value: str) -> str:
        if re.search(self.pattern, value):
            return value
        problem = self.diagnose(value) if self.diagnose else None
        message = f"{problem}; expected {self.expected}" if problem else f"expected {self.expected}"
        raise PydanticCustomError("string_pattern_mismatch", "{message}", {"message": message})

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        return json_schema


def _secret_suffix_missing(value: str) -> str | None:
    """Say so when a Secrets Manager ARN lacks the 6-character suffix AWS adds to every secret."""
    found = re.match(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:([^:]+)", value)
    if found and not re.search(r"-[A-Za-z0-9]{6}$", found.group(1)):
        return (
            "the ARN has no 6-character suffix: Secrets Manager ends every secret ARN with one, and ECS "
            "grants only the full ARN. Copy it from `aws secretsmanager describe-secret --secret-id "
            f"{found.group(1)} --query ARN`"
        )
    return None


Slug = Annotated[
    str,
    StringConstraints(min_length=2, max_length=20),
    Matches(
        r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
        "lowercase letters, digits and single hyphens, starting with a letter, like acme-shop",
    ),
    Field(description="2-20 lowercase letters, digits and single hyphens, starting with a letter"),
]
Percent = Annotated[int, Field(ge=1, le=100)]
EnvName = Annotated[
    str,
    Matches(
        r"^[A-Za-z_][A-Za-z0-9_]{0,254}$",
        "an environment variable name: letters, digits and underscores, not starting with a digit, like API_KEY",
    ),
]
SecretArn = Annotated[
    str,
    Matches(
        r"^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[^:]+-[A-Za-z0-9]{6}(:[^:]*:[^:]*:[^:]*)?"
        r"|ssm:[a-z0-9-]+:\d{12}:parameter/.+)$",
        "a full Secrets Manager secret ARN with its 6-character suffix, like "
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/stripe-AbCdEf (`:json-key::` may follow "
        "to read one key), or an SSM parameter ARN, like arn:aws:ssm:eu-west-1:123456789012:parameter/acme/smtp",
        _secret_suffix_missing,
    ),
    Field(description="A full Secrets Manager secret ARN (with its 6-character suffix) or an SSM parameter ARN"),
]
