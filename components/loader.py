"""Load `stacks/<stack>.yaml` into a validated ClientSpec, or fail with a message a user can act on."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .project import project_of, stacks_dir
from .spec import ClientSpec


class SpecError(Exception):
    """A client spec that cannot be deployed; the message names file, line, field and valid values."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys (PyYAML silently keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r} (first at line {seen[key].start_mark.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


_FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def spec_path(stack: str, directory: Path | None = None) -> Path:
    """The spec file of ``stack``: ``stacks/<stack>.yaml`` of the project in the current directory."""
    return (directory or stacks_dir()) / f"{stack}.yaml"


def load_spec(path: str | Path, *, context: dict[str, Any] | None = None, root: Path | None = None) -> ClientSpec:
    """Read, parse and validate the spec at ``path``; raise SpecError naming what is wrong.

    ``service.build.context`` is relative to ``root``, by default the spec's project (the
    directory holding its Pulumi.yaml).
    """
    path = Path(path)
    root = root or project_of(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        known = sorted(p.stem for p in path.parent.glob("*.yaml"))
        raise SpecError(f"{path}: no such spec file; specs in {path.parent}: {', '.join(known) or 'none'}") from None
    return parse_spec(text, str(path), context=context, root=root)


def parse_spec(
    text: str, source: str, *, context: dict[str, Any] | None = None, root: Path | None = None
) -> ClientSpec:
    """Validate YAML ``text`` (read from ``source``, used in messages) into a ClientSpec.

    ``root`` is the directory ``service.build.context`` is relative to (default: the current one).
    """
    try:
        # Parse once (with libyaml where available) and keep the node tree: its marks give
        # the line of each field in error messages.
        node = yaml.compose(text, Loader=_FastLoader)
        data = _UniqueKeyLoader("").construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise SpecError(f"{source}{where}: invalid YAML: {err.problem or err}") from None
    if not isinstance(data, dict):
        raise SpecError(
            f"{source}: a client spec is a mapping with client, region and service; got {type(data).__name__}"
        )
    try:
        spec = ClientSpec.model_validate(data, context=context)
    except ValidationError as err:
        lines = [_describe(error, source, node) for error in err.errors(include_url=False)]
        raise SpecError(f"{source}: {len(lines)} problem(s) in the client spec:\n" + "\n".join(lines)) from None
    _check_build_files(spec, source, node, root or Path.cwd())
    return spec


def _check_build_files(spec: ClientSpec, source: str, node: yaml.Node | None, root: Path) -> None:
    """Refuse a `service.build` whose context or Dockerfile does not exist, before any resource."""
    build = spec.service.build
    if build is None:
        return
    context = (root / build.context).resolve()
    if not context.is_dir():
        line = _line_of(node, ("service", "build", "context"))
        raise SpecError(
            f"{source}:{line}: service.build.context: directory {build.context!r} does not exist under {root}"
        )
    if not (context / build.dockerfile).is_file():
        line = _line_of(node, ("service", "build", "dockerfile")) or _line_of(node, ("service", "build"))
        raise SpecError(f"{source}:{line}: service.build.dockerfile: {build.dockerfile!r} not found in {context}")


def _describe(error: ErrorDetails, source: str, root: yaml.Node | None) -> str:
    """One line per problem: ``file:line: field.path: message (got value)``."""
    loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and "[" in part))
    message = error["msg"].removeprefix("Value error, ")
    field = ".".join(str(part) for part in loc) or "(top level)"
    line = _line_of(root, loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        valid = _fields_at(loc[:-1])
        hint = difflib.get_close_matches(str(loc[-1]), valid, n=1)
        message = f"unknown field{'; did you mean ' + repr(hint[0]) + '?' if hint else ''} valid fields here: {', '.join(valid)}"
    elif kind == "missing":
        message = "required field is missing"
    elif kind == "literal_error" and isinstance(error.get("input"), str):
        expected = [v.strip(" '") for v in error["ctx"]["expected"].replace(" or ", ", ").split(",")]
        hint = difflib.get_close_matches(error["input"], expected, n=1)
        if hint:
            message += f"; did you mean {hint[0]!r}?"
    got = (
        ""
        if kind in ("missing", "extra_forbidden") or isinstance(error.get("input"), dict)
        else f" (got {error.get('input')!r})"
    )
    return f"  {source}{':' + str(line) if line else ''}: {field}: {message}{got}"


def _steps(node: yaml.Node | None, loc: tuple[Any, ...]) -> list[yaml.Node]:
    """The nodes the document spells out along ``loc``: the key of each mapping entry, each
    sequence item; shorter than ``loc`` where the document stops."""
    steps: list[yaml.Node] = []
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            entry = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if entry is None:
                break
            steps.append(entry[0])
            node = entry[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            steps.append(node)
        else:
            break
    return steps


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The field names valid at ``loc`` in the ClientSpec model tree (for typo hints)."""
    model: type[BaseModel] | None = ClientSpec
    for part in loc:
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return []
        model = _model_of(model.model_fields[part].annotation)
    return sorted(model.model_fields) if model else []


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation like ``Spec | None``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found:
            return found
    return None


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based YAML line of the deepest node on ``loc`` that exists in the document."""
    steps = _steps(node, loc)
    mark = steps[-1] if steps else node
    return mark.start_mark.line + 1 if mark is not None else None
