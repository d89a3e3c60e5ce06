"""The book's table of contents, laid out in Python: pages, columns and lines.

Every line has the same height and never wraps, so the number of contents pages
follows from the number of lines alone. The territory pages can then be numbered
before anything is rendered, and WeasyPrint never has to balance columns, which it
does slowly (rendering a 550-line contents twice used to take seconds).
"""

from __future__ import annotations

from dataclasses import dataclass

from .plan import BookPlan

#: Lines per column and columns per page of the printed contents (A4 landscape).
ROWS = 46
COLUMNS = 3


@dataclass(frozen=True)
class TocLine:
    """One line of the contents: the overview, a group heading, or a territory."""

    kind: str
    text: str
    number: int | None = None
    code: str | None = None


def toc_lines(plan: BookPlan, overview: str) -> list[TocLine]:
    """The lines in reading order."""
    lines = [TocLine("overview", overview)]
    for group in plan.groups:
        if group.name:
            lines.append(TocLine("group", group.name))
        lines.extend(TocLine("entry", e.name, e.number, e.code) for e in group.entries)
    return lines


def paginate(lines: list[TocLine], rows: int = ROWS, columns: int = COLUMNS
             ) -> list[list[list[TocLine]]]:
    """Pages of columns of lines; a group heading never ends a column."""
    filled: list[list[TocLine]] = [[]]
    for index, line in enumerate(lines):
        column = filled[-1]
        last_slot = len(column) == rows - 1
        orphan = line.kind == "group" and last_slot and index + 1 < len(lines)
        if len(column) >= rows or orphan:
            filled.append([])
        filled[-1].append(line)
    return [filled[i:i + columns] for i in range(0, len(filled), columns)]
