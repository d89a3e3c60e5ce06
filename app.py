"""atlas-territorial — the Streamlit app's router (``streamlit run app.py``, or ``make run``).

The atlas served is ``ATLAS_URL`` (a GeoPackage path or a ``postgresql://`` URL;
default ``data/demo.gpkg``), so the same app serves a laptop's file in a workshop
and an agency's shared PostGIS atlas. This file only sets the page up, draws the
sidebar (language, atlas, editor sign-in) and routes to the pages, one module each
in ``app_pages/``: Carte, Fiche territoire, Atelier, Données. Whatever goes wrong in
a page reaches the visitor as a sentence, never as a traceback (:mod:`app_pages.text`,
which also keeps names from the data from being read as Markdown).
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # app_pages sits next to this file, outside the package
    sys.path.insert(0, str(HERE))

from app_pages import assets, auth, cache, state, uploads  # noqa: E402
from app_pages.state import tr  # noqa: E402
from app_pages.text import error_reason, error_sentence, literal  # noqa: E402
from atlas.errors import AtlasError  # noqa: E402

# An emoji favicon is drawn locally (a data: URI); a Material icon one would come from
# Google's CDN, so the page icon is set here and the pages keep their Material icons.
st.set_page_config(page_title="atlas-territorial", page_icon="🗺️", layout="wide")
state.init()
uploads.sweep_now_and_then()  # upload folders left by a server killed mid-analysis
try:
    assets.publish()
except AtlasError as exc:  # Leaflet not vendored: `make install` builds it
    st.error(error_sentence(exc))
    st.stop()

st.sidebar.segmented_control("Langue · Language", ["fr", "en"], key=state.LANG,
                             format_func=lambda code: {"fr": "Français", "en": "English"}[code],
                             required=True)
try:
    opened = cache.refresh()  # this run's revision: every page reads it
    settings = opened.settings
except Exception as exc:  # noqa: BLE001 - e.g. a database that does not answer
    st.error(tr("atlas_unavailable", url=literal(cache.display_url()),
                reason=error_reason(exc)))
    st.stop()
st.sidebar.markdown(f"**{literal(settings.title_in(state.lang()))}**")
if settings.fictional:
    st.sidebar.caption(literal(opened.warning(state.lang())))

PAGES = (("carte", ":material/map:"), ("fiche", ":material/description:"),
         ("atelier", ":material/co_present:"), ("donnees", ":material/database:"))
pages = st.navigation([
    st.Page(HERE / "app_pages" / f"{name}.py", title=tr(f"nav.{name}"), icon=icon,
            url_path=name, default=name == "carte")
    for name, icon in PAGES])
try:
    pages.run()
except Exception as exc:  # noqa: BLE001 - a sentence, not an exception box (Stop/Rerun pass)
    st.error(error_sentence(exc))
if not st.session_state.get(state.PRESENTING) or pages.url_path != "atelier":
    auth.sign_in_box()
