"""A territory named with Markdown, in the real app and a real browser: text, never markup.

A partner's boundary file may name a territory ``Korel ![px](http://…/pixel.png)
[Mot de passe](http://evil.example/)``. Read as Markdown, that name would make every
viewer's browser fetch the pixel and would show a live link on a trusted page. Here
the demo atlas's region Korel and the atlas's title carry that name, with the pixel
on a real local HTTP server that counts its hits; ``streamlit run`` serves the atlas
to headless Chromium, where every request leaving 127.0.0.1 is blocked and recorded
(tests/browser.py). On Carte, Fiche, Atelier and Données the name must read as typed,
no link may lead off the app, and the pixel must never be asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from browser import offline_page
from test_app_browser import DRAWN, choose, map_frame, streamlit_server

#: Streamlit keeps bare URLs and ``->`` from turning into links and arrows with an
#: invisible word joiner (app_pages/text.py); a reader sees the text as typed.
WORD_JOINER = "\u2060"
REGION = "ZZ01"
#: Links the app itself puts on the page (Leaflet's attribution on the maps).
PLATFORM_LINKS = {"https://leafletjs.com/"}


class PixelServer:
    """A local HTTP server answering a 1×1 image, which records every request."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.end_headers()
                self.wfile.write(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PixelServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def pixel() -> Iterator[PixelServer]:
    with PixelServer() as server:
        yield server


@pytest.fixture
def hostile_name(pixel) -> str:
    return (f"Korel ![px]({pixel.base}/pixel.png) "
            "[Mot de passe](http://evil.example/)")


@pytest.fixture
def hostile_atlas(demo_copy, hostile_name):
    """The demo atlas whose region Korel, and whose title, carry the hostile name."""
    frame = demo_copy.read("territories")
    frame.loc[frame["code"] == REGION, "name"] = hostile_name
    demo_copy.write("territories", frame, mode="replace", user="partenaire")
    settings = demo_copy.store.get_settings()
    settings["title"] = {"fr": f"Atlas {hostile_name}", "en": f"Atlas {hostile_name}"}
    demo_copy.store.set_settings(settings)
    return demo_copy.url


def visible_text(frame) -> str:
    return frame.evaluate("() => document.body.innerText").replace(WORD_JOINER, "")


def wait_for_text(page, text: str, timeout: float = 30_000) -> None:
    """Wait until the page reads ``text`` (as a person reads it: joiners are invisible)."""
    page.wait_for_function(
        "t => document.body.innerText.replaceAll('\\u2060', '').includes(t)", arg=text,
        timeout=timeout)


def links_and_images(page) -> tuple[list[str], list[str]]:
    """Every link target and image source of the page and of all its frames."""
    links: list[str] = []
    images: list[str] = []
    for frame in page.frames:
        try:
            links += frame.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            images += frame.eval_on_selector_all("img[src]", "els => els.map(e => e.src)")
        except Exception:  # noqa: BLE001 - a frame that navigated away meanwhile
            continue
    return links, images


def assert_no_markup_from(page, pixel: PixelServer) -> None:
    links, images = links_and_images(page)
    leaving = {u for u in links if urlsplit(u).scheme in ("http", "https")
               and urlsplit(u).hostname != "127.0.0.1"}
    assert leaving <= PLATFORM_LINKS, leaving - PLATFORM_LINKS
    assert [u for u in links + images if u.startswith(pixel.base)] == []


@pytest.mark.browser
@pytest.mark.slow
def test_a_markdown_name_is_plain_text_on_every_page(hostile_atlas, hostile_name, pixel,
                                                     tmp_path):
    with streamlit_server(hostile_atlas, tmp_path) as base, \
            offline_page(viewport=(1400, 950), allow=(base, pixel.base)) as (page, requests):
        # Carte: the title in the sidebar, and the region's tooltip on the map.
        page.goto(base + "/")
        _, frame = map_frame(page, DRAWN, timeout=60)
        wait_for_text(page, f"Atlas {hostile_name}")
        tooltip = frame.evaluate("""name => {
            const layers = Object.values(window.AtlasMap.maps[0]._atlas.layers);
            for (const layer of layers) for (const f of layer.getLayers())
                if ((f.feature.properties.p || []).includes(name)) {
                    f.openTooltip(f.getBounds ? f.getBounds().getCenter() : f.getLatLng());
                    const node = document.querySelector('.leaflet-tooltip');
                    return {text: node.textContent, markup: node.querySelectorAll('a, img').length};
                }
            return null; }""", hostile_name)
        assert tooltip == {"text": hostile_name, "markup": 0}
        choose(page, "Région", hostile_name)
        wait_for_text(page, f"{hostile_name}, Sorane")  # the breadcrumb under the title
        assert_no_markup_from(page, pixel)

        # Fiche: the heading, the breadcrumb and the sheet itself.
        page.get_by_test_id("stSidebarNav").get_by_text("Fiche territoire").click()
        wait_for_text(page, f"{hostile_name} · région", timeout=60_000)
        sheet = page.frame_locator('iframe[title="st.iframe"], iframe[srcdoc]').first
        sheet.locator("body").get_by_text("Korel").first.wait_for(timeout=60_000)
        sheet_frame = next(f for f in page.frames if f != page.main_frame
                           and "Korel" in f.evaluate("() => document.body.innerText"))
        assert hostile_name in visible_text(sheet_frame)
        assert_no_markup_from(page, pixel)

        # Atelier: the slides of the region's départements, under the region's name.
        page.get_by_test_id("stSidebarNav").get_by_text("Atelier").click()
        wait_for_text(page, f"{hostile_name}, Sorane", timeout=60_000)
        assert_no_markup_from(page, pixel)

        # Données: the atlas's title, above the catalogue.
        page.get_by_test_id("stSidebarNav").get_by_text("Données").click()
        wait_for_text(page, "Catalogue des couches")
        assert hostile_name in visible_text(page.main_frame)
        assert_no_markup_from(page, pixel)

    assert pixel.hits == []
    assert requests.external == [], requests.external
    assert not any(u.startswith(pixel.base) for u in requests.all)
