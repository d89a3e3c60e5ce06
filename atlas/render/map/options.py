"""What a map shows and how it is drawn: one frozen declaration for every map.

The interactive map, the static map, the maps of sheets and books and the ``atlas
map`` command all take a :class:`MapOptions`, so an option means the same thing
everywhere and is checked in one place, when the options are made: a bad
classification, class count, size or break list is refused before anything is read.
Entry points take it keyword-only after the territory, either whole
(``options=MapOptions(...)``) or as its fields (``layers=[...], indicator=...``),
which :func:`map_options` turns into one.

Some fields concern one kind of map only: ``basemap``, ``cluster``, ``detail`` and
``offline`` the interactive one, ``size``, ``dpi``, ``title``, ``legend`` and ``today``
the static one; the other kind ignores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from ...errors import RenderError
from .choropleth import DEFAULT_CLASSES, SCHEMES, check_breaks
from .geometry import INTERACTIVE_DETAIL

#: Pixels and dots per inch of a static map when the caller gives none.
DEFAULT_SIZE = (1200, 900)
DEFAULT_DPI = 150
#: Largest side of a static map, in pixels (a bigger one would exhaust memory).
MAX_PIXELS = 12_000


@dataclass(frozen=True, kw_only=True, eq=False)
class MapOptions:
    """Everything a map entry point needs besides the atlas and the territory.

    ``layers``: catalogue layers (None: all but the territories). ``indicator``: an
    indicator code computed by the diagnostics (``code`` or ``code:breakdown``), a
    Series or DataFrame of values per territory code, or
    :class:`~.values.IndicatorValues`, drawn as a choropleth at ``level``, classified
    by ``scheme`` in ``classes`` classes or at the given ``breaks``, coloured with
    ``palette``; ``label``, ``unit``, ``source`` and ``higher_is_better`` override
    what the values say about themselves.
    """

    layers: tuple[str, ...] | None = None
    lang: str | None = None
    indicator: object = None
    level: int | str | None = None
    scheme: str = "quantiles"
    classes: int = DEFAULT_CLASSES
    breaks: tuple[float, ...] | None = None
    palette: str | None = None
    label: str | None = None
    unit: str | None = None
    source: str | None = None
    higher_is_better: bool | None = None
    # -- interactive maps
    basemap: str | None = None
    cluster: bool | tuple[str, ...] | None = None
    detail: float = INTERACTIVE_DETAIL
    offline: bool = False
    # -- static maps
    size: tuple[int, int] = DEFAULT_SIZE
    dpi: int = DEFAULT_DPI
    title: str | None = None
    legend: bool = True
    today: date | None = None

    def __post_init__(self) -> None:
        """Normalise sequences to tuples and refuse what no map could draw."""
        if self.layers is not None:
            self._set("layers", _names(self.layers))
        if self.cluster is not None and not isinstance(self.cluster, bool):
            self._set("cluster", _names(self.cluster))
        if str(self.scheme).lower() not in SCHEMES:
            raise RenderError("render.bad_scheme", scheme=self.scheme,
                              choices=", ".join(sorted(set(SCHEMES.values()))))
        if self.breaks is not None:
            self._set("breaks", check_breaks(self.breaks))
        if isinstance(self.classes, bool) or not isinstance(self.classes, int) \
                or not 1 <= self.classes <= 12:
            raise RenderError("render.bad_classes", classes=self.classes)
        self._set("size", _size(self.size))
        if isinstance(self.dpi, bool) or not isinstance(self.dpi, int) \
                or not 10 <= self.dpi <= 1200:
            raise RenderError("render.bad_dpi", dpi=self.dpi)

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)


def map_options(options: MapOptions | None = None, **changes: Any) -> MapOptions:
    """``options`` (default: the defaults) with ``changes`` applied.

    An unknown keyword is a programming error and raises :class:`TypeError`.
    """
    base = options if options is not None else MapOptions()
    return replace(base, **changes) if changes else base


def option_names() -> tuple[str, ...]:
    """The fields of :class:`MapOptions`, in declaration order."""
    return tuple(f.name for f in fields(MapOptions))


def _names(value: object) -> tuple[str, ...]:
    """Layer names as a tuple (a single name is one layer, not its letters)."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Sequence) and not hasattr(value, "__iter__"):
        raise RenderError("render.bad_layers", layers=value)
    return tuple(str(name) for name in value)  # type: ignore[union-attr]


def _size(value: object) -> tuple[int, int]:
    """(width, height) in pixels, each between 16 and :data:`MAX_PIXELS`."""
    try:
        width, height = (int(v) for v in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError) as exc:
        raise RenderError("render.bad_size", size=value) from exc
    if not (16 <= width <= MAX_PIXELS and 16 <= height <= MAX_PIXELS):
        raise RenderError("render.bad_size", size=value)
    return width, height
