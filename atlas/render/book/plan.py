"""Which territories an atlas book shows, in which order, under which headings.

The selection is a level (communes by default) under an optional parent; the order is
by name (accents ignored) or by an indicator's value; the grouping puts territories
under their ancestor at a coarser level (département, région). The plan is pure data
that the PDF and the presentation share, so both list the same pages in the same
order with the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ...errors import ReportError
from ...i18n import t
from ...text import fold

if TYPE_CHECKING:
    from ...territories import TerritoryTree


@dataclass(frozen=True)
class Entry:
    """One territory of the book: its number (1…N in book order) and its group."""

    number: int
    code: str
    name: str
    group_code: str | None = None
    group_name: str = ""


@dataclass(frozen=True)
class Group:
    """A heading of the contents: the ancestor and its territories."""

    code: str | None
    name: str
    entries: tuple[Entry, ...]


@dataclass
class BookPlan:
    """The ordered territories of a book and how it was asked for."""

    level: int
    level_name: str
    parent: str | None
    parent_name: str
    entries: list[Entry]
    groups: list[Group]
    sort: str
    sort_label: str
    group_level_name: str = ""
    sort_values: dict[str, float] = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        """Territory codes in book order."""
        return [entry.code for entry in self.entries]


@dataclass(frozen=True)
class SortKey:
    """A parsed ``--sort``: by name, or by an indicator (one breakdown).

    Indicator orders are descending (largest first) unless ``:asc`` is given.
    """

    indicator: str | None = None
    breakdown: str | None = None
    ascending: bool = False


def parse_sort(text: str | None) -> SortKey:
    """``name`` (default), ``code``, or ``indicator:CODE[.BREAKDOWN][:asc|:desc]``."""
    text = (text or "name").strip()
    if text in ("name", "nom"):
        return SortKey()
    if text == "code":
        return SortKey(indicator="")
    head, _, rest = text.partition(":")
    if head not in ("indicator", "indicateur") or not rest:
        raise ReportError("reports.bad_sort", sort=text)
    spec, _, order = rest.partition(":")
    if order not in ("", "asc", "desc"):
        raise ReportError("reports.bad_sort", sort=text)
    code, _, breakdown = spec.partition(".")
    return SortKey(indicator=code, breakdown=breakdown or None, ascending=order == "asc")


def selection(tree: TerritoryTree, parent: str | None, level: int | str | None
              ) -> tuple[int, list[str]]:
    """The level of the book and its territories (under ``parent`` when given)."""
    if parent is not None:
        here = tree.get(parent)
        below = tree.descendants(parent)
        if level is None:
            number = max((int(tree.frame.at[c, "level"]) for c in below), default=here.level)
        else:
            number = tree.resolve_level(level)
        codes = [parent] if number == here.level else tree.descendants(parent, level=number)
    else:
        number = tree.finest_level if level is None else tree.resolve_level(level)
        codes = list(tree.at_level(number).index)
    if not codes:
        raise ReportError("reports.empty_selection", parent=parent or "-",
                          level=tree.level_name(number))
    return number, [str(c) for c in codes]


def sort_values(table: pd.DataFrame, key: SortKey) -> pd.Series:
    """Values of the sort indicator per territory code (its first breakdown by default)."""
    rows = table[table["indicator"] == key.indicator]
    if rows.empty:
        raise ReportError("reports.bad_sort_indicator", indicator=key.indicator)
    breakdown = key.breakdown if key.breakdown is not None else str(rows["breakdown"].iloc[0])
    rows = rows[rows["breakdown"] == breakdown]
    if rows.empty:
        raise ReportError("reports.bad_sort_indicator",
                          indicator=f"{key.indicator}.{breakdown}")
    return rows.drop_duplicates("territory_code").set_index("territory_code")["value"] \
        .astype("float64")


def order_codes(tree: TerritoryTree, codes: list[str], key: SortKey,
                values: pd.Series | None) -> list[str]:
    """Codes by name (then code), by code, or by value (missing values last)."""
    def name_key(code: str) -> tuple[str, str]:
        return fold(tree.name(code)), code

    if key.indicator is None:
        return sorted(codes, key=name_key)
    if key.indicator == "":
        return sorted(codes)
    assert values is not None
    sign = 1.0 if key.ascending else -1.0

    def value_key(code: str) -> tuple[int, float, tuple[str, str]]:
        value = values.get(code, math.nan)
        missing = value is None or value != value
        return (1 if missing else 0, 0.0 if missing else sign * float(value), name_key(code))

    return sorted(codes, key=value_key)


def make_plan(tree: TerritoryTree, lang: str, *, parent: str | None, level: int,
              codes: list[str], sort: str | None, group_by: int | str | None,
              table: pd.DataFrame | None = None, sort_label: str = "") -> BookPlan:
    """Order and group the selected territories (see the module docstring)."""
    key = parse_sort(sort)
    values = sort_values(table, key) if key.indicator and table is not None else None
    if key.indicator and values is None:
        raise ReportError("reports.bad_sort_indicator", indicator=key.indicator)
    ordered = order_codes(tree, codes, key, values)
    group_level: int | None = None
    if group_by is not None:
        group_level = tree.resolve_level(group_by)
        if group_level >= level:
            raise ReportError("reports.bad_group_level", group=tree.level_name(group_level, lang),
                              level=tree.level_name(level, lang))
    grouped: dict[str | None, list[str]] = {}
    for code in ordered:
        head = tree.ancestor_at(code, group_level) if group_level is not None else None
        grouped.setdefault(head, []).append(code)
    heads = list(grouped)
    if group_level is not None:
        heads.sort(key=lambda c: (c is None, fold(tree.name(c)) if c else "", c or ""))
    entries: list[Entry] = []
    groups: list[Group] = []
    for head in heads:
        name = tree.name(head) if head else ""
        members = []
        for code in grouped[head]:
            entry = Entry(len(entries) + 1, code, tree.name(code), head, name)
            entries.append(entry)
            members.append(entry)
        groups.append(Group(head, name, tuple(members)))
    label = sort_label or (t("reports.sort_name", lang) if key.indicator is None
                           else t("reports.sort_code", lang) if key.indicator == ""
                           else key.indicator)
    return BookPlan(
        level=level, level_name=tree.level_name(level, lang), parent=parent,
        parent_name=tree.name(parent) if parent else "", entries=entries, groups=groups,
        sort=sort or "name", sort_label=label,
        group_level_name=tree.level_name(group_level, lang) if group_level is not None else "",
        sort_values={} if values is None else {c: float(values.get(c, math.nan))
                                               for c in ordered})
