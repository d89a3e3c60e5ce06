"""Widget values that outlive their widgets and follow the language.

Streamlit forgets the value of a widget that a run does not draw (the set of
territories is not drawn in full screen, the Carte controls are not drawn on the
other pages), and a widget whose key stays the same across a language switch may keep
the option labels of the old language in the browser. So the value lives under a key
the app owns (a plain session key, never a widget's), and the widget gets a key of its
own that carries the language: :func:`bind` copies the owned value into the widget
before it is drawn and back on change.
"""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

from . import state


def widget_key(name: str) -> str:
    """The key of the widget that shows the owned value ``name`` in this language."""
    return f"{name}@{state.lang()}"


def keep(name: str, key: str) -> None:
    """Copy a widget's new value into the owned key (an ``on_change`` callback)."""
    st.session_state[name] = copy.copy(st.session_state.get(key))


def bind(name: str, default: Any = None) -> dict[str, Any]:
    """``key``, ``on_change`` and ``args`` for a widget showing the owned value ``name``.

    Spread into the widget call: ``st.selectbox(label, options, **bind(NAME))``. The
    owned value starts at ``default`` and is copied into the widget at every draw, so a
    value changed by the program (a map click, a restored link) is what the widget shows.
    """
    if name not in st.session_state:
        st.session_state[name] = copy.copy(default)
    key = widget_key(name)
    st.session_state[key] = copy.copy(st.session_state[name])
    return {"key": key, "on_change": keep, "args": (name, key)}
