"""Mangroves of the delta: extents in 2010 and 2020 (with loss and gain) and planted plots.

The mangrove indicators compare two dates and follow reforestation, so the extents
are drawn along the tidal creeks, thin out upstream, lose patches and gain others,
and the programme's plots are planted half where mangrove was lost.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from ..crs import storage_crs
from ..names import MANGROVES, TERRITORY_FIELD
from .frame import multi
from .model import GRID, TAU
from .state import DemoState, add_row

MANGROVE_SPECIES = ("Rhizophora racemosa", "Avicennia germinans", "Rhizophora mangle",
                    "Rhizophora racemosa ; Avicennia germinans")


def mangrove_rows(state: DemoState) -> dict[str, Any]:
    """The mangroves layer: extents cut by commune, then reforested plots."""
    rng = state.rng
    outline = state.geo.outline
    zone = shapely.intersection(outline.mouth.buffer(30_000), outline.country)
    channels = shapely.intersection(outline.channels, zone)
    creeks = _creeks(rng, channels, outline.mouth)
    widths = rng.uniform(120, 520, len(creeks))
    water = outline.river.buffer(70)
    fringe = [shapely.intersection(channels, outline.mouth.buffer(radius)).buffer(width)
              for radius, width in ((7_000, 500), (13_000, 320), (20_000, 180))]
    base = shapely.union_all([c.buffer(w) for c, w in zip(creeks, widths, strict=True)]
                             + fringe)
    extent_2010 = shapely.difference(shapely.intersection(base, zone), water)
    centres = [c.interpolate(rng.uniform(0, c.length)) for c in creeks]
    losses = [centres[i].buffer(rng.uniform(500, 1_300))
              for i in rng.choice(len(centres), size=9, replace=False)]
    gains = _gains(rng, creeks)
    extent_2020 = shapely.union_all([shapely.difference(extent_2010, shapely.union_all(
        losses)), *gains])
    extent_2020 = shapely.difference(shapely.intersection(extent_2020, zone), water)

    rows = state.empty_rows(MANGROVES)
    geometries: list[BaseGeometry] = []
    for year, extent in ((2010, extent_2010), (2020, extent_2020)):
        _add_extent(state, rows, geometries, year, extent)
    _add_plots(state, rows, geometries, losses, channels, water)
    areas = gpd.GeoSeries(geometries, crs=storage_crs()).to_crs(state.frame.crs).area / 1e4
    rows["area_ha"] = [round(float(a), 2) for a in areas]
    rows["geometry"] = geometries
    return rows


def _creeks(rng: np.random.Generator, channels: BaseGeometry, mouth: Point) -> list[LineString]:
    """110 winding tidal creeks leaving the channels, most of them near the mouth."""
    length = channels.length
    creeks = []
    while len(creeks) < 110:
        start = channels.interpolate(rng.uniform(0, length))
        # Mangrove thins out upstream as the water gets less salty.
        if rng.random() > math.exp(-start.distance(mouth) / 12_000):
            continue
        heading = rng.uniform(0, TAU)
        steps = int(rng.integers(4, 12))
        xy = [(start.x, start.y)]
        for _ in range(steps):
            heading += rng.normal(0, 0.5)
            step = rng.uniform(200, 500)
            xy.append((xy[-1][0] + step * math.cos(heading),
                       xy[-1][1] + step * math.sin(heading)))
        creeks.append(LineString(xy))
    return creeks


def _gains(rng: np.random.Generator, creeks: list[LineString]) -> list[BaseGeometry]:
    """Sixteen strips of new mangrove growing out from the creeks between the two dates."""
    gains = []
    for _ in range(16):
        start = creeks[int(rng.integers(len(creeks)))].interpolate(rng.uniform(0, 1),
                                                                   normalized=True)
        heading = rng.uniform(0, TAU)
        end = (start.x + rng.uniform(800, 2_500) * math.cos(heading),
               start.y + rng.uniform(800, 2_500) * math.sin(heading))
        gains.append(LineString([(start.x, start.y), end]).buffer(rng.uniform(150, 400)))
    return gains


def _add_extent(state: DemoState, rows: dict[str, list[Any]], geometries: list[BaseGeometry],
                year: int, extent: BaseGeometry) -> None:
    """One extent feature per commune the year's mangrove extent touches."""
    communes = state.communes
    extent_ll = state.frame.lonlat_geom(extent.simplify(15))
    for c in np.sort(communes.tree.query(extent_ll, predicate="intersects")):
        piece = multi(shapely.intersection(extent_ll, communes.geoms[c], grid_size=GRID))
        if piece.is_empty:
            continue
        geometries.append(piece)
        add_row(rows, _mangrove_values(
            state, f"MG{year}-{communes.codes[c]}",
            f"Mangrove {year} – {state.loc.commune_names[c]}", "extent", year,
            None, None, None, "GMW v3", int(c)))


def _add_plots(state: DemoState, rows: dict[str, list[Any]], geometries: list[BaseGeometry],
               losses: list[BaseGeometry], channels: BaseGeometry,
               water: BaseGeometry) -> None:
    """Reforested plots: half where mangrove was lost, half along the channels."""
    rng = state.rng
    loc = state.loc
    length = channels.length
    plots = int(rng.integers(12, 26))
    plot_names: dict[str, int] = {}
    for k in range(plots):
        if k % 2 == 0:
            loss = losses[int(rng.integers(len(losses)))]
            centre = loss.centroid
        else:
            centre = channels.interpolate(rng.uniform(0, length))
        where, piece = _plot_shape(state, centre, water)
        if piece is None:
            continue
        year = int(rng.integers(2015, 2025))
        age = 2024 - year
        survival = float(np.clip(rng.normal(78 - 3.5 * age, 12), 15, 98))
        geometries.append(piece)
        nearest = int(np.argmin(np.hypot(loc.x - centre.x, loc.y - centre.y)))
        label = f"Reboisement de {loc.name[nearest]}"
        plot_names[label] = plot_names.get(label, 0) + 1
        if plot_names[label] > 1:
            label += f" {plot_names[label]}"
        add_row(rows, _mangrove_values(
            state, f"RB{k + 1:03d}", label, "reforested",
            year, MANGROVE_SPECIES[int(rng.integers(len(MANGROVE_SPECIES)))],
            round(survival, 1), "Programme mangroves", "Suivi du programme", where))


def _plot_shape(state: DemoState, centre: Point,
                water: BaseGeometry) -> tuple[int, BaseGeometry | None]:
    """A planted ellipse around ``centre``, cut to its commune (None when nothing is left)."""
    rng = state.rng
    hectares = float(np.clip(np.exp(rng.normal(math.log(8), 0.7)), 1.5, 45))
    ratio = rng.uniform(1.2, 3.0)
    b = math.sqrt(hectares * 1e4 / (math.pi * ratio))
    ellipse = affinity.rotate(affinity.scale(
        centre.buffer(1.0, quad_segs=8), ratio * b, b), rng.uniform(0, 180))
    plot_ll = state.frame.lonlat_geom(shapely.difference(shapely.intersection(
        ellipse, state.geo.outline.country), water))
    if plot_ll.is_empty:
        return -1, None
    inner = plot_ll.representative_point()
    where = int(state.communes.assign(np.array([inner.x]), np.array([inner.y]))[0])
    if where < 0:
        return -1, None
    piece = multi(shapely.intersection(plot_ll, state.communes.geoms[where], grid_size=GRID))
    return (where, None) if piece.is_empty else (where, piece)


def _mangrove_values(state: DemoState, zone_id: str, name: str, kind: str, year: int,
                     species: str | None, survival: float | None, programme: str | None,
                     source: str, commune: int) -> dict[str, Any]:
    """One mangrove feature's attributes; its area is filled in once all are drawn."""
    return {"zone_id": zone_id, "name": name, "kind": kind, "year": year, "area_ha": None,
            "species": species, "survival_rate": survival, "programme": programme,
            "source": source, TERRITORY_FIELD: state.communes.codes[commune]}
