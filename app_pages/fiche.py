"""Fiche territoire: the selected territory's fact sheet, its table and its downloads.

The sheet is the platform's own (:func:`atlas.render.territory_sheet`), shown in an iframe so its
print styles stay inside it. The HTML and the tables are cached as soon as the sheet
is shown; the PDF and the GeoPackage take seconds to make, so they are only made
when someone asks for them (deferred downloads), then cached like the rest.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from app_pages import cache, picker, state
from app_pages.state import tr
from app_pages.text import literal

SHEET_HEIGHT = 900


def _deferred(build: Callable[..., bytes], *args: object) -> Callable[[], bytes]:
    """A download made on click (the callable runs outside the script: no ``st`` calls)."""
    def make() -> bytes:
        return build(*args)

    return make


def _readable(table: pd.DataFrame) -> pd.DataFrame:
    """The indicator table with values written in the chosen language."""
    shown = pd.DataFrame({
        tr("fiche.col_indicator"): table["label"],
        tr("fiche.col_value"): [state.number(v) for v in table["value"]],
        tr("fiche.col_unit"): table["unit"].fillna(""),
        tr("fiche.col_parent"): [state.number(v) for v in table["parent_value"]],
        tr("fiche.col_rank"): [f"{int(r)}/{int(n)}" if pd.notna(r) and pd.notna(n) else "–"
                               for r, n in zip(table["rank"], table["rank_of"], strict=True)],
        tr("fiche.col_status"): [tr(f"fiche.status_{s}") if isinstance(s, str)
                                 and s in ("ok", "below", "above") else "–"
                                 for s in table["status"]],
        # every missing value says why (no population, state unknown, layer empty...)
        tr("fiche.col_reason"): table["reason"].fillna(""),
    })
    return shown


def _without_empty_layers(table: pd.DataFrame, url: str, revision: int,
                          lang: str) -> tuple[pd.DataFrame, list[str]]:
    """Rows that need a layer with no data left out, and the titles of those layers.

    A first-week atlas (boundaries, villages, boreholes) would otherwise show forty
    lines of "–" for schools, mangroves and programmes it does not have yet.
    """
    from atlas.diagnostics import REGISTRY

    layers = cache.layers_table(url, revision, lang)
    empty = layers[(layers["count"] == 0) & (layers["layer"] != "territories")]
    names = set(empty["layer"])
    needs_empty = table["indicator"].map(lambda code: REGISTRY.needs_any(code, names))
    keep = ~(needs_empty & table["value"].isna())
    return table[keep], list(empty["title"])


def render() -> None:
    """The Fiche territoire page."""
    opened = cache.snapshot()
    url, revision, lang = cache.atlas_url(), opened.revision, state.lang()
    tree = opened.territories
    picker.territory_picker(opened, tree)
    code = state.territory()
    st.title(tr("fiche.title"))
    if code is None:
        st.info(tr("fiche.choose"))
        return
    here = tree.get(code)
    st.subheader(literal(f"{here.name} · {tree.level_name(here.level, lang)}"))
    st.caption(literal(tree.path(code, lang)))
    table = cache.territory_table(url, revision, code, lang)
    stem = f"fiche_{code}_{lang}"
    st.markdown(f"**{tr('fiche.downloads')}**")
    row = st.columns(5)
    row[0].download_button(
        tr("fiche.pdf"), _deferred(cache.sheet_pdf, url, revision, code, lang),
        file_name=f"{stem}.pdf", mime="application/pdf", key="dl_pdf", on_click="ignore")
    with st.spinner(tr("fiche.preparing")):
        html = cache.sheet_html(url, revision, code, lang)
    row[1].download_button(tr("fiche.html"), html.encode("utf-8"), file_name=f"{stem}.html",
                           mime="text/html", key="dl_html", on_click="ignore")
    row[2].download_button(tr("fiche.csv"), cache.table_csv(url, revision, code, lang),
                           file_name=f"{stem}.csv", mime="text/csv", key="dl_csv",
                           on_click="ignore")
    row[3].download_button(
        tr("fiche.xlsx"), cache.table_xlsx(url, revision, code, lang),
        file_name=f"{stem}.xlsx", key="dl_xlsx", on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    row[4].download_button(
        tr("fiche.gpkg"), _deferred(cache.extract_gpkg, url, revision, code, lang),
        file_name=f"{code}.gpkg", mime="application/geopackage+sqlite3", key="dl_gpkg",
        on_click="ignore")
    sheet_tab, table_tab = st.tabs([tr("fiche.sheet_tab"), tr("fiche.table_tab")])
    with sheet_tab:
        st.iframe(html, height=SHEET_HEIGHT)
    with table_tab:
        shown, empty = _without_empty_layers(table, url, revision, lang)
        st.dataframe(_readable(shown), hide_index=True, width="stretch")
        if empty:
            st.caption(tr("fiche.empty_layers", layers=", ".join(empty)))


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
