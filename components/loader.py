"""Load `stacks/<stack>.yaml` into a validated ClientSpec, or fail with a message a user can act on."""

from __future__ import annotations

import copy
import difflib
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from . import spec as spec_models
from .errors import SpecError
from .project import STACKS_DIR, crane_setting, project_of, stack_config, stack_config_file, stacks_dir
from .spec import ClientSpec
from .spec.platform import PlatformSpec
from .spec.tenancy import Tenant, problems


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


def _read(path: Path) -> str:
    """The spec file's text; a missing file is a SpecError listing the specs beside it."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        known = sorted(p.stem for p in path.parent.glob("*.yaml"))
        raise SpecError(f"{path}: no such spec file; specs in {path.parent}: {', '.join(known) or 'none'}") from None


def load_spec(path: str | Path, *, context: dict[str, Any] | None = None, root: Path | None = None) -> ClientSpec:
    """Read, parse and validate the spec at ``path``; raise SpecError naming what is wrong.

    ``service.build.context`` is relative to ``root``, by default the spec's project (the
    directory holding its Pulumi.yaml).
    """
    path = Path(path)
    root = root or project_of(path)
    text = _read(path)
    return parse_spec(text, str(path), context=context, root=root)


def parse_spec(
    text: str, source: str, *, context: dict[str, Any] | None = None, root: Path | None = None
) -> ClientSpec:
    """Validate YAML ``text`` (read from ``source``, used in messages) into a ClientSpec.

    ``root`` is the directory ``service.build.context`` is relative to (default: the current one).
    """
    data, node = _document(text, source)
    return _client(data, node, source, context, root or Path.cwd())


def _client(
    data: dict[str, Any], node: yaml.Node | None, source: str, context: dict[str, Any] | None, root: Path
) -> ClientSpec:
    spec, lines = _problems(ClientSpec, data, node, source, context, root)
    if lines:
        raise SpecError(_heading(source, len(lines), ClientSpec) + "\n".join(lines))
    assert spec is not None
    return spec


def parse_stack_spec(
    text: str, source: str, *, context: dict[str, Any] | None = None, root: Path | None = None
) -> ClientSpec | PlatformSpec:
    """A client spec, or a platform spec when the top-level key is ``platform:`` (and no ``client:``)."""
    data, node = _document(text, source)
    if "client" not in data and "platform" in data:
        return _validate(PlatformSpec, data, node, source, context)
    return _client(data, node, source, context, root or Path.cwd())


def load_stack_spec(
    path: str | Path, *, stack: str | None = None, context: dict[str, Any] | None = None, root: Path | None = None
) -> ClientSpec | PlatformSpec:
    """Load the spec of one stack, client or platform; refuse a platform whose clients do not fit.

    For a client on a platform and for a platform, every spec in the project's `stacks/`
    naming that platform is read and checked together (``tenancy.problems``): rule
    priorities, hosts, region and the load balancer's quotas. ``stack`` (default: the file
    name) is the stack this spec stands for; it replaces that stack's own file in the check.
    """
    path = Path(path)
    root = root or project_of(path)
    text = _read(path)
    spec = parse_stack_spec(text, str(path), context=context, root=root)
    if stack is not None and isinstance(spec, ClientSpec):
        problem = client_problem(spec.client, stack, root)
        if problem:
            line = _line_of(_document(text, str(path))[1], ("client",))
            raise SpecError(f"{path}:{line}: client: {problem}")
    stack = stack or path.stem
    if isinstance(spec, ClientSpec) and spec.platform is None:
        return spec
    directory = root / STACKS_DIR
    platform_stack = stack if isinstance(spec, PlatformSpec) else str(spec.platform)
    platform_file = directory / f"{platform_stack}.yaml"
    platform = spec if isinstance(spec, PlatformSpec) else _platform_spec(platform_file, str(path), context, root)
    tenants = load_tenants(platform_stack, directory, context=context, root=root, current=(stack, spec))
    found = problems(platform_stack, platform, tenants)
    if found:
        raise SpecError(
            f"{path}: platform {platform_stack} ({platform_file}): {len(found)} problem(s) across its clients:\n"
            + "\n".join(f"  {problem}" for problem in found)
        )
    return spec


def client_problem(client: str, stack: str, project: Path) -> str | None:
    """Why stack ``stack`` must not deploy client ``client``'s spec, or None when it may.

    A stack deploys its own client (``acme``) or a stage of it (``acme-staging``). Any other
    pairing is most often a copied spec whose ``client:`` was not changed, which would deploy
    as ``<client>-<stack>`` with the other client's alert address, domain and tags; it is
    refused unless the stack's config names the client it is meant to deploy
    (``crane-it:client``).
    """
    if stack == client or stack.startswith(f"{client}-"):
        return None
    meant = crane_setting(stack_config(project, stack), "client")
    if meant == client:
        return None
    config = stack_config_file(project, stack)
    where = config.name if config else f"Pulumi.{stack}.yaml"
    said = f"; {where} says crane-it:client={meant!r}" if meant is not None else ""
    return (
        f"client {client!r} is neither stack {stack!r} nor its prefix (stack {client}-...){said}. A copied spec "
        f"with a forgotten `client:`? The stack would deploy as {client}-{stack}, with {client}'s alert address "
        f"and domain. Set `client: {stack}`, or, if stack {stack} is meant to deploy client {client}, say so in "
        f"{where}: `pulumi config set crane-it:client {client} --stack {stack}`"
    )


def load_tenants(
    platform_stack: str,
    directory: Path,
    *,
    context: dict[str, Any] | None = None,
    root: Path | None = None,
    current: tuple[str, ClientSpec | PlatformSpec] | None = None,
) -> list[Tenant]:
    """Every client stack in ``directory`` whose spec names ``platform_stack``, sorted by stack.

    ``current`` (stack, spec) stands in for that stack's file: the spec being rendered may
    come from elsewhere (`crane plan --spec`, `pulumi config set crane-it:spec`).
    """
    tenants: dict[str, ClientSpec] = {}
    for file in sorted(directory.glob("*.yaml")):
        text = file.read_text(encoding="utf-8")
        head = yaml.load(text, Loader=_FastLoader)
        if not (isinstance(head, dict) and "client" in head and head.get("platform") == platform_stack):
            continue
        if current is not None and file.stem == current[0]:
            continue
        tenants[file.stem] = parse_spec(text, str(file), context=context, root=root)
    if current is not None and isinstance(current[1], ClientSpec) and current[1].platform == platform_stack:
        tenants[current[0]] = current[1]
    return [Tenant(stack, tenants[stack]) for stack in sorted(tenants)]


def _platform_spec(file: Path, source: str, context: dict[str, Any] | None, root: Path) -> PlatformSpec:
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(
            f"{source}: platform: no platform spec {file}: a client on a platform needs the platform's "
            "spec in the same repo (its clients' priorities and quotas are checked together)"
        ) from None
    platform = parse_stack_spec(text, str(file), context=context, root=root)
    if not isinstance(platform, PlatformSpec):
        raise SpecError(f"{source}: platform: {file} is a client spec, not a platform (top-level `platform:`)")
    return platform


def _document(text: str, source: str) -> tuple[dict[str, Any], yaml.Node | None]:
    """The YAML mapping and its node tree (whose marks give each field's line)."""
    try:
        # Parse once (with libyaml where available) and keep the node tree: its marks give
        # the line of each field in error messages.
        node = yaml.compose(text, Loader=_FastLoader)
        data = _UniqueKeyLoader("").construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise SpecError(f"{source}{where}: invalid YAML: {err.problem or err}") from None
    except yaml.reader.ReaderError as err:  # a character YAML does not allow, like a control character
        line = text.count("\n", 0, err.position) + 1
        # libyaml reports the character as its code point, PyYAML as a string.
        code = err.character if isinstance(err.character, int) else ord(err.character)
        raise SpecError(f"{source}:{line}: invalid YAML: control character U+{code:04X} is not allowed") from None
    if data is None:
        raise SpecError(
            f"{source}: the file is empty; a client spec needs at least client, region and service "
            "(copy stacks/example.yaml to start)"
        )
    if not isinstance(data, dict):
        raise SpecError(
            f"{source}: a client spec is a mapping with client, region and service; got {type(data).__name__}"
        )
    return data, node


_Spec = TypeVar("_Spec", ClientSpec, PlatformSpec)


_ROUNDS = 12
"""How many times a spec is re-checked with its refused values set aside (each round can reveal
the checks that the refused values kept from running)."""


def _validate(
    model: type[_Spec], data: dict[str, Any], node: yaml.Node | None, source: str, context: dict[str, Any] | None
) -> _Spec:
    spec, lines = _problems(model, data, node, source, context)
    if lines:
        raise SpecError(_heading(source, len(lines), model) + "\n".join(lines))
    assert spec is not None
    return spec


def _problems(
    model: type[_Spec],
    data: dict[str, Any],
    node: yaml.Node | None,
    source: str,
    context: dict[str, Any] | None,
    root: Path | None = None,
) -> tuple[_Spec | None, list[str]]:
    """The spec and every problem line of it; with ``root``, a client spec's build files too."""
    spec, errors = _collect(model, data, context)
    # In the file's order, so a reader fixes them top to bottom.
    errors = sorted(errors, key=lambda error: _line_of(node, _place(error)) or 0)
    lines = [_describe(error, source, node, model) for error in errors]
    if root is not None and isinstance(spec, ClientSpec):
        lines += _build_file_problems(spec, source, node, root)
    return (spec if not lines else None), lines


def from_python(err: ValidationError, source: str, line: int | None = None) -> SpecError:
    """A spec built in Python (``ClientSpec.model_validate({...})`` in a program) that failed
    validation, as the SpecError a YAML spec gets: ``source:line: field.path: message``.

    ``line`` is the program's line that built the spec (the message cannot point into a dict
    literal). The cross-field checks the field errors hid are not re-run: the program's dict
    is gone by the time its error is seen.
    """
    found = getattr(spec_models, err.title, None) or (PlatformSpec if err.title == PlatformSpec.__name__ else None)
    model: type[BaseModel] = found if isinstance(found, type) and issubclass(found, BaseModel) else ClientSpec
    where = f"{source}:{line}" if line else source
    lines = [_describe(error, where, None, model) for error in err.errors(include_url=False)]
    kind = "platform" if model is PlatformSpec else "client" if model is ClientSpec else model.__name__
    return SpecError(f"{where}: {len(lines)} problem(s) in the {kind} spec built in Python:\n" + "\n".join(lines))


def _heading(source: str, count: int, model: type[BaseModel]) -> str:
    kind = "platform" if model is PlatformSpec else "client"
    return f"{source}: {count} problem(s) in the {kind} spec:\n"


def _collect(
    model: type[_Spec], data: dict[str, Any], context: dict[str, Any] | None
) -> tuple[_Spec | None, list[ErrorDetails]]:
    """Every problem in the spec: field errors and the cross-field checks they hid; and the
    spec as validated once the refused values were set aside (None when that never passed).

    Pydantic runs a model's cross-field checks only once its fields are valid, and a check
    stops at its first refusal, so a spec with six mistakes used to take three runs. Here each
    refused value is set aside (its field falls back to its default) and the spec is checked
    again, until no new problem shows up. A problem at a place already refused is not repeated:
    it may only be the default standing in for the refused value. A field with no default (a
    missing or wrong ``client``, ``region``, ``service``) cannot be set aside, so the checks
    across sections that need it wait until it is fixed.
    """
    errors: list[ErrorDetails] = []
    seen: set[tuple[Any, ...]] = set()
    aside: list[tuple[Any, ...]] = []
    current = copy.deepcopy(data)
    for _ in range(_ROUNDS):
        try:
            spec = model.model_validate(current, context=context)
        except ValidationError as err:
            found = err.errors(include_url=False)
        else:
            return spec, errors
        fresh = [e for e in found if not _covered(_place(e), seen) and not _speaks_of(e, aside)]
        errors += fresh
        seen |= {_place(e) for e in fresh}
        removed = [_place(e) for e in found if _set_aside(current, _place(e))]
        if not removed:
            break
        aside += removed
    return None, errors


def _speaks_of(error: ErrorDetails, aside: list[tuple[Any, ...]]) -> bool:
    """Whether a check's refusal quotes the value (``name=value``, as cross-field checks do) of a
    field of its own model or above that was set aside: then it speaks of the default standing
    in (``cpu=256`` for a refused ``cpu: banana``)."""
    place, message = _place(error), error["msg"]
    return any(
        place[: len(gone) - 1] == gone[:-1] and re.search(rf"\b{re.escape(str(gone[-1]))}=", message)
        for gone in aside
        if gone
    )


def _place(error: ErrorDetails) -> tuple[Any, ...]:
    """An error's location as the document spells it (pydantic's ``[...]`` union parts left out)."""
    return tuple(part for part in error["loc"] if not (isinstance(part, str) and "[" in part))


def _covered(place: tuple[Any, ...], seen: set[tuple[Any, ...]]) -> bool:
    """Whether ``place`` is, or lies inside or above, a place already refused."""
    return any(place[: len(s)] == s or s[: len(place)] == place for s in seen)


def _set_aside(data: dict[str, Any], place: tuple[Any, ...]) -> bool:
    """Remove the value at ``place`` (a whole list or mapping of scalars, if inside one) from
    ``data``; whether anything was removed."""
    cut = next((i for i, part in enumerate(place) if isinstance(part, int)), len(place))
    path = place[:cut] or place
    parent: Any = data
    for part in path[:-1]:
        parent = parent.get(part) if isinstance(parent, dict) else None
    if isinstance(parent, dict) and path and path[-1] in parent:
        del parent[path[-1]]
        return True
    return False


def _build_file_problems(spec: ClientSpec, source: str, node: yaml.Node | None, root: Path) -> list[str]:
    """A `service.build` whose context or Dockerfile does not exist, refused before any resource."""
    build = spec.service.build
    if build is None:
        return []
    context = (root / build.context).resolve()
    if not context.is_dir():
        line = _line_of(node, ("service", "build", "context"))
        return [f"  {source}:{line}: service.build.context: directory {build.context!r} does not exist under {root}"]
    if not (context / build.dockerfile).is_file():
        line = _line_of(node, ("service", "build", "dockerfile")) or _line_of(node, ("service", "build"))
        return [f"  {source}:{line}: service.build.dockerfile: {build.dockerfile!r} not found in {context}"]
    return []


def _describe(error: ErrorDetails, source: str, root: yaml.Node | None, model: type[BaseModel] = ClientSpec) -> str:
    """One line per problem: ``file:line: field.path: message (got value)``."""
    loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and "[" in part))
    message = error["msg"].removeprefix("Value error, ")
    field = ".".join(str(part) for part in loc) or "(top level)"
    line = _line_of(root, loc)
    kind = error["type"]
    if kind == "extra_forbidden" and loc:  # a key with "[" in it is dropped from loc above
        valid = _fields_at(loc[:-1], model)
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


def _fields_at(loc: tuple[Any, ...], root: type[BaseModel] = ClientSpec) -> list[str]:
    """The field names valid at ``loc`` in the spec's model tree (for typo hints)."""
    model: type[BaseModel] | None = root
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
