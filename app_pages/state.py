"""Session state in one place: the language, the selected territory, the signed-in editor.

Every key the app keeps between reruns is declared here and initialised up front, so
a page never finds a half-initialised session and a rename touches one file. The
selected territory is the one source of truth that the hierarchy selectboxes, the
search and the map clicks all update; the widgets are re-synchronised from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from atlas.i18n import LANGUAGES, current_language, t
from atlas.render.formatting import format_date, format_number

LANG = "lang"
TERRITORY = "territory"
EDITOR = "editor"
PROPOSALS = "proposals"
SLIDE = "slide"
PRESENTING = "presenting"
#: The territories of the presentation, and the selection they were chosen for: owned
#: keys, not a widget's, so full screen (where the set's widget is not drawn) keeps them.
SLIDE_SET = "atelier_set"
SLIDE_SET_FOR = "atelier_set_for"
#: Whether this session's view was read from the address (a shared link) already.
VIEW_RESTORED = "view_restored"
PLAN = "import_plan"
#: Clicks already acted upon, per map, so a rerun does not replay the last click.
HANDLED_CLICKS = "handled_clicks"
#: (atlas URL, snapshot) read by this script run; set first thing by ``cache.refresh``.
SNAPSHOT = "atlas_snapshot"

DEFAULTS: dict[str, Any] = {
    TERRITORY: None,
    EDITOR: None,
    PROPOSALS: [],
    SLIDE: 0,
    PRESENTING: False,
    SLIDE_SET: None,
    SLIDE_SET_FOR: "-",
    VIEW_RESTORED: False,
    PLAN: None,
    HANDLED_CLICKS: {},
}


def init() -> None:
    """Create every key with its default (the language from ``ATLAS_LANG``)."""
    if LANG not in st.session_state or st.session_state[LANG] not in LANGUAGES:
        st.session_state[LANG] = current_language()
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value.copy() if hasattr(value, "copy") else value


def lang() -> str:
    """The language chosen in the sidebar."""
    value = st.session_state.get(LANG)
    return value if value in LANGUAGES else current_language()


def tr(key: str, /, **params: object) -> str:
    """An app message (``[app]`` table of the catalogues) in the chosen language."""
    return t(f"app.{key}", lang(), **params)


def labels(prefix: str, keys: Iterable[object]) -> dict[str, str]:
    """Translations of several keys, made now.

    A widget's ``format_func`` may be called after the run (AppTest does), when the
    session's language is no longer at hand: labels are looked up, not translated.
    """
    return {str(k): tr(f"{prefix}{k}") for k in keys}


def number(value: object, decimals: int | None = None) -> str:
    """A number written the way the chosen language writes it ("1 234,5" / "1,234.5")."""
    try:
        return format_number(float(value), lang(), decimals)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"


def date(value: object) -> str:
    """A date written the way the chosen language writes it."""
    if value is None or value == "":
        return "–"
    return format_date(value, lang())


def territory() -> str | None:
    """Code of the selected territory (None: the whole atlas)."""
    return st.session_state.get(TERRITORY)


def select(code: str | None) -> None:
    """Make ``code`` the selected territory (the picker follows on the next run)."""
    st.session_state[TERRITORY] = code


def editor() -> str | None:
    """Name of the signed-in editor, or None for a viewer."""
    return st.session_state.get(EDITOR)


def new_click(map_key: str, click: dict[str, float] | None) -> dict[str, float] | None:
    """The click if it was not handled yet (st_folium keeps returning the last one)."""
    if not click or click.get("lat") is None or click.get("lng") is None:
        return None
    handled = st.session_state[HANDLED_CLICKS]
    signature = (round(float(click["lat"]), 7), round(float(click["lng"]), 7))
    if handled.get(map_key) == signature:
        return None
    handled[map_key] = signature
    return click
