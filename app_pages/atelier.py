"""Atelier: a workshop screen — territories presented in large type, and a what-if mode.

In presentation mode the sidebar and Streamlit's toolbar are hidden and the type is
enlarged, so a projector in a commune hall shows one territory at a time: its key
figures beside its parent's, and its map. In the what-if mode the facilitator clicks
the map to propose water points; the population newly within reach is recomputed at
each click (:func:`atlas.diagnostics.what_if`, nothing is written) and the proposals
can be taken away as GeoJSON or CSV. The map reports only clicks, and proposals are
added to it without reloading it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import cache, maps, picker, state
from app_pages.state import tr
from app_pages.text import error_reason, literal, tr_literal
from atlas import TerritoryTree
from atlas.names import WATER_POINTS
from atlas.snapshot import AtlasSnapshot

SET_KEY = "atelier_set"
SET_FOR_KEY = "atelier_set_for"
TYPE_KEY = "whatif_type"
DISTANCE_KEY = "whatif_distance"
WHATIF_MAP_KEY = "whatif_map"
SLIDE_MAP_KEY = "slide_map"
#: Key figures of a slide: (indicator, breakdown).
KEY_FIGURES = (("pop_total", ""), ("pop_within_500m", ""), ("wp_functional", ""),
               ("sch_water_basic", ""), ("priority_localities", "localities"))
#: Not only a <style>: Streamlit sends style-only HTML to a container where, in 1.67, it
#: does not reach the page, so an empty marker element comes with it.
LARGE_TYPE = """<span class="atlas-presenting"></span>
<style>
[data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stSidebarCollapsedControl"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 1rem; max-width: 100%; }
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label {
  font-size: 1.5rem !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] p {
  font-size: 3.2rem !important; line-height: 1.2 !important; }
[data-testid="stMetricLabel"] p { font-size: 1.4rem !important; }
h1 { font-size: 3.6rem !important; }
</style>
"""


def _default_set(tree: TerritoryTree, code: str | None) -> list[str]:
    if code is None:
        root = picker.hierarchy_levels(tree)[0]
        return tree.children(root) if root else tree.roots()
    return tree.children(code) or [code]


def _label(tree: TerritoryTree, code: str, lang: str) -> str:
    return f"{tree.name(code)} ({tree.level_name(tree.get(code).level, lang)})"


def _move(step: int, count: int) -> None:
    st.session_state[state.SLIDE] = (st.session_state.get(state.SLIDE, 0) + step) % count


def _toggle_presenting() -> None:
    st.session_state[state.PRESENTING] = not st.session_state.get(state.PRESENTING, False)


def _figures(url: str, revision: int, code: str, lang: str) -> None:
    table = cache.territory_table(url, revision, code, lang)
    parts = table["breakdown"].fillna("").astype(str)
    shown = []
    for indicator, breakdown in KEY_FIGURES:
        rows = table[(table["indicator"] == indicator) & (parts == breakdown)]
        if not rows.empty and rows["value"].notna().any():
            shown.append(rows.iloc[0])
    if not shown:
        return
    per_row = 3  # labels are long sentences: three figures side by side stay readable
    columns = [c for start in range(0, len(shown), per_row)
               for c in st.columns(per_row)][:len(shown)]
    for column, row in zip(columns, shown, strict=True):
        unit = f" {row['unit']}" if isinstance(row["unit"], str) \
            and row["unit"] not in ("", "nb") else ""
        parent = row["parent_value"]
        column.metric(literal(row["label"]), literal(state.number(row["value"], 0) + unit),
                      help=tr_literal("atelier.parent_value",
                                      value=state.number(parent, 0) + unit)
                      if pd.notna(parent) else None)


def _presentation(opened: AtlasSnapshot, tree: TerritoryTree, url: str, revision: int,
                  lang: str) -> None:
    code = state.territory()
    catalog = opened.catalog
    if st.session_state.get(SET_FOR_KEY, "-") != code or SET_KEY not in st.session_state:
        st.session_state[SET_KEY] = _default_set(tree, code)
        st.session_state[SET_FOR_KEY] = code
        st.session_state[state.SLIDE] = 0
    presenting = bool(st.session_state.get(state.PRESENTING))
    if presenting:
        st.html(LARGE_TYPE)
    else:
        st.multiselect(tr("atelier.set"), list(tree.frame.index), key=SET_KEY,
                       format_func=lambda c: _label(tree, c, lang))
    chosen = [c for c in st.session_state.get(SET_KEY, []) if c in tree]
    if not chosen:
        st.info(tr("atelier.empty_set"))
        return
    index = st.session_state.get(state.SLIDE, 0) % len(chosen)
    slide = chosen[index]
    nav = st.columns([2, 2, 4, 3])
    nav[0].button(tr("atelier.previous"), on_click=_move, args=(-1, len(chosen)),
                  key="slide_previous", width="stretch")
    nav[1].button(tr("atelier.next"), on_click=_move, args=(1, len(chosen)),
                  key="slide_next", width="stretch")
    nav[2].markdown(tr("atelier.position", number=index + 1, total=len(chosen)))
    nav[3].button(tr("atelier.leave" if presenting else "atelier.present"),
                  on_click=_toggle_presenting, key="present_toggle", type="primary",
                  width="stretch")
    here = tree.get(slide)
    st.title(literal(here.name))
    st.markdown(literal(tree.path(slide, lang)))
    _figures(url, revision, slide, lang)
    layers = (WATER_POINTS,) if WATER_POINTS in catalog else ()
    fmap = cache.territory_map(url, revision, slide, layers, lang)
    # Another key in full screen: the map is drawn anew at the wider size.
    maps.show(fmap, key=f"{SLIDE_MAP_KEY}_{int(presenting)}", returned=[],
              height=620 if presenting else 480)
    if not presenting:
        parent = state.territory()
        st.download_button(
            tr("atelier.book"),
            lambda: cache.presentation_html(url, revision, parent, lang),
            file_name=f"presentation_{parent or 'atlas'}_{lang}.html", mime="text/html",
            key="dl_book", on_click="ignore")


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


def _what_if(opened: AtlasSnapshot, tree: TerritoryTree, url: str, revision: int,
             lang: str) -> None:
    code = state.territory()
    labels = _type_labels(opened, lang)
    if not labels:
        st.warning(tr("atelier.no_water_layer"))
        return
    st.caption(tr("atelier.whatif_hint"))
    controls = st.columns([3, 2, 1, 1])
    kind = controls[0].selectbox(tr("atelier.type"), list(labels), key=TYPE_KEY,
                                 format_func=labels.get)
    distance = controls[1].number_input(tr("atelier.distance"), min_value=50, max_value=5000,
                                        value=500, step=50, key=DISTANCE_KEY)
    controls[2].button(tr("atelier.undo"), on_click=_undo, key="whatif_undo",
                       disabled=not st.session_state[state.PROPOSALS], width="stretch")
    controls[3].button(tr("atelier.clear"), on_click=_clear, key="whatif_clear",
                       disabled=not st.session_state[state.PROPOSALS], width="stretch")
    proposals = list(st.session_state[state.PROPOSALS])
    fmap = cache.territory_map(url, revision, code, (WATER_POINTS,), lang)
    group = maps.proposals_group(proposals, labels, tr("atelier.proposals"))
    # A click on the background reports "last_clicked"; one on a water point or a
    # boundary may report only "last_object_clicked": either proposes a point there.
    result = maps.show(fmap, key=WHATIF_MAP_KEY, returned=[maps.MAP_CLICK, maps.OBJECT_CLICK],
                       extra=group)
    clicks = [state.new_click(f"{WHATIF_MAP_KEY}:{code}:{name}",
                              maps.clicked_point(result, name))
              for name in (maps.MAP_CLICK, maps.OBJECT_CLICK)]
    places = {(round(c["lng"], 6), round(c["lat"], 6)) for c in clicks if c is not None}
    if places:
        st.session_state[state.PROPOSALS] = [
            *proposals, *({"lon": lon, "lat": lat, "type": kind} for lon, lat in sorted(places))]
        st.rerun()
    level = tree.finest_level
    try:
        table = cache.what_if_table(
            url, revision, tuple((p["lon"], p["lat"], p["type"]) for p in proposals),
            level, float(distance), code)
    except Exception as exc:  # noqa: BLE001 - say why instead of breaking the workshop
        st.error(tr("atelier.whatif_failed", reason=error_reason(exc)))
        return
    population = float(table["population"].sum())
    before = float(table["covered_before"].sum())
    after = float(table["covered_after"].sum())
    share = (lambda v: v / population * 100) if population else (lambda v: 0.0)
    figures = st.columns(3)
    figures[0].metric(tr("atelier.proposal_count"), state.number(len(proposals), 0))
    figures[1].metric(tr("atelier.gain"), state.number(after - before, 0))
    figures[2].metric(tr("atelier.coverage"), f"{state.number(share(after), 1)} %",
                      delta=f"{state.number(share(after) - share(before), 1)} pts")
    changed = table[(table["gain"] > 0) | (table["proposals"] > 0)]
    if not changed.empty:
        st.dataframe({
            tr("atelier.col_territory"): changed["territory_name"].tolist(),
            tr("atelier.col_gain"): [state.number(v, 0) for v in changed["gain"]],
            tr("atelier.col_before"): [f"{state.number(v, 1)} %"
                                       for v in changed["share_before"]],
            tr("atelier.col_after"): [f"{state.number(v, 1)} %" for v in changed["share_after"]],
        }, hide_index=True, width="stretch")
    if proposals:
        geojson, csv = cache.proposals_files(proposals)
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
    mode = st.segmented_control(tr("atelier.mode"), modes, key="atelier_mode",
                                format_func=state.labels("atelier.mode_", modes).__getitem__,
                                default="present", required=True,
                                label_visibility="collapsed")
    if mode == "whatif":
        st.session_state[state.PRESENTING] = False
        _what_if(opened, tree, url, revision, lang)
    else:
        _presentation(opened, tree, url, revision, lang)


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
