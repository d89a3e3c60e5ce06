"""The state shared by every part of the demo: one generator and the geography drawn first.

Each layer module receives this object instead of being a method of one big builder:
the generator is the only thing they change, and the geography is frozen once drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..catalog import Catalog, load_catalog
from .frame import MetricFrame
from .geography import Communes, Outline, draw_communes, draw_outline
from .localities import Localities, draw_localities
from .model import TAU
from .names import NameMaker


@dataclass(frozen=True)
class Geography:
    """Outline, communes and localities, drawn in that order before any layer."""

    outline: Outline
    communes: Communes
    localities: Localities


@dataclass(frozen=True)
class DemoState:
    """The generator, the name maker, the metric frame, the catalogue and the geography."""

    seed: int
    rng: np.random.Generator
    frame: MetricFrame
    names: NameMaker
    catalog: Catalog
    geo: Geography

    @property
    def loc(self) -> Localities:
        """The localities, which most layers are anchored on."""
        return self.geo.localities

    @property
    def communes(self) -> Communes:
        """The communes, which every feature is assigned to."""
        return self.geo.communes

    def empty_rows(self, layer: str) -> dict[str, list[Any]]:
        """One empty list per field of a catalogue layer, in the spec's order."""
        return {k: [] for k in self.catalog[layer].field_names}

    def place(self, ax: np.ndarray, ay: np.ndarray, distance: np.ndarray,
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scatter points around anchors (metres), keeping every point in a commune.

        A point that lands outside the country is redrawn closer to its anchor, and
        finally put on the anchor itself, which is known to be inside.
        """
        ax, ay = np.asarray(ax, float), np.asarray(ay, float)
        dist = np.broadcast_to(np.asarray(distance, float), ax.shape).copy()
        lon = np.zeros(len(ax))
        lat = np.zeros(len(ax))
        commune = np.full(len(ax), -1, dtype=int)
        todo = np.arange(len(ax))
        for _ in range(6):
            if not len(todo):
                break
            angle = self.rng.uniform(0, TAU, len(todo))
            x = ax[todo] + dist[todo] * np.cos(angle)
            y = ay[todo] + dist[todo] * np.sin(angle)
            lon[todo], lat[todo] = self.frame.lonlat(x, y)
            commune[todo] = self.communes.assign(lon[todo], lat[todo])
            todo = todo[commune[todo] < 0]
            dist[todo] /= 2
        if len(todo):
            lon[todo], lat[todo] = self.frame.lonlat(ax[todo], ay[todo])
            commune[todo] = self.communes.assign(lon[todo], lat[todo])
        return lon, lat, commune


def add_row(rows: dict[str, list[Any]], values: dict[str, Any]) -> None:
    """Append one feature's values to the layer's columns."""
    for key, value in values.items():
        rows[key].append(value)


def new_state(seed: int) -> DemoState:
    """Start the generator from ``seed`` and draw the geography every layer sits on."""
    rng = np.random.default_rng(seed)
    frame = MetricFrame()
    names = NameMaker(rng)
    catalog = load_catalog()
    outline = draw_outline(rng, frame)
    communes = draw_communes(rng, frame, outline)
    localities = draw_localities(rng, frame, names, outline, communes)
    return DemoState(seed=seed, rng=rng, frame=frame, names=names, catalog=catalog,
                     geo=Geography(outline, communes, localities))
