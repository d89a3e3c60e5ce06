"""Access to water: nearest functional improved water point, coverage, load per point.

Distances are straight lines in the atlas's metric CRS, answered by a KD-tree of the
functional improved water points built once per call. Coverage is the population whose
nearest such point is within the distance: each person (cell or locality) is counted
once however many buffers overlap it, which is what "union of buffers" means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..names import WATER_POINTS
from .context import Context
from .population import population_source, population_units, unit_groups
from .registry import POPULATION

#: Breakdown of the coverage counting the improved points of unknown state as working.
IF_UNKNOWN_WORKED = "if_unknown_worked"
#: Sphere user classes of the technology field (``sphere_class`` attribute).
SPHERE_CLASSES = ("tap", "hand_pump", "open_well")


@dataclass(frozen=True)
class Nearest:
    """For each item: distance (m) to the nearest point and that point's layer row.

    ``inf`` / -1 when the atlas has no such point; NaN / -1 for an item without position.
    """

    distance: np.ndarray
    row: np.ndarray


def functional_improved(ctx: Context, *, optimistic: bool = False) -> np.ndarray:
    """Mask of the water points that count for access.

    They are functional (or partly), from an improved source (JMP), and located.
    ``optimistic`` also counts the improved points whose state is unknown (neither
    declared working nor declared broken): the upper end of the coverage range.
    """
    def build() -> np.ndarray:
        frame = ctx.frame(WATER_POINTS)
        improved = frame["source_type"].isin(
            ctx.field_codes(WATER_POINTS, "source_type", "improved"))
        working = frame["status"].isin(ctx.field_codes(WATER_POINTS, "status", "functional"))
        if optimistic:
            working |= ~frame["status"].isin(
                ctx.field_codes(WATER_POINTS, "status", "functional", False))
        return (improved & working).to_numpy() & ~np.isnan(ctx.xy(WATER_POINTS)[:, 0])
    return ctx.memo(("functional_improved", optimistic), build)


def sphere_class(ctx: Context) -> np.ndarray:
    """Sphere class (tap, hand_pump, open_well) of each water point; "" when unknown."""
    def build() -> np.ndarray:
        spec = ctx.spec(WATER_POINTS).field("technology")
        mapping = {v.code: str(v.attrs.get("sphere_class", "")) for v in spec.values}
        tech = ctx.frame(WATER_POINTS)["technology"]
        return tech.map(mapping).fillna("").to_numpy(dtype=object)
    return ctx.memo("sphere_class", build)


def nearest_to(points: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance from each ``xy`` to the nearest of ``points`` and its position there."""
    distance = np.full(len(xy), np.inf)
    index = np.full(len(xy), -1, dtype="int64")
    located = ~np.isnan(xy).any(axis=1)
    distance[~located] = np.nan
    if len(points) and located.any():
        found, position = cKDTree(points).query(xy[located], workers=-1)
        distance[located], index[located] = found, position
    return distance, index


def nearest_water(ctx: Context, xy: np.ndarray, *, optimistic: bool = False) -> Nearest:
    """Nearest functional improved water point of each position."""
    rows = np.flatnonzero(functional_improved(ctx, optimistic=optimistic))
    distance, position = nearest_to(ctx.xy(WATER_POINTS)[rows], xy)
    if not len(rows):  # no usable point at all (every state unknown): nobody is near one
        return Nearest(distance, np.full(len(xy), -1, dtype="int64"))
    return Nearest(distance, np.where(position >= 0, rows[np.maximum(position, 0)], -1))


def nearest_for_layer(ctx: Context, layer: str) -> Nearest:
    """Nearest functional improved water point of each feature of a point layer."""
    return ctx.memo(("nearest", layer), lambda: nearest_water(ctx, ctx.xy(layer)),
                    step=f"nearest water point of {layer}")


def nearest_for_units(ctx: Context, *, optimistic: bool = False) -> Nearest:
    """Nearest functional improved water point of each population unit.

    The optimistic answer is the ordinary one when no improved point has an unknown
    state, so an atlas whose states are all known pays for one KD-tree only.
    """
    if optimistic and not _any_unknown_counted(ctx):
        return nearest_for_units(ctx)

    def build() -> Nearest:
        units = population_units(ctx)
        assert units is not None
        return nearest_water(ctx, units.xy, optimistic=optimistic)
    return ctx.memo(("nearest_units", optimistic), build,
                    step="nearest water point of population")


def _any_unknown_counted(ctx: Context) -> bool:
    return bool((functional_improved(ctx, optimistic=True) & ~functional_improved(ctx)).any())


def coverage(ctx: Context, level: int, *, optimistic: bool = False
             ) -> tuple[pd.Series, pd.Series]:
    """Population, and population within the distance, per territory of a level.

    ``optimistic``: as if the improved points of unknown state worked.
    """
    units = population_units(ctx)
    assert units is not None
    groups = unit_groups(ctx, level)
    within = nearest_for_units(ctx, optimistic=optimistic).distance <= ctx.options.distance
    return groups.sum(units.population), groups.sum(np.where(within, units.population, 0.0))


def served_population(ctx: Context) -> np.ndarray:
    """Catchment of each water point: people for whom it is the nearest usable one.

    Each person is counted at exactly one point.
    """
    def build() -> np.ndarray:
        units = population_units(ctx)
        assert units is not None
        row = nearest_for_units(ctx).row
        valid = row >= 0
        return np.bincount(row[valid], weights=units.population[valid],
                           minlength=len(ctx.frame(WATER_POINTS))).astype("float64")
    return ctx.memo("served_population", build)


def warm_up(ctx: Context, layers: set[str]) -> None:
    """Start the population kernels in the background while this thread reads layers.

    Raster reading, reprojection and KD-tree queries run outside the interpreter, so
    on two cores they overlap with reading the layers.
    """
    if POPULATION not in layers or population_source(ctx) == "territories":
        return
    with_water = WATER_POINTS in layers and ctx.has_layer(WATER_POINTS)

    def job() -> None:
        if population_units(ctx) is not None and with_water:
            nearest_for_units(ctx)

    ctx.in_background(job)
