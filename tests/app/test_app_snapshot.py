"""The app reads one snapshot of the atlas per script run, shared until the next write."""

from __future__ import annotations

import pytest
from app_support import assert_ok, new_app

SNAPSHOT = "atlas_snapshot"


@pytest.mark.slow
def test_runs_share_a_snapshot_until_a_write(app_env, monkeypatch, demo_copy):
    monkeypatch.setenv("ATLAS_URL", str(demo_copy.url))
    at = new_app()
    first = at.session_state[SNAPSHOT][1]
    assert first.revision == demo_copy.revision
    at.switch_page("app_pages/fiche.py").run()
    assert_ok(at)
    assert at.session_state[SNAPSHOT][1] is first  # no write: the same snapshot
    points = demo_copy.read("water_points")
    demo_copy.write("water_points", points.iloc[: len(points) // 2], user="awa")
    written = demo_copy.revision
    at.switch_page("app_pages/carte.py").run()
    assert_ok(at)
    fresh = at.session_state[SNAPSHOT][1]
    assert fresh is not first and fresh.revision == written > first.revision
    assert len(fresh.read("water_points")) == len(points) // 2
    assert len(first.read("water_points")) == len(points)  # the old one did not move
