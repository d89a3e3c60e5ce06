"""The app's "atlas unavailable" page, seen by every visitor, never shows the password.

AppTest runs app.py with ``ATLAS_URL`` set to malformed or unreachable addresses
carrying ``SECRET``; everything the page holds (every element's protobuf, so labels
and captions too) is searched for it.
"""

from __future__ import annotations

from typing import Any

import pytest
from app_support import APP, TIMEOUT
from streamlit.testing.v1 import AppTest

PASSWORD = "SECRET"



def page_text(at: AppTest) -> str:
    """Every element of the page, serialised (text, labels, help, captions...)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            found.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(found)


@pytest.mark.parametrize(("url", "sentence"), [
    ("postgresql://admin:SECRET@localhost:54x2/atlas", "Port invalide"),
    ("postgresql://admin:SECRET@localhost:5432/atlas?schema=Saint_Louis",
     "Nom de schéma refusé"),
    ("postgresql://admin:SECRET@localhost:5432", "ne nomme aucune base"),
    ("postgis://admin:SECRET@localhost/atlas", "non reconnue"),
    ("postgresql://admin:SECRET@127.0.0.1:1/atlas", "Connexion impossible"),
])
def test_the_unavailable_atlas_page_names_the_problem_without_the_password(
        app_env, monkeypatch, url, sentence):
    monkeypatch.setenv("ATLAS_URL", url)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1 and sentence in at.error[0].value
    # The page escapes Markdown (backslashes, invisible joiners): read it as shown.
    shown = at.error[0].value.replace("\u2060", "").replace("\\", "")
    assert "admin:***@" in shown
    assert PASSWORD not in page_text(at)
