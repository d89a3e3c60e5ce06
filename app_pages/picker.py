"""Choosing a territory: one selectbox per level (région → département → commune) or a search.

The selected territory lives in :mod:`.state`; the selectboxes are re-synchronised
from it at every run (a map click or a search result changes it between runs), and
their callbacks write it back. Level labels come from the atlas's settings, so a
Moroccan atlas says « province » where a Senegalese one says « département ».
"""

from __future__ import annotations

import streamlit as st

from atlas import TerritoryTree
from atlas.snapshot import AtlasSnapshot

from . import state
from .state import tr
from .text import literal

SEARCH_KEY = "territory_search"
MAX_RESULTS = 8


def pick_key(level: int) -> str:
    """Session key of the selectbox of one level."""
    return f"pick_{level}"


def hierarchy_levels(tree: TerritoryTree) -> tuple[str | None, list[int]]:
    """The common root (a single country, never shown) and the levels to choose from."""
    roots = tree.roots()
    if len(roots) == 1 and tree.children(roots[0]):
        top = tree.get(roots[0]).level
        return roots[0], [lv for lv in tree.levels if lv > top]
    return None, list(tree.levels)


def _chain(tree: TerritoryTree, code: str | None) -> dict[int, str]:
    if code is None or code not in tree:
        return {}
    return {tree.get(c).level: c for c in [code, *tree.ancestors(code)]}


def _on_pick(level: int, root: str | None) -> None:
    value = st.session_state.get(pick_key(level)) or None
    if value is None:
        # "All": the parent level's choice, or the whole atlas.
        above = [lv for lv in sorted(st.session_state.get("_pick_levels", [])) if lv < level]
        values = [st.session_state.get(pick_key(lv)) for lv in above]
        value = next((v for v in reversed(values) if v), None)
    state.select(value)


def _on_result(code: str) -> None:
    state.select(code)
    st.session_state[SEARCH_KEY] = ""


def territory_picker(atlas: AtlasSnapshot, tree: TerritoryTree, *,
                     container: object = None) -> None:
    """Draw the hierarchy selectboxes and the search box (in the sidebar by default)."""
    lang = state.lang()
    place = container or st.sidebar
    root, levels = hierarchy_levels(tree)
    st.session_state["_pick_levels"] = levels
    selected = state.territory()
    if selected is not None and selected not in tree:
        state.select(None)
        selected = None
    chain = _chain(tree, selected)
    level_of = tree.frame["level"]
    with place.container():  # type: ignore[attr-defined]
        st.subheader(tr("picker.title"))
        parent = root
        for level in levels:
            key = pick_key(level)
            want = chain.get(level, "")
            # Always (re)set: after a page switch the browser draws a new selectbox, which
            # would show "All" while the session still holds the old choice.
            st.session_state[key] = want
            if parent is None and level != levels[0]:
                break
            children = [c for c in (tree.children(parent) if parent else tree.roots())
                        if level_of[c] == level]
            options = ["", *children]
            names = {"": tr("picker.all"), **{c: tree.name(c) for c in children}}
            st.selectbox(literal(tree.level_name(level, lang).capitalize()), options, key=key,
                         format_func=lambda c, names=names: names.get(c, c),
                         on_change=_on_pick, args=(level, root))
            parent = want or None
            if parent is None:
                break
        text = st.text_input(tr("picker.search"), key=SEARCH_KEY,
                             placeholder=tr("picker.search_hint"))
        if text and text.strip():
            found = tree.search(text, limit=MAX_RESULTS)
            if not found:
                st.caption(tr("picker.no_result"))
            for code in found:
                here = tree.get(code)
                label = f"{here.name} · {tree.level_name(here.level, lang)}"
                parent_code = tree.parent(code)
                if parent_code and parent_code != root:
                    label += f" · {tree.name(parent_code)}"
                st.button(literal(label), key=f"result_{code}", on_click=_on_result, args=(code,),
                          width="stretch")
        if selected is not None:
            st.caption(literal(tree.path(selected, lang)))
