"""Interactive maps of a territory: catalogue layers, choropleths, legends (folium).

:func:`territory_map` draws a :class:`~.scene.Scene` on a folium map: greyed
neighbours, the indicator choropleth, the territory outline with its sub-units,
then the catalogue layers styled from their spec (colour by category, popups with
field titles and formatted values). Controls: layers, scale bar, full screen, and
a legend that follows the visible layers. Vectors are drawn on a canvas
(``prefer_canvas``), which keeps thousands of points fluid; point layers above
:data:`CLUSTER_THRESHOLD` features are clustered with leaflet.markercluster.

The map works as is in Jupyter and Streamlit (Leaflet from a CDN, as folium does);
``offline=True`` or :func:`atlas.render.map.offline.export_html` inline every asset.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import folium
import pandas as pd
from markupsafe import escape

from ...catalog import LayerSpec
from ...i18n import t
from ...names import TERRITORIES
from ...provenance import layer_citations
from ..formatting import format_number, with_unit
from .features import formatted_rows, tooltip_fields
from .geometry import extent_metres, feature_collection, for_display, tolerance_for
from .leaflet import AtlasLayer, Legend, MapSetup
from .legends import LegendSection, choropleth_section, layer_section, legend_html
from .options import MapOptions, map_options
from .scene import Scene, SceneLayer, build_scene
from .symbols import draw_order, geometry_kind, leaflet_options, legend_entries, style_codes

if TYPE_CHECKING:
    from ...atlas import Atlas
    from ...snapshot import AtlasSnapshot

#: Point layers with more features than this are clustered unless told otherwise.
CLUSTER_THRESHOLD = 2000
#: Basemaps that may be switched on (tiles need the internet; off by default).
BASEMAPS = {"osm": "OpenStreetMap", "positron": "CartoDB positron"}

NEIGHBOUR_STYLE = {"color": "#969696", "weight": 0.8, "opacity": 1, "fillColor": "#e0e0e0",
                   "fillOpacity": 0.7}
OUTLINE_STYLE = {"color": "#000000", "weight": 3, "opacity": 1, "fillColor": "#ffffff",
                 "fillOpacity": 0.6}
SUBUNIT_STYLE = {"color": "#525252", "weight": 1, "opacity": 0.9, "fillColor": "#ffffff",
                 "fillOpacity": 0.6}
NO_DATA_STYLE = {"color": "#737373", "weight": 0.8, "opacity": 1, "fillColor": "#d4d4d4",
                 "fillOpacity": 0.6, "dashArray": "3 3"}


def territory_map(atlas: Atlas | AtlasSnapshot, territory: str | None = None, *,
                  options: MapOptions | None = None, **fields: Any) -> folium.Map:
    """A folium map of ``territory`` (None: the whole atlas) with catalogue layers.

    ``options`` is a :class:`~.options.MapOptions`, or its fields are given as
    keywords: ``layers`` (default: every catalogue layer), ``indicator`` (a choropleth
    at ``level``, classified by ``scheme`` in ``classes`` classes or at ``breaks``),
    ``basemap`` ("osm", "positron" or a tile URL: online tiles below the data; maps
    are readable without them), ``cluster`` (True, False, or layer names),
    ``offline`` (every asset inline, for a notebook without the internet)...
    """
    chosen = map_options(options, **fields)
    return scene_map(build_scene(atlas, territory, chosen), chosen)


def _layer_note(scene: Scene, layer: str, missing: int) -> str | None:
    """Under a layer's legend: the features not drawn, and where the data came from."""
    lang = scene.lang
    key = "render.not_drawn_one" if missing == 1 else "render.not_drawn"
    parts = [t(key, lang, count=missing)] if missing else []
    cited = layer_citations(scene.atlas, layer)
    if cited:
        parts.append(t("render.source", lang, source=" ; ".join(cited)))
    return " — ".join(parts) or None


def scene_map(scene: Scene, options: MapOptions) -> folium.Map:
    """Draw an already built scene (see :func:`territory_map`)."""
    lang = scene.lang
    metric = scene.atlas.metric_crs
    tolerance = tolerance_for(extent_metres(scene.focus, metric), options.detail)
    fmap = _base_map(scene, options.basemap)
    sections: list[LegendSection] = []
    if not scene.neighbours.empty:
        _territory_layer(scene, "neighbours", t("render.neighbours", lang),
                         scene.neighbours, [NEIGHBOUR_STYLE], tolerance).add_to(fmap)
    if scene.choropleth is not None:
        _choropleth_layer(scene, tolerance).add_to(fmap)
        sections.append(choropleth_section(scene.choropleth.values,
                                           scene.choropleth.classification, lang))
    _outline_layer(scene, tolerance).add_to(fmap)
    for item in sorted(scene.layers, key=lambda i: draw_order(scene.atlas.spec(i.name))):
        spec = scene.atlas.spec(item.name)
        if item.frame.empty:
            continue
        _data_layer(scene, item, tolerance, _clustered(options.cluster, item, spec)) \
            .add_to(fmap)
        present = style_codes(spec, item.frame)
        sections.append(layer_section(spec, legend_entries(spec, lang, present), lang,
                                      _layer_note(scene, item.name, item.missing)))
    if TERRITORIES in scene.atlas.catalog and (cited := layer_citations(scene.atlas,
                                                                        TERRITORIES)):
        # the boundaries' own source, under the layers (one line per layer drawn)
        sections.append(LegendSection(TERRITORIES, scene.atlas.spec(TERRITORIES).title(lang),
                                      (), t("render.source", lang, source=" ; ".join(cited))))
    if sections:
        Legend(legend_html(sections, lang)).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    if options.offline:
        from .offline import make_offline

        make_offline(fmap)
    return fmap


def _base_map(scene: Scene, basemap: str | None) -> folium.Map:
    """The empty map: extent, title, language, optional tiles and the controls."""
    lang = scene.lang
    minx, miny, maxx, maxy = scene.bounds
    fmap = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9,
                      tiles=None, prefer_canvas=True, control_scale=False)
    fmap.atlas_lang = lang  # type: ignore[attr-defined]  # read by offline.to_html
    fmap.get_root().title = str(escape(scene.title))
    if basemap:
        tiles = BASEMAPS.get(basemap.lower(), basemap)
        folium.TileLayer(tiles, name=str(escape(t("render.basemap", lang))), overlay=False,
                         control=True).add_to(fmap)
    MapSetup([[miny, minx], [maxy, maxx]], {
        "fullscreen": t("render.fullscreen", lang),
        "exit_fullscreen": t("render.exit_fullscreen", lang)}).add_to(fmap)
    return fmap


def _outline_layer(scene: Scene, tolerance: float) -> AtlasLayer:
    """The territory's outline and its sub-units."""
    outline = scene.outline
    keys = [0 if c in scene.focus_codes else 1 for c in outline["code"]]
    # Over a choropleth, sub-units are lines only (their white fill would hide colours).
    styles = [OUTLINE_STYLE, SUBUNIT_STYLE]
    if scene.choropleth is not None:
        styles = [{**style, "fill": False} for style in styles]
    return _territory_layer(scene, "outline", t("render.outline", scene.lang), outline,
                            styles, tolerance, keys=keys,
                            interactive=scene.choropleth is None)


def _clustered(cluster: bool | Sequence[str] | None, item: SceneLayer,
               spec: LayerSpec) -> bool:
    if geometry_kind(spec) != "point":
        return False
    if cluster is None:
        return len(item.frame) > CLUSTER_THRESHOLD
    if isinstance(cluster, bool):
        return cluster
    return item.name in cluster


def _territory_names(scene: Scene) -> dict[str, str]:
    frame = scene.atlas.territories.frame
    return dict(zip(frame["code"].astype(str), frame["name"].astype(str), strict=True))


def _territory_layer(scene: Scene, key: str, title: str, frame: pd.DataFrame,
                     styles: list[dict[str, object]], tolerance: float,
                     keys: list[int] | None = None, interactive: bool = True) -> AtlasLayer:
    """Boundaries drawn as context, with the territory name as tooltip."""
    shown = for_display(frame, scene.atlas.metric_crs, tolerance, coverage_by="level")
    kept = list(shown.index)
    keys = [0] * len(frame) if keys is None else keys
    props = [{"k": keys[i], "p": [str(frame.iloc[i]["name"])]} for i in kept]
    spec = {"title": title, "fields": [], "tooltip": [0], "popup": False, "kind": "polygon",
            "styles": styles, "interactive": interactive}
    return AtlasLayer(f"atlas_{key}", str(escape(title)), spec,
                      feature_collection(shown.geometry, props))


def _choropleth_layer(scene: Scene, tolerance: float) -> AtlasLayer:
    choro = scene.choropleth
    assert choro is not None
    lang = scene.lang
    values, classification = choro.values, choro.classification
    styles = [{**NO_DATA_STYLE}] + [
        {"color": "#525252", "weight": 0.8, "opacity": 1, "fillColor": c, "fillOpacity": 0.85}
        for c in classification.colors]
    shown = for_display(choro.frame, scene.atlas.metric_crs, tolerance, coverage_by="level")
    props = []
    for i in shown.index:
        row = choro.frame.iloc[i]
        value = row["value"]
        text = t("render.no_data", lang) if pd.isna(value) else \
            with_unit(format_number(value, lang), values.unit)
        props.append({"k": int(row["class"]) + 1, "p": [str(row["name"]), text]})
    title = values.label or values.code or "indicator"
    spec = {"title": title, "fields": [title], "tooltip": [0, 1], "popup": False,
            "kind": "polygon", "styles": styles}
    return AtlasLayer("choropleth", str(escape(title)), spec,
                      feature_collection(shown.geometry, props))


def _data_layer(scene: Scene, item: SceneLayer, tolerance: float, cluster: bool) -> AtlasLayer:
    """A catalogue layer with its styles, popups and tooltips."""
    spec = scene.atlas.spec(item.name)
    lang = scene.lang
    shown = for_display(item.frame, scene.atlas.metric_crs, tolerance)
    titles, rows = formatted_rows(spec, shown, lang, _territory_names(scene))
    names = [f.name for f in spec.fields if f.name in shown.columns]
    tooltip = [names.index(f) for f in tooltip_fields(spec) if f in names]
    codes = style_codes(spec, shown)
    entries = [e for e in legend_entries(spec, lang, codes) if e.key is not None]
    index = {e.key: i + 1 for i, e in enumerate(entries)}
    keys = [0] * len(shown) if codes is None else [index.get(str(c), 0) for c in codes]
    symbols = [spec.style.default, *(e.symbol for e in entries)]
    payload = {"title": spec.title(lang), "fields": titles, "tooltip": tooltip, "popup": True,
               "kind": geometry_kind(spec),
               "styles": [leaflet_options(spec, s) for s in symbols]}
    props = [{"k": k, "p": row} for k, row in zip(keys, rows, strict=True)]
    return AtlasLayer(item.name, str(escape(spec.title(lang))), payload,
                      feature_collection(shown.geometry, props), cluster=cluster)
