"""The indicator registry: every indicator is declared once, with the ``@indicator`` decorator.

A declaration carries everything a table, a fact sheet or a legend needs to show the
figure (code, French and English labels, theme, unit, direction, threshold key) and
the vectorised function that computes it for all territories of a level at once. The
built-in indicators in :mod:`atlas.diagnostics.indicators` register exactly the way a
user's own indicator does::

    from atlas.diagnostics import indicator

    @indicator("wp_solar", labels={"fr": "Pompes solaires", "en": "Solar pumps"},
               theme="water", unit="nb", layers=("water_points",), direction="higher")
    def wp_solar(ctx, level):
        solar = ctx.frame("water_points")["technology"].eq("solar_pump").to_numpy()
        return ctx.groups("water_points", level).count(solar)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..errors import DiagnosticError
from ..i18n import label
from .standards import Standard

if TYPE_CHECKING:
    from .context import Context

Direction = Literal["higher", "lower"]
#: Themes of the built-in indicators, in the order fact sheets show them.
THEMES = ("demography", "education", "water", "environment", "energy", "housing",
          "programmes")
#: Name of the pseudo-layer meaning "wherever the population comes from" (raster,
#: localities or territory counts, chosen per atlas).
POPULATION = "population"

Compute = Callable[["Context", int], Any]


@dataclass(frozen=True)
class Breakdown:
    """One row of a multi-valued indicator (a ladder level, a water-point type, a sex...).

    ``unit``, ``direction`` and ``threshold`` default to the indicator's own.
    """

    code: str
    labels: Mapping[str, str]
    unit: str | None = None
    direction: Direction | Literal["neutral", "inherit"] = "inherit"
    threshold: str | Standard | None = None

    def label(self, lang: str | None = None) -> str:
        """Label of the breakdown in a language."""
        return label(dict(self.labels), lang)


@dataclass(frozen=True)
class Indicator:
    """A declared indicator (see the module docstring)."""

    code: str
    labels: Mapping[str, str]
    theme: str
    unit: str
    layers: tuple[str, ...]
    compute: Compute
    direction: Direction | None = None
    threshold: str | Standard | None = None
    breakdowns: tuple[Breakdown, ...] = ()
    description: Mapping[str, str] = field(default_factory=dict)

    def label(self, lang: str | None = None, **params: object) -> str:
        """Label in a language; ``{placeholders}`` (e.g. the distance) are filled in."""
        text = label(dict(self.labels), lang)
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text

    def breakdown(self, code: str) -> Breakdown | None:
        """The declared breakdown with this code, if any."""
        return next((b for b in self.breakdowns if b.code == code), None)

    def direction_of(self, breakdown: str) -> Direction | None:
        """Which way is better for one breakdown (None: neither, no rank)."""
        declared = self.breakdown(breakdown)
        if declared is None or declared.direction == "inherit":
            return self.direction
        return None if declared.direction == "neutral" else declared.direction

    def unit_of(self, breakdown: str) -> str:
        """Unit of one breakdown."""
        declared = self.breakdown(breakdown)
        return declared.unit if declared is not None and declared.unit else self.unit

    def threshold_of(self, breakdown: str) -> str | Standard | None:
        """Standard (key or inline) that one breakdown is judged against."""
        declared = self.breakdown(breakdown)
        if declared is not None and declared.threshold is not None:
            return declared.threshold
        return self.threshold


class Registry(Mapping[str, Indicator]):
    """Indicators by code, in declaration order."""

    def __init__(self) -> None:
        self._items: dict[str, Indicator] = {}

    def __getitem__(self, code: str) -> Indicator:
        """The indicator with this code; raises :class:`KeyError`."""
        return self._items[code]

    def __iter__(self) -> Iterator[str]:
        """Codes in declaration order."""
        return iter(self._items)

    def __len__(self) -> int:
        """Number of indicators."""
        return len(self._items)

    def register(self, item: Indicator, *, replace: bool = False) -> Indicator:
        """Add an indicator; a second one with the same code is refused unless ``replace``."""
        if item.code in self._items and not replace:
            raise DiagnosticError("diagnostics.duplicate_indicator", code=item.code)
        if not item.layers:
            raise DiagnosticError("diagnostics.no_layers", code=item.code)
        if item.direction not in (None, "higher", "lower"):
            raise DiagnosticError("diagnostics.bad_direction", code=item.code,
                                  direction=item.direction)
        self._items[item.code] = item
        return item

    def unregister(self, code: str) -> None:
        """Remove an indicator (tests and notebooks that declare temporary ones)."""
        self._items.pop(code, None)

    def needs_any(self, code: str, layers: Iterable[str]) -> bool:
        """True when the indicator ``code`` reads one of ``layers``.

        Sheets and the app leave out the figures that need a layer still empty.
        """
        item = self._items.get(code)
        return item is not None and not set(layers).isdisjoint(item.layers)

    def select(self, codes: Iterable[str] | str | None = None) -> list[Indicator]:
        """Indicators by code, in the order given; an unknown code raises with the choices.

        ``None`` selects all, ordered by theme (:data:`THEMES`) then declaration.
        """
        if codes is None:
            rank = {theme: i for i, theme in enumerate(THEMES)}
            return sorted(self._items.values(), key=lambda i: rank.get(i.theme, len(rank)))
        if isinstance(codes, str):
            codes = [c.strip() for c in codes.split(",") if c.strip()]
        chosen = []
        for code in codes:
            if code not in self._items:
                raise DiagnosticError("diagnostics.unknown_indicator", code=code,
                                      available=", ".join(self._items))
            chosen.append(self._items[code])
        return chosen


#: The registry that :func:`indicator` writes to by default.
REGISTRY = Registry()


def indicator(
    code: str,
    *,
    labels: Mapping[str, str],
    theme: str,
    unit: str,
    layers: Iterable[str],
    direction: Direction | None = None,
    threshold: str | Standard | None = None,
    breakdowns: Iterable[Breakdown] = (),
    description: Mapping[str, str] | None = None,
    registry: Registry | None = None,
    replace: bool = False,
) -> Callable[[Compute], Compute]:
    """Declare an indicator whose compute function is the decorated function.

    The function receives the per-call :class:`~atlas.diagnostics.context.Context` and a
    level number, and returns the values of every territory of that level: a
    :class:`~atlas.diagnostics.values.Values`, or a Series (or a DataFrame with one
    column per breakdown) indexed by territory code. ``layers`` lists what it reads
    (``"population"`` for the atlas's population source); when one is absent or empty
    the engine reports NaN with the reason instead of calling it.
    """

    def decorate(func: Compute) -> Compute:
        (REGISTRY if registry is None else registry).register(Indicator(
            code=code, labels=dict(labels), theme=theme, unit=unit, layers=tuple(layers),
            compute=func, direction=direction, threshold=threshold,
            breakdowns=tuple(breakdowns), description=dict(description or {}),
        ), replace=replace)
        return func

    return decorate
