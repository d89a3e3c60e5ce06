"""Atelier: a workshop screen — territories presented in large type, and a what-if mode.

In presentation mode the sidebar and Streamlit's toolbar are hidden and the type is
enlarged, so a projector in a commune hall shows one territory at a time: its key
figures beside its parent's, and its map fitted to the screen. The facilitator moves
with the buttons or the keyboard (:mod:`.keys`: arrows, PageUp/PageDown, Home/End,
Escape). The set of territories, the slide and full screen are kept in keys of their
own (:mod:`.state`), not in widgets, so a rerun in full screen — where the set's widget
is not drawn — never loses them. In the what-if mode the facilitator clicks the map to
propose water points; the population newly within reach is recomputed at each click
(:func:`atlas.diagnostics.what_if`, nothing is written), in large type in full screen,
and the proposals can be taken away as GeoJSON or as the reader's CSV. The map reports
only clicks, and proposals are added to it without reloading it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import cache, keys, maps, picker, state
from app_pages.state import tr
from app_pages.text import error_reason, html_literal, literal, tr_literal
from app_pages.widgets import bind, keep
from atlas import TerritoryTree
from atlas.names import WATER_POINTS
from atlas.snapshot import AtlasSnapshot

TYPE_KEY = "whatif_type"
DISTANCE_KEY = "whatif_distance"
MODE_KEY = "atelier_mode"
WHATIF_MAP_KEY = "whatif_map"
SLIDE_MAP_KEY = "slide_map"
#: Containers whose map the key script fits to the window in full screen.
SLIDE_MAP_BOX = "slide_map_box"
WHATIF_MAP_BOX = "whatif_map_box"
#: Key figures of a slide: (indicator, breakdown).
KEY_FIGURES = (("pop_total", ""), ("pop_within_500m", ""), ("wp_functional", ""),
               ("sch_water_basic", ""), ("priority_localities", "localities"))
#: Not only a <style>: Streamlit sends style-only HTML to a container where, in 1.67, it
#: does not reach the page, so an empty marker element comes with it.
LARGE_TYPE = """<span class="atlas-presenting"></span>
<style>
[data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stSidebarCollapsedControl"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 0.75rem; padding-bottom: 0.5rem;
  max-width: 100%; }
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label {
  font-size: 1.5rem !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] p {
  font-size: 3.2rem !important; line-height: 1.15 !important; }
[data-testid="stMetricLabel"] p { font-size: 1.4rem !important; }
[data-testid="stDataFrame"] { font-size: 1.3rem; }
h1 { font-size: 3.2rem !important; padding-top: 0 !important; }
.atlas-legend { font-size: 1.4rem; }
</style>
"""
#: Map height before the key script fits it to the window (and if scripts are off).
MAP_HEIGHT = {False: 480, True: 560}
#: Rows of the gain table shown in full screen without scrolling.
TABLE_ROWS = 6


def _default_set(tree: TerritoryTree, code: str | None) -> list[str]:
    if code is None:
        root = picker.hierarchy_levels(tree)[0]
        return tree.children(root) if root else tree.roots()
    return tree.children(code) or [code]


def _label(tree: TerritoryTree, code: str, lang: str) -> str:
    return f"{tree.name(code)} ({tree.level_name(tree.get(code).level, lang)})"


def _move(step: int, count: int) -> None:
    st.session_state[state.SLIDE] = (st.session_state.get(state.SLIDE, 0) + step) % count


def _go(index: int) -> None:
    st.session_state[state.SLIDE] = index


def _toggle_presenting() -> None:
    st.session_state[state.PRESENTING] = not st.session_state.get(state.PRESENTING, False)


def _set_changed() -> None:
    """The facilitator edited the set: start again from its first territory."""
    st.session_state[state.SLIDE] = 0


def _slide_set(tree: TerritoryTree, code: str | None) -> list[str]:
    """The territories presented: the selection's sub-units until the facilitator edits it."""
    if st.session_state.get(state.SLIDE_SET) is None \
            or st.session_state.get(state.SLIDE_SET_FOR, "-") != code:
        st.session_state[state.SLIDE_SET] = _default_set(tree, code)
        st.session_state[state.SLIDE_SET_FOR] = code
        st.session_state[state.SLIDE] = 0
    return [c for c in st.session_state[state.SLIDE_SET] if c in tree]


def _figures(url: str, revision: int, code: str, per_row: int) -> None:
    table = cache.territory_table(url, revision, code, state.lang())
    parts = table["breakdown"].fillna("").astype(str)
    shown = []
    for indicator, breakdown in KEY_FIGURES:
        rows = table[(table["indicator"] == indicator) & (parts == breakdown)]
        if not rows.empty and rows["value"].notna().any():
            shown.append(rows.iloc[0])
    if not shown:
        return
    columns = [c for start in range(0, len(shown), per_row)
               for c in st.columns(per_row)][:len(shown)]
    for column, row in zip(columns, shown, strict=True):
        unit = f" {row['unit']}" if isinstance(row["unit"], str) \
            and row["unit"] not in ("", "nb") else ""
        parent = row["parent_value"]
        with column:
            st.metric(literal(row["label"]), literal(state.number(row["value"], 0) + unit))
            if pd.notna(parent):  # in sight, not behind a "?" a projector cannot hover
                st.caption(tr_literal("atelier.parent_caption",
                                      value=state.number(parent, 0) + unit))


def _nav(index: int, count: int, presenting: bool) -> None:
    """First, previous, next, last, position and the full-screen switch."""
    nav = st.columns([1, 2, 2, 1, 3, 3])
    nav[0].button(tr("atelier.first"), on_click=_go, args=(0,), key="slide_first",
                  help=tr("atelier.first_help"), width="stretch")
    nav[1].button(tr("atelier.previous"), on_click=_move, args=(-1, count),
                  key="slide_previous", width="stretch")
    nav[2].button(tr("atelier.next"), on_click=_move, args=(1, count),
                  key="slide_next", width="stretch")
    nav[3].button(tr("atelier.last"), on_click=_go, args=(count - 1,), key="slide_last",
                  help=tr("atelier.last_help"), width="stretch")
    nav[4].markdown(tr("atelier.position", number=index + 1, total=count))
    _present_button(nav[5], presenting)


def _present_button(place: object, presenting: bool) -> None:
    place.button(tr("atelier.leave" if presenting else "atelier.present"),  # type: ignore[attr-defined]
                 on_click=_toggle_presenting, key="present_toggle", type="primary",
                 width="stretch")


def _slide_map(url: str, revision: int, slide: str, layers: tuple[str, ...],
               presenting: bool) -> None:
    with st.container(key=SLIDE_MAP_BOX):
        with st.spinner(tr("atelier.preparing_map")):
            fmap = cache.territory_map(url, revision, slide, layers, state.lang())
        # Another key in full screen: the map is drawn anew at the wider size.
        maps.show(fmap, key=f"{SLIDE_MAP_KEY}_{int(presenting)}", returned=[],
                  height=MAP_HEIGHT[presenting], wheel_zoom=not presenting)


def _presentation(opened: AtlasSnapshot, tree: TerritoryTree, url: str, revision: int,
                  lang: str) -> None:
    code = state.territory()
    chosen = _slide_set(tree, code)
    presenting = bool(st.session_state.get(state.PRESENTING))
    if presenting:
        st.html(LARGE_TYPE)
    else:
        st.multiselect(tr("atelier.set"), list(tree.frame.index),
                       format_func=lambda c: _label(tree, c, lang),
                       placeholder=tr("atelier.set_placeholder"),
                       **bind(state.SLIDE_SET) | {"on_change": _keep_set})
        chosen = [c for c in st.session_state[state.SLIDE_SET] if c in tree]
    if not chosen:
        st.info(tr("atelier.empty_set"))
        keys.listen(presenting=presenting)
        if presenting:
            _present_button(st, presenting)
        return
    index = st.session_state.get(state.SLIDE, 0) % len(chosen)
    st.session_state[state.SLIDE] = index
    slide = chosen[index]
    _nav(index, len(chosen), presenting)
    layers = (WATER_POINTS,) if WATER_POINTS in opened.catalog else ()
    here = tree.get(slide)
    if presenting:  # figures beside the map: the whole slide fits the screen
        left, right = st.columns([2, 3])
        with left:
            st.title(literal(here.name))
            st.markdown(literal(tree.path(slide, lang)))
            _figures(url, revision, slide, per_row=2)
        with right:
            _slide_map(url, revision, slide, layers, presenting)
    else:
        st.title(literal(here.name))
        st.markdown(literal(tree.path(slide, lang)))
        _figures(url, revision, slide, per_row=3)
        _slide_map(url, revision, slide, layers, presenting)
        st.caption(tr("atelier.keys_hint"))
        parent = state.territory()
        st.download_button(
            tr("atelier.book"),
            lambda: cache.presentation_html(url, revision, parent, lang),
            file_name=f"presentation_{parent or 'atlas'}_{lang}.html", mime="text/html",
            key="dl_book", on_click="ignore")
    keys.listen(presenting=presenting, fit_box=SLIDE_MAP_BOX if presenting else None)


def _keep_set(name: str, key: str) -> None:
    """The set's widget changed: keep its value (owned key) and restart the slides."""
    keep(name, key)
    _set_changed()


def _type_labels(opened: AtlasSnapshot, lang: str) -> dict[str, str]:
    catalog = opened.catalog
    if WATER_POINTS not in catalog:
        return {}
    spec = catalog[WATER_POINTS]
    if not spec.has_field("technology"):
        return {}
    return {v.code: v.label(lang) for v in spec.field("technology").values
            if v.attrs.get("sphere_class")}


def _undo() -> None:
    st.session_state[state.PROPOSALS] = st.session_state[state.PROPOSALS][:-1]


def _clear() -> None:
    st.session_state[state.PROPOSALS] = []


def _what_if_controls(labels: dict[str, str], presenting: bool) -> tuple[str, float]:
    controls = st.columns([3, 2, 1, 1, 2])
    kind = controls[0].selectbox(tr("atelier.type"), list(labels), format_func=labels.get,
                                 **bind(TYPE_KEY, next(iter(labels))))
    if kind not in labels:  # a type of another atlas, kept in the session
        kind = st.session_state[TYPE_KEY] = next(iter(labels))
    distance = controls[1].number_input(tr("atelier.distance"), min_value=50, max_value=5000,
                                        step=50, **bind(DISTANCE_KEY, 500))
    controls[2].button(tr("atelier.undo"), on_click=_undo, key="whatif_undo",
                       disabled=not st.session_state[state.PROPOSALS], width="stretch")
    controls[3].button(tr("atelier.clear"), on_click=_clear, key="whatif_clear",
                       disabled=not st.session_state[state.PROPOSALS], width="stretch")
    _present_button(controls[4], presenting)
    return str(kind), float(distance)


def _proposals_legend(count: int) -> None:
    """The proposals' symbol and count, beside the map (the map's legend is the renderer's)."""
    style = maps.PROPOSAL_STYLE
    st.html(f'<div class="atlas-legend"><span style="display:inline-block;width:1em;'
            f'height:1em;border-radius:50%;vertical-align:middle;'
            f'background:{style["fillColor"]};border:3px solid {style["color"]}"></span> '
            f'{html_literal(tr("atelier.legend_proposals", count=count))}</div>')


def _what_if(opened: AtlasSnapshot, tree: TerritoryTree, url: str, revision: int,
             lang: str) -> None:
    code = state.territory()
    presenting = bool(st.session_state.get(state.PRESENTING))
    labels = _type_labels(opened, lang)
    if presenting:
        st.html(LARGE_TYPE)
    if not labels:
        st.warning(tr("atelier.no_water_layer"))
        if presenting:
            _present_button(st, presenting)
        return
    if not presenting:
        st.caption(tr("atelier.whatif_hint"))
    kind, distance = _what_if_controls(labels, presenting)
    proposals = list(st.session_state[state.PROPOSALS])
    if presenting:  # the figures and the gain table beside the map, in sight
        map_place, side = st.columns([3, 2])
    else:
        map_place = side = st.container()
    with map_place, st.container(key=WHATIF_MAP_BOX):
        with st.spinner(tr("atelier.preparing_map")):
            fmap = cache.territory_map(url, revision, code, (WATER_POINTS,), lang)
        group = maps.proposals_group(proposals, labels, tr("atelier.proposals"))
        # A click on the background reports "last_clicked"; one on a water point or a
        # boundary may report only "last_object_clicked": either proposes a point there.
        result = maps.show(fmap, key=WHATIF_MAP_KEY, extra=group,
                           returned=[maps.MAP_CLICK, maps.OBJECT_CLICK],
                           height=MAP_HEIGHT[presenting], wheel_zoom=not presenting)
    clicks = [state.new_click(f"{WHATIF_MAP_KEY}:{code}:{name}",
                              maps.clicked_point(result, name))
              for name in (maps.MAP_CLICK, maps.OBJECT_CLICK)]
    places = {(round(c["lng"], 6), round(c["lat"], 6)) for c in clicks if c is not None}
    if places:
        st.session_state[state.PROPOSALS] = [
            *proposals, *({"lon": lon, "lat": lat, "type": kind} for lon, lat in sorted(places))]
        st.rerun()
    with side:
        _what_if_figures(tree, url, revision, code, proposals, labels, distance, presenting)
    keys.listen(presenting=presenting, fit_box=WHATIF_MAP_BOX if presenting else None)


def _what_if_figures(tree: TerritoryTree, url: str, revision: int, code: str | None,
                     proposals: list[dict], labels: dict[str, str], distance: float,
                     presenting: bool) -> None:
    """The gain of the proposals: three figures, the legend, the table, the downloads."""
    try:
        with st.spinner(tr("atelier.computing")):
            table = cache.what_if_table(
                url, revision, tuple((p["lon"], p["lat"], p["type"]) for p in proposals),
                tree.finest_level, float(distance), code)
    except Exception as exc:  # noqa: BLE001 - say why instead of breaking the workshop
        st.error(tr("atelier.whatif_failed", reason=error_reason(exc)))
        return
    population = float(table["population"].sum())
    before = float(table["covered_before"].sum())
    after = float(table["covered_after"].sum())
    share = (lambda v: v / population * 100) if population else (lambda v: 0.0)
    figures = st.columns(2 if presenting else 3)
    figures[0].metric(tr("atelier.proposal_count"), state.number(len(proposals), 0))
    figures[1].metric(tr("atelier.gain"), state.number(after - before, 0))
    (st if presenting else figures[2]).metric(
        tr("atelier.coverage"), f"{state.number(share(after), 1)} %",
        delta=f"{state.number(share(after) - share(before), 1)} pts")
    if proposals:
        _proposals_legend(len(proposals))
    changed = table[(table["gain"] > 0) | (table["proposals"] > 0)]
    if not changed.empty:
        changed = changed.sort_values("gain", ascending=False)
        st.dataframe({
            tr("atelier.col_territory"): changed["territory_name"].tolist(),
            tr("atelier.col_gain"): [state.number(v, 0) for v in changed["gain"]],
            tr("atelier.col_before"): [f"{state.number(v, 1)} %"
                                       for v in changed["share_before"]],
            tr("atelier.col_after"): [f"{state.number(v, 1)} %" for v in changed["share_after"]],
        }, hide_index=True, width="stretch",
            height=min(len(changed), TABLE_ROWS) * 35 + 38 if presenting else "auto")
    if proposals and not presenting:
        geojson, csv = cache.proposals_files(proposals, labels, state.lang())
        downloads = st.columns(2)
        downloads[0].download_button(tr("atelier.geojson"), geojson,
                                     file_name="propositions.geojson",
                                     mime="application/geo+json", key="dl_geojson",
                                     on_click="ignore")
        downloads[1].download_button(tr("atelier.csv"), csv, file_name="propositions.csv",
                                     mime="text/csv", key="dl_proposals_csv",
                                     on_click="ignore")


def render() -> None:
    """The Atelier page."""
    opened = cache.snapshot()
    url, revision, lang = cache.atlas_url(), opened.revision, state.lang()
    tree = opened.territories
    if not st.session_state.get(state.PRESENTING):
        picker.territory_picker(opened, tree)
        st.title(tr("atelier.title"))
    modes = ["present", "whatif"]
    mode = st.segmented_control(tr("atelier.mode"), modes,
                                format_func=state.labels("atelier.mode_", modes).__getitem__,
                                required=True, label_visibility="collapsed",
                                **bind(MODE_KEY, "present"))
    if mode == "whatif":
        _what_if(opened, tree, url, revision, lang)
    else:
        _presentation(opened, tree, url, revision, lang)


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
