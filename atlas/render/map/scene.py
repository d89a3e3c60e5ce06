"""What a map shows, decided once for the interactive and the static renderers.

A :class:`Scene` is read from the atlas: the territory in focus and its extent,
the boundaries drawn as background (the territory, its sub-units, its greyed
neighbours), the choropleth (values, level, classification) and the catalogue
layers clipped to the territory, all from one :class:`~atlas.snapshot.AtlasSnapshot`
and one :class:`~.options.MapOptions`. :mod:`.interactive` (folium) and
:mod:`.static` (matplotlib) only draw a scene, so both show the same features with
the same classes, and the fact sheets built on static maps agree with the web map.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import shapely

from ...i18n import normalise_language
from ...names import TERRITORIES
from ...snapshot import AtlasSnapshot, snapshot_of
from .choropleth import DEFAULT_PALETTE, Classification, classify
from .options import MapOptions
from .values import IndicatorValues, indicator_values

if TYPE_CHECKING:
    from ...atlas import Atlas
    from ...territories import TerritoryTree

#: Neighbours are looked for within this share of the territory's extent around it.
NEIGHBOUR_MARGIN = 0.3


@dataclass
class SceneLayer:
    """A catalogue layer clipped to the scene, and how many rows had no geometry."""

    name: str
    frame: gpd.GeoDataFrame
    missing: int = 0


@dataclass
class Choropleth:
    """Indicator values on the territories of one level, classified."""

    values: IndicatorValues
    level: int
    frame: gpd.GeoDataFrame
    classification: Classification


@dataclass
class Scene:
    """Everything a renderer needs (see the module docstring)."""

    atlas: AtlasSnapshot
    lang: str
    territory: str | None
    title: str
    focus: gpd.GeoSeries
    outline: gpd.GeoDataFrame
    neighbours: gpd.GeoDataFrame
    focus_codes: list[str] = field(default_factory=list)
    layers: list[SceneLayer] = field(default_factory=list)
    choropleth: Choropleth | None = None

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of the territory in focus."""
        minx, miny, maxx, maxy = self.focus.total_bounds
        return float(minx), float(miny), float(maxx), float(maxy)


def default_layers(atlas: AtlasSnapshot) -> list[str]:
    """Every catalogue layer except the territories (drawn as background anyway)."""
    return [name for name in atlas.catalog if name != TERRITORIES]


def build_scene(atlas: Atlas | AtlasSnapshot, territory: str | None,
                options: MapOptions) -> Scene:
    """Read what a map of ``territory`` (None: the whole atlas) shows."""
    atlas = snapshot_of(atlas)
    lang = normalise_language(options.lang)
    tree = atlas.territories
    frame = tree.frame.reset_index(drop=True)
    if territory is not None:
        here = tree.get(territory)
        focus = frame[frame["code"] == territory]
        inside = tree.descendants(territory)
        below = [c for c in inside if int(tree.frame.at[c, "level"]) == here.level + 1]
        outline = pd.concat([focus, frame[frame["code"].isin(below)]], ignore_index=True)
        neighbours = _neighbours(frame, focus, here.level, territory)
        title = f"{atlas.settings.title_in(lang)} — {here.name}"
    else:
        roots = tree.roots()
        focus = frame[frame["code"].isin(roots)]
        top = min((int(tree.frame.at[c, "level"]) for c in roots), default=0)
        outline = frame[frame["level"].isin([top, top + 1])].sort_values("level")
        neighbours = frame.iloc[0:0]
        title = atlas.settings.title_in(lang)
    scene = Scene(atlas=atlas, lang=lang, territory=territory, title=title,
                  focus=focus.geometry, outline=_gdf(outline), neighbours=_gdf(neighbours),
                  focus_codes=[str(c) for c in focus["code"]])
    if options.indicator is not None:
        scene.choropleth = _choropleth(atlas, scene, options)
        if scene.choropleth.level == _level_of(tree, territory):
            scene.neighbours = scene.neighbours.iloc[0:0]
    layers = options.layers
    for name in (default_layers(atlas) if layers is None else list(layers)):
        atlas.spec(name)
        if name == TERRITORIES:
            continue
        rows = atlas.read(name, territory=territory)
        has_geometry = rows.geometry.notna() & ~rows.geometry.is_empty
        scene.layers.append(SceneLayer(name, rows[has_geometry].reset_index(drop=True),
                                       int((~has_geometry).sum())))
    return scene


def _gdf(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=getattr(frame, "crs", None)) \
        .reset_index(drop=True)


def _level_of(tree: TerritoryTree, territory: str | None) -> int | None:
    return None if territory is None else tree.get(territory).level


def _neighbours(frame: gpd.GeoDataFrame, focus: gpd.GeoDataFrame, level: int,
                code: str) -> gpd.GeoDataFrame:
    """Territories of the same level around the focus (greyed context)."""
    minx, miny, maxx, maxy = focus.total_bounds
    margin = NEIGHBOUR_MARGIN * max(maxx - minx, maxy - miny)
    area = shapely.box(minx - margin, miny - margin, maxx + margin, maxy + margin)
    same = frame[(frame["level"] == level) & (frame["code"] != code)]
    return same[same.intersects(area)]


def _choropleth(atlas: AtlasSnapshot, scene: Scene, options: MapOptions) -> Choropleth:
    """The indicator's values on the territories the map shows, classified."""
    tree = atlas.territories
    overrides = {"label": options.label, "unit": options.unit, "source": options.source,
                 "higher_is_better": options.higher_is_better}
    values = None
    level = options.level
    if level is None and not isinstance(options.indicator, str):
        # Values given by the caller: draw them at the level of their codes.
        values = indicator_values(atlas, options.indicator, None, scene.lang, **overrides)
        known = [c for c in values.values.dropna().index if c in tree]
        if known:
            level = int(tree.frame.loc[known, "level"].mode().iloc[0])
    number = _choropleth_level(tree, scene.territory, level)
    codes = _choropleth_codes(tree, scene, number)
    if values is None:
        values = indicator_values(atlas, options.indicator, number, scene.lang, **overrides)
    shown = values.values.reindex(codes)
    classification = classify(shown, scheme=options.scheme, k=options.classes,
                              breaks=options.breaks,
                              palette=options.palette or DEFAULT_PALETTE,
                              reverse=values.higher_is_better is False)
    frame = tree.frame.loc[codes].reset_index(drop=True)
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=tree.frame.crs)
    frame["value"] = shown.to_numpy()
    frame["class"] = [classification.classes.get(c, -1) for c in codes]
    return Choropleth(values, number, frame, classification)


def _choropleth_level(tree: TerritoryTree, territory: str | None,
                      level: int | str | None) -> int:
    """The level asked for, else the sub-units of the territory (itself at the bottom)."""
    if level is not None:
        return tree.resolve_level(level)
    if territory is None:
        return tree.finest_level
    here = tree.get(territory).level
    deeper = [lv for lv in tree.levels if lv > here]
    return deeper[0] if deeper and tree.descendants(territory) else here


def _choropleth_codes(tree: TerritoryTree, scene: Scene, number: int) -> list[str]:
    """Territories coloured: those of the level inside, or around, the territory."""
    territory = scene.territory
    if territory is None:
        return list(tree.at_level(number).index)
    here = tree.get(territory).level
    if number > here:
        return tree.descendants(territory, level=number)
    if number == here:
        return [territory, *scene.neighbours.loc[
            scene.neighbours["level"] == number, "code"].tolist()]
    return [c for c in [tree.ancestor_at(territory, number)] if c]
