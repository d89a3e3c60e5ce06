"""Choropleths: indicator values per territory, classified and coloured.

The values (:mod:`.values`) come from the diagnostics or from any table the caller
computed. Classification uses mapclassify (quantiles, Fisher-Jenks natural breaks, equal
intervals, or the caller's breaks); colours come from ColorBrewer sequential ramps
(through matplotlib), light for low values and dark for high ones, reversed when a
lower value is better, so that the dark end is always the better end. Territories
without a value get their own "no data" class instead of silently taking the
lightest colour.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ...errors import RenderError
from ...i18n import t
from ..formatting import format_number, pick_decimals, unit_text, with_unit

if TYPE_CHECKING:
    from .values import IndicatorValues

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
    """``k`` colours from light to dark (dark to light when ``reverse``).

    matplotlib holds the ColorBrewer ramps; it is imported here, when a choropleth
    is drawn, so that a plain interactive map (the app's first page) never loads it.
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

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
            cuts = list(check_breaks(breaks))
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


def check_breaks(breaks: object) -> tuple[float, ...]:
    """Class breaks as increasing finite numbers (a sentence otherwise)."""
    try:
        cuts = tuple(float(b) for b in breaks)  # type: ignore[attr-defined]
    except (TypeError, ValueError) as exc:
        raise RenderError("render.bad_breaks", breaks=breaks) from exc
    if not cuts or any(not math.isfinite(b) for b in cuts) \
            or any(b >= c for b, c in zip(cuts, cuts[1:], strict=False)):
        raise RenderError("render.bad_breaks", breaks=breaks)
    return cuts


def legend_title(values: IndicatorValues, lang: str | None = None) -> str:
    """Indicator label with its unit as the reader writes it ("Points d'eau", no "(nb)")."""
    unit = unit_text(values.unit, lang or "fr") if values.unit else ""
    return f"{values.label} ({unit})" if unit else values.label


def decimals_for(values: IndicatorValues, classification: Classification) -> int:
    """Decimals of class bounds: the caller's choice, else what the bounds need."""
    if values.decimals is not None:
        return values.decimals
    return pick_decimals([classification.lower, *classification.bins])
