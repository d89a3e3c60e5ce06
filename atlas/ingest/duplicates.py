"""Duplicates found without identifiers: the same row twice, or the same place and name.

Identifiers catch a row entered twice only when the file has them; a national list of
boreholes without ids gets generated ones (file + row), all distinct, and its repeated
rows used to go in silently (one commune counted 17 boreholes instead of 14). So an
import also looks at the rows themselves:

- **exact duplicates**: the same value in every field (generated ids aside) and the
  same geometry. ``--drop-duplicates`` keeps the first of each group;
- **same place, same name**: points within a tolerance (metres, in the atlas's metric
  CRS) whose names are equal once folded (case, accents); points without a name at the
  same place are their own kind. They may be two wells side by side: a warning only;
- in an append or an upsert, a row **identical to a stored row** of the layer, or at
  the same place as a stored row with the same name (named with the stored id).

All of it is vectorised so that a 300,000-row import stays as fast: rows are hashed
column by column (:func:`pandas.util.hash_pandas_object`), and places are paired with
one KD-tree (:class:`scipy.spatial.cKDTree`) over (x, y, name code × spacing), where
points of different names lie too far apart to pair. Counts say how many rows repeat
an earlier one (the rows that inflate a count), groups list every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyproj import CRS, Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ..catalog import LayerSpec
from ..crs import STORAGE
from ..store.frames import conform_column
from .report import WARNING, Issue

#: Metres within which two points are "at the same place".
DUPLICATE_TOLERANCE_M = 1.0
#: The field compared as the name of a feature, when the layer has it.
NAME_FIELD = "name"
#: Groups spelled out in one issue (the rest is counted).
MAX_LISTED = 20
#: Stored-row issues raised per import (each names a row; the rest is counted).
MAX_STORED_ISSUES = 1000


@dataclass
class Duplicates:
    """Groups of planned row positions (0-based), each sorted, the first kept."""

    exact: list[list[int]] = field(default_factory=list)
    same_place: list[list[int]] = field(default_factory=list)
    unnamed: list[list[int]] = field(default_factory=list)
    #: (position, id of the identical stored row).
    stored_exact: list[tuple[int, str]] = field(default_factory=list)
    #: (position, id of the stored row at the same place with the same name).
    stored_place: list[tuple[int, str]] = field(default_factory=list)

    @staticmethod
    def extra(groups: list[list[int]]) -> int:
        """Rows that repeat an earlier one of their group."""
        return sum(len(g) - 1 for g in groups)

    def repeated(self) -> np.ndarray:
        """Positions of the exact duplicates after the first of their group."""
        return np.array(sorted(p for g in self.exact for p in g[1:]), dtype=np.int64)


def row_keys(frame: pd.DataFrame, spec: LayerSpec, fields: list[str]) -> np.ndarray:
    """One 64-bit hash per row over ``fields`` (canonical dtypes) and the geometry.

    Canonical dtypes make a planned row and a stored row hash alike. Points are compared
    by their coordinates (cheaper than their WKB), other geometries by their WKB.
    """
    columns: dict[str, pd.Series] = {}
    for name in fields:
        values = frame[name].reset_index(drop=True)
        try:
            columns[name] = conform_column(values, spec.field(name).type)
        except (ValueError, TypeError, OverflowError):  # an error row: compared as text
            columns[name] = values.astype(str).where(values.notna())
    geoms = np.asarray(frame.geometry.values, dtype=object)
    if spec.geometry.lower() == "point":
        columns["__x__"] = pd.Series(shapely.get_x(geoms))
        columns["__y__"] = pd.Series(shapely.get_y(geoms))
    else:
        columns["__geometry__"] = pd.Series(shapely.to_wkb(geoms, hex=True), dtype=object)
    return pd.util.hash_pandas_object(pd.DataFrame(columns), index=False).to_numpy()


def _groups(keys: np.ndarray) -> list[list[int]]:
    """Positions sharing a key, groups of two or more, ordered by their first position."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    several = sizes > 1  # only those reach Python lists: a clean file costs nothing here
    groups = [order[s:s + n].tolist() for s, n in
              zip(starts[several].tolist(), sizes[several].tolist(), strict=True)]
    return sorted((sorted(g) for g in groups), key=lambda g: g[0])


def name_codes(names: pd.Series) -> np.ndarray:
    """Names folded (case, accents, spaces) as integer codes; -1 for a row without one.

    Folded with Arrow kernels over the distinct names (NFD, combining marks removed,
    lower case): the same comparison as :func:`atlas.text.fold`, without a Python call
    per row.
    """
    raw, uniques = pd.factorize(names.where(names.notna(), None).astype(object),
                                use_na_sentinel=True)
    if not len(uniques):
        return raw
    text = pa.array([str(u) for u in uniques], type=pa.string())
    text = pc.replace_substring_regex(pc.utf8_normalize(text, "NFD"), r"\p{Mn}", "")
    text = pc.utf8_trim_whitespace(pc.replace_substring_regex(pc.utf8_lower(text),
                                                              r"\s+", " "))
    folded = pd.Series(text.to_pylist(), dtype=object)
    folded_codes, _ = pd.factorize(folded.where(folded != ""), use_na_sentinel=True)
    return np.where(raw >= 0, folded_codes[np.maximum(raw, 0)], -1)


def metric_points(geoms: gpd.GeoSeries, metric_crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the point geometries and their metric coordinates (n × 2)."""
    values = np.asarray(geoms.values, dtype=object)
    is_point = (shapely.get_type_id(values) == 0) & ~shapely.is_empty(values)
    positions = np.flatnonzero(is_point)
    if not len(positions):
        return positions, np.empty((0, 2))
    points = values[positions]
    to_metric = Transformer.from_crs(geoms.crs or STORAGE, metric_crs, always_xy=True)
    x, y = to_metric.transform(shapely.get_x(points), shapely.get_y(points))
    return positions, np.column_stack([x, y])


def near_others(coords: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Mask of the points with another point within ``tolerance_m`` (names aside)."""
    if len(coords) < 2:
        return np.zeros(len(coords), dtype=bool)
    place, firsts = pd.factorize(coords[:, 0] + 1j * coords[:, 1])
    counts = np.bincount(place, minlength=len(firsts))
    unique = np.column_stack([firsts.real, firsts.imag])
    pairs = cKDTree(unique).query_pairs(r=tolerance_m, output_type="ndarray")
    crowded = counts > 1
    crowded[pairs.reshape(-1)] = True
    return crowded[place]


def place_groups(coords: np.ndarray, codes: np.ndarray, tolerance_m: float
                 ) -> list[np.ndarray]:
    """Indices (into ``coords``) of points within ``tolerance_m`` of another, same code.

    The code becomes a third coordinate spaced far beyond the tolerance, so one KD-tree
    pairs only points of the same name; identical (x, y, code) are merged first, so a
    thousand copies of one point cost one entry, not half a million pairs.
    """
    if len(coords) < 2:
        return []
    spacing = 10.0 * tolerance_m + 1.0
    place, _ = pd.factorize(coords[:, 0] + 1j * coords[:, 1])
    inverse, firsts = pd.factorize(place.astype(np.int64) * (int(codes.max()) + 2)
                                   + codes.astype(np.int64) + 1)
    first_of = np.zeros(len(firsts), dtype=np.int64)
    first_of[inverse] = np.arange(len(inverse))  # any member: they are the same point
    unique = np.column_stack([coords[first_of], codes[first_of].astype("float64") * spacing])
    pairs = cKDTree(unique).query_pairs(r=tolerance_m, output_type="ndarray") \
        if len(unique) > 1 else np.empty((0, 2), dtype=np.int64)
    n = len(unique)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n)) \
        if len(pairs) else coo_matrix((n, n))
    _, labels = connected_components(graph, directed=False)
    row_labels = labels[inverse]
    return [g for g in (np.asarray(x) for x in _groups(row_labels)) if len(g) > 1]


def find_duplicates(frame: gpd.GeoDataFrame, spec: LayerSpec, metric_crs: CRS, *,
                    compare_id: bool, tolerance_m: float = DUPLICATE_TOLERANCE_M,
                    stored: gpd.GeoDataFrame | None = None) -> Duplicates:
    """Exact and same-place duplicates among planned rows, and against ``stored`` rows.

    ``compare_id`` is False when identifiers were generated (they differ by design).
    """
    found = Duplicates()
    if not len(frame):
        return found
    without_id = [f for f in spec.field_names if f != spec.id_field]
    keys = row_keys(frame, spec, spec.field_names if compare_id else without_id)
    found.exact = _groups(keys)
    later = np.zeros(len(frame), dtype=bool)
    later[found.repeated()] = True
    has_name = NAME_FIELD in spec.field_names
    names = frame[NAME_FIELD].reset_index(drop=True) if has_name else None
    positions, coords = metric_points(frame.geometry, metric_crs)
    keep = ~later[positions]  # an exact duplicate is reported as such, not twice
    stored_codes = None
    if stored is not None and len(stored) and has_name:  # one coding for both frames
        both = name_codes(pd.concat([names, stored[NAME_FIELD]], ignore_index=True))
        codes, stored_codes = both[:len(frame)], both[len(frame):]
    elif names is not None:  # names folded only where a point has a neighbour
        codes = np.full(len(frame), -1)
        near = positions[keep][near_others(coords[keep], tolerance_m)]
        codes[near] = name_codes(names.iloc[near])
    else:
        codes = np.full(len(frame), -1)
    # Unnamed points get one code of their own: grouped with each other only.
    point_codes = np.where(codes[positions] < 0, codes.max(initial=-1) + 1, codes[positions])
    for group in place_groups(coords[keep], point_codes[keep], tolerance_m):
        rows = sorted(positions[keep][group].tolist())
        (found.same_place if codes[rows[0]] >= 0 else found.unnamed).append(rows)
    found.same_place.sort(key=lambda g: g[0])
    found.unnamed.sort(key=lambda g: g[0])
    if stored is not None and len(stored):
        ids = frame[spec.id_field].astype(str).to_numpy()
        new_keys = keys if not compare_id else row_keys(frame, spec, without_id)
        _stored_exact(found, ids, new_keys, stored, spec, without_id)
        if stored_codes is not None:
            _stored_place(found, ids, codes, positions, coords, stored, stored_codes,
                          spec, metric_crs, tolerance_m)
    return found


def _stored_exact(found: Duplicates, ids: np.ndarray, keys: np.ndarray,
                  stored: gpd.GeoDataFrame, spec: LayerSpec, fields: list[str]) -> None:
    """Planned rows identical (ids aside) to a stored row of another id."""
    stored_ids = stored[spec.id_field].astype(str).to_numpy()
    lookup = pd.Series(stored_ids, index=row_keys(stored, spec, fields))
    lookup = lookup[~lookup.index.duplicated()]
    hits = pd.Series(keys).map(lookup).to_numpy(dtype=object)
    # The same id is an upsert's update (an append refuses it as existing_id).
    match = pd.notna(hits) & (hits != ids)
    found.stored_exact = [(int(p), str(hits[p])) for p in np.flatnonzero(match)]


def _stored_place(found: Duplicates, ids: np.ndarray, codes: np.ndarray,
                  positions: np.ndarray, coords: np.ndarray, stored: gpd.GeoDataFrame,
                  stored_codes: np.ndarray, spec: LayerSpec, metric_crs: CRS,
                  tolerance_m: float) -> None:
    """Named planned points within the tolerance of a stored point of the same name."""
    exact = np.array([p for p, _ in found.stored_exact], dtype=np.int64)
    wanted = (codes[positions] >= 0) & ~np.isin(positions, exact)
    old_pos, old_xy = metric_points(stored.geometry, metric_crs)
    named = stored_codes[old_pos] >= 0
    if not wanted.any() or not named.any():
        return
    spacing = 10.0 * tolerance_m + 1.0
    old_pos = old_pos[named]
    tree = cKDTree(np.column_stack([old_xy[named], stored_codes[old_pos] * spacing]))
    new_pos = positions[wanted]
    query = np.column_stack([coords[wanted], codes[new_pos] * spacing])
    distance, index = tree.query(query, distance_upper_bound=tolerance_m)
    hit = np.isfinite(distance)
    stored_ids = stored[spec.id_field].astype(str).to_numpy()
    matched = stored_ids[old_pos[index[hit]]]
    other = matched != ids[new_pos[hit]]
    found.stored_place = [(int(p), str(i)) for p, i in
                          zip(new_pos[hit][other], matched[other], strict=True)]


def _listed(groups: list[list[int]], rows: np.ndarray, names: pd.Series | None) -> str:
    """``12 = 3, 40 = 7, …``: each repeated row with the first of its group."""
    parts = []
    for group in groups:
        first = int(rows[group[0]])
        label = f" « {names.iloc[group[0]]} »" if names is not None else ""
        parts += [f"{int(rows[p])} = {first}{label}" for p in group[1:]]
    shown = parts[:MAX_LISTED]
    more = len(parts) - len(shown)
    return ", ".join(shown) + (f", … (+{more})" if more > 0 else "")


def duplicate_issues(found: Duplicates, frame: gpd.GeoDataFrame, file_of: list[str],
                     tolerance_m: float, spec: LayerSpec) -> list[Issue]:
    """Warnings: one per kind of group among the planned rows, one per stored match."""
    rows = frame.index.to_numpy()
    names = frame[NAME_FIELD].reset_index(drop=True) if NAME_FIELD in frame else None
    issues: list[Issue] = []
    kinds = (("exact_duplicates", found.exact, None),
             ("same_place_same_name", found.same_place, names),
             ("same_place_unnamed", found.unnamed, None))
    for code, groups, labels in kinds:
        if not groups:
            continue
        listed = [[int(rows[p]) for p in g] for g in groups]
        issues.append(Issue(WARNING, code, params={
            "count": Duplicates.extra(groups), "pairs": _listed(groups, rows, labels),
            "rows": _listed(groups, rows, labels), "tolerance": f"{tolerance_m:g}",
            "groups": listed}, file=file_of[groups[0][0]]))
    id_titles = spec.field(spec.id_field).titles
    stored = [("stored_duplicate", p, i) for p, i in found.stored_exact] + \
        [("stored_same_place", p, i) for p, i in found.stored_place]
    for code, position, stored_id in sorted(stored, key=lambda s: s[1])[:MAX_STORED_ISSUES]:
        name = names.iloc[position] if names is not None else ""
        issues.append(Issue(WARNING, code, row=int(rows[position]), field=spec.id_field,
                            value=stored_id, titles=id_titles,
                            params={"stored": stored_id, "name": name},
                            file=file_of[position]))
    return issues


def id_groups(column: pd.Series, skip: np.ndarray | None = None) -> list[np.ndarray]:
    """Positions sharing one identifier (two or more), each group found once.

    Missing identifiers and positions in ``skip`` (rows left out as duplicates) are not
    compared. Sorting once keeps this linear-logarithmic: 20,000 rows with one id are
    one group, not 20,000 scans of the column.
    """
    present = column.notna().to_numpy().copy()
    if skip is not None and len(skip):
        present[skip] = False
    positions = np.flatnonzero(present)
    if len(positions) < 2:
        return []
    codes, _ = pd.factorize(column.iloc[positions].astype(str))
    return [positions[group] for group in _groups(codes)]
