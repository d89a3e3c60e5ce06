"""Plain data a fact sheet, a book page or a programme sheet is made of.

Templates receive only these objects, with every figure already written as text in
the reader's language: what a template shows cannot differ from what Python counted,
and a template never formats a number itself. They hold nothing but strings, numbers
and lists, so they pickle cheaply to the worker processes that render book pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator (or one breakdown of it) for one territory, ready to print."""

    indicator: str
    breakdown: str
    label: str
    value: float | None
    value_text: str
    unit: str
    parent_text: str
    rank_text: str
    standard: str
    status: str
    mark: str
    status_text: str
    reason: str | None = None


@dataclass(frozen=True)
class Table:
    """A small table of text cells (priority lists, ladders, programme results)."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    source: str
    numeric: list[bool] = field(default_factory=list)
    note: str = ""
    empty: str = ""


@dataclass(frozen=True)
class Picture:
    """An image embedded as a ``data:`` URI (map or chart) with its caption lines."""

    title: str
    uri: str
    alt: str
    source: str
    kind: str = "chart"


@dataclass
class Section:
    """A themed part of a sheet: its indicator table, charts and lists."""

    theme: str
    title: str
    rows: list[IndicatorRow]
    source: str
    pictures: list[Picture] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class Facts:
    """The title block: who the territory is, where, how many people, how big."""

    code: str
    name: str
    level_name: str
    parents: list[tuple[str, str]]
    parent_name: str
    parent_level_name: str
    population: str
    population_note: str
    area: str
    density: str
    produced: str


@dataclass
class SheetContent:
    """Everything a territory sheet shows."""

    lang: str
    atlas_title: str
    warning: str | None
    facts: Facts
    map: Picture | None
    sections: list[Section]
    labels: dict[str, str] = field(default_factory=dict)
    #: Which layers have no data yet (their themes are left out), or "".
    empty_note: str = ""


@dataclass
class PageContent:
    """One territory's page of a book: title block, map, key figures, short lists."""

    number: int
    code: str
    name: str
    group: str
    facts: Facts
    rows: list[IndicatorRow]
    source: str
    lists: list[Table] = field(default_factory=list)
    map: Picture | None = None
