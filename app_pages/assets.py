"""Map assets served by the app itself, so that a map draws in a hall with no internet.

Stock streamlit-folium asks the browser to fetch Leaflet, jQuery, Bootstrap and
Font Awesome from CDNs (folium's ``default_js``/``default_css``): offline nothing is
drawn, and every failed lookup adds seconds to a page load. It also injects the
map's ``<head>`` with ``innerHTML``, where inline ``<script>`` elements never run,
so the atlas runtime (``atlas.js``) must arrive as a script file too.

So at start-up :func:`publish` copies the vendored Leaflet and markercluster files
(``atlas/render/assets/vendor``, built from the pinned npm packages) and the atlas
runtime into ``static/atlas/`` beside ``app.py``, which Streamlit serves at
``/app/static/`` (``server.enableStaticServing`` in ``.streamlit/config.toml``) with
their real content types. :func:`localise` then points a folium map at those files
and drops every CDN link, so the st_folium iframe loads only from the app's host.
URLs are relative to the component's iframe (``/component/<name>/index.html``), so
they also work behind a ``server.baseUrlPath``, and carry a content hash so that a
browser never keeps a stale copy after an upgrade.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from branca.element import CssLink, Element, Figure, JavascriptLink

from atlas.render.leaflet import runtime_source
from atlas.render.offline import load_assets

APP_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = APP_DIR / "static"
ASSET_DIR = STATIC_DIR / "atlas"
#: From the st_folium iframe (``<base>/component/<name>/index.html``) to ``<base>/app/static``.
URL_PREFIX = "../../app/static/atlas/"
LEAFLET_JS = ("leaflet.js",)
CLUSTER_JS = ("leaflet.markercluster.js",)
LEAFLET_CSS = ("leaflet.css",)
CLUSTER_CSS = ("MarkerCluster.css", "MarkerCluster.Default.css")
RUNTIME_JS = "atlas.js"
RUNTIME_CSS = "atlas.css"


@dataclass(frozen=True)
class Published:
    """URLs of the published files by name (with a ``?v=`` content hash)."""

    urls: dict[str, str]

    def url(self, name: str) -> str:
        """The URL of one file."""
        return self.urls[name]


def _write_if_changed(path: Path, text: str) -> None:
    """Write atomically, and only when the content differs (several workers may start)."""
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


@cache
def publish(target: Path = ASSET_DIR) -> Published:
    """Copy the map assets into the static folder (once per process); their URLs."""
    files = dict(load_assets())
    script, style = runtime_source()
    files[RUNTIME_JS] = script
    files[RUNTIME_CSS] = style
    target.mkdir(parents=True, exist_ok=True)
    urls: dict[str, str] = {}
    for name, text in files.items():
        if not name.endswith((".js", ".css")):
            continue
        _write_if_changed(target / name, text)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        urls[name] = f"{URL_PREFIX}{name}?v={digest}"
    return Published(urls)


def _walk(element: Element) -> list[Element]:
    found = [element]
    for child in list(element._children.values()):
        found.extend(_walk(child))
    return found


def localise(fmap: Element, published: Published | None = None) -> Element:
    """Point a folium map at the app's own copies of its scripts and styles (in place).

    Every element's CDN links are removed; the map itself then lists Leaflet, the
    cluster plugin when a layer clusters, and the atlas runtime, in that order, which
    is the order st_folium loads them in. Idempotent.
    """
    published = published or publish()
    figure = fmap.get_root()
    cluster = bool(getattr(fmap, "atlas_cluster", False))
    for element in _walk(figure):
        links = [*getattr(element, "default_js", []), *getattr(element, "default_css", [])]
        if any("markercluster" in f"{name} {url}".lower() for name, url in links):
            cluster = True
        if hasattr(element, "default_js"):
            element.default_js = []
            element.default_css = []
    if isinstance(figure, Figure):
        header = figure.header._children
        for name, child in list(header.items()):
            if isinstance(child, (JavascriptLink, CssLink)):
                del header[name]
    # The runtime that layers put inline in the header stays there (layers add it back
    # on every render): inert as a script inside st_folium, it is loaded as a file too.
    scripts = [*LEAFLET_JS, *(CLUSTER_JS if cluster else ()), RUNTIME_JS]
    styles = [*LEAFLET_CSS, *(CLUSTER_CSS if cluster else ()), RUNTIME_CSS]
    fmap.default_js = [(name, published.url(name)) for name in scripts]  # type: ignore[attr-defined]
    fmap.default_css = [(name, published.url(name)) for name in styles]  # type: ignore[attr-defined]
    fmap.atlas_cluster = cluster  # type: ignore[attr-defined]
    return fmap


def external_links(links: list[str]) -> list[str]:
    """Links that would leave the app's host (what a test asserts to be empty)."""
    return [link for link in links if "://" in link or link.startswith("//")]
