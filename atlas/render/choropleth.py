"""Choropleths: indicator values per territory, classified and coloured.

Values come either from the diagnostics engine (an indicator code) or from the
caller (a pandas Series or DataFrame indexed by territory code, with the label,
unit and source given alongside), so a map can be drawn from any computed table.
Classification uses mapclassify (quantiles, Fisher-Jenks natural breaks, equal
intervals, or the caller's breaks); colours come from ColorBrewer sequential ramps
(through matplotlib), light for low values and dark for high ones, reversed when a
lower value is better, so that the dark end is always the better end. Territories
without a value get their own "no data" class instead of silently taking the
lightest colour.
"""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

from ..i18n import t
from .errors import RenderError
from .formatting import format_number, pick_decimals, with_unit

#: Classification methods and their accepted spellings.
SCHEMES: dict[str, str] = {
    "quantiles": "quantiles", "quantile": "quantiles",
    "fisher_jenks": "fisher_jenks", "natural_breaks": "fisher_jenks", "jenks": "fisher_jenks",
    "equal_interval": "equal_interval", "equal": "equal_interval",
    "user": "user", "breaks": "user",
}
#: ColorBrewer sequential palettes (lower-case names, as matplotlib spells them).
PALETTES: tuple[str, ...] = ("YlGnBu", "Blues", "Greens", "Oranges", "Reds", "Purples",
                             "Greys", "YlOrRd", "YlOrBr", "YlGn", "OrRd", "PuBu", "BuPu",
                             "RdPu", "PuBuGn", "GnBu", "BuGn", "PuRd")
DEFAULT_PALETTE = "YlGnBu"
DEFAULT_CLASSES = 5
NO_DATA_COLOR = "#d4d4d4"
#: Above this many values Fisher-Jenks (quadratic) works on a sample.
JENKS_SAMPLE = 2000


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


@dataclass(frozen=True)
class Classification:
    """Class bounds and colours; ``classes`` maps each code to its class (-1: no data)."""

    scheme: str
    lower: float
    bins: tuple[float, ...]
    colors: tuple[str, ...]
    classes: dict[str, int] = field(default_factory=dict)
    no_data_color: str = NO_DATA_COLOR

    @property
    def k(self) -> int:
        """Number of classes (without the no-data class)."""
        return len(self.bins)

    def color_of(self, code: str) -> str:
        """Fill colour of a territory."""
        index = self.classes.get(code, -1)
        return self.no_data_color if index < 0 else self.colors[index]

    def counts(self) -> list[int]:
        """Territories per class, then those without data."""
        found = list(self.classes.values())
        return [found.count(i) for i in range(self.k)] + [found.count(-1)]

    def labels(self, lang: str | None = None, decimals: int = 0,
               unit: str | None = None) -> list[str]:
        """``low – high`` label of each class, with the language's number format."""
        bounds = [self.lower, *self.bins]
        return [with_unit(t("render.range", lang,
                            low=format_number(bounds[i], lang, decimals),
                            high=format_number(bounds[i + 1], lang, decimals)), unit)
                for i in range(self.k)]


def palette_colors(palette: str, k: int, reverse: bool = False) -> list[str]:
    """``k`` colours from light to dark (dark to light when ``reverse``)."""
    names = {p.lower(): p for p in PALETTES}
    name = names.get(palette.lower().removesuffix("_r"))
    if name is None:
        raise RenderError("render.bad_palette", palette=palette, choices=", ".join(PALETTES))
    if palette.lower().endswith("_r"):
        reverse = not reverse
    cmap = colormaps[name]
    points = [0.6] if k == 1 else np.linspace(0.15, 0.95, k)
    colors = [to_hex(cmap(float(p))) for p in points]
    return colors[::-1] if reverse else colors


def classify(values: pd.Series, scheme: str = "quantiles", k: int = DEFAULT_CLASSES,
             breaks: Sequence[float] | None = None, palette: str = DEFAULT_PALETTE,
             reverse: bool = False) -> Classification:
    """Classify values (index: territory codes) with mapclassify.

    ``breaks`` are upper class bounds (the top class stretches to the maximum when
    values exceed the last one); giving them implies the ``user`` scheme.
    """
    import mapclassify

    method = SCHEMES.get(("user" if breaks is not None else scheme).lower())
    if method is None:
        raise RenderError("render.bad_scheme", scheme=scheme,
                          choices=", ".join(sorted(set(SCHEMES.values()))))
    numbers = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce") \
        .astype("float64")
    numbers = numbers[np.isfinite(numbers.to_numpy())]
    codes = [str(c) for c in values.index]
    if numbers.empty:
        return Classification(method, 0.0, (), (), {c: -1 for c in codes})
    data = numbers.to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "user":
            cuts = _check_breaks(breaks)
            classifier: Any = mapclassify.UserDefined(data, cuts)
        else:
            k = max(1, min(int(k), len(np.unique(data))))
            if method == "quantiles":
                classifier = mapclassify.Quantiles(data, k=k)
            elif method == "equal_interval":
                classifier = mapclassify.EqualInterval(data, k=k)
            elif len(data) > JENKS_SAMPLE:
                classifier = mapclassify.FisherJenksSampled(data, k=k)
            else:
                classifier = mapclassify.FisherJenks(data, k=k)
    bins = tuple(float(b) for b in classifier.bins)
    lower = float(min(data.min(), bins[0]))
    classes = {c: -1 for c in codes}
    found = dict(zip((str(c) for c in numbers.index), (int(b) for b in classifier.yb),
                     strict=True))
    classes.update(found)
    colors = tuple(palette_colors(palette, len(bins), reverse))
    return Classification(method, lower, bins, colors, classes)


def _check_breaks(breaks: Sequence[float] | None) -> list[float]:
    """User breaks as increasing finite numbers."""
    try:
        cuts = [float(b) for b in (breaks or [])]
    except (TypeError, ValueError) as exc:
        raise RenderError("render.bad_breaks", breaks=breaks) from exc
    if not cuts or any(not math.isfinite(b) for b in cuts) \
            or any(b >= c for b, c in zip(cuts, cuts[1:], strict=False)):
        raise RenderError("render.bad_breaks", breaks=breaks)
    return cuts


def legend_title(values: IndicatorValues) -> str:
    """Indicator label with its unit, as legends show it."""
    return f"{values.label} ({values.unit})" if values.unit else values.label


def decimals_for(values: IndicatorValues, classification: Classification) -> int:
    """Decimals of class bounds: the caller's choice, else what the bounds need."""
    if values.decimals is not None:
        return values.decimals
    return pick_decimals([classification.lower, *classification.bins])


# ---------------------------------------------------------------------------- inputs


def indicator_values(atlas: Any, indicator: object, level: int | None = None,
                     lang: str | None = None, *, label: str | None = None,
                     unit: str | None = None, source: str | None = None,
                     higher_is_better: bool | None = None) -> IndicatorValues:
    """Normalise what a caller gives as an indicator into :class:`IndicatorValues`.

    ``indicator`` is an :class:`IndicatorValues`, a Series (index: territory codes),
    a DataFrame (``code`` and ``value`` columns, optionally ``label``, ``unit``,
    ``source``, ``indicator``), or an indicator code computed by
    ``atlas.diagnostics.diagnose`` at ``level``. Keyword arguments override labels.
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
    if "code" not in frame.columns and "territory_code" in frame.columns:
        frame = frame.rename(columns={"territory_code": "code"})
    if "code" not in frame.columns:
        frame = frame.reset_index()
        if "code" not in frame.columns and "index" in frame.columns:
            frame = frame.rename(columns={"index": "code"})
    if "code" not in frame.columns or "value" not in frame.columns:
        raise RenderError("render.bad_values")
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


def _from_diagnostics(atlas: Any, indicator: str, level: int | None,
                      lang: str | None) -> IndicatorValues:
    """Ask the diagnostics engine; ``code:breakdown`` picks one breakdown."""
    try:
        from .. import diagnostics
        diagnose = diagnostics.diagnose  # type: ignore[attr-defined]
    except (ImportError, AttributeError) as exc:
        raise RenderError("render.no_diagnostics", indicator=indicator) from exc
    code, _, part = indicator.partition(":")
    wanted = inspect.signature(diagnose).parameters
    kwargs: dict[str, Any] = {"level": level, "indicators": [code]}
    if "lang" in wanted:
        kwargs["lang"] = lang
    frame = diagnose(atlas, **kwargs)
    found = _from_frame(frame, code, part or None)
    if found.values.dropna().empty:
        raise RenderError("render.unknown_indicator", indicator=indicator, level=level)
    meta = _registry_entry(diagnostics, code)
    source = found.source or _attr(meta, "source", "threshold_source", "reference")
    better = found.higher_is_better
    if better is None and meta is not None:
        flag = _attr(meta, "higher_is_better")
        direction_of = getattr(meta, "direction_of", None)
        direction = direction_of(part) if callable(direction_of) \
            else _attr(meta, "direction")
        better = bool(flag) if flag is not None else _direction(direction)
    return IndicatorValues(found.values, found.label, found.unit,
                           None if source is None else _text(source, lang), code, better)


def _registry_entry(module: Any, code: str) -> Any:
    """The registry's description of an indicator, whatever the registry calls it."""
    registry = getattr(module, "REGISTRY", None)
    if isinstance(registry, Mapping):
        return registry.get(code)
    for name in ("get_indicator",):
        getter = getattr(module, name, None)
        if callable(getter):
            try:
                return getter(code)
            except Exception:  # noqa: BLE001 - metadata is optional decoration
                return None
    registry = getattr(module, "registry", None)
    for candidate in (registry, getattr(registry, "REGISTRY", None)):
        if hasattr(candidate, "get"):
            try:
                return candidate.get(code)
            except Exception:  # noqa: BLE001
                return None
    return None


def _direction(value: Any) -> bool | None:
    """True for "higher is better", False for "lower", None when neutral or unknown."""
    text = str(value).lower() if value is not None else ""
    if text in ("higher", "up", "higher_is_better"):
        return True
    if text in ("lower", "down", "lower_is_better"):
        return False
    return None


def _attr(obj: Any, *names: str) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


def _text(value: Any, lang: str | None) -> str:
    """A label that may be a ``{"fr": ..., "en": ...}`` mapping."""
    if isinstance(value, dict):
        from ..i18n import label

        return label(value, lang)
    return str(value)
