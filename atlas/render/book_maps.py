"""Fast maps for the pages of an atlas book: the static map's look, drawn in bulk.

A book of 550 communes draws 550 maps; :func:`.static.scene_figure` spends most of
its time on things a book does once or not at all (a new figure and axes per map,
reprojecting and simplifying boundaries per map, one geopandas call per symbol, the
footer and the legend, which a book prints as HTML and as one shared legend).
:class:`PageMapper` keeps one figure per process, projects every boundary and point
to the metric CRS once, and draws each page with a handful of matplotlib
collections, using the catalogue's symbols (:mod:`.symbols`) exactly as the static
maps do: white territory, grey neighbours, sub-units, styled layers, scale bar and
north arrow. It is an adapter until :mod:`.static` offers a reusable-axes path.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.path import Path as MplPath

from .formatting import format_number
from .static import nice_length
from .symbols import geometry_kind, legend_entries, matplotlib_options

NEIGHBOUR_FILL = "#e3e3e3"
TERRITORY_FIELD = "territory_code"
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

    def __init__(self, frame: Any, metric: Any, by: str | None) -> None:
        geoms = frame.geometry.to_numpy()
        valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        self.rows = np.flatnonzero(valid)
        points = frame.geometry.iloc[self.rows].to_crs(metric)
        self.xy = np.column_stack([shapely.get_x(points.to_numpy()),
                                   shapely.get_y(points.to_numpy())])
        self.codes = (frame[by].astype("object").to_numpy()[self.rows] if by else
                      np.full(len(self.rows), None, dtype=object))
        self.tree = shapely.STRtree(geoms[self.rows])
        self.attached: dict[str, np.ndarray] = {}
        if TERRITORY_FIELD in frame.columns:
            codes = frame[TERRITORY_FIELD].astype("object").to_numpy()[self.rows]
            order = np.argsort(codes.astype(str), kind="stable")
            keys, starts = np.unique(codes.astype(str)[order], return_index=True)
            for key, part in zip(keys, np.split(order, starts[1:]), strict=True):
                self.attached[str(key)] = part


class _PolygonLayer:
    """A polygon layer projected once: one path per feature, category codes, index."""

    def __init__(self, frame: Any, metric: Any, by: str | None) -> None:
        geoms = frame.geometry.to_numpy()
        valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        self.rows = np.flatnonzero(valid)
        projected = frame.geometry.iloc[self.rows].to_crs(metric).to_numpy()
        self.paths = [_path(g) for g in projected]
        self.codes = (frame[by].astype("object").to_numpy()[self.rows] if by else
                      np.full(len(self.rows), None, dtype=object))
        self.tree = shapely.STRtree(geoms[self.rows])


class PageMapper:
    """Draws the map of each book page into one reusable figure (see the module doc)."""

    def __init__(self, atlas: Any, layers: Sequence[str], lang: str,
                 size: tuple[int, int], dpi: int) -> None:
        self.atlas = atlas
        self.lang = lang
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
        self._simplified = self._simplify(projected)
        self.trees = {level: (np.flatnonzero(self.levels == level),
                              shapely.STRtree(self.metric_geoms[self.levels == level]))
                      for level in np.unique(self.levels)}
        self.layers: list[tuple[str, Any, Any]] = []
        for name in layers:
            spec = atlas.spec(name)
            source = atlas.frame(name) if hasattr(atlas, "frame") else atlas.read(name)
            kind = geometry_kind(spec)
            if kind == "point":
                self.layers.append((name, spec, _PointLayer(source, self.metric,
                                                            spec.style.by)))
            elif kind == "polygon":
                self.layers.append((name, spec, _PolygonLayer(source, self.metric,
                                                              spec.style.by)))
        self.layers.sort(key=lambda item: (geometry_kind(item[1]) == "point", item[1].order))
        width, height = size
        self.figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor="#ffffff")
        self.ax = self.figure.add_axes((0.005, 0.005, 0.99, 0.99))
        self.ax.set_axis_off()
        self.ratio = (0.99 * width) / (0.99 * height)
        self._artists: list[Any] = []

    def _simplify(self, projected: Any) -> dict[int, np.ndarray]:
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

    def _add(self, artist: Any) -> None:
        self._artists.append(artist)

    def _polygons(self, paths: list[MplPath | None], zorder: float, **style: Any) -> None:
        paths = [p for p in paths if p is not None]
        if paths:
            collection = PathCollection(paths, zorder=zorder, **style)
            self._add(self.ax.add_collection(collection, autolim=False))

    def draw(self, code: str) -> Figure:
        """The figure showing ``code``, its sub-units, neighbours and layers."""
        for artist in self._artists:
            artist.remove()
        self._artists = []
        index = self.position[code]
        level = int(self.levels[index])
        minx, miny, maxx, maxy = self.bounds[index]
        pad = 0.03 * max(maxx - minx, maxy - miny, 1.0)
        extent = self._match((minx - pad, miny - pad, maxx + pad, maxy + pad))
        rows, tree = self.trees[level]
        near = rows[tree.query(shapely.box(*extent))]
        neighbours = [self._territory_path(i) for i in near if i != index]
        self._polygons(neighbours, 1, facecolor=NEIGHBOUR_FILL, edgecolor="#ffffff",
                       linewidth=0.6)
        own = self._territory_path(index)
        self._polygons([own], 2, facecolor="#ffffff", edgecolor="none")
        children = [self.position[c] for c in self.tree.children(code)]
        self._polygons([self._territory_path(i) for i in children], 4, facecolor="none",
                       edgecolor="#6b6b6b", linewidth=0.4)
        self._polygons([own], 5, facecolor="none", edgecolor="#000000", linewidth=1.2)
        boundary = self.tree.geometry(code)
        codes = {code, *self.tree.descendants(code)}
        for _, spec, layer in self.layers:
            self._layer(spec, layer, boundary, codes)
        self.ax.set_xlim(extent[0], extent[2])
        self.ax.set_ylim(extent[1], extent[3])
        self.ax.set_aspect("equal", adjustable="box")
        self._scale_bar(extent)
        self._north_arrow()
        return self.figure

    def _match(self, extent: tuple[float, float, float, float]
               ) -> tuple[float, float, float, float]:
        minx, miny, maxx, maxy = extent
        width, height = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
        if width / height < self.ratio:
            grow = (height * self.ratio - width) / 2
            return minx - grow, miny, maxx + grow, maxy
        grow = (width / self.ratio - height) / 2
        return minx, miny - grow, maxx, maxy + grow

    def _layer(self, spec: Any, layer: Any, boundary: Any, codes: set[str]) -> None:
        picked = layer.tree.query(boundary, predicate="intersects")
        if isinstance(layer, _PointLayer) and layer.attached:
            attached = [layer.attached[c] for c in codes if c in layer.attached]
            if attached:
                picked = np.union1d(picked, np.concatenate(attached))
        if not len(picked):
            return
        present = layer.codes[picked]
        styled = list(spec.style.categories)
        for entry in legend_entries(spec, self.lang, present):
            if spec.style.by is None:
                mine = picked
            elif entry.key is None:
                mine = picked[~np.isin(present.astype(str), styled)]
            else:
                mine = picked[present.astype(str) == entry.key]
            if not len(mine):
                continue
            if isinstance(layer, _PointLayer):
                scale = 1.0 if len(picked) <= 200 else max(0.45, math.sqrt(200 / len(picked)))
                options = matplotlib_options(spec, entry.symbol, entry.shape, scale=scale)
                self._add(self.ax.scatter(
                    layer.xy[mine, 0], layer.xy[mine, 1], s=options["markersize"],
                    marker=options["marker"], c=options["color"],
                    edgecolors=options["edgecolor"], linewidths=options["linewidth"],
                    alpha=options["alpha"], zorder=7 + spec.order / 1000))
            else:
                options = matplotlib_options(spec, entry.symbol, entry.shape)
                self._polygons([layer.paths[i] for i in mine], 3 + spec.order / 1000,
                               **options)

    def _scale_bar(self, extent: tuple[float, float, float, float]) -> None:
        minx, miny, maxx, maxy = extent
        length = nice_length(maxx - minx)
        x0, y0 = minx + 0.03 * (maxx - minx), miny + 0.03 * (maxy - miny)
        height = 0.012 * (maxy - miny)
        for i in range(2):
            self._add(self.ax.add_patch(Rectangle(
                (x0 + i * length / 2, y0), length / 2, height,
                facecolor="#000000" if i == 0 else "#ffffff", edgecolor="#000000",
                linewidth=0.6, zorder=10)))
        text = f"{format_number(length / 1000, self.lang)} km" if length >= 1000 \
            else f"{format_number(length, self.lang)} m"
        self._add(self.ax.text(x0 + length / 2, y0 + 1.8 * height, text, ha="center",
                               va="bottom", fontsize=7, zorder=10))

    def _north_arrow(self) -> None:
        self._add(self.ax.annotate(
            "N", xy=(0.965, 0.97), xytext=(0.965, 0.88), xycoords="axes fraction",
            ha="center", va="center", fontsize=9, fontweight="bold", zorder=10,
            arrowprops={"facecolor": "#000000", "width": 3, "headwidth": 9,
                        "headlength": 8}))
