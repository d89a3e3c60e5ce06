"""Priority lists: localities without water nearby, schools without basic water.

Localities left without a functional improved water point within the distance come
most people first; schools without basic drinking water, most pupils first. Each row
carries its territories from the finest level up and its nearest water point, so an
agency can hand the list to a commune as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .access import WATER, Nearest, nearest_for_layer
from .context import Context
from .population import LOCALITIES
from .wash import LIMITED, NO_SERVICE, SCHOOLS, UNKNOWN, school_ladders

if TYPE_CHECKING:
    from ..atlas import Atlas


def priority_localities(atlas: Atlas, territory: str | None = None,
                        distance: float | None = None) -> pd.DataFrame:
    """Localities farther than ``distance`` from a functional improved water point.

    Sphere 500 m by default; sorted by population, largest first.
    """
    return locality_list(Context(atlas, distance=distance), territory)


def priority_schools(atlas: Atlas, territory: str | None = None, *,
                     include_unknown: bool = False) -> pd.DataFrame:
    """Schools whose drinking water service is limited or absent (JMP).

    Sorted by pupils, most first; ``include_unknown`` adds the schools whose survey
    cannot tell.
    """
    return school_list(Context(atlas), territory, include_unknown)


def _territory_columns(ctx: Context, codes: pd.Series) -> pd.DataFrame:
    """The territory of each row and its ancestors, one ``level_<n>_code`` per level."""
    codes = codes.reset_index(drop=True)
    out = {"territory_code": codes.to_numpy(dtype=object),
           "territory_name": codes.map(ctx.tree.frame["name"]).to_numpy(dtype=object)}
    for level in ctx.tree.levels:
        out[f"level_{level}_code"] = ctx.tree.map_to_level(codes, level).to_numpy(dtype=object)
    return pd.DataFrame(out)


def _nearest_columns(ctx: Context, nearest: Nearest, rows: np.ndarray) -> pd.DataFrame:
    ids = ctx.frame(WATER)[ctx.spec(WATER).id_field].to_numpy(dtype=object)
    found = nearest.row[rows]
    distance = nearest.distance[rows]
    return pd.DataFrame({
        "distance_m": np.where(np.isinf(distance), np.nan, distance),
        "nearest_wp_id": np.where(found >= 0, ids[np.maximum(found, 0)] if len(ids) else None,
                                  None),
    })


def _keep(ctx: Context, table: pd.DataFrame, territory: str | None) -> pd.DataFrame:
    if territory is None:
        return table
    level = ctx.tree.get(territory).level
    return table[table[f"level_{level}_code"] == territory]


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def locality_list(ctx: Context, territory: str | None = None) -> pd.DataFrame:
    """:func:`priority_localities` for an existing context."""
    if ctx.layer_problem(LOCALITIES) or ctx.layer_problem(WATER):
        return _empty(["locality_id", "name", "population", "territory_code"])
    frame = ctx.frame(LOCALITIES)
    nearest = nearest_for_layer(ctx, LOCALITIES)
    rows = np.flatnonzero(~(nearest.distance <= ctx.options.distance)
                          & ~np.isnan(ctx.xy(LOCALITIES)[:, 0]))
    chosen = frame.iloc[rows].reset_index(drop=True)
    table = pd.concat([
        chosen[["locality_id", "name", "kind", "population"]],
        _territory_columns(ctx, ctx.feature_codes(LOCALITIES).iloc[rows]),
        _nearest_columns(ctx, nearest, rows)], axis=1)
    table = _keep(ctx, table, territory)
    return table.sort_values(["population", "locality_id"], ascending=[False, True],
                             na_position="last", kind="mergesort").reset_index(drop=True)


def school_list(ctx: Context, territory: str | None = None,
                include_unknown: bool = False) -> pd.DataFrame:
    """:func:`priority_schools` for an existing context."""
    if ctx.layer_problem(SCHOOLS):
        return _empty(["school_id", "name", "pupils", "water_service", "territory_code"])
    frame = ctx.frame(SCHOOLS)
    ladder = school_ladders(ctx)["water"].to_numpy()
    lacking = [LIMITED, NO_SERVICE, *([UNKNOWN] if include_unknown else [])]
    rows = np.flatnonzero(np.isin(ladder, lacking))
    chosen = frame.iloc[rows].reset_index(drop=True)
    girls = chosen["pupils_girls"].astype("Float64")
    boys = chosen["pupils_boys"].astype("Float64")
    pupils = girls.fillna(0) + boys.fillna(0)
    table = pd.concat([
        chosen[["school_id", "name", "level"]],
        pd.DataFrame({"pupils": pupils.where(girls.notna() | boys.notna()).astype("Int64"),
                      "pupils_girls": girls.astype("Int64"), "pupils_boys": boys.astype("Int64"),
                      "water_service": ladder[rows]}),
        chosen[["water_source", "water_available"]],
        _territory_columns(ctx, ctx.feature_codes(SCHOOLS).iloc[rows]),
        _nearest_columns(ctx, nearest_for_layer(ctx, SCHOOLS) if not ctx.layer_problem(WATER)
                         else Nearest(np.full(len(frame), np.nan), np.full(len(frame), -1)),
                         rows)], axis=1)
    table = _keep(ctx, table, territory)
    return table.sort_values(["pupils", "school_id"], ascending=[False, True],
                             na_position="last", kind="mergesort").reset_index(drop=True)
