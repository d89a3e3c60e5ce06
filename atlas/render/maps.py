"""Interactive maps of a territory: catalogue layers, choropleths, legends (folium).

:func:`territory_map` draws a :class:`~.scene.Scene` on a folium map: greyed
neighbours, the indicator choropleth, the territory outline with its sub-units,
then the catalogue layers styled from their spec (colour by category, popups with
field titles and formatted values). Controls: layers, scale bar, full screen, and
a legend that follows the visible layers. Vectors are drawn on a canvas
(``prefer_canvas``), which keeps thousands of points fluid; point layers above
:data:`CLUSTER_THRESHOLD` features are clustered with leaflet.markercluster.

The map works as is in Jupyter and Streamlit (Leaflet from a CDN, as folium does);
``offline=True`` or :func:`atlas.render.offline.export_html` inline every asset.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import folium
import pandas as pd
from markupsafe import escape

from ..i18n import t
from .choropleth import DEFAULT_CLASSES
from .features import formatted_rows, style_keys, tooltip_fields
from .formatting import format_number, with_unit
from .geometry import (
    INTERACTIVE_DETAIL,
    extent_metres,
    feature_collection,
    for_display,
    tolerance_for,
)
from .leaflet import AtlasLayer, Legend, MapSetup
from .legends import LegendSection, choropleth_section, layer_section, legend_html
from .scene import Scene, SceneLayer, build_scene
from .symbols import geometry_kind, leaflet_options, legend_entries

if TYPE_CHECKING:
    from ..atlas import Atlas

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


def territory_map(
    atlas: Atlas,
    territory: str | None = None,
    layers: Sequence[str] | None = None,
    lang: str | None = None,
    indicator: object = None,
    *,
    level: int | str | None = None,
    scheme: str = "quantiles",
    k: int = DEFAULT_CLASSES,
    breaks: Sequence[float] | None = None,
    palette: str | None = None,
    label: str | None = None,
    unit: str | None = None,
    source: str | None = None,
    higher_is_better: bool | None = None,
    basemap: str | None = None,
    cluster: bool | Sequence[str] | None = None,
    detail: float = INTERACTIVE_DETAIL,
    offline: bool = False,
) -> folium.Map:
    """A folium map of ``territory`` (None: the whole atlas) with catalogue layers.

    ``layers`` defaults to every catalogue layer; ``indicator`` (a code computed by
    the diagnostics, or a Series/DataFrame of values per territory code, or
    :class:`~.choropleth.IndicatorValues`) adds a choropleth at ``level``, classified
    by ``scheme`` (quantiles, fisher_jenks, equal_interval) in ``k`` classes or at
    the given ``breaks``. ``basemap`` ("osm", "positron" or a tile URL) adds online
    tiles, shown below the data; maps are readable without them. ``cluster`` forces
    clustering on (True, or a list of layer names) or off (False).
    """
    scene = build_scene(atlas, territory, layers, lang, indicator, level=level, scheme=scheme,
                        k=k, breaks=breaks, palette=palette, label=label, unit=unit,
                        source=source, higher_is_better=higher_is_better)
    return scene_map(scene, basemap=basemap, cluster=cluster, detail=detail, offline=offline)


def scene_map(scene: Scene, *, basemap: str | None = None,
              cluster: bool | Sequence[str] | None = None,
              detail: float = INTERACTIVE_DETAIL, offline: bool = False) -> folium.Map:
    """Draw an already built scene (see :func:`territory_map`)."""
    lang = scene.lang
    metric = scene.atlas.metric_crs
    tolerance = tolerance_for(extent_metres(scene.focus, metric), detail)
    minx, miny, maxx, maxy = scene.bounds
    fmap = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9,
                      tiles=None, prefer_canvas=True, control_scale=False)
    fmap.atlas_lang = lang  # type: ignore[attr-defined]  # read by offline.to_html
    figure = fmap.get_root()
    figure.title = str(escape(scene.title))
    if basemap:
        tiles = BASEMAPS.get(basemap.lower(), basemap)
        folium.TileLayer(tiles, name=str(escape(t("render.basemap", lang))), overlay=False,
                         control=True).add_to(fmap)
    MapSetup([[miny, minx], [maxy, maxx]], {
        "fullscreen": t("render.fullscreen", lang),
        "exit_fullscreen": t("render.exit_fullscreen", lang)}).add_to(fmap)
    sections: list[LegendSection] = []
    if not scene.neighbours.empty:
        _territory_layer(scene, "neighbours", t("render.neighbours", lang),
                         scene.neighbours, [NEIGHBOUR_STYLE], tolerance).add_to(fmap)
    if scene.choropleth is not None:
        _choropleth_layer(scene, tolerance).add_to(fmap)
        sections.append(choropleth_section(scene.choropleth.values,
                                           scene.choropleth.classification, lang))
    outline = scene.outline
    keys = [0 if c in scene.focus_codes else 1 for c in outline["code"]]
    # Over a choropleth, sub-units are lines only (their white fill would hide colours).
    styles = [OUTLINE_STYLE, SUBUNIT_STYLE]
    if scene.choropleth is not None:
        styles = [{**style, "fill": False} for style in styles]
    _territory_layer(scene, "outline", t("render.outline", lang), outline, styles, tolerance,
                     keys=keys,
                     interactive=scene.choropleth is None).add_to(fmap)
    ordered = sorted(scene.layers, key=lambda item: _draw_order(scene, item))
    for item in ordered:
        spec = scene.atlas.spec(item.name)
        if item.frame.empty:
            continue
        clustered = _clustered(cluster, item, spec)
        _data_layer(scene, item, tolerance, clustered).add_to(fmap)
        note = t("render.not_drawn", lang, count=item.missing) if item.missing else None
        present = item.frame[spec.style.by] if spec.style.by in item.frame.columns else None
        sections.append(layer_section(spec, legend_entries(spec, lang, present), lang, note))
    if sections:
        Legend(legend_html(sections, lang)).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    if offline:
        from .offline import make_offline

        make_offline(fmap)
    return fmap


def _draw_order(scene: Scene, item: SceneLayer) -> tuple[int, int]:
    """Polygons first, then lines, then points (which must stay clickable)."""
    kind = geometry_kind(scene.atlas.spec(item.name))
    return ({"polygon": 0, "line": 1, "point": 2}[kind], scene.atlas.spec(item.name).order)


def _clustered(cluster: bool | Sequence[str] | None, item: SceneLayer, spec: object) -> bool:
    if geometry_kind(spec) != "point":  # type: ignore[arg-type]
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
    keys = style_keys(spec, shown)
    symbols = [spec.style.default, *spec.style.categories.values()]
    payload = {"title": spec.title(lang), "fields": titles, "tooltip": tooltip, "popup": True,
               "kind": geometry_kind(spec),
               "styles": [leaflet_options(spec, s) for s in symbols]}
    props = [{"k": k, "p": row} for k, row in zip(keys, rows, strict=True)]
    return AtlasLayer(item.name, str(escape(spec.title(lang))), payload,
                      feature_collection(shown.geometry, props), cluster=cluster)
