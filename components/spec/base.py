"""Shared building blocks of the client spec: the strict model base and constrained types."""

from typing import Annotated, NoReturn

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

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


Slug = Annotated[
    str,
    StringConstraints(min_length=2, max_length=20, pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"),
    Field(description="2-20 lowercase letters, digits and single hyphens, starting with a letter"),
]
Percent = Annotated[int, Field(ge=1, le=100)]
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")]
SecretArn = Annotated[
    str,
    StringConstraints(
        pattern=r"^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:.+|ssm:[a-z0-9-]+:\d{12}:parameter/.+)$"
    ),
    Field(description="A Secrets Manager secret ARN or an SSM parameter ARN"),
]
