"""Static maps in bulk: the page maps of an atlas book, drawn into one reused figure.

A book of 550 communes draws 550 maps; :func:`.static.scene_figure` spends most of
its time on things a book does once or not at all (a new figure and axes per map,
reprojecting and simplifying boundaries per map, one geopandas call per symbol, the
footer and the legend, which a book prints as HTML and as one shared legend).
:class:`PageMaps` is the static wing's bulk drawer: it keeps one figure, projects
every boundary and point to the metric CRS once, and draws each page with a handful
of matplotlib collections, with the same symbols (:mod:`.symbols`), colours, scale
bar and north arrow (:mod:`.decor`) as every static map. Like
:class:`~.static.SceneDrawer` it answers ``figure(code)``: the figure is the same
object each time, redrawn, so each map is encoded before the next is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.path import Path as MplPath

from ...i18n import normalise_language
from ...names import TERRITORIES, TERRITORY_FIELD
from . import decor
from .options import MapOptions
from .symbols import (
    draw_order,
    geometry_kind,
    legend_entries,
    matplotlib_options,
    style_codes,
    styled_keys,
)

if TYPE_CHECKING:
    from ...snapshot import AtlasSnapshot

#: Boundaries are simplified once per level to this share of the level's typical size.
SIMPLIFY_SHARE = 1 / 2500


def _path(geometry: Any) -> MplPath | None:
    """A matplotlib path of a (multi)polygon.

    Exteriors run counter-clockwise and holes clockwise, so the default non-zero fill
    rule leaves the holes empty.
    """
    if geometry is None or geometry.is_empty:
        return None
    vertices, codes = [], []
    for part in shapely.get_parts(geometry):
        oriented = shapely.geometry.polygon.orient(part, 1.0)
        for ring in [oriented.exterior, *oriented.interiors]:
            coords = np.asarray(ring.coords)
            if len(coords) < 3:
                continue
            vertices.append(coords)
            ring_codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
            ring_codes[0], ring_codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            codes.append(ring_codes)
    if not vertices:
        return None
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


class _PointLayer:
    """A point layer projected once: metric coordinates, category codes, index."""

    def __init__(self, frame: Any, metric: Any, spec: Any) -> None:
        geoms = frame.geometry.to_numpy()
        valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        self.rows = np.flatnonzero(valid)
        points = frame.geometry.iloc[self.rows].to_crs(metric)
        self.xy = np.column_stack([shapely.get_x(points.to_numpy()),
                                   shapely.get_y(points.to_numpy())])
        codes = style_codes(spec, frame)
        self.codes = (codes.to_numpy(dtype=object)[self.rows] if codes is not None else
                      np.full(len(self.rows), None, dtype=object))
        self.tree = shapely.STRtree(geoms[self.rows])
        self.attached: dict[str, np.ndarray] = {}
        if TERRITORY_FIELD in frame.columns and len(self.rows):  # an empty layer: none
            codes = frame[TERRITORY_FIELD].astype("object").to_numpy()[self.rows]
            order = np.argsort(codes.astype(str), kind="stable")
            keys, starts = np.unique(codes.astype(str)[order], return_index=True)
            for key, part in zip(keys, np.split(order, starts[1:]), strict=True):
                self.attached[str(key)] = part


class _PolygonLayer:
    """A polygon layer projected once: one path per feature, category codes, index."""

    def __init__(self, frame: Any, metric: Any, spec: Any) -> None:
        geoms = frame.geometry.to_numpy()
        valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        self.rows = np.flatnonzero(valid)
        projected = frame.geometry.iloc[self.rows].to_crs(metric).to_numpy()
        self.paths = [_path(g) for g in projected]
        codes = style_codes(spec, frame)
        self.codes = (codes.to_numpy(dtype=object)[self.rows] if codes is not None else
                      np.full(len(self.rows), None, dtype=object))
        self.tree = shapely.STRtree(geoms[self.rows])


class PageMaps:
    """Draws the map of each book page into one reusable figure (see the module doc).

    ``options`` give the layers (None: every catalogue layer), the language, the
    size and the dpi; page maps have no title, legend or footer (the page prints
    them) and no choropleth.
    """

    draws_title = False

    def __init__(self, atlas: AtlasSnapshot, options: MapOptions) -> None:
        self.atlas = atlas
        self.options = options
        self.lang = normalise_language(options.lang)
        self.tree = atlas.territories
        self.metric = atlas.metric_crs
        frame = self.tree.frame
        projected = frame.to_crs(self.metric)
        self.codes = list(frame.index)
        self.position = {code: i for i, code in enumerate(self.codes)}
        self.levels = frame["level"].astype(int).to_numpy()
        self.bounds = shapely.bounds(projected.geometry.to_numpy())
        self.metric_geoms = projected.geometry.to_numpy()
        self._paths: dict[str, MplPath | None] = {}
        self._simplified = self._simplify()
        self.trees = {level: (np.flatnonzero(self.levels == level),
                              shapely.STRtree(self.metric_geoms[self.levels == level]))
                      for level in np.unique(self.levels)}
        self.layers = self._layers(options.layers)
        width, height = options.size
        dpi = options.dpi
        self._figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi,
                              facecolor=decor.BACKGROUND)
        self.ax = self._figure.add_axes((0.005, 0.005, 0.99, 0.99))
        self.ax.set_axis_off()
        self.ratio = (0.99 * width) / (0.99 * height)
        self._artists: list[Any] = []

    def _layers(self, names: tuple[str, ...] | None) -> list[tuple[str, Any, Any]]:
        """Point and polygon layers projected once, in drawing order."""
        wanted = [n for n in (self.atlas.catalog if names is None else names)
                  if n != TERRITORIES]
        layers: list[tuple[str, Any, Any]] = []
        for name in wanted:
            spec = self.atlas.spec(name)
            kind = geometry_kind(spec)
            if kind == "point":
                layers.append((name, spec, _PointLayer(self.atlas.frame(name), self.metric,
                                                       spec)))
            elif kind == "polygon":
                layers.append((name, spec, _PolygonLayer(self.atlas.frame(name), self.metric,
                                                         spec)))
        return sorted(layers, key=lambda item: draw_order(item[1]))

    def _simplify(self) -> dict[int, np.ndarray]:
        out = {}
        for level in np.unique(self.levels):
            mine = self.levels == level
            spans = np.maximum(self.bounds[mine, 2] - self.bounds[mine, 0],
                               self.bounds[mine, 3] - self.bounds[mine, 1])
            tolerance = float(np.median(spans)) * SIMPLIFY_SHARE if len(spans) else 0.0
            geoms = self.metric_geoms.copy()
            geoms[mine] = shapely.simplify(self.metric_geoms[mine], tolerance,
                                           preserve_topology=True)
            out[int(level)] = geoms
        return out

    def _territory_path(self, index: int) -> MplPath | None:
        code = self.codes[index]
        if code not in self._paths:
            self._paths[code] = _path(self._simplified[int(self.levels[index])][index])
        return self._paths[code]

    def _polygons(self, paths: list[MplPath | None], zorder: float, **style: Any) -> None:
        paths = [p for p in paths if p is not None]
        if paths:
            collection = PathCollection(paths, zorder=zorder, **style)
            self._artists.append(self.ax.add_collection(collection, autolim=False))

    def figure(self, code: str | None, title: str | None = None) -> Figure:
        """The figure showing ``code``, its sub-units, neighbours and layers.

        Page maps have no title (the page prints it): ``title`` is not drawn.
        """
        if code is None:
            raise ValueError("page maps draw one territory at a time")
        for artist in self._artists:
            artist.remove()
        self._artists = []
        index = self.position[code]
        extent = decor.match_aspect(decor.padded(tuple(self.bounds[index])), self.ratio)
        self._boundaries(code, index, extent)
        boundary = self.tree.geometry(code)
        codes = {code, *self.tree.descendants(code)}
        for _, spec, layer in self.layers:
            self._layer(spec, layer, boundary, codes)
        decor.fit(self.ax, extent)
        self._artists += decor.scale_bar(self.ax, extent, self.lang)
        self._artists += decor.north_arrow(self.ax, x=0.965)
        return self._figure

    def _boundaries(self, code: str, index: int, extent: decor.Extent) -> None:
        """Grey neighbours, the white territory, its sub-units and its outline."""
        z = decor.ZORDER
        rows, tree = self.trees[int(self.levels[index])]
        near = rows[tree.query(shapely.box(*extent))]
        self._polygons([self._territory_path(i) for i in near if i != index],
                       z["neighbours"], **decor.NEIGHBOUR_STYLE)
        own = self._territory_path(index)
        self._polygons([own], z["fill"], facecolor="#ffffff", edgecolor="none")
        children = [self.position[c] for c in self.tree.children(code)]
        self._polygons([self._territory_path(i) for i in children], z["subunits"],
                       facecolor="none", **decor.SUBUNIT_EDGE)
        self._polygons([own], z["focus"], facecolor="none", **decor.FOCUS_EDGE)

    def _layer(self, spec: Any, layer: Any, boundary: Any, codes: set[str]) -> None:
        picked = layer.tree.query(boundary, predicate="intersects")
        if isinstance(layer, _PointLayer) and layer.attached:
            attached = [layer.attached[c] for c in codes if c in layer.attached]
            if attached:
                picked = np.union1d(picked, np.concatenate(attached))
        if not len(picked):
            return
        present = layer.codes[picked]
        entries = legend_entries(spec, self.lang, present)
        styled = styled_keys(entries)
        for entry in entries:
            if spec.style.by is None:
                mine = picked
            elif entry.key is None:
                mine = picked[~np.isin(present.astype(str), styled)]
            else:
                mine = picked[present.astype(str) == entry.key]
            if not len(mine):
                continue
            kind = geometry_kind(spec)
            zorder = decor.ZORDER[kind] + spec.order / 1000
            if isinstance(layer, _PointLayer):
                options = matplotlib_options(spec, entry.symbol, entry.shape,
                                             scale=decor.marker_scale(len(picked)))
                self._artists.append(decor.scatter(self.ax, layer.xy[mine, 0],
                                                   layer.xy[mine, 1], options, zorder))
            else:
                options = matplotlib_options(spec, entry.symbol, entry.shape)
                self._polygons([layer.paths[i] for i in mine], zorder, **options)
