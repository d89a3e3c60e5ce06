"""folium elements that put atlas layers, controls and legends on a Leaflet map.

folium's own GeoJson element evaluates style and popup functions in Python for
every feature and embeds the results feature by feature; with thousands of water
points that is most of an exported file. These elements embed each layer once as
compact GeoJSON (a style index and an array of formatted values per feature) and
let ``assets/atlas.js`` build markers, tooltips and popups in the browser.

Everything written into the page goes through :func:`js_literal` (JSON with ``<``,
``>`` and ``&`` escaped, so no value can close the ``<script>`` element) or
:func:`markupsafe.escape`.

branca compiles the output of every element's ``script`` macro as a *new* Jinja
template before rendering the page, so a value that reached that output verbatim
would be evaluated: a territory named ``{{ 7*7 }}`` would show 49, and a crafted name
could run Python on the machine that draws the map. :func:`js_literal` and
:func:`inert_html` therefore also break every Jinja opening delimiter (``{{``,
``{%``, ``{#``) in data, with an escape that JSON and HTML read back as ``{``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

ASSETS = Path(__file__).resolve().parents[1] / "assets"
#: Same versions as package.json, for maps that are not exported (Jupyter, app).
CDN_JS = {"markercluster":
          "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.5.3/dist/leaflet.markercluster.js"}
CDN_CSS = {
    "markercluster_css":
        "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.5.3/dist/MarkerCluster.css",
    "markercluster_default_css":
        "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.5.3/dist/MarkerCluster.Default.css",
}
RUNTIME_NAME = "atlas_runtime"
#: A "{" that would open a Jinja expression, statement or comment.
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def js_literal(value: Any, *, is_json: bool = False) -> str:
    """A JavaScript literal safe inside an HTML ``<script>``.

    ``value`` is serialised as JSON, unless ``is_json`` says it already is JSON text
    (the GeoJSON of a layer, built without a round trip through Python objects).
    """
    text = value if is_json else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    # In JSON a "{" followed by "{", "%" or "#" can only be inside a string (an object
    # opens with '{"' or '{}'), where \u007b means the same character.
    return _JINJA_OPEN.sub("\\\\u007b", text)


def inert_html(html: str) -> str:
    """HTML (already escaped) that a Jinja template shows as it is: ``{`` as ``&#123;``."""
    return _JINJA_OPEN.sub("&#123;", html)


@cache
def runtime_source() -> tuple[str, str]:
    """(JavaScript, CSS) of the atlas runtime, read from the package."""
    return ((ASSETS / "atlas.js").read_text(encoding="utf-8"),
            (ASSETS / "atlas.css").read_text(encoding="utf-8"))


def add_runtime(figure: Figure) -> None:
    """Inline the atlas runtime in a figure's header (once)."""
    if RUNTIME_NAME in figure.header._children:
        return
    script, style = runtime_source()
    figure.header.add_child(
        Element(f"<style>{style}</style>\n<script>{script}</script>"), name=RUNTIME_NAME)


class AtlasLayer(JSCSSMixin, Layer):
    """One layer of the map, drawn by ``AtlasMap.layer`` (see ``assets/atlas.js``).

    ``spec`` holds the layer's name, title, field titles, tooltip columns and
    Leaflet styles; ``data`` is the GeoJSON text from
    :func:`atlas.render.map.geometry.feature_collection`.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = AtlasMap.layer(
                {{ this._parent.get_name() }}, {{ this.spec_js }}, {{ this.data_js }});
        {% endmacro %}
    """)

    def __init__(self, name: str, title_html: str, spec: dict[str, Any], data: str,
                 *, cluster: bool = False, show: bool = True, control: bool = True) -> None:
        super().__init__(name=inert_html(title_html), overlay=True, control=control, show=show)
        self._name = "AtlasLayer"
        self.layer_key = name
        self.feature_count = data.count('"type":"Feature"')
        self.spec_js = js_literal({**spec, "name": name, "cluster": cluster})
        self.data_js = js_literal(data, is_json=True)
        self.default_js = [(k, v) for k, v in CDN_JS.items()] if cluster else []
        self.default_css = [(k, v) for k, v in CDN_CSS.items()] if cluster else []

    def render(self, **kwargs: Any) -> None:
        """Make sure the runtime is in the page, then render as a folium layer."""
        add_runtime(self.get_root())
        super().render(**kwargs)


class MapSetup(MacroElement):
    """Scale bar, full-screen control and initial extent (``AtlasMap.setup``)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            AtlasMap.setup({{ this._parent.get_name() }}, {{ this.options_js }});
        {% endmacro %}
    """)

    def __init__(self, bounds: list[list[float]] | None, texts: dict[str, str]) -> None:
        super().__init__()
        self._name = "MapSetup"
        self.options_js = js_literal({"bounds": bounds, "texts": texts})

    def render(self, **kwargs: Any) -> None:
        """Make sure the runtime is in the page before the setup call."""
        add_runtime(self.get_root())
        super().render(**kwargs)


class Legend(MacroElement):
    """A legend control whose HTML was built (and escaped) by :mod:`.legends`."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            AtlasMap.legend({{ this._parent.get_name() }}, {{ this.html_js }},
                            {{ this.position_js }});
        {% endmacro %}
    """)

    def __init__(self, html: str, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html
        self.html_js = js_literal(html)
        self.position_js = js_literal(position)

    def render(self, **kwargs: Any) -> None:
        """Make sure the runtime is in the page before the legend call."""
        add_runtime(self.get_root())
        super().render(**kwargs)
