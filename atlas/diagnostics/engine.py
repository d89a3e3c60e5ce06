"""``diagnose``: every indicator for every territory of one or more levels, as a tidy table.

Each indicator is computed once per level needed: the requested levels, plus the
levels of their parents so that each row carries its parent's value computed the same
way (a share is recomputed for the parent, never averaged from its children). Ranks
are taken among siblings (same parent, same level) over all of them, before any
territory filter, so a commune keeps its rank when shown alone.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..names import MANGROVES, WATER_POINTS
from .access import warm_up
from .context import Context
from .registry import REGISTRY, Indicator, Registry
from .values import SINGLE, Values

if TYPE_CHECKING:
    from ..atlas import Atlas

#: Columns of the table :func:`diagnose` returns, in order.
COLUMNS = ("territory_code", "territory_name", "level", "level_name", "indicator",
           "breakdown", "theme", "label", "value", "unit", "parent_code", "parent_value",
           "rank", "rank_of", "status", "threshold", "threshold_source", "data_date",
           "reason")
STATUSES = ("ok", "below", "above", "n.a.")


def diagnose(
    atlas: Atlas,
    level: int | str | Sequence[int | str],
    territories: str | Iterable[str] | None = None,
    indicators: str | Iterable[str] | None = None,
    lang: str | None = None,
    *,
    distance: float | None = None,
    population: str = "auto",
    reference_year: int | None = None,
    mangrove_years: Sequence[int] | None = None,
    standards: dict[str, Any] | None = None,
    registry: Registry | None = None,
) -> pd.DataFrame:
    """Indicators per territory of ``level`` (a number or a level name, or several).

    The table has the tidy shape of :data:`COLUMNS`: one row per territory, indicator
    and breakdown.

    ``territories`` keeps some territories (a coarser code keeps its descendants at
    the level); ``indicators`` picks codes (all registered ones by default). Options:
    ``distance`` for water access (default: the Sphere standard, 500 m);
    ``population`` = ``auto`` (raster, else localities, else territory counts),
    ``raster``, ``localities`` or ``territories``; ``reference_year`` for ages;
    ``mangrove_years`` = (reference, compared); ``standards`` overrides thresholds.
    The time spent per indicator and per shared step is in ``result.attrs["timings"]``.
    """
    ctx = Context(atlas, lang=lang, distance=distance, population=population,
                  reference_year=reference_year, mangrove_years=mangrove_years,
                  standards=standards)
    chosen = (REGISTRY if registry is None else registry).select(indicators)
    return run(ctx, level, territories, chosen)


def compute(ctx: Context, item: Indicator, level: int) -> Values:
    """One indicator at one level (NaN with the reason when a layer it needs is missing)."""
    def build() -> Values:
        index = ctx.level_index(level)
        for layer in item.layers:
            problem = ctx.layer_problem(layer)
            if problem is not None:
                return Values.unavailable(index, [b.code for b in item.breakdowns], problem)
        return Values.coerce(item.compute(ctx, level), index)

    started = time.perf_counter()
    values = ctx.memo(("values", item.code, level), build)
    ctx.timings[item.code] = ctx.timings.get(item.code, 0.0) + time.perf_counter() - started
    return values


def run(ctx: Context, level: int | str | Sequence[int | str],
        territories: str | Iterable[str] | None, items: list[Indicator]) -> pd.DataFrame:
    """The body of :func:`diagnose` for an existing context."""
    tree = ctx.tree
    levels = [tree.resolve_level(lvl) for lvl in
              ([level] if isinstance(level, (int, str, np.integer)) else level)]
    levels = list(dict.fromkeys(levels))
    chosen = select_territories(ctx, levels, territories)
    wanted = set(levels) | _parent_levels(ctx, levels)
    layers = {layer for item in items for layer in item.layers}
    try:
        warm_up(ctx, layers)
        for layer in sorted(layers & set(ctx.catalog), key=_read_order):
            ctx.frame(layer)
        parts = [_long(ctx, item, lvl, compute(ctx, item, lvl))
                 for item in items for lvl in sorted(wanted)]
    finally:
        ctx.close()
    if not parts:
        return pd.DataFrame(columns=list(COLUMNS))
    table = _relate(ctx, pd.concat(parts, ignore_index=True), levels, items)
    if chosen is not None:
        table = table[table["territory_code"].isin(chosen)]
    table = table.reset_index(drop=True)[list(COLUMNS)]
    table.attrs["timings"] = dict(ctx.timings)
    return table


def _read_order(layer: str) -> tuple[int, str]:
    """Water points first: the background KD-tree waits for them."""
    return (0 if layer == WATER_POINTS else 1, layer)


def select_territories(ctx: Context, levels: list[int], codes: str | Iterable[str] | None
               ) -> set[str] | None:
    """Codes kept at the requested levels.

    Each given territory, its descendants at a finer level, or its ancestor at a
    coarser one.
    """
    if codes is None:
        return None
    tree = ctx.tree
    chosen: set[str] = set()
    for code in [codes] if isinstance(codes, str) else codes:
        own = tree.get(code).level
        for lvl in levels:
            if own == lvl:
                chosen.add(code)
            elif own < lvl:
                chosen.update(tree.descendants(code, level=lvl))
            else:
                ancestor = tree.ancestor_at(code, lvl)
                if ancestor is not None:
                    chosen.add(ancestor)
    return chosen


def _parent_levels(ctx: Context, levels: list[int]) -> set[int]:
    frame = ctx.tree.frame
    parents = frame.loc[frame["level"].isin(levels), "parent_code"].dropna()
    parents = parents[parents.isin(frame.index)].unique()
    return {int(v) for v in frame.loc[parents, "level"].unique()}


def _label_params(ctx: Context) -> dict[str, object]:
    from .mangroves import change_years

    years = change_years(ctx) if ctx.has_layer(MANGROVES) else None
    start, end = years if years else ("?", "?")
    return {"distance": f"{ctx.options.distance:g}", "start": start, "end": end}


def _long(ctx: Context, item: Indicator, level: int, values: Values) -> pd.DataFrame:
    """Rows of one indicator at one level, with what depends on the breakdown."""
    index = values.values.index
    columns = list(values.values.columns)
    params = ctx.memo("label_params", lambda: _label_params(ctx))
    base = item.label(ctx.lang, **params)
    meta = []
    for code in columns:
        declared = item.breakdown(code)
        part = declared.label(ctx.lang) if declared else values.labels.get(code, code)
        standard = ctx.standard(item.threshold_of(code))
        meta.append({
            "label": f"{base} — {part}" if code != SINGLE else base,
            "unit": item.unit_of(code),
            "direction": item.direction_of(code),
            "threshold": np.nan if standard is None else standard.value,
            "threshold_source": None if standard is None else standard.source_label(ctx.lang),
        })
    meta_frame = pd.DataFrame(meta, index=columns)
    dates = ctx.data_date(item.layers[0], level).reindex(index).to_numpy()
    n, m = len(index), len(columns)
    out = pd.DataFrame({
        "territory_code": np.repeat(index.to_numpy(dtype=object), m),
        "level": level,
        "indicator": item.code,
        "breakdown": np.tile(np.asarray(columns, dtype=object), n),
        "theme": item.theme,
        "value": values.values.to_numpy(dtype="float64").ravel(),
        "reason": values.reasons.to_numpy(dtype=object).ravel(),
        "data_date": np.repeat(dates, m),
    })
    for name in meta_frame.columns:
        out[name] = np.tile(meta_frame[name].to_numpy(dtype=object), n)
    return out


def _relate(ctx: Context, table: pd.DataFrame, levels: list[int],
            items: list[Indicator]) -> pd.DataFrame:
    """Add names, parents and their values, sibling ranks and status; keep ``levels``."""
    tree = ctx.tree.frame
    table["parent_code"] = table["territory_code"].map(tree["parent_code"]).where(
        lambda s: s.isin(tree.index))
    values = table.set_index(["territory_code", "indicator", "breakdown"])["value"]
    values = values[~values.index.duplicated()]
    keys = pd.MultiIndex.from_arrays([table["parent_code"], table["indicator"],
                                      table["breakdown"]])
    table["parent_value"] = values.reindex(keys).to_numpy()
    table = table[table["level"].isin(levels)].copy()

    value = table["value"].astype("float64")
    direction = table["direction"]
    sign = np.select([direction == "higher", direction == "lower"], [1.0, -1.0], np.nan)
    score = pd.Series(value.to_numpy() * sign, index=table.index)
    groups = [table["level"], table["parent_code"].fillna(""), table["indicator"],
              table["breakdown"]]
    table["rank"] = score.groupby(groups).rank(method="min", ascending=False).astype("Int64")
    table["rank_of"] = score.groupby(groups).transform("count").astype("Int64")
    # Ties share a rank; siblings that all have the same value (all 0, or one value
    # among missing ones) have no order to show.
    flat = score.groupby(groups).transform("nunique") < 2
    table.loc[flat, "rank"] = pd.NA
    table.loc[table["rank"].isna(), "rank_of"] = pd.NA

    threshold = table["threshold"].astype("float64")
    table["threshold"] = threshold
    unknown = value.isna() | threshold.isna()
    meets = np.where(direction == "lower", value <= threshold,
                     np.where(direction == "higher", value >= threshold, value == threshold))
    table["status"] = np.select([unknown, meets, value < threshold], ["n.a.", "ok", "below"],
                                "above")
    table["reason"] = table["reason"].where(value.isna())
    table.loc[value.isna() & table["reason"].isna(), "reason"] = ctx.reason("not_computable")

    names = tree["name"].astype(str)
    table["territory_name"] = table["territory_code"].map(names)
    table["level_name"] = table["level"].map(
        {lvl: ctx.tree.level_name(lvl, ctx.lang) for lvl in levels})
    order = {code: i for i, code in enumerate(item.code for item in items)}
    table["_level"] = table["level"].map({lvl: i for i, lvl in enumerate(levels)})
    table["_item"] = table["indicator"].map(order)
    table["_row"] = np.arange(len(table))
    return table.sort_values(["_level", "territory_code", "_item", "_row"], kind="mergesort")
