"""Map assets served by the app itself, so that a map draws in a hall with no internet.

Stock streamlit-folium asks the browser to fetch Leaflet, jQuery, Bootstrap and
Font Awesome from CDNs (folium's ``default_js``/``default_css``): offline nothing is
drawn, and every failed lookup adds seconds to a page load. It also injects the
map's ``<head>`` with ``innerHTML``, where inline ``<script>`` elements never run,
so the atlas runtime (``atlas.js``) must arrive as a script file too.

So at start-up :func:`publish` bundles the vendored Leaflet and markercluster files
(``atlas/render/assets/vendor``, built from the pinned npm packages) and the atlas
runtime into one script and one stylesheet in ``static/atlas/`` beside ``app.py``,
which Streamlit serves at ``/app/static/`` (``server.enableStaticServing`` in
``.streamlit/config.toml``) with their real content types. :func:`localise` then
points a folium map at those two files and drops every CDN link, so the st_folium
iframe loads only from the app's host.
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

from atlas.render.map.leaflet import runtime_source
from atlas.render.map.offline import load_assets

APP_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = APP_DIR / "static"
ASSET_DIR = STATIC_DIR / "atlas"
#: From the st_folium iframe (``<base>/component/<name>/index.html``) to ``<base>/app/static``.
URL_PREFIX = "../../app/static/atlas/"
#: One script and one stylesheet: st_folium loads its links one after the other, so
#: every extra file is an extra round trip before the map can draw.
BUNDLE_JS = "atlas-map.js"
BUNDLE_CSS = "atlas-map.css"
SCRIPTS = ("leaflet.js", "leaflet.markercluster.js")
STYLES = ("leaflet.css", "MarkerCluster.css", "MarkerCluster.Default.css")


@dataclass(frozen=True)
class Published:
    """URLs of the published bundles (with a ``?v=`` content hash)."""

    script: str
    style: str


def _write_if_changed(path: Path, text: str) -> None:
    """Write atomically, and only when the content differs (several workers may start)."""
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _url(name: str, text: str) -> str:
    return f"{URL_PREFIX}{name}?v={hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}"


@cache
def publish(target: Path = ASSET_DIR) -> Published:
    """Write the map bundles into the static folder (once per process); their URLs.

    The script is Leaflet, leaflet.markercluster and the atlas runtime, in that order
    (each file ends its own statements, so a plain concatenation is safe); the
    stylesheet is their CSS, whose images are already ``data:`` URIs.
    """
    files = load_assets()
    script, style = runtime_source()
    bundle_js = "\n;\n".join([*(files[name] for name in SCRIPTS), script])
    bundle_css = "\n".join([*(files[name] for name in STYLES), style])
    target.mkdir(parents=True, exist_ok=True)
    _write_if_changed(target / BUNDLE_JS, bundle_js)
    _write_if_changed(target / BUNDLE_CSS, bundle_css)
    return Published(_url(BUNDLE_JS, bundle_js), _url(BUNDLE_CSS, bundle_css))


def _walk(element: Element) -> list[Element]:
    found = [element]
    for child in list(element._children.values()):
        found.extend(_walk(child))
    return found


def localise(fmap: Element, published: Published | None = None) -> Element:
    """Point a folium map at the app's own bundles instead of CDNs (in place; idempotent).

    Every element's CDN links are removed and the map itself lists the two bundles,
    which is all st_folium loads. The runtime that layers put inline in the header
    stays there (layers add it back on every render): inert as a script inside
    st_folium, it comes with the bundle too.
    """
    published = published or publish()
    figure = fmap.get_root()
    for element in _walk(figure):
        if hasattr(element, "default_js"):
            element.default_js = []
            element.default_css = []
    if isinstance(figure, Figure):
        header = figure.header._children
        for name, child in list(header.items()):
            if isinstance(child, (JavascriptLink, CssLink)):
                del header[name]
    fmap.default_js = [("atlas_map", published.script)]  # type: ignore[attr-defined]
    fmap.default_css = [("atlas_map_css", published.style)]  # type: ignore[attr-defined]
    return fmap


def external_links(links: list[str]) -> list[str]:
    """Links that would leave the app's host (what a test asserts to be empty)."""
    return [link for link in links if "://" in link or link.startswith("//")]
