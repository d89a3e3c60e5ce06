"""Population columns of territory files: ``POP_2023``, ``pop_rgph5``, ``population``.

A census table (RGPH-5 for Senegal, 2023) names its counts after the census or the
year. A column ``pop…``/``population…`` feeds ``population`` when nothing else does;
a 4-digit year in its name gives ``population_year`` (a derived column shown in the
mapping table as ``POP_2023 → 2023``) unless the person mapped or set the year.
"""

from __future__ import annotations

import re
from typing import Protocol

import pandas as pd

from .mapping import ColumnMapping

_POPULATION = re.compile(r"^(pop|population)([ _.-].*|\d.*)?$", re.I)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


class _Planner(Protocol):
    frame: pd.DataFrame
    mapping: ColumnMapping
    ctx: object


def population_year_of(column: str) -> int | None:
    """The census year a column name carries (``POP_2023`` → 2023), else None."""
    match = _YEAR.search(column)
    return int(match.group(1)) if match else None


def population_columns(planner: _Planner) -> None:
    """Map ``population`` from a ``POP_*`` column, and its year from the column name."""
    mapping = planner.mapping
    if not mapping.fields.get("population") and mapping.how.get("population") != "override":
        column = next((c for c in mapping.unused if _POPULATION.match(str(c))), None)
        if column is not None:
            mapping.fields["population"] = [column]
            mapping.how["population"] = "synonym"
            mapping.unused.remove(column)
    columns = mapping.fields.get("population") or []
    constants = getattr(planner.ctx.options, "constants", {})  # type: ignore[attr-defined]
    if not columns or mapping.fields.get("population_year") \
            or mapping.how.get("population_year") == "override" \
            or "population_year" in constants:
        return
    year = population_year_of(str(columns[0]))
    if year is None:
        return
    derived = f"{columns[0]} → {year}"
    planner.frame[derived] = pd.Series([year] * len(planner.frame), dtype=object,
                                       index=planner.frame.index)
    mapping.fields["population_year"] = [derived]
    mapping.how["population_year"] = "scheme"
