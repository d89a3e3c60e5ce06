"""OpenStreetMap extracts as exported by common tools, brought to one flat shape.

- overpass-turbo GeoJSON: tags are properties, the object is ``@id`` = ``node/123``;
- osmtogeojson "raw" output: properties ``type``/``id`` and a nested ``tags`` object;
- GDAL's OSM driver, ogr2ogr and QuickOSM: a few tag columns plus ``other_tags`` in
  HSTORE text (``"pump"=>"manual","drinking_water"=>"yes"``).

Every tag becomes a column named by its key (``amenity``, ``man_made``, ``name:fr``)
so that the layer specs' synonyms apply, and the object gets a stable ``osm_id``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd

from .text import is_blank

OSM_TYPES = {"node", "way", "relation", "n", "w", "r"}
_HSTORE = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*"((?:[^"\\]|\\.)*)"')
_FULL_TYPES = {"n": "node", "w": "way", "r": "relation"}


def parse_hstore(text: object) -> dict[str, str]:
    """Tags from GDAL's ``other_tags`` HSTORE text."""
    if is_blank(text):
        return {}
    return {k.replace('\\"', '"'): v.replace('\\"', '"')
            for k, v in _HSTORE.findall(str(text))}


def _as_tags(value: object) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _expand(frame: pd.DataFrame, column: str, parse: Any) -> pd.DataFrame:
    """Columns from a column of tag mappings; existing columns keep their values."""
    tags = [parse(v) for v in frame[column]]
    keys = list(dict.fromkeys(k for row in tags for k in row))
    out = frame.drop(columns=[column])
    for key in keys:
        values = pd.Series([row.get(key) for row in tags], index=frame.index, dtype=object)
        if key in out.columns:
            out[key] = out[key].where(~out[key].map(is_blank), values)
        else:
            out[key] = values
    return out


def _osm_ids(frame: pd.DataFrame) -> pd.Series | None:
    if "@id" in frame.columns:
        return frame["@id"].astype(object)
    if "type" in frame.columns and "id" in frame.columns:
        kinds = frame["type"].dropna().astype(str).str.lower()
        if len(kinds) and kinds.isin(OSM_TYPES).all():
            return pd.Series([None if is_blank(t) or is_blank(i) else
                              f"{_FULL_TYPES.get(str(t).lower(), str(t).lower())}/{i}"
                              for t, i in zip(frame["type"], frame["id"], strict=True)],
                             index=frame.index, dtype=object)
    if "osm_id" in frame.columns or "osm_way_id" in frame.columns:
        nodes = frame.get("osm_id", pd.Series(None, index=frame.index, dtype=object))
        ways = frame.get("osm_way_id", pd.Series(None, index=frame.index, dtype=object))
        return pd.Series([f"node/{n}" if not is_blank(n) else f"way/{w}" if not is_blank(w)
                          else None for n, w in zip(nodes, ways, strict=True)],
                         index=frame.index, dtype=object)
    return None


def looks_like_osm(frame: pd.DataFrame) -> bool:
    """True when the columns are those of an OSM export."""
    columns = set(frame.columns)
    if {"@id", "other_tags", "osm_way_id"} & columns:
        return True
    if "tags" in columns and frame["tags"].map(lambda v: bool(_as_tags(v))).any():
        return True
    if {"type", "id"} <= columns:
        kinds = frame["type"].dropna().astype(str).str.lower()
        return bool(len(kinds)) and bool(kinds.isin(OSM_TYPES).all())
    return False


def flatten_osm(frame: pd.DataFrame) -> pd.DataFrame:
    """One column per tag and an ``osm_id`` column; unchanged when not an OSM export."""
    if not looks_like_osm(frame):
        return frame
    if "tags" in frame.columns:
        frame = _expand(frame, "tags", _as_tags)
    if "other_tags" in frame.columns:
        frame = _expand(frame, "other_tags", parse_hstore)
    ids = _osm_ids(frame)
    drop = [c for c in ("@id", "meta", "osm_way_id") if c in frame.columns]
    if ids is not None and "type" in frame.columns and "id" in frame.columns:
        drop += ["type", "id"]
    frame = frame.drop(columns=drop)
    if ids is not None:
        frame = frame.drop(columns=[c for c in ("osm_id",) if c in frame.columns])
        frame.insert(0, "osm_id", ids)
    return frame
