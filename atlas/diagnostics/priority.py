"""Distances to water per school and locality, and the priority lists built on them.

Localities left without a functional improved water point within the distance come
most people first; schools without basic drinking water, most pupils first. Each row
carries its territories from the finest level up and its nearest water point, so an
agency can hand the list to a commune as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import DiagnosticError
from ..names import LOCALITIES, SCHOOLS, WATER_POINTS
from .access import nearest_for_layer
from .context import Context
from .wash import LIMITED, NO_SERVICE, UNKNOWN, school_ladders, school_pupils

if TYPE_CHECKING:
    from ..atlas import Atlas

#: Attributes of each layer carried into its distance table and priority list.
KEPT = {LOCALITIES: ("name", "kind", "population"),
        SCHOOLS: ("name", "level", "pupils_girls", "pupils_boys", "water_source",
                  "water_available")}


def distance_to_water(atlas: Atlas, layer: str = SCHOOLS, territory: str | None = None,
                      distance: float | None = None) -> pd.DataFrame:
    """Distance from each school or locality to its nearest functional improved water point.

    One row per feature of ``layer`` (``schools`` or ``localities``) with its id, a few
    attributes, its territories, ``distance_m`` (NaN when the atlas has no such point),
    ``nearest_wp_id``, ``nearest_wp_name`` (its id when it has no name),
    ``nearest_wp_status`` and ``within`` (True when within ``distance``, Sphere 500 m
    by default).
    """
    return distance_table(Context(atlas, distance=distance), layer, territory)


def priority_localities(atlas: Atlas, territory: str | None = None,
                        distance: float | None = None) -> pd.DataFrame:
    """Localities farther than ``distance`` from a functional improved water point.

    Sphere 500 m by default; sorted by population, largest first, then (population
    unknown) by distance, farthest first. Each row names its nearest point and its state.
    """
    return locality_list(Context(atlas, distance=distance), territory)


def priority_schools(atlas: Atlas, territory: str | None = None, *,
                     include_unknown: bool = False) -> pd.DataFrame:
    """Schools whose drinking water service is limited or absent (JMP).

    Sorted by pupils, most first; ``include_unknown`` adds the schools whose survey
    cannot tell.
    """
    return school_list(Context(atlas), territory, include_unknown)


def _territory_columns(ctx: Context, codes: pd.Series) -> dict[str, np.ndarray]:
    """The territory of each row and its ancestors, one ``level_<n>_code`` per level."""
    codes = codes.reset_index(drop=True)
    out = {"territory_code": codes.to_numpy(dtype=object),
           "territory_name": codes.map(ctx.tree.frame["name"]).to_numpy(dtype=object)}
    for level in ctx.tree.levels:
        out[f"level_{level}_code"] = codes.map(ctx.ancestors_at(level)).to_numpy(dtype=object)
    return out


def distance_table(ctx: Context, layer: str, territory: str | None = None) -> pd.DataFrame:
    """:func:`distance_to_water` for an existing context."""
    if layer not in KEPT:
        raise DiagnosticError("diagnostics.bad_access_layer", layer=layer,
                              choices=", ".join(KEPT))
    spec = ctx.spec(layer)
    if ctx.layer_problem(layer):
        return pd.DataFrame(columns=[spec.id_field, *KEPT[layer], "territory_code",
                                     "distance_m", "nearest_wp_id", "nearest_wp_name",
                                     "nearest_wp_status", "within"])
    frame = ctx.frame(layer)
    table = frame[[spec.id_field, *KEPT[layer]]].reset_index(drop=True)
    for name, values in _territory_columns(ctx, ctx.feature_codes(layer)).items():
        table[name] = values
    columns = ("nearest_wp_id", "nearest_wp_name", "nearest_wp_status")
    if ctx.layer_problem(WATER_POINTS):
        table["distance_m"] = np.nan
        for column in columns:
            table[column] = None
    else:
        nearest = nearest_for_layer(ctx, layer)
        points = ctx.frame(WATER_POINTS)
        ids = points[ctx.spec(WATER_POINTS).id_field].astype("object")
        # its name as people say it; the id only for a point without a name
        names = points["name"].astype("object").where(points["name"].notna(), ids)
        table["distance_m"] = np.where(np.isinf(nearest.distance), np.nan, nearest.distance)
        for column, values in zip(columns, (ids, names, points["status"]), strict=True):
            # row -1 (no such point) picks the appended None
            table[column] = np.append(values.to_numpy(dtype=object), None)[nearest.row]
    distance = table["distance_m"].to_numpy(dtype="float64")
    table["within"] = distance <= ctx.options.distance
    if territory is not None:
        level = ctx.tree.get(territory).level
        table = table[table[f"level_{level}_code"] == territory]
    return table.reset_index(drop=True)


def _largest_first(table: pd.DataFrame, column: str, id_field: str) -> pd.DataFrame:
    return table.sort_values([column, id_field], ascending=[False, True],
                             na_position="last", kind="mergesort").reset_index(drop=True)


def locality_list(ctx: Context, territory: str | None = None) -> pd.DataFrame:
    """:func:`priority_localities` for an existing context."""
    table = distance_table(ctx, LOCALITIES, territory)
    if ctx.layer_problem(WATER_POINTS):  # without water points, nobody can be said to lack one
        table = table.iloc[0:0]
    far = table[~table["within"].astype(bool)].drop(columns="within")
    # most people first; where nobody knows how many, the farthest first
    return far.sort_values(["population", "distance_m", "locality_id"],
                           ascending=[False, False, True], na_position="last",
                           kind="mergesort").reset_index(drop=True)


def school_list(ctx: Context, territory: str | None = None,
                include_unknown: bool = False) -> pd.DataFrame:
    """:func:`priority_schools` for an existing context."""
    table = distance_table(ctx, SCHOOLS)
    if table.empty:
        return table
    table.insert(3, "water_service", school_ladders(ctx)["water"].to_numpy())
    table.insert(3, "pupils", pd.array(school_pupils(ctx), dtype="Float64").round()
                 .astype("Int64"))
    lacking = [LIMITED, NO_SERVICE, *([UNKNOWN] if include_unknown else [])]
    table = table[table["water_service"].isin(lacking)].drop(columns="within")
    if territory is not None:
        level = ctx.tree.get(territory).level
        table = table[table[f"level_{level}_code"] == territory]
    return _largest_first(table, "pupils", "school_id")
