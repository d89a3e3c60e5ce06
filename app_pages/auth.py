"""Editor sign-in in the sidebar; write actions ask :func:`require_editor` first.

Viewers see and download everything without an account. The password is typed in a
form that clears itself on submit and is never kept in the session: only the editor's
name is, and :func:`atlas.auth.sign_in` applies the per-name rate limit.
"""

from __future__ import annotations

import streamlit as st

from atlas.auth import EditorStore, sign_in
from atlas.errors import AtlasError

from . import state
from .state import tr

FORM_KEY = "sign_in_form"
NAME_KEY = "sign_in_name"
PASSWORD_KEY = "sign_in_password"
MESSAGE_KEY = "sign_in_message"


def _sign_out() -> None:
    st.session_state[state.EDITOR] = None
    st.session_state[MESSAGE_KEY] = None


def _client() -> str | None:
    """The browser's address, when Streamlit knows it (not for local connections)."""
    try:
        return st.context.ip_address
    except Exception:  # noqa: BLE001 - no request context (tests, bare mode)
        return None


def _submit() -> None:
    """Check the password before the run, then wipe it from the session at once."""
    name = str(st.session_state.get(NAME_KEY) or "")
    password = str(st.session_state.get(PASSWORD_KEY) or "")
    st.session_state[PASSWORD_KEY] = ""
    try:
        outcome = sign_in(name, password, store=EditorStore(), client=_client())
    except AtlasError as exc:
        st.session_state[MESSAGE_KEY] = exc.message(state.lang())
        return
    if outcome.ok:
        st.session_state[state.EDITOR] = outcome.user
        st.session_state[MESSAGE_KEY] = None
    else:
        st.session_state[MESSAGE_KEY] = outcome.message(state.lang())


def sign_in_box() -> None:
    """The sign-in form, or the signed-in editor with a sign-out button."""
    with st.sidebar.expander(tr("auth.title"), expanded=False):
        user = state.editor()
        if user:
            st.success(tr("auth.signed_in", user=user))
            st.button(tr("auth.sign_out"), key="sign_out", on_click=_sign_out)
            return
        with st.form(FORM_KEY, clear_on_submit=True):
            st.text_input(tr("auth.name"), key=NAME_KEY)
            st.text_input(tr("auth.password"), type="password", key=PASSWORD_KEY)
            st.form_submit_button(tr("auth.submit"), on_click=_submit)
        message = st.session_state.get(MESSAGE_KEY)
        if message:
            st.error(message)
        st.caption(tr("auth.viewers"))


def require_editor() -> str | None:
    """The signed-in editor, or None after explaining that writing needs a sign-in."""
    user = state.editor()
    if not user:
        st.info(tr("auth.required"))
    return user
