"""The opened atlas and everything derived from it, cached under the store's revision.

The atlas is opened once per process (``st.cache_resource``): it is a connection,
shared by every session. Tables, maps, sheets and files are ``st.cache_data``
entries whose key holds the atlas URL and its revision (``atlas.revision``, read
once per script run): a repeated view is a cache hit, and an import or a restore
changes the revision, so the next run sees the new data at once while stale entries
age out (every cache is bounded). Each function takes only plain values, so the key
is cheap to hash; each calls one platform function (``atlas.*``).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

import atlas
from atlas import Atlas
from atlas.crs import storage_crs

from . import adapters
from .assets import localise

DEFAULT_ATLAS = "data/demo.gpkg"
TABLE_COLUMNS = ("territory_code", "territory_name", "level_name", "theme", "indicator",
                 "breakdown", "label", "value", "unit", "parent_value", "rank", "rank_of",
                 "status", "threshold", "threshold_source", "data_date")


def atlas_url() -> str:
    """The atlas served: ``ATLAS_URL`` (a ``.gpkg`` path or a ``postgresql://`` URL)."""
    return os.environ.get("ATLAS_URL") or DEFAULT_ATLAS


def display_url() -> str:
    """``ATLAS_URL`` without its password, for what the page shows."""
    url = atlas_url()
    if "://" not in url:
        return url
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("://", 1)[0] + "://…"


@st.cache_resource(show_spinner=False)
def _open(url: str) -> Atlas:
    return atlas.open(url)


def current() -> Atlas:
    """The atlas of ``ATLAS_URL``, opened once for all sessions."""
    return _open(atlas_url())


# -- tables -------------------------------------------------------------------------------

@st.cache_data(max_entries=16, show_spinner=False)
def layers_table(url: str, revision: int, lang: str) -> pd.DataFrame:
    """The layer catalogue with counts and last revisions (:meth:`Atlas.layers`)."""
    return _open(url).layers(lang)


@st.cache_data(max_entries=16, show_spinner=False)
def diagnose_table(url: str, revision: int, level: int, lang: str) -> pd.DataFrame:
    """Every indicator for every territory of a level (:func:`atlas.diagnostics.diagnose`)."""
    return _open(url).diagnose(level, lang=lang)


@st.cache_data(max_entries=16, show_spinner=False)
def indicator_choices(url: str, revision: int, level: int, lang: str) -> dict[str, str]:
    """``code`` or ``code:breakdown`` → label, for the indicators with values at a level."""
    table = diagnose_table(url, revision, level, lang)
    table = table[table["value"].notna()]
    choices: dict[str, str] = {}
    for row in table.drop_duplicates(["indicator", "breakdown"]).itertuples():
        part = "" if pd.isna(row.breakdown) else str(row.breakdown)
        key = f"{row.indicator}:{part}" if part else str(row.indicator)
        choices[key] = str(row.label)
    return choices


def _indicator_rows(table: pd.DataFrame, key: str) -> pd.DataFrame:
    code, _, part = key.partition(":")
    rows = table[table["indicator"] == code]
    parts = rows["breakdown"].fillna("").astype(str)
    return rows[parts == part]


def _direction(key: str) -> bool | None:
    from atlas.diagnostics import REGISTRY

    code, _, part = key.partition(":")
    item = REGISTRY.get(code)
    if item is None:
        return None
    direction = item.direction_of(part) if part else item.direction
    return None if direction is None else direction == "higher"


@st.cache_data(max_entries=64, show_spinner=False)
def territory_table(url: str, revision: int, code: str, lang: str) -> pd.DataFrame:
    """The indicator rows of one territory (its level's table, filtered)."""
    level = _open(url).territories.get(code).level
    table = diagnose_table(url, revision, level, lang)
    rows = table[table["territory_code"] == code]
    return rows[[c for c in TABLE_COLUMNS if c in rows.columns]].reset_index(drop=True)


@st.cache_data(max_entries=32, show_spinner=False)
def history_table(url: str, revision: int, layer: str) -> pd.DataFrame:
    """Revisions of a layer, newest first (:meth:`Atlas.history_frame`)."""
    frame = _open(url).history_frame(layer)
    return frame.iloc[::-1].reset_index(drop=True) if not frame.empty else frame


# -- maps ---------------------------------------------------------------------------------

@st.cache_data(max_entries=48, show_spinner=False)
def territory_map(url: str, revision: int, territory: str | None, layers: tuple[str, ...],
                  lang: str, indicator: str | None = None, level: int | None = None,
                  scheme: str = "quantiles", k: int = 5) -> folium.Map:
    """A folium map (:meth:`Atlas.map`) with local assets; ``indicator`` a choice key."""
    opened = _open(url)
    options: dict[str, Any] = {}
    if indicator and level is not None:
        rows = _indicator_rows(diagnose_table(url, revision, level, lang), indicator)
        if rows["value"].notna().any():
            options = {"indicator": rows, "level": level, "scheme": scheme, "k": k,
                       "higher_is_better": _direction(indicator)}
    fmap = opened.map(territory, layers=list(layers), lang=lang, **options)
    return localise(fmap)


# -- fact sheets and downloads -------------------------------------------------------------

@st.cache_resource(max_entries=16, show_spinner=False)
def _sheet(url: str, revision: int, code: str, lang: str) -> Any:
    # A resource, not data: the sheet keeps its WeasyPrint document, so the PDF asked
    # after the HTML reuses the layout already computed.
    return adapters.territory_sheet(_open(url), code, lang)


@st.cache_data(max_entries=32, show_spinner=False)
def sheet_html(url: str, revision: int, code: str, lang: str) -> str:
    """The fact sheet as one self-contained HTML page."""
    return adapters.sheet_html(_sheet(url, revision, code, lang))


@st.cache_data(max_entries=8, show_spinner=False)
def sheet_pdf(url: str, revision: int, code: str, lang: str) -> bytes:
    """The fact sheet as an A4 PDF."""
    return adapters.sheet_pdf(_sheet(url, revision, code, lang))


@st.cache_data(max_entries=32, show_spinner=False)
def table_csv(url: str, revision: int, code: str, lang: str) -> bytes:
    """The territory's indicator table as CSV (UTF-8 with BOM, which Excel reads)."""
    return territory_table(url, revision, code, lang).to_csv(index=False).encode("utf-8-sig")


@st.cache_data(max_entries=32, show_spinner=False)
def table_xlsx(url: str, revision: int, code: str, lang: str) -> bytes:
    """The territory's indicator table as an Excel workbook."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        territory_table(url, revision, code, lang).to_excel(writer, index=False,
                                                            sheet_name=code[:31])
    return buffer.getvalue()


@st.cache_data(max_entries=8, show_spinner=False)
def extract_gpkg(url: str, revision: int, code: str, lang: str) -> bytes:
    """The territory's data as a GeoPackage (:func:`atlas.extract.territory_extract`)."""
    from atlas.extract import territory_extract

    with tempfile.TemporaryDirectory(prefix="atlas-extract-") as folder:
        path = territory_extract(_open(url), code, Path(folder) / f"{code}.gpkg", lang=lang)
        return path.read_bytes()


@st.cache_data(max_entries=4, show_spinner=False)
def presentation_html(url: str, revision: int, parent: str | None, lang: str) -> bytes:
    """The atlas book of a territory's sub-units as an HTML presentation."""
    return adapters.presentation_html(_open(url), parent, lang)


# -- what-if ----------------------------------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def what_if_table(url: str, revision: int, proposals: tuple[tuple[float, float, str], ...],
                  level: int, distance: float, territory: str | None) -> pd.DataFrame:
    """Coverage before and after the proposals (:func:`atlas.diagnostics.what_if`)."""
    from atlas.diagnostics import what_if

    return what_if(_open(url), list(proposals), level=level, distance=distance,
                   territories=None if territory is None else [territory])


def proposals_files(proposals: Sequence[dict[str, Any]]) -> tuple[bytes, bytes]:
    """The proposals as GeoJSON (EPSG:4326, as the standard wants) and as CSV."""
    frame = gpd.GeoDataFrame(
        {"number": list(range(1, len(proposals) + 1)),
         "type": [p.get("type") for p in proposals],
         "lon": [p["lon"] for p in proposals], "lat": [p["lat"] for p in proposals]},
        geometry=[shapely.Point(p["lon"], p["lat"]) for p in proposals], crs=storage_crs())
    return (frame.to_json().encode("utf-8"),
            frame.drop(columns="geometry").to_csv(index=False).encode("utf-8-sig"))
