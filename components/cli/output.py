"""How the day-two commands print rows: plain columns a person reads and ``grep`` can cut."""

from __future__ import annotations

from collections.abc import Iterator


def table(rows: list[list[str]]) -> Iterator[str]:
    """Left-aligned columns, two spaces apart; the first row is the header."""
    if not rows:
        return
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        yield "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
