"""Change a few fields of a client spec file and keep everything else: comments, order, layout.

`crane reset` and `crane maintenance` write the spec change a person would otherwise make by
hand, for the pull request. ruamel.yaml's round-trip mode keeps the comments, key order,
quoting and flow style of the rest of the file (the ``ops`` extra installs it).
"""

from __future__ import annotations

import io
from typing import Any

from ..errors import missing_extra

UNSET: Any = object()
"""Leave the field as it is."""


def edit_spec(
    text: str,
    *,
    image: str | None = UNSET,
    maintenance: bool | None = UNSET,
    restore: dict[str, Any] | None = UNSET,
) -> str:
    """``text`` with ``service.image``, ``service.maintenance`` and ``database.restore`` set.

    None removes the field (the spec default applies again); ``UNSET`` leaves it untouched.
    ``image`` is only written where the spec names an image (a spec that builds its image
    from source has no tag to pin).
    """
    try:
        from ruamel.yaml import YAML
        from ruamel.yaml.comments import CommentedMap
    except ImportError as error:
        raise missing_extra("editing a spec (comments kept)", "ruamel.yaml") from error
    yaml = YAML()  # round-trip
    yaml.preserve_quotes = True
    yaml.width = 4096
    document = yaml.load(text)
    service = document["service"]
    if image is not UNSET and image is not None and "image" in service:
        service["image"] = image
    if maintenance is not UNSET:
        _put(service, "maintenance", maintenance)
    if restore is not UNSET:
        database = document.get("database")
        if database is None:
            raise ValueError("the spec has no database section to restore")
        _put(database, "restore", None if restore is None else CommentedMap(restore))
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def _put(section: Any, key: str, value: Any) -> None:
    """Set or remove ``key``; a new key goes last, before the blank lines that end the section."""
    keys = list(section)
    if value is None:
        if key in section:
            if keys[-1] == key and len(keys) > 1:
                _move_gap(section, key, keys[-2])
            del section[key]
        return
    if key in section or not keys:
        section[key] = value
        return
    section[key] = value
    _move_gap(section, keys[-1], key)


def _holder(section: Any, key: str) -> tuple[Any, str]:
    """Where ruamel keeps the comment after ``key``'s value: on the last key of a nested mapping."""
    from ruamel.yaml.comments import CommentedMap

    value = section[key]
    if isinstance(value, CommentedMap) and value:
        return _holder(value, list(value)[-1])
    return section, key


def _move_gap(section: Any, old: str, new: str) -> None:
    """Move the blank lines after ``old``'s value (ruamel keeps them as its comment) to ``new``."""
    from ruamel.yaml.tokens import CommentToken

    source, source_key = _holder(section, old)
    comments = source.ca.items.get(source_key)
    if not comments or len(comments) < 3 or comments[2] is None:
        return
    token = comments[2]
    inline, newline, gap = token.value.partition("\n")
    if not gap or gap.strip("\n"):
        return  # no blank line, or a comment line follows: it stays where it is
    token.value = inline + newline
    target, target_key = _holder(section, new)
    entry = target.ca.items.setdefault(target_key, [None, None, None, None])
    if entry[2] is None:
        entry[2] = CommentToken("\n" + gap, token.start_mark, None)
    else:
        entry[2].value += gap
