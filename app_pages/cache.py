"""The opened atlas and everything derived from it, cached under the store's revision.

The atlas is opened once per process (``st.cache_resource``): it is a connection,
shared by every session, and the one writes go through. Reads go through a snapshot
(:meth:`atlas.Atlas.snapshot`): ``app.py`` takes the current one at the start of
every script run (:func:`refresh`, one revision query), and every page, table and map
of the run reads it (:func:`snapshot`), so one run never mixes two revisions. The
snapshot of a revision is shared by all sessions and keeps the layers it read whole.
Tables, maps, sheets and files are ``st.cache_data`` entries whose key holds the
atlas URL and that revision: a repeated view is a cache hit, and an import or a
restore changes the revision, so the next run sees the new data at once while stale
entries age out (every cache is bounded). Each function takes only plain values, so
the key is cheap to hash; each calls one platform function (``atlas.*``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

import atlas
from atlas import Atlas, render
from atlas.choices import DEFAULT_CLASSIFICATION_SCHEME
from atlas.crs import storage_crs
from atlas.snapshot import AtlasSnapshot

from . import state
from .assets import localise

if TYPE_CHECKING:
    from atlas.render import Sheet

DEFAULT_ATLAS = "data/demo.gpkg"
TABLE_COLUMNS = ("territory_code", "territory_name", "level_name", "theme", "indicator",
                 "breakdown", "label", "value", "unit", "parent_value", "rank", "rank_of",
                 "status", "threshold", "threshold_source", "data_date", "reason")


def atlas_url() -> str:
    """The atlas served: ``ATLAS_URL`` (a ``.gpkg`` path or a ``postgresql://`` URL)."""
    from atlas.config import current

    return current().atlas_url


def display_url() -> str:
    """``ATLAS_URL`` without its password, for what the page shows (even when malformed)."""
    from atlas.masking import mask_url

    return mask_url(atlas_url())


@st.cache_resource(show_spinner=False)
def _open(url: str) -> Atlas:
    return atlas.open(url)


def current() -> Atlas:
    """The atlas of ``ATLAS_URL``, opened once for all sessions (writes go through it)."""
    return _open(atlas_url())


@st.cache_resource(max_entries=2, show_spinner=False)
def _snapshot(url: str, revision: int) -> AtlasSnapshot:
    return _open(url).snapshot(revision)


def refresh() -> AtlasSnapshot:
    """Take the atlas's current revision for this script run (``app.py`` does, first)."""
    url = atlas_url()
    found = _snapshot(url, current().revision)
    st.session_state[state.SNAPSHOT] = (url, found)
    return found


def snapshot() -> AtlasSnapshot:
    """The snapshot of this script run (see the module docstring)."""
    kept = st.session_state.get(state.SNAPSHOT)
    if isinstance(kept, tuple) and kept[0] == atlas_url():
        return kept[1]
    return refresh()


# -- tables -------------------------------------------------------------------------------

@st.cache_data(max_entries=16, show_spinner=False)
def layers_table(url: str, revision: int, lang: str) -> pd.DataFrame:
    """The layer catalogue with counts and last revisions (:meth:`Atlas.layers`)."""
    return _open(url).layers(lang)


@st.cache_data(max_entries=16, show_spinner=False)
def diagnose_table(url: str, revision: int, level: int, lang: str) -> pd.DataFrame:
    """Every indicator for every territory of a level (:func:`atlas.diagnostics.diagnose`)."""
    from atlas.diagnostics import diagnose  # on first use: the first map needs none

    return diagnose(_snapshot(url, revision), level, lang=lang)


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
    level = _snapshot(url, revision).territories.get(code).level
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
                  scheme: str = DEFAULT_CLASSIFICATION_SCHEME, classes: int = 5) -> folium.Map:
    """A folium map (:func:`atlas.render.territory_map`) with local assets.

    ``indicator`` is a choice key of :func:`indicator_choices`.
    """
    options = render.MapOptions(layers=layers, lang=lang)
    if indicator and level is not None:
        rows = _indicator_rows(diagnose_table(url, revision, level, lang), indicator)
        if rows["value"].notna().any():
            options = render.MapOptions(layers=layers, lang=lang, indicator=rows,
                                        level=level, scheme=scheme, classes=classes,
                                        higher_is_better=_direction(indicator))
    return localise(render.territory_map(_snapshot(url, revision), territory,
                                         options=options))


# -- fact sheets and downloads -------------------------------------------------------------

@st.cache_resource(max_entries=16, show_spinner=False)
def _sheet(url: str, revision: int, code: str, lang: str) -> Sheet:
    # A resource, not data: the sheet keeps its WeasyPrint document, so the PDF asked
    # after the HTML reuses the layout already computed. Sheets need matplotlib and
    # WeasyPrint: imported here, not with the app's first page.
    return render.territory_sheet(_snapshot(url, revision), code, lang)


@st.cache_data(max_entries=32, show_spinner=False)
def sheet_html(url: str, revision: int, code: str, lang: str) -> str:
    """The fact sheet (:func:`atlas.render.territory_sheet`) as one HTML page."""
    return _sheet(url, revision, code, lang).html


@st.cache_data(max_entries=8, show_spinner=False)
def sheet_pdf(url: str, revision: int, code: str, lang: str) -> bytes:
    """The fact sheet as an A4 PDF."""
    return _sheet(url, revision, code, lang).pdf_bytes()


@st.cache_data(max_entries=32, show_spinner=False)
def table_csv(url: str, revision: int, code: str, lang: str) -> bytes:
    """The territory's indicator table as the reader's CSV (French: ``;``, decimal commas).

    Headers and labels are translated and values rounded as shown; the codes follow in
    the last columns (:func:`atlas.exports_locale.indicator_csv`, inert like every export).
    """
    from atlas.exports_locale import indicator_csv

    return indicator_csv(territory_table(url, revision, code, lang), lang)


@st.cache_data(max_entries=32, show_spinner=False)
def table_xlsx(url: str, revision: int, code: str, lang: str) -> bytes:
    """The territory's indicator table as a workbook: as shown, then a sheet of codes."""
    from atlas.exports_locale import indicator_xlsx  # text cells stay text, never formulas

    return indicator_xlsx(territory_table(url, revision, code, lang), lang, code)


@st.cache_data(max_entries=8, show_spinner=False)
def extract_gpkg(url: str, revision: int, code: str, lang: str) -> bytes:
    """The territory's data as a GeoPackage (:func:`atlas.extract.territory_extract`)."""
    from atlas.extract import territory_extract

    with tempfile.TemporaryDirectory(prefix="atlas-extract-") as folder:
        path = territory_extract(_snapshot(url, revision), code,
                                 Path(folder) / f"{code}.gpkg", lang=lang)
        return path.read_bytes()


@st.cache_data(max_entries=4, show_spinner=False)
def presentation_html(url: str, revision: int, parent: str | None, lang: str) -> bytes:
    """The atlas book of a territory's sub-units as an HTML presentation.

    It is :func:`atlas.render.atlas_book` with one worker: a process pool forked from
    the app server's threads is not worth it for the few dozen slides a workshop shows.
    """
    with tempfile.TemporaryDirectory(prefix="atlas-book-") as folder:
        path = render.atlas_book(_snapshot(url, revision), Path(folder) / "presentation.html",
                                 parent=parent, lang=lang, layout="summary", workers=1)
        return path.read_bytes()


# -- what-if ----------------------------------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def what_if_table(url: str, revision: int, proposals: tuple[tuple[float, float, str], ...],
                  level: int, distance: float, territory: str | None) -> pd.DataFrame:
    """Coverage before and after the proposals (:func:`atlas.diagnostics.what_if`)."""
    from atlas.diagnostics import what_if

    return what_if(_snapshot(url, revision), list(proposals), level=level,
                   distance=distance,
                   territories=None if territory is None else [territory])


def proposals_files(proposals: Sequence[dict[str, Any]], labels: dict[str, str] | None = None,
                    lang: str | None = None) -> tuple[bytes, bytes]:
    """The proposals as GeoJSON (EPSG:4326, as the standard wants) and as the reader's CSV.

    The GeoJSON keeps codes (``type: tap``) for GIS tools; the CSV names the type as the
    page does ("Robinet") and keeps the code in its last column.
    """
    from atlas.exports_locale import localised_csv, proposals_table

    frame = gpd.GeoDataFrame(
        {"number": list(range(1, len(proposals) + 1)),
         "type": [p.get("type") for p in proposals],
         "lon": [p["lon"] for p in proposals], "lat": [p["lat"] for p in proposals]},
        geometry=[shapely.Point(p["lon"], p["lat"]) for p in proposals], crs=storage_crs())
    return (frame.to_json().encode("utf-8"),
            localised_csv(proposals_table(proposals, labels or {}, lang), lang))
