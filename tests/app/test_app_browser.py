"""The app in a real browser with no network: ``streamlit run`` + Debian's headless Chromium.

Every request that would leave 127.0.0.1 is aborted and recorded (tests/browser.py):
the test proves that a workshop without internet sees the map, the fact sheet and the
language switch, and that nothing even tries to reach a CDN. Screenshots go to
``test-output/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser import offline_page

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: True once the atlas runtime has put its layers on the map (features drawn).
DRAWN = """() => !!(window.AtlasMap && window.AtlasMap.maps.length
    && Object.values(window.AtlasMap.maps[0]._atlas.layers).some(l => l.getLayers().length))"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def streamlit_server(atlas_path: Path, tmp_path: Path) -> Iterator[str]:
    """``streamlit run app.py`` on 127.0.0.1 and a free port; stopped afterwards."""
    port = free_port()
    env = {**os.environ, "ATLAS_URL": str(atlas_path), "ATLAS_LANG": "fr",
           "ATLAS_EDITORS_FILE": str(tmp_path / "editors.toml")}
    log = open(tmp_path / "streamlit.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("streamlit did not start:\n"
                                + (tmp_path / "streamlit.log").read_text(), pytrace=False)
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


def map_frame(page, predicate: str, timeout: float = 20.0):
    """The st_folium frame once ``predicate`` holds in it (the frame is replaced when the
    map changes, so it is looked up again until then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for handle in page.query_selector_all(MAP_FRAME):
            frame = handle.content_frame()
            try:
                if frame is not None and frame.evaluate(predicate):
                    return handle, frame
            except Exception:  # noqa: BLE001 - frame navigating or detached: look again
                pass
        time.sleep(0.1)
    raise AssertionError(f"no map frame where {predicate!r}")


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the sidebar selectbox labelled ``label``."""
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(
        has=page.get_by_text(label, exact=True))
    box.click()
    page.get_by_role("option", name=option, exact=True).click()


def click_at(page, predicate: str, lat: float, lng: float) -> None:
    """Click the map (the frame where ``predicate`` holds) at a place, once the iframe has
    its final size; looks the frame up again if a rerun replaced it meanwhile."""
    for _ in range(3):
        handle, frame = map_frame(page, predicate)
        try:
            previous = None
            for _ in range(50):
                box = handle.bounding_box()
                size = frame.evaluate("() => window.AtlasMap.maps[0].getSize()")
                current = (box["width"], box["height"], size["x"], size["y"])
                if current == previous and abs(box["width"] - size["x"]) < 2:
                    break
                previous = current
                time.sleep(0.2)
            xy = frame.evaluate(
                f"() => window.AtlasMap.maps[0].latLngToContainerPoint([{lat}, {lng}])")
        except Exception:  # noqa: BLE001 - frame replaced: look for the new one
            continue
        page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])
        return
    raise AssertionError("the map frame kept being replaced")


def focus_is(name: str) -> str:
    """The map is centred on ``name``: its outline has the focus style (``k == 0``)."""
    return f"""() => {{ const m = window.AtlasMap && window.AtlasMap.maps[0];
        const l = m && m._atlas.layers.atlas_outline;
        return !!l && l.getLayers().some(f => f.feature.properties.k === 0
            && (f.feature.properties.p || [])[0] === {name!r}); }}"""


@pytest.mark.browser
def test_the_app_works_offline_in_chromium(demo_atlas_path, demo_atlas, tmp_path):
    OUTPUT.mkdir(exist_ok=True)
    with streamlit_server(demo_atlas_path, tmp_path) as base, \
            offline_page(viewport=(1400, 950), allow=(base,)) as (page, requests):
        page.goto(base + "/")
        _, frame = map_frame(page, DRAWN, timeout=30)
        counts = frame.evaluate(
            "() => Object.fromEntries(Object.entries(window.AtlasMap.maps[0]._atlas.layers)"
            ".map(([k, l]) => [k, l.getLayers().length]))")
        assert counts["water_points"] > 100 and counts["atlas_outline"] > 0

        # Région and département through the hierarchy, the commune by clicking the map.
        choose(page, "Région", "Korel")
        map_frame(page, focus_is("Korel"))
        choose(page, "Département", "Oudjo")
        point = demo_atlas.territories.geometry("ZZ010102").representative_point()
        click_at(page, focus_is("Oudjo"), point.y, point.x)
        try:  # the breadcrumb of the selection, under the page title
            page.get_by_text("Ndou, Oudjo, Korel, Sorane").first.wait_for(timeout=20_000)
        except Exception:
            page.screenshot(path=str(OUTPUT / "app_failure.png"))
            raise
        map_frame(page, focus_is("Ndou"))
        page.screenshot(path=str(OUTPUT / "app_carte.png"))

        page.get_by_test_id("stSidebarNav").get_by_text("Fiche territoire").click()
        page.get_by_text("Ndou · commune").wait_for(timeout=30_000)
        # The picker drawn anew on this page still shows the commune (not "All").
        commune = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(
            has=page.get_by_text("Commune", exact=True))
        assert commune.locator("input").input_value() == "Ndou"
        sheet = page.frame_locator('iframe[title="st.iframe"], iframe[srcdoc]').first
        sheet.get_by_text("Ndou").first.wait_for(timeout=30_000)
        for label in ("Fiche PDF", "Fiche HTML", "Indicateurs CSV", "Indicateurs Excel",
                      "Données GeoPackage"):
            page.get_by_role("button", name=label).wait_for()
        page.screenshot(path=str(OUTPUT / "app_fiche.png"))

        page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
        page.get_by_text("Ndou · municipality").wait_for(timeout=30_000)
        page.get_by_test_id("stSidebarNav").get_by_text("Territory sheet").wait_for()
        page.get_by_role("button", name="Sheet PDF").wait_for(timeout=30_000)
        page.screenshot(path=str(OUTPUT / "app_fiche_en.png"))

        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Map").click()
        map_frame(page, DRAWN)
        page.screenshot(path=str(OUTPUT / "app_map_en.png"))

        # Workshop, what-if: a click on the map proposes a water point, the gain follows.
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Workshop").click()
        page.get_by_text("What if… (water points)").click()
        page.get_by_text("Type of proposed water point").wait_for(timeout=30_000)
        what_if = "window.__GLOBAL_DATA__.returned_objects.includes('last_clicked') && "
        what_if_map = focus_is("Ndou").replace("return ", "return " + what_if, 1)
        click_at(page, what_if_map, point.y, point.x)
        page.get_by_role("button", name="Proposals GeoJSON").wait_for(timeout=30_000)
        page.screenshot(path=str(OUTPUT / "app_whatif_en.png"))

    assert requests.external == [], requests.external
    assert requests.page_errors == []
    local = [u for u in requests.all if not u.startswith(("data:", "blob:", "about:"))]
    assert local and all(u.startswith(base) for u in local)
    assert any("/app/static/atlas/atlas-map.js" in u for u in requests.all)
