"""Writes that touch part of a layer: one territory level, or some fields of known rows.

Level-wise replace (``--mode replace --level N`` on territories): the new layer is
the stored rows of the other levels plus the file's units, written with the store's
replace as ONE revision on either store. Children of level N whose parent code
disappears are listed and block the commit unless ``--force``. Without ``--level``,
a single file that would remove stored levels it does not contain is refused (the
person is told what would go and which ``--level`` to give); :func:`import_territories`
(several files, the whole tree) and a file with every stored level replace the tree.

Update (``--mode update``): the file's rows name existing rows by identifier; only
the fields the file maps (or ``--set``) change, blank cells keep the stored value,
the geometry is kept, and unknown identifiers are a warning (those rows are left
out). It is written as an upsert of the merged rows, one revision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from ..names import TERRITORIES
from ..store import WriteMode
from .levels import new_level_names, save_level_names
from .report import ERROR, WARNING, Issue

#: Codes named in a message about many rows.
FIRST_CODES = 5


@dataclass(frozen=True)
class WriteScope:
    """What a commit writes: the whole layer, one level of it, or some fields."""

    layer: str
    mode: WriteMode
    level: int | None = None
    fields: tuple[str, ...] = ()
    level_name: str | None = None
    known_levels: frozenset[int] = field(default_factory=frozenset)


def scope(ctx: Any, files: list[Any]) -> WriteScope:
    """The scope of an import, from its context and file plans."""
    fields: set[str] = set()
    if ctx.mode is WriteMode.UPDATE:
        for plan in files:
            fields.update(name for name, cols in plan.mapping.fields.items() if cols)
        fields.update(getattr(ctx.options, "constants", {}) or {})
        fields.discard(ctx.spec.id_field)
        fields &= set(ctx.spec.field_names)
    return WriteScope(layer=ctx.spec.name, mode=ctx.mode,
                      level=getattr(ctx, "level_replace", None), fields=tuple(sorted(fields)),
                      level_name=ctx.options.level_name,
                      known_levels=frozenset(ctx.atlas.settings.level_names))


def _codes(values: pd.Series) -> str:
    listed = [str(v) for v in values[:FIRST_CODES]]
    return ", ".join(listed) + (" …" if len(values) > FIRST_CODES else "")


def _level_label(ctx: Any, levels: list[int]) -> str:
    settings = ctx.atlas.settings
    return ", ".join(settings.level_name(level, ctx.lang) + ("s" if level in
                     settings.level_names else "") for level in levels)


def plan_issues(ctx: Any, write: WriteScope, frame: gpd.GeoDataFrame,
                single_file: bool) -> list[Issue]:
    """What a partial write must say before it is committed (see the module docstring)."""
    if write.mode is WriteMode.UPDATE:
        return _unknown_ids(ctx, frame)
    if write.mode is not WriteMode.REPLACE or write.layer != TERRITORIES \
            or ctx.tree is None or not len(frame):
        return []
    stored = ctx.tree.frame
    new_levels = sorted({int(v) for v in frame["level"].dropna()})
    if write.level is None:
        lost = stored[~stored["level"].isin(new_levels)]
        if not single_file or not len(lost):
            return []
        levels = sorted({int(v) for v in lost["level"]})
        hint = new_levels[0] if len(new_levels) == 1 else None
        return [Issue(ERROR, "replace_loses_levels" if hint is not None
                      else "replace_loses_levels_mixed", field="level",
                      params={"count": len(lost), "levels": ", ".join(map(str, levels)),
                              "names": _level_label(ctx, levels),
                              "level": hint if hint is not None else "",
                              "level_names": _level_label(ctx, [hint]) if hint is not None
                              else ""})]
    old = set(stored.loc[stored["level"] == write.level, "code"].astype(str))
    new = set(frame["code"].dropna().astype(str))
    gone = old - new
    children = stored[(stored["level"] != write.level)
                      & stored["parent_code"].astype(str).isin(gone)]
    if not len(children):
        return []
    return [Issue(WARNING if ctx.options.force else ERROR, "replace_orphans",
                  field="parent_code",
                  params={"count": len(children), "codes": _codes(children["code"]),
                          "level": write.level})]


def _unknown_ids(ctx: Any, frame: gpd.GeoDataFrame) -> list[Issue]:
    id_field = ctx.spec.id_field
    stored = ctx.existing_ids
    ids = frame[id_field].dropna().astype(str)
    unknown = ids[~ids.isin(stored)]
    if not len(unknown):
        return []
    return [Issue(WARNING, "update_unknown", field=id_field,
                  params={"count": len(unknown), "codes": _codes(unknown),
                          "layer": ctx.spec.name})]


def rows_to_write(write: WriteScope, atlas: Any,
                  valid: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, WriteMode]:
    """The rows a commit hands to the store, and the store's mode for them."""
    frame = valid.reset_index(drop=True)
    if write.mode is WriteMode.UPDATE:
        return _merged(write, atlas, frame), WriteMode.UPSERT
    if write.mode is WriteMode.REPLACE and write.layer == TERRITORIES \
            and write.level is not None and atlas.count(TERRITORIES):
        stored = atlas.read(TERRITORIES)
        kept = stored[stored["level"] != write.level][list(frame.columns)]
        return gpd.GeoDataFrame(pd.concat([kept, frame], ignore_index=True),
                                geometry="geometry", crs=frame.crs), WriteMode.REPLACE
    return frame, write.mode


def _merged(write: WriteScope, atlas: Any, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Stored rows of the file's identifiers with the updated fields set."""
    spec = atlas.spec(write.layer)
    id_field = spec.id_field
    stored = atlas.read(write.layer) if atlas.count(write.layer) else frame.iloc[:0]
    stored = stored[list(frame.columns)].copy()
    stored[id_field] = stored[id_field].astype(str)
    stored = stored.drop_duplicates(id_field).set_index(id_field)
    new = frame.dropna(subset=[id_field]).copy()
    new[id_field] = new[id_field].astype(str)
    new = new.drop_duplicates(id_field, keep="last").set_index(id_field)
    new = new[new.index.isin(stored.index)]
    merged = stored.loc[new.index].copy()
    for name in write.fields:
        values = new[name]
        present = values.notna()
        merged[name] = merged[name].astype(object)
        merged.loc[present[present].index, name] = values[present]
    merged = merged.reset_index()[list(frame.columns)]
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=frame.crs)


def after_commit(write: WriteScope, atlas: Any, written: gpd.GeoDataFrame) -> None:
    """Name in the settings the territory levels this commit introduced."""
    if write.layer != TERRITORIES or write.mode is WriteMode.UPDATE:
        return
    save_level_names(atlas, new_level_names(written, set(write.known_levels),
                                            write.level_name))
