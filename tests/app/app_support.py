"""Shared helpers of the app tests (AppTest): the app, its atlas, its downloads, its map.

Read-only tests point ``ATLAS_URL`` at the session's demo atlas (built once); tests
that write get their own copy (``demo_copy``). The helpers below read what a browser
would get: the bytes behind a download button (static or made on click) and the
arguments the app sends to the st_folium component (its script and asset links).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from atlas.auth import CLIENT_LIMITER, LIMITER, EditorStore

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 60
EDITOR = "awa"
PASSWORD = "mot de passe sûr"


class RecordingMediaFileManager(MediaFileManager):
    """The media manager of every AppTest run, kept so tests can read downloads."""

    last: MediaFileManager | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        RecordingMediaFileManager.last = self


@pytest.fixture
def app_env(monkeypatch, tmp_path):
    """Environment of one app test: editors file, language, media recording."""
    import streamlit.testing.v1.app_test as app_test_module

    monkeypatch.setattr(app_test_module, "MediaFileManager", RecordingMediaFileManager)
    editors = tmp_path / "editors.toml"
    monkeypatch.setenv("ATLAS_EDITORS_FILE", str(editors))
    monkeypatch.setenv("ATLAS_LANG", "fr")
    EditorStore(editors).add(EDITOR, PASSWORD)
    LIMITER.reset()
    CLIENT_LIMITER.reset()
    yield tmp_path
    LIMITER.reset()
    CLIENT_LIMITER.reset()


@pytest.fixture
def read_only_app(app_env, monkeypatch, demo_atlas_path):
    """An app serving the session's demo atlas (tests that do not write)."""
    monkeypatch.setenv("ATLAS_URL", str(demo_atlas_path))
    return new_app()


@pytest.fixture
def editor_app(app_env, monkeypatch, demo_copy):
    """The Données page on a private copy of the demo atlas, an editor signed in."""
    monkeypatch.setenv("ATLAS_URL", demo_copy.url)
    at = new_app()
    at.switch_page("app_pages/donnees.py").run()
    at.sidebar.text_input(key="sign_in_name").set_value(EDITOR)
    at.sidebar.text_input(key="sign_in_password").set_value(PASSWORD)
    at.sidebar.get("form_submit_button")[0].click().run()
    assert_ok(at)
    return at, demo_copy


def new_app() -> AppTest:
    """An AppTest of app.py, run once."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert_ok(at)
    return at


def assert_ok(at: AppTest) -> None:
    """No exception shown on the page."""
    problems = [f"{e.value}\n{''.join(e.stack_trace or [])}" for e in at.exception]
    assert problems == [], problems[0] if problems else ""


def pick(at: AppTest, *codes: str) -> AppTest:
    """Choose territories in the hierarchy selectboxes, coarsest first."""
    for code in codes:
        level = len(code) // 2 - 1
        at.sidebar.selectbox(key=f"pick_{level}").set_value(code).run()
        assert_ok(at)
    return at


def download_bytes(at: AppTest, label: str) -> bytes:
    """What the download button labelled ``label`` gives (made on click if deferred)."""
    button = next(b for b in at.get("download_button") if b.proto.label == label)
    manager = RecordingMediaFileManager.last
    assert manager is not None
    proto = button.proto
    url = manager.execute_deferred(proto.deferred_file_id) if proto.deferred_file_id \
        else proto.url
    found = manager.read_file(url.rsplit("/", 1)[-1].split(".")[0])
    assert found is not None, f"no file behind {label!r}"
    return bytes(found.content)


def map_args(at: AppTest, index: int = 0) -> dict[str, Any]:
    """Arguments sent to the index-th st_folium component of the page."""
    maps = [e for e in at.get("component_instance")
            if e.proto.component_name == "streamlit_folium.st_folium"]
    return json.loads(maps[index].proto.json_args)


def click_map(at: AppTest, value: dict[str, Any], index: int = 0) -> AppTest:
    """Send what st_folium sends when the map is clicked, then rerun."""
    maps = [e for e in at.get("component_instance")
            if e.proto.component_name == "streamlit_folium.st_folium"]
    states: WidgetStates = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = maps[index].proto.id
    state.json_value = json.dumps(value)
    at._run(states)
    assert_ok(at)
    return at
