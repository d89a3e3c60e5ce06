"""Showing atlas maps with st_folium: local assets, reruns only on clicks, click → territory.

The maps themselves come from :func:`atlas.render.territory_map` (through
:mod:`.cache`); this module only hands them to st_folium. ``returned_objects`` is
limited to the click the page needs, so panning and zooming never rerun the script.
A cached map is handed over as a fresh copy: st_folium renumbers a map's elements
when it renders it, and a second render of the same object emits references to the
old names, which breaks the page's script.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import folium
import shapely
from streamlit_folium import st_folium

from atlas.snapshot import AtlasSnapshot

from .assets import localise
from .text import html_literal

#: The click that selects a territory (any vector feature of the map).
OBJECT_CLICK = "last_object_clicked"
#: A click anywhere on the map (what-if proposals).
MAP_CLICK = "last_clicked"
PROPOSAL_STYLE = {"radius": 9, "color": "#08306b", "weight": 3, "fill": True,
                  "fillColor": "#6baed6", "fillOpacity": 0.9}


def show(fmap: folium.Map, *, key: str, returned: Sequence[str], height: int = 560,
         extra: folium.FeatureGroup | None = None, wheel_zoom: bool = True) -> dict[str, Any]:
    """Draw a (cached) map; returns what st_folium reports for ``returned`` objects.

    ``extra`` is a feature group added without reloading the map (st_folium's
    ``feature_group_to_add``), e.g. the proposals of the what-if mode. ``wheel_zoom``
    off (presentation): the mouse wheel scrolls the page instead of zooming the map out.
    """
    fresh = localise(copy.deepcopy(fmap))
    if not wheel_zoom:
        fresh.options["scroll_wheel_zoom"] = False
    # render=False: st_folium renders the map itself anyway; rendering the whole page
    # too would lex every layer's GeoJSON as a Jinja template a second time (branca
    # wraps each rendered script in a new template), for the same arguments.
    result = st_folium(fresh, key=key, height=height, use_container_width=True,
                       returned_objects=list(returned), feature_group_to_add=extra,
                       render=False)
    return result or {}


def clicked_point(result: dict[str, Any], name: str) -> dict[str, float] | None:
    """The ``{"lat", "lng"}`` of a click reported by st_folium, if any."""
    value = result.get(name)
    if isinstance(value, dict) and "lat" in value and "lng" in value:
        return {"lat": float(value["lat"]), "lng": float(value["lng"])}
    return None


def territory_at(atlas: AtlasSnapshot, lat: float, lng: float, level: int) -> str | None:
    """Code of the territory of ``level`` under a clicked point (None outside the atlas).

    The territory layers of the map carry names, not codes, in their properties, and
    names repeat (a commune shares its name with its département's seat), so the
    click is located with the territory tree, by position, like the diagnostics do.
    """
    codes = atlas.territories.locate([shapely.Point(lng, lat)], level=level)
    code = codes.iloc[0] if len(codes) else None
    return None if code is None or code != code else str(code)


def proposals_group(proposals: Sequence[dict[str, Any]], labels: dict[str, str],
                    name: str) -> folium.FeatureGroup:
    """Proposed water points as circle markers (no icon image to fetch)."""
    group = folium.FeatureGroup(name=name)
    for number, item in enumerate(proposals, start=1):
        label = f"{number}. {labels.get(str(item.get('type')), '')}".strip()
        folium.CircleMarker([item["lat"], item["lon"]], tooltip=html_literal(label),
                            **PROPOSAL_STYLE).add_to(group)
    return group
