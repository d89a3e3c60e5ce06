"""Editor sign-in in the sidebar; write actions ask :func:`require_editor` first.

Viewers see and download everything without an account; importing a file (even only
analysing it) and restoring a revision need a sign-in. The password is typed in a
form that clears itself on submit and is never kept in the session: only the editor's
name is, and :func:`atlas.auth.sign_in` applies the per-name rate limit.
"""

from __future__ import annotations

import streamlit as st

from atlas.auth import EditorStore, client_address, sign_in

from . import state
from .state import tr
from .text import error_sentence, literal, tr_literal

FORM_KEY = "sign_in_form"
NAME_KEY = "sign_in_name"
PASSWORD_KEY = "sign_in_password"
MESSAGE_KEY = "sign_in_message"


def _sign_out() -> None:
    st.session_state[state.EDITOR] = None
    st.session_state[MESSAGE_KEY] = None
    st.session_state[state.PLAN] = None  # an editor's upload is not left to the next visitor


def _client() -> str:
    """The rate-limit key of the browser (forwarded address behind ATLAS_TRUSTED_PROXY)."""
    try:
        peer, headers = st.context.ip_address, st.context.headers
    except Exception:  # noqa: BLE001 - no request context (tests, bare mode)
        peer, headers = None, None
    return client_address(peer, headers)


def _submit() -> None:
    """Check the password before the run, then wipe it from the session at once."""
    name = str(st.session_state.get(NAME_KEY) or "")
    password = str(st.session_state.get(PASSWORD_KEY) or "")
    st.session_state[PASSWORD_KEY] = ""
    try:
        outcome = sign_in(name, password, store=EditorStore(), client=_client())
    except Exception as exc:  # noqa: BLE001 - e.g. an unreadable editors file: a sentence
        st.session_state[MESSAGE_KEY] = error_sentence(exc)
        return
    if outcome.ok:
        st.session_state[state.EDITOR] = outcome.user
        st.session_state[MESSAGE_KEY] = None
    else:
        st.session_state[MESSAGE_KEY] = literal(outcome.message(state.lang()))


def sign_in_box() -> None:
    """The sign-in form, or the signed-in editor with a sign-out button."""
    with st.sidebar.expander(tr("auth.title"), expanded=False):
        user = state.editor()
        if user:
            st.success(tr_literal("auth.signed_in", user=user))
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
