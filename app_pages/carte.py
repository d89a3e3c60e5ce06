"""Carte: the selected territory on a map, with layers and an indicator choropleth.

The map is rebuilt only when what it shows changes (territory, layers, indicator,
classification, language, revision) and comes from the cache otherwise. It reports
only clicks on its features: a click selects the territory under it, at the level
shown (the sub-units of the selection), so planners drill down by clicking.
"""

from __future__ import annotations

import streamlit as st

from app_pages import cache, maps, picker, state
from app_pages.state import tr
from app_pages.text import error_reason, literal
from atlas import TerritoryTree
from atlas.choices import CLASSIFICATION_SCHEMES
from atlas.names import SCHOOLS, TERRITORIES, WATER_POINTS
from atlas.snapshot import AtlasSnapshot

MAP_KEY = "carte_map"
LAYERS_KEY = "carte_layers"
INDICATOR_KEY = "carte_indicator"
SCHEME_KEY = "carte_scheme"
CLASSES_KEY = "carte_classes"
LEVEL_KEY = "carte_level"
LEVEL_FOR_KEY = "carte_level_for"
#: The choices above, kept while another page is shown (Streamlit forgets the state of
#: widgets that a run did not draw).
PREFS_KEY = "carte_prefs"
NONE = ""
#: Shown by default: light enough for a first map in under a second.
DEFAULT_LAYERS = (WATER_POINTS, SCHOOLS)


def display_level(tree: TerritoryTree, code: str | None) -> int:
    """Level the map shows below the selection (its sub-units, or itself at the bottom)."""
    if code is None:
        return picker.hierarchy_levels(tree)[1][0]
    here = tree.get(code).level
    deeper = [lv for lv in tree.levels if lv > here]
    return deeper[0] if deeper and tree.children(code) else here


def _defaults(layer_names: list[str], level_options: list[int], default_level: int,
              code: str | None) -> None:
    """Widget values the map needs before the widgets are drawn (see :func:`render`)."""
    defaults = {LAYERS_KEY: [n for n in DEFAULT_LAYERS if n in layer_names],
                INDICATOR_KEY: NONE, SCHEME_KEY: CLASSIFICATION_SCHEMES[0], CLASSES_KEY: 5}
    saved = st.session_state.get(PREFS_KEY, {})
    for key, value in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = saved.get(key, value)
    st.session_state[LAYERS_KEY] = [n for n in st.session_state[LAYERS_KEY]
                                    if n in layer_names]
    # The level follows the selection (its sub-units) unless changed for this territory.
    if st.session_state.get(LEVEL_FOR_KEY, "-") != code \
            or st.session_state.get(LEVEL_KEY) not in level_options:
        st.session_state[LEVEL_KEY] = default_level
        st.session_state[LEVEL_FOR_KEY] = code


def _draw(opened: AtlasSnapshot, url: str, revision: int, lang: str, code: str | None) -> None:
    """The map, from the widget values of this run; a click selects a territory."""
    indicator = st.session_state[INDICATOR_KEY] or None
    level = int(st.session_state[LEVEL_KEY])
    with st.spinner(tr("carte.drawing")):
        fmap = cache.territory_map(url, revision, code, tuple(st.session_state[LAYERS_KEY]),
                                   lang, indicator, level if indicator else None,
                                   st.session_state[SCHEME_KEY],
                                   int(st.session_state[CLASSES_KEY]))
    result = maps.show(fmap, key=MAP_KEY, returned=[maps.OBJECT_CLICK])
    st.caption(tr("carte.click_hint"))
    click = state.new_click(f"{MAP_KEY}:{code}", maps.clicked_point(result, maps.OBJECT_CLICK))
    if click is not None:
        target = maps.territory_at(opened, click["lat"], click["lng"], level)
        if target is not None and target != code:
            state.select(target)
            st.rerun()


def _controls(opened: AtlasSnapshot, tree: TerritoryTree, url: str, revision: int, lang: str,
              layer_names: list[str], level_options: list[int]) -> None:
    """Layers, indicator, level and classification (their values drive the next run)."""
    catalog = opened.catalog
    titles = {name: catalog[name].title(lang) for name in layer_names}
    columns = st.columns([3, 3, 2, 2, 1])
    columns[0].multiselect(tr("carte.layers"), layer_names, key=LAYERS_KEY,
                           format_func=titles.get)
    level = columns[2].selectbox(tr("carte.level"), level_options, key=LEVEL_KEY,
                                 format_func=lambda lv: tree.level_name(lv, lang).capitalize())
    try:
        choices = cache.indicator_choices(url, revision, level, lang)
    except Exception as exc:  # noqa: BLE001 - a failing indicator must not hide the map
        st.warning(tr("carte.no_indicators", reason=error_reason(exc)))
        choices = {}
    if st.session_state.get(INDICATOR_KEY, NONE) not in (NONE, *choices):
        st.session_state[INDICATOR_KEY] = NONE
    indicator = columns[1].selectbox(
        tr("carte.indicator"), [NONE, *choices], key=INDICATOR_KEY,
        format_func={NONE: tr("carte.no_indicator"), **choices}.__getitem__)
    columns[3].selectbox(tr("carte.scheme"), CLASSIFICATION_SCHEMES, key=SCHEME_KEY,
                         format_func=state.labels("carte.scheme_", CLASSIFICATION_SCHEMES).get,
                         disabled=not indicator)
    columns[4].number_input(tr("carte.classes"), min_value=2, max_value=9, key=CLASSES_KEY,
                            disabled=not indicator)


def render() -> None:
    """The Carte page.

    The map is drawn before its controls (in a container placed below them) from the
    values the controls had at the start of the run, so the first map of a visit does
    not wait for the indicator list, which needs the diagnostics of a whole level.
    """
    opened = cache.snapshot()
    url, revision, lang = cache.atlas_url(), opened.revision, state.lang()
    tree = opened.territories
    picker.territory_picker(opened, tree)
    code = state.territory()
    st.title(tr("carte.title"))
    settings = opened.settings
    st.caption(literal(tree.path(code, lang) if code else settings.title_in(lang)))
    layer_names = [n for n in opened.catalog if n != TERRITORIES]
    level_options = [lv for lv in tree.levels if code is None or lv >= tree.get(code).level]
    _defaults(layer_names, level_options, display_level(tree, code), code)
    controls, map_area = st.container(), st.container()
    with map_area:
        _draw(opened, url, revision, lang, code)
        if settings.fictional:
            st.caption(literal(opened.warning(lang)))
    with controls:
        _controls(opened, tree, url, revision, lang, layer_names, level_options)
    st.session_state[PREFS_KEY] = {key: st.session_state[key] for key in
                                   (LAYERS_KEY, INDICATOR_KEY, SCHEME_KEY, CLASSES_KEY)}


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
