"""Admin boundaries into the territories layer: code, name, level and parent.

Boundary files come from a few producers whose columns follow a pattern per level:

- HDX / OCHA COD-AB: ``ADM2_PCODE``, ``ADM2_FR``, ``ADM1_PCODE`` (the parent)...
- GADM: ``GID_2``, ``NAME_2``, ``ENGTYPE_2``, ``GID_1`` (the parent)...
- geoBoundaries: ``shapeID``, ``shapeName``, ``shapeType`` = ``ADM2``;
- Who's On First: ``wof_id``, ``name_fra``/``name``, ``placetype`` and the ids of the
  ancestors (``region_id`` for a county...).

A recognised scheme picks the columns of the file's level (the finest code column
unique per row, whatever ``--level`` stores it at; see :mod:`.levels` for files
deeper than the atlas); other files go through the layer spec's synonyms. When a unit's parent
code is absent or unknown, its parent is the territory one level up that contains
its representative point (so a tree can be built from one file per level, even
from producers whose codes differ).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd

from ..crs import STORAGE
from .levels import finest_unique
from .report import WARNING, Issue
from .text import fold_column, is_blank
from .values import as_text

#: Who's On First placetypes, coarsest first, with the atlas level they usually are.
WOF_RANKS = ("country", "macroregion", "region", "macrocounty", "county", "localadmin",
             "locality")
WOF_LEVELS = {"country": 0, "macroregion": 1, "region": 1, "macrocounty": 2, "county": 2,
              "localadmin": 3, "locality": 4}
_NAME_SUFFIXES = ("FR", "EN", "PT", "ES", "NAME", "REF")


@dataclass
class Scheme:
    """Columns of a recognised boundary file, for its level."""

    name: str
    preset: dict[str, list[str]] = field(default_factory=dict)
    level: int | None = None
    #: Per-row levels when the file mixes levels (Who's On First placetypes).
    levels: list[int | None] | None = None
    #: Columns computed from several source columns, added to the table.
    derived: dict[str, list[object]] = field(default_factory=dict)
    #: Coarser code columns (file level, column), finest first: the parent candidates.
    ancestors: list[tuple[int, str]] = field(default_factory=list)
    #: Level type column per file level (GADM ``TYPE_3``), to name skipped levels.
    type_columns: dict[int, str] = field(default_factory=dict)


def _columns_by_fold(columns: list[str]) -> dict[str, str]:
    return {fold_column(c): c for c in columns}


def _numbered(columns: dict[str, str], pattern: str) -> dict[int, str]:
    found = {}
    for folded, column in columns.items():
        match = re.fullmatch(pattern, folded)
        if match:
            found[int(match.group(1))] = column
    return found


def detect_scheme(frame: pd.DataFrame, level: int | None) -> Scheme | None:
    """The boundary scheme of a table, or None for a file without a known pattern."""
    columns = [str(c) for c in frame.columns]
    folded = _columns_by_fold(columns)
    pcodes = _numbered(folded, r"adm(\d)_pcode")
    if pcodes:
        return _cod_ab(folded, pcodes, finest_unique(frame, pcodes, level))
    gids = _numbered(folded, r"gid_(\d)")
    if gids:
        return _gadm(folded, gids, finest_unique(frame, gids, level))
    if "wof_id" in folded and "placetype" in folded:
        return _wof(frame, folded)
    if "shapeid" in folded and "shapename" in folded:
        return _geoboundaries(frame, folded)
    return None


def _ancestors(codes: dict[int, str], n: int) -> list[tuple[int, str]]:
    return [(number, codes[number]) for number in sorted(codes, reverse=True) if number < n]


def _cod_ab(folded: dict[str, str], pcodes: dict[int, str], n: int) -> Scheme:
    names = [folded[f"adm{n}_{suffix.lower()}"] for suffix in _NAME_SUFFIXES
             if f"adm{n}_{suffix.lower()}" in folded]
    preset = {"code": [pcodes[n]], "name": names}
    if n - 1 in pcodes:
        preset["parent_code"] = [pcodes[n - 1]]
    if 0 in pcodes and n > 0:
        preset["country"] = [pcodes[0]]
    version = [folded[c] for c in ("validon", "valid_on", "date") if c in folded]
    if version:
        preset["boundary_version"] = version
    return Scheme("COD-AB", preset, level=n, ancestors=_ancestors(pcodes, n))


def _gadm(folded: dict[str, str], gids: dict[int, str], n: int) -> Scheme:
    preset = {"code": [gids[n]]}
    for field_name, prefixes in (("name", ("name",)), ("level_name", ("type", "engtype"))):
        cols = [folded[f"{p}_{n}"] for p in prefixes if f"{p}_{n}" in folded]
        if cols:
            preset[field_name] = cols
    if n - 1 in gids:
        preset["parent_code"] = [gids[n - 1]]
    types = {number: folded[f"{p}_{number}"] for number in gids for p in ("engtype", "type")
             if f"{p}_{number}" in folded}
    return Scheme("GADM", preset, level=n, ancestors=_ancestors(gids, n), type_columns=types)


def _geoboundaries(frame: pd.DataFrame, folded: dict[str, str]) -> Scheme:
    preset = {"code": [folded["shapeid"]], "name": [folded["shapename"]]}
    levels = None
    if "shapetype" in folded:
        levels = [int(m.group(1)) if (m := re.search(r"(\d)", str(v))) else None
                  for v in frame[folded["shapetype"]]]
    return Scheme("geoBoundaries", preset, levels=levels)


def _wof_id(value: object) -> str | None:
    if is_blank(value):
        return None
    text = as_text(value)
    return None if text in ("-1", "0", "-1.0") else text


def _wof(frame: pd.DataFrame, folded: dict[str, str]) -> Scheme:
    placetypes = [str(v).strip().lower() if not is_blank(v) else None
                  for v in frame[folded["placetype"]]]
    ancestry = [(rank, folded[f"{p}_id"]) for rank, p in enumerate(WOF_RANKS)
                if f"{p}_id" in folded]
    parents: list[object] = []
    used: list[str] = []
    for position, placetype in enumerate(placetypes):
        rank = WOF_RANKS.index(placetype) if placetype in WOF_RANKS else len(WOF_RANKS)
        parent = None
        for ancestor_rank, column in reversed(ancestry):
            if ancestor_rank < rank:
                parent = _wof_id(frame[column].iloc[position])
                if parent is not None:
                    used.append(column)
                    break
        parents.append(parent)
    preset: dict[str, list[str]] = {
        "code": [folded["wof_id"]],
        "name": [folded[c] for c in ("name_fra", "name") if c in folded],
        "population": [folded[c] for c in ("wof_population", "gn_population")
                       if c in folded],
        "country": [folded[c] for c in ("iso", "iso_country", "hasc") if c in folded],
    }
    derived: dict[str, list[object]] = {}
    if used:
        parent_column = "|".join(dict.fromkeys(used))
        derived[parent_column] = parents
        preset["parent_code"] = [parent_column]
    else:  # the top of the WOF hierarchy here (regions without country_id)
        preset["parent_code"] = []
    if "lastmodified" in folded:
        versions = []
        for value in frame[folded["lastmodified"]]:
            try:
                stamp = datetime.fromtimestamp(int(float(value)), UTC).date().isoformat()
            except (TypeError, ValueError, OverflowError, OSError):
                stamp = None
            versions.append(f"Who's On First {stamp}" if stamp else "Who's On First")
        derived["lastmodified"] = versions
        preset["boundary_version"] = ["lastmodified"]
    levels = [WOF_LEVELS.get(p) if p else None for p in placetypes]
    return Scheme("Who's On First", preset, levels=levels, derived=derived)


def country_code(value: object) -> str | None:
    """ISO alpha-2 from ``SN``, ``SN-KE`` (ISO 3166-2) or ``SN.KG`` (HASC); else as is."""
    if value is None:
        return None
    text = str(value).strip()
    match = re.fullmatch(r"([A-Za-z]{2})(?:[-.].*)?", text)
    return match.group(1).upper() if match else text


@dataclass
class Parents:
    """Parent code of each unit, and the issues met while finding them."""

    codes: list[str | None]
    issues: list[tuple[int, Issue]] = field(default_factory=list)
    file_issues: list[Issue] = field(default_factory=list)
    by_location: bool = False


def _contained_in(geoms: gpd.GeoSeries, candidates: gpd.GeoDataFrame) -> list[str | None]:
    """Code of the candidate containing each unit's representative point.

    When none does (slightly different boundaries), the candidate it overlaps most.
    """
    points = gpd.GeoDataFrame({"position": np.arange(len(geoms))},
                              geometry=geoms.representative_point(), crs=STORAGE)
    polygons = gpd.GeoDataFrame({"code": candidates["code"].to_numpy()},
                                geometry=candidates.geometry.to_numpy(), crs=STORAGE)
    joined = gpd.sjoin(points, polygons, how="left", predicate="within")
    joined = joined.sort_values(["position", "code"]).drop_duplicates("position")
    found = joined.set_index("position")["code"].reindex(np.arange(len(geoms)))
    out: list[str | None] = [None if pd.isna(c) else str(c) for c in found]
    for position, code in enumerate(out):
        geom = geoms.iloc[position]
        if code is None and geom is not None and not geom.is_empty:
            overlaps = polygons.geometry.intersection(geom).area
            if len(overlaps) and overlaps.max() > 0:
                out[position] = str(polygons["code"].iloc[int(overlaps.argmax())])
    return out


def resolve_parents(codes: list[str | None], levels: list[int | None],
                    given: list[str | None], geometry: gpd.GeoSeries,
                    known: gpd.GeoDataFrame, rows: Sequence[int]) -> Parents:
    """Parents of units (see the module docstring).

    ``known`` holds every territory a parent may be (already in the atlas, earlier
    files, this file): code, level, geometry in EPSG:4326.
    """
    result = Parents([None] * len(codes))
    known_codes = set(known["code"].astype(str))
    geometry = geometry.reset_index(drop=True)
    dropped_levels: set[int] = set()
    for level in sorted({lv for lv in levels if lv is not None}):
        positions = [p for p, lv in enumerate(levels) if lv == level]
        lower = known[known["level"] < level]
        if lower.empty:
            if any(given[p] is not None for p in positions):
                dropped_levels.add(level)
            continue
        candidates = lower[lower["level"] == lower["level"].max()]
        need_location = []
        for position in positions:
            parent = given[position]
            if parent is not None and parent != codes[position] and parent in known_codes:
                result.codes[position] = parent
            else:
                need_location.append(position)
        if not need_location:
            continue
        located = _contained_in(geometry.iloc[need_location].reset_index(drop=True),
                                candidates)
        for position, found in zip(need_location, located, strict=True):
            parent = given[position]
            result.codes[position] = found
            if parent is None:
                result.by_location = True
            if found is None:
                code = "parent_unknown" if parent is not None else "parent_not_found"
                result.issues.append((position, Issue(WARNING, code, row=rows[position],
                                                      field="parent_code", value=parent)))
            elif parent is not None:
                result.issues.append((position, Issue(WARNING, "parent_by_location",
                                                      row=rows[position],
                                                      field="parent_code", value=parent,
                                                      params={"found": found})))
    for level in sorted(dropped_levels):
        result.file_issues.append(Issue(WARNING, "parents_dropped", field="parent_code",
                                        params={"level": level}))
    return result
