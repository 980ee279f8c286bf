"""The client's own image: an ECR repository and a build of the app's source pushed to it."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_docker as docker

from ..core.component import Component
from ..spec.service import BuildSpec

PLATFORMS = {"x86_64": "linux/amd64", "arm64": "linux/arm64"}
"""Docker build platform for each Fargate CPU architecture."""

KEEP_IMAGES = 30
"""Tagged images kept per repository: enough to roll back through weeks of deploys."""
UNTAGGED_DAYS = 7
"""Untagged images (layers of interrupted pushes) expire after this many days."""


def context_tag(build: BuildSpec, platform: str) -> str:
    """A tag that changes exactly when the image would: a hash of the context and build inputs.

    The repository refuses to overwrite a tag (IMMUTABLE), so the tag must follow the
    content: every file of the context (paths and bytes, in sorted order, skipping .git)
    plus the Dockerfile path, target, build arguments and platform.

    Raises:
        ValueError: the context directory does not exist.
    """
    root = Path(build.context)
    if not root.is_dir():
        raise ValueError(f"service.build.context {build.context!r}: no such directory ({root.resolve()})")
    digest = hashlib.sha256()
    recipe = {"dockerfile": build.dockerfile, "target": build.target, "args": build.args, "platform": platform}
    digest.update(json.dumps(recipe, sort_keys=True).encode())
    dockerfile = root / build.dockerfile
    if dockerfile.is_file():  # hashed on its own too: it may live outside the context
        digest.update(dockerfile.read_bytes())
    for path in _context_files(root):
        digest.update(b"\0" + os.fsencode(path.relative_to(root).as_posix()) + b"\0")
        if path.is_symlink():
            digest.update(os.fsencode(os.readlink(path)))
            continue
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()[:20]


def _context_files(root: Path) -> list[Path]:
    files = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = [d for d in subdirs if d != ".git"]
        # os.walk does not descend into symlinked directories; docker sends them as links.
        files += [Path(directory, d) for d in subdirs if os.path.islink(Path(directory, d))]
        files += [Path(directory, name) for name in names]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def ecr_repository(name: str, parent: Component) -> aws.ecr.Repository:
    """A private repository that scans pushes, never overwrites a tag and prunes old images."""
    repository = aws.ecr.Repository(
        f"{name}-app-repo",
        # IMMUTABLE: the tag a task definition names always means the same bytes, so a
        # rollback or a scale-out months later runs exactly what was deployed.
        image_tag_mutability="IMMUTABLE",
        image_scanning_configuration={"scan_on_push": True},
        encryption_configurations=[{"encryption_type": "AES256"}],
        opts=parent.child(),
    )
    aws.ecr.LifecyclePolicy(
        f"{name}-app-repo",
        repository=repository.name,
        policy=json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "description": f"expire untagged images after {UNTAGGED_DAYS} days",
                        "selection": {
                            "tagStatus": "untagged",
                            "countType": "sinceImagePushed",
                            "countUnit": "days",
                            "countNumber": UNTAGGED_DAYS,
                        },
                        "action": {"type": "expire"},
                    },
                    {
                        # ECR requires the `any` rule to have the lowest priority (highest number).
                        "rulePriority": 2,
                        "description": f"keep the last {KEEP_IMAGES} images",
                        "selection": {
                            "tagStatus": "any",
                            "countType": "imageCountMoreThan",
                            "countNumber": KEEP_IMAGES,
                        },
                        "action": {"type": "expire"},
                    },
                ]
            }
        ),
        opts=parent.child(),
    )
    return repository


def build_image(
    name: str, build: BuildSpec, platform: str, tag: str, repository: aws.ecr.Repository, parent: Component
) -> docker.Image:
    """Build ``build`` for ``platform`` and push it to ``repository`` as ``tag`` (see context_tag)."""
    token = aws.ecr.get_authorization_token_output(
        registry_id=repository.registry_id, opts=pulumi.InvokeOutputOptions(parent=parent)
    )
    return docker.Image(
        f"{name}-app-image",
        image_name=pulumi.Output.concat(repository.repository_url, ":", tag),
        # The context stays as written in the spec (relative to the project), so state does
        # not differ between machines that check the repository out in different places.
        build={
            "context": build.context,
            "dockerfile": str(Path(build.context, build.dockerfile)),
            "args": dict(build.args),
            "platform": platform,
            **({"target": build.target} if build.target else {}),
        },
        registry={
            "server": repository.repository_url.apply(lambda url: url.split("/")[0]),
            "username": token.user_name,
            "password": pulumi.Output.secret(token.password),
        },
        opts=parent.child(),
    )


_ECR_IMAGE = re.compile(r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/([a-z0-9._/-]+?)(:[^@]*)?(@.*)?$")


def ecr_repository_arn(image: str) -> str | None:
    """The ARN of the private ECR repository ``image`` is pulled from, or None for other registries."""
    match = _ECR_IMAGE.match(image)
    if not match:
        return None
    account, region, china, repository = match.group(1, 2, 3, 4)
    return f"arn:{'aws-cn' if china else 'aws'}:ecr:{region}:{account}:repository/{repository}"
