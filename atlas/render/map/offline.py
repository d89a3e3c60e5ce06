"""Self-contained HTML: a map that opens with no network at all.

Agencies share maps by e-mail and USB stick and open them where the connection is
poor, so an exported map carries Leaflet, leaflet.markercluster, the atlas runtime
and its data inline; nothing in it is fetched from a CDN. Only basemap tiles, when
the author asked for them, need the internet, and the map stays readable without
them (the territories are the background).

:func:`make_offline` swaps folium's CDN links (Leaflet, jQuery, Bootstrap,
Awesome-markers: the atlas needs only Leaflet) for inline copies built by
:mod:`.vendor`; :func:`export_html` then writes one file and checks that the page
names no external script or stylesheet. In Jupyter, ``territory_map(...,
offline=True)`` displays the same self-contained page in the notebook's iframe.
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from branca.element import CssLink, Element, Figure, JavascriptLink

from ...errors import RenderError
from ..files import atomic_write
from ..vendor import FILES, build_vendor, node_modules_dir, vendor_dir
from .leaflet import add_runtime

ASSETS_NAME = "atlas_offline_assets"
_SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
_LINK_HREF = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\s+(?:url\()?[\"']?([^\"')\s;]+)", re.IGNORECASE)
_LOCAL = ("data:", "blob:", "#", "about:")


def load_assets() -> dict[str, str]:
    """Vendor files by name; builds them from ``node_modules`` if that is all there is."""
    folder = vendor_dir()
    names = [name for _, _, name in FILES]
    if not all((folder / name).is_file() for name in names):
        if (node_modules_dir() / "leaflet" / "package.json").is_file():
            build_vendor(target=folder)
        else:
            raise RenderError("render.assets_missing", path=str(folder))
    return _read(folder, tuple(names), _stamp(folder, names))


def _stamp(folder: Path, names: list[str]) -> tuple[float, ...]:
    return tuple(os.stat(folder / n).st_mtime for n in names)


@cache
def _read(folder: Path, names: tuple[str, ...], stamp: tuple[float, ...]) -> dict[str, str]:
    return {name: (folder / name).read_text(encoding="utf-8") for name in names}


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def make_offline(fmap: Element) -> Element:
    """Replace every CDN link of a folium map by inline assets (in place; idempotent)."""
    figure = fmap.get_root()
    if not isinstance(figure, Figure):
        raise TypeError("the map must belong to a folium Figure")
    cluster = False
    for element in _walk(figure):
        links = list(getattr(element, "default_js", [])) + list(getattr(element, "default_css",
                                                                         []))
        if any("markercluster" in f"{name} {url}".lower() for name, url in links):
            cluster = True
        if hasattr(element, "default_js"):
            element.default_js = []
            element.default_css = []
    header = figure.header._children
    for name, child in list(header.items()):
        if isinstance(child, (JavascriptLink, CssLink)):
            cluster = cluster or "markercluster" in getattr(child, "url", "").lower()
            del header[name]
    previous = header.pop(ASSETS_NAME, None)
    cluster = cluster or bool(previous is not None and getattr(previous, "cluster", False))
    assets = load_assets()
    parts = [f"<style>{assets['leaflet.css']}</style>"]
    if cluster:
        parts += [f"<style>{assets['MarkerCluster.css']}</style>",
                  f"<style>{assets['MarkerCluster.Default.css']}</style>"]
    parts.append(f"<script>{assets['leaflet.js']}</script>")
    if cluster:
        parts.append(f"<script>{assets['leaflet.markercluster.js']}</script>")
    inline = Element("\n".join(parts))
    inline.cluster = cluster  # type: ignore[attr-defined]
    add_runtime(figure)
    # Leaflet must load before the runtime and the map scripts: put it first.
    figure.header._children = OrderedDict([(ASSETS_NAME, inline), *header.items()])
    return fmap


def external_resources(html: str) -> list[str]:
    """URLs of scripts, stylesheets and CSS imports a page would fetch."""
    found = _SCRIPT_SRC.findall(html) + _LINK_HREF.findall(html) + _CSS_IMPORT.findall(html)
    return sorted({url for url in found if not url.lower().startswith(_LOCAL)})


def to_html(fmap: Element, lang: str | None = None) -> str:
    """The self-contained page of a map, as text."""
    make_offline(fmap)
    html = fmap.get_root().render()
    lang = lang or getattr(fmap, "atlas_lang", None)
    if lang:
        html = html.replace("<html>", f'<html lang="{lang}">', 1)
    urls = external_resources(html)
    if urls:
        raise RenderError("render.external_resources", urls=", ".join(urls))
    return html


def export_html(fmap: Element, path: str | os.PathLike[str], lang: str | None = None) -> Path:
    """Write a map as ONE HTML file carrying all its JavaScript, CSS and data."""
    html = to_html(fmap, lang)
    return atomic_write(path, lambda temp: temp.write_text(html, encoding="utf-8"))
