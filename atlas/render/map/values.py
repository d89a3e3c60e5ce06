"""Indicator values of a choropleth: from the diagnostics, or from the caller's table.

A map can be drawn from any computed table: a pandas Series indexed by territory
code, a DataFrame with ``code`` and ``value`` columns (or the diagnostics' own tidy
table), or an indicator code that :func:`atlas.diagnostics.diagnose` computes at
the map's level. :func:`indicator_values` turns each into one
:class:`IndicatorValues`: the numbers and what a legend must say about them (label,
unit, source, and which way is better, from the indicator registry).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...errors import RenderError

if TYPE_CHECKING:
    from ...snapshot import AtlasSnapshot


@dataclass(frozen=True)
class IndicatorValues:
    """Values of one indicator per territory code, with what a legend must say."""

    values: pd.Series
    label: str
    unit: str | None = None
    source: str | None = None
    code: str | None = None
    higher_is_better: bool | None = None
    decimals: int | None = None


def indicator_values(atlas: AtlasSnapshot | Any, indicator: object, level: int | None = None,
                     lang: str | None = None, *, label: str | None = None,
                     unit: str | None = None, source: str | None = None,
                     higher_is_better: bool | None = None) -> IndicatorValues:
    """Normalise what a caller gives as an indicator into :class:`IndicatorValues`.

    ``indicator`` is an :class:`IndicatorValues`, a Series (index: territory codes),
    a DataFrame (``code`` and ``value`` columns, optionally ``label``, ``unit``,
    ``source``, ``indicator``), or an indicator code computed by
    :func:`atlas.diagnostics.diagnose` at ``level``. Keyword arguments override labels.
    """
    if isinstance(indicator, IndicatorValues):
        found = indicator
    elif isinstance(indicator, pd.Series):
        found = IndicatorValues(_numeric(indicator), label=str(indicator.name or ""))
    elif isinstance(indicator, pd.DataFrame):
        found = _from_frame(indicator, None)
    elif isinstance(indicator, str):
        found = _from_diagnostics(atlas, indicator, level, lang)
    else:
        raise RenderError("render.bad_values")
    return IndicatorValues(
        values=found.values,
        label=label if label is not None else found.label,
        unit=unit if unit is not None else found.unit,
        source=source if source is not None else found.source,
        code=found.code,
        higher_is_better=higher_is_better if higher_is_better is not None
        else found.higher_is_better,
        decimals=found.decimals,
    )


def _numeric(series: pd.Series) -> pd.Series:
    out = pd.to_numeric(series, errors="coerce").astype("float64")
    out.index = [str(i) for i in series.index]
    return out


def _single(frame: pd.DataFrame, column: str) -> Any:
    """The one value of a column (None when absent, empty or not unique)."""
    if column not in frame.columns:
        return None
    values = frame[column].dropna().unique()
    return values[0] if len(values) == 1 else None


def _with_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with its territory codes in a ``code`` column."""
    if "code" not in frame.columns and "territory_code" in frame.columns:
        frame = frame.rename(columns={"territory_code": "code"})
    if "code" not in frame.columns:
        frame = frame.reset_index()
        if "code" not in frame.columns and "index" in frame.columns:
            frame = frame.rename(columns={"index": "code"})
    if "code" not in frame.columns or "value" not in frame.columns:
        raise RenderError("render.bad_values")
    return frame


def _from_frame(frame: pd.DataFrame, code: str | None,
                breakdown: str | None = None) -> IndicatorValues:
    """Values of one indicator (and one breakdown) from a table.

    Accepts the diagnostics' tidy table (``territory_code``, ``indicator``,
    ``breakdown``, ``value``, ``label``, ``unit``, ``threshold_source``) as well as a
    plain ``code``/``value`` table. Without a breakdown, the indicator's own rows
    (empty breakdown) are used, else its first breakdown.
    """
    if "indicator" in frame.columns and code is not None:
        frame = frame[frame["indicator"] == code]
    frame = _with_codes(frame)
    if "breakdown" in frame.columns and len(frame):
        parts = frame["breakdown"].fillna("").astype(str)
        wanted = breakdown if breakdown is not None else (
            "" if (parts == "").any() else parts.iloc[0])
        frame = frame[parts == wanted]
    values = _numeric(frame.drop_duplicates("code").set_index("code")["value"])
    better = _single(frame, "higher_is_better")
    if better is None:
        better = _direction(_single(frame, "direction"))
    return IndicatorValues(
        values=values,
        label=str(_single(frame, "label") or code or _single(frame, "indicator") or ""),
        unit=_single(frame, "unit"),
        source=_single(frame, "source") or _single(frame, "threshold_source"),
        code=code or _single(frame, "indicator"),
        higher_is_better=None if better is None else bool(better),
    )


def _from_diagnostics(atlas: AtlasSnapshot | Any, indicator: str, level: int | None,
                      lang: str | None) -> IndicatorValues:
    """Ask the diagnostics engine; ``code:breakdown`` picks one breakdown."""
    from ...diagnostics import REGISTRY, diagnose

    code, _, part = indicator.partition(":")
    frame = diagnose(atlas, level, indicators=[code], lang=lang)
    found = _from_frame(frame, code, part or None)
    if found.values.dropna().empty:
        raise RenderError("render.unknown_indicator", indicator=indicator, level=level)
    better = found.higher_is_better
    declared = REGISTRY.get(code)
    if better is None and declared is not None:
        better = _direction(declared.direction_of(part))
    return IndicatorValues(found.values, found.label, found.unit, found.source, code, better)


def _direction(value: Any) -> bool | None:
    """True for "higher is better", False for "lower", None when neutral or unknown."""
    text = str(value).lower() if value is not None else ""
    if text in ("higher", "up", "higher_is_better"):
        return True
    if text in ("lower", "down", "lower_is_better"):
        return False
    return None
