"""Shared building blocks of the client spec: the strict model base and constrained types."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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


def refuse_persistent_storage(data: object) -> object:
    """Refuse mapping keys that ask for local persistent storage (a before-validator)."""
    if isinstance(data, dict):
        for key in data:
            if isinstance(key, str) and key.lower() in PERSISTENT_STORAGE_KEYS:
                raise ValueError(f"`{key}`: {STATELESS_MESSAGE}")
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
