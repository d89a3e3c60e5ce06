"""Names from the data reach Streamlit escaped wherever Streamlit reads Markdown (AppTest).

The demo atlas's region Korel, and the atlas's title, are renamed with Markdown
that would fetch an image and show a link. On every page (and in the territory
search) each string handed to an element that Streamlit renders as Markdown —
text, headings, captions, alerts, the labels of buttons, widgets, metrics,
expanders and tabs — keeps that Markdown inert: no unescaped ``[`` or ``<``, no
bare ``http://`` that would become a link. tests/app/test_app_browser_hostile.py
shows the same pages in Chromium.
"""

from __future__ import annotations

import re

import pytest
from app_support import assert_ok, new_app, pick

HOSTILE = ("Korel ![px](http://127.0.0.1:9/pixel.png) [Mot de passe](http://evil.example/) "
           "<img src=x> :red[alerte] $x$")
REGION = "ZZ01"
#: Markdown that is still live: a link or image bracket, an HTML or autolink angle
#: bracket, a Streamlit directive colon or a LaTeX dollar not escaped by a backslash,
#: or a bare URL (Streamlit links those after parsing, escaped or not).
LIVE = re.compile(r"(?<!\\)[\[<:$]|https?://")


@pytest.fixture
def hostile_app(app_env, monkeypatch, demo_copy):
    frame = demo_copy.read("territories")
    frame.loc[frame["code"] == REGION, "name"] = HOSTILE
    demo_copy.write("territories", frame, mode="replace", user="partenaire")
    settings = demo_copy.store.get_settings()
    settings["title"] = {"fr": f"Atlas {HOSTILE}", "en": f"Atlas {HOSTILE}"}
    demo_copy.store.set_settings(settings)
    monkeypatch.setenv("ATLAS_URL", demo_copy.url)
    return new_app()


def markdown_strings(at) -> list[str]:
    """Every string of the page that Streamlit renders as Markdown."""
    texts = [e.value for kind in ("markdown", "caption", "title", "header", "subheader",
                                  "error", "warning", "info", "success")
             for e in getattr(at, kind)]
    texts += [e.label for kind in ("button", "selectbox", "multiselect", "text_input",
                                   "number_input", "checkbox", "radio", "expander", "tabs")
              for e in getattr(at, kind)]
    texts += [text for m in at.metric for text in (m.label, m.value)]
    return [str(t) for t in texts if t]


def assert_inert(at) -> None:
    shown = [t for t in markdown_strings(at) if "Mot de passe" in t]
    assert shown, "the hostile name is on the page"
    assert [t for t in shown if LIVE.search(t)] == []


@pytest.mark.slow
def test_the_map_page_and_the_picker_escape_the_name(hostile_app):
    at = pick(hostile_app, REGION)
    assert_inert(at)


@pytest.mark.slow
def test_the_search_results_escape_the_name(hostile_app):
    at = hostile_app
    at.sidebar.text_input(key="territory_search").set_value("Korel").run()
    assert_ok(at)
    assert any("Mot de passe" in b.label for b in at.sidebar.button)
    assert_inert(at)


@pytest.mark.slow
@pytest.mark.parametrize("page", ["fiche", "atelier", "donnees"])
def test_every_page_escapes_the_name(hostile_app, page):
    at = pick(hostile_app, REGION)
    at.switch_page(f"app_pages/{page}.py").run()
    assert_ok(at)
    assert_inert(at)
