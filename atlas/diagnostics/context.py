"""The per-call context of a diagnostic: layers read once, shared intermediates computed once.

A national diagnostic touches the same 100,000 water points for a dozen indicators at
three levels. The context reads each layer once, keeps each feature's territory as an
integer position per level (so aggregating is a ``bincount``, not a spatial join), and
memoises whatever several indicators share (metric coordinates, the functional
improved water points, nearest distances, population cells). It lives for one call:
nothing is cached across writes, so a result never outlives the data it came from.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from ..catalog import LayerSpec
from ..crs import is_geographic, storage_crs
from ..errors import DiagnosticError, NotFoundError
from ..i18n import normalise_language, t
from ..names import TERRITORY_FIELD
from ..provenance import layer_as_of
from .grouping import Grouping
from .registry import POPULATION
from .standards import Standard, resolve_standards
from .values import numbers

if TYPE_CHECKING:
    from ..atlas import Atlas

T = TypeVar("T")
#: Fields that date a layer's observations, in order of preference (the first present wins).
DATE_FIELDS = ("survey_date", "report_date", "date", "year", "population_year")
POPULATION_SOURCES = ("auto", "raster", "localities", "territories")


@dataclass(frozen=True)
class Options:
    """Choices of one diagnostic call."""

    distance: float
    population: str
    reference_year: int
    mangrove_years: tuple[int, int] | None


def _ranked_dates(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Dates or years as ranks in their sorted distinct texts (-1: unknown)."""
    rank, uniques = pd.factorize(values, sort=True)
    labels = [v if isinstance(v, str) else str(int(v)) for v in uniques]
    return rank, labels


class Context:
    """Everything one diagnostic call shares; see the module docstring."""

    def __init__(self, atlas: Atlas, *, lang: str | None = None, distance: float | None = None,
                 population: str = "auto", reference_year: int | None = None,
                 mangrove_years: Sequence[int] | None = None,
                 standards: dict[str, Any] | None = None) -> None:
        self.atlas = atlas
        self.tree = atlas.territories
        self.lang = normalise_language(lang)
        self.metric: CRS = atlas.metric_crs
        if is_geographic(self.metric):
            raise DiagnosticError("diagnostics.geographic_crs", crs=self.metric.to_string())
        # catalogue and settings are read once: every access to them on the atlas asks
        # the store for its revision
        self.catalog = atlas.catalog
        self.settings = atlas.settings
        self.standards = resolve_standards(self.settings.extra.get("standards"), standards)
        if population not in POPULATION_SOURCES:
            raise DiagnosticError("diagnostics.bad_population_source", source=population,
                                  choices=", ".join(POPULATION_SOURCES))
        if distance is None:
            distance = self.standards["water_distance_m"].value
        else:  # the call's distance is the standard the distances are judged against
            self.standards["water_distance_m"] = replace(
                self.standards["water_distance_m"], value=float(distance))
        if not distance > 0:
            raise DiagnosticError("diagnostics.bad_distance", distance=distance)
        years = tuple(int(y) for y in mangrove_years) if mangrove_years else None
        if years is not None and len(years) != 2:
            raise DiagnosticError("diagnostics.bad_years", years=mangrove_years)
        self.options = Options(distance=float(distance), population=population,
                               reference_year=int(reference_year or date.today().year),
                               mangrove_years=years)
        self.timings: dict[str, float] = {}
        self._memo: dict[Any, Any] = {}
        self._guard = threading.Lock()
        self._locks: dict[Any, threading.RLock] = {}
        self._pool: ThreadPoolExecutor | None = None

    # -- memoisation and background work ----------------------------------------------
    def memo(self, key: Any, build: Callable[[], T], step: str | None = None) -> T:
        """Build a value once per call, even when a background thread asks for it too.

        ``step`` names it in :attr:`timings`.
        """
        if key in self._memo:
            return self._memo[key]
        with self._guard:
            lock = self._locks.setdefault(key, threading.RLock())
        with lock:
            if key not in self._memo:
                started = time.perf_counter()
                self._memo[key] = build()
                if step is not None:
                    self.timings[f"step:{step}"] = time.perf_counter() - started
        return self._memo[key]

    def in_background(self, job: Callable[[], object]) -> None:
        """Start shared work (memoised steps) in a second thread.

        Worth it for steps that spend their time outside the interpreter (raster
        reading, reprojection, KD-tree queries) while this thread reads layers. A
        failure there is not lost: the step is simply built again, and raises, in the
        thread that needs it.
        """
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="diagnose")
        self._pool.submit(job)

    def close(self) -> None:
        """Wait for background work to end."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    # -- text -------------------------------------------------------------------------
    def reason(self, key: str, **params: object) -> str:
        """Why a value is missing, as a sentence in the call's language."""
        return t(f"diagnostics.reason.{key}", self.lang, **params)

    # -- layers -----------------------------------------------------------------------
    def has_layer(self, name: str) -> bool:
        """True when the atlas declares the layer."""
        return name in self.catalog

    def spec(self, name: str) -> LayerSpec:
        """Spec of a layer."""
        if name not in self.catalog:
            raise NotFoundError("store.unknown_layer", layer=name,
                                available=", ".join(self.catalog))
        return self.catalog[name]

    def frame(self, name: str) -> gpd.GeoDataFrame:
        """All rows of a layer, read once per call."""
        return self.memo(("frame", name), lambda: self.atlas.read(name), step=f"read {name}")

    def numbers(self, name: str, field: str) -> np.ndarray:
        """A numeric or boolean field of a layer as float64, NaN where unknown."""
        return numbers(self.frame(name)[field])

    def field_codes(self, layer: str, field: str, attr: str, expected: object = True
                    ) -> tuple[str, ...]:
        """Category codes of a field whose attribute has a value (improved, functional...)."""
        return self.spec(layer).field(field).codes_where(attr, expected)

    def layer_problem(self, name: str) -> str | None:
        """Why a layer cannot feed an indicator (absent or empty), else None."""
        if name == POPULATION:
            from .population import population_problem

            return population_problem(self)
        if not self.has_layer(name):
            return self.reason("layer_missing", layer=name)
        if self.frame(name).empty:
            return self.reason("layer_empty", layer=self.spec(name).title(self.lang))
        return None

    # -- territories ------------------------------------------------------------------
    def level_index(self, level: int) -> pd.Index:
        """Codes of the territories of a level, ordered."""
        return self.memo(("level_index", level),
                         lambda: pd.Index(self.tree.at_level(level).index.astype(str)))

    def ancestors_at(self, level: int) -> dict[str, str]:
        """Each territory at or below ``level`` mapped to its ancestor at ``level``.

        It is :meth:`TerritoryTree.ancestor_map`, built once per level and call.
        """
        return self.memo(("ancestor_map", level), lambda: self.tree.ancestor_map(level))

    def grouping(self, uniques: Sequence[object], inverse: np.ndarray, level: int) -> Grouping:
        """Grouping of items whose territory is ``uniques[inverse]`` (-1: none).

        The few distinct codes are mapped to the level, then spread to the items.
        """
        index = self.level_index(level)
        mapped = pd.Series(list(uniques), dtype="object").map(self.ancestors_at(level))
        lookup = np.append(index.get_indexer(mapped.to_numpy()), -1)
        return Grouping(index, lookup[np.where(inverse >= 0, inverse, len(lookup) - 1)])

    def feature_codes(self, name: str) -> pd.Series:
        """Territory of each feature.

        It is its ``territory_code`` when the tree knows it, else the finest territory
        containing it (a point on a boundary goes to one side only).
        """
        def build() -> pd.Series:
            frame = self.frame(name)
            if TERRITORY_FIELD in frame.columns:
                codes = frame[TERRITORY_FIELD].astype("object")
            else:
                codes = pd.Series(None, index=frame.index, dtype="object")
            unknown = ~codes.isin(self.tree.frame.index)
            unknown &= frame.geometry.notna() & ~frame.geometry.is_empty
            if unknown.any():
                codes = codes.copy()
                codes[unknown] = self.tree.locate(frame.geometry[unknown]).to_numpy()
            return codes.where(codes.isin(self.tree.frame.index))
        return self.memo(("codes", name), build, step=f"territories of {name}")

    def groups(self, name: str, level: int) -> Grouping:
        """Features of a layer grouped by the territories of a level."""
        def build() -> Grouping:
            inverse, uniques = pd.factorize(self.feature_codes(name))
            return self.grouping(list(uniques), inverse, level)
        return self.memo(("groups", name, level), build)

    def area_km2(self, level: int) -> pd.Series:
        """Area of each territory of a level, measured in the metric CRS."""
        def build() -> pd.Series:
            shapes = self.tree.at_level(level).geometry.to_crs(self.metric)
            return pd.Series(shapes.area.to_numpy() / 1e6, index=self.level_index(level))
        return self.memo(("area", level), build)

    # -- geometry ---------------------------------------------------------------------
    def to_metric(self, x: np.ndarray, y: np.ndarray, crs: object = None) -> np.ndarray:
        """(n, 2) metric coordinates of lon/lat (or ``crs``) coordinates."""
        transformer = Transformer.from_crs(crs or storage_crs(), self.metric, always_xy=True)
        mx, my = transformer.transform(np.asarray(x, "float64"), np.asarray(y, "float64"))
        return np.column_stack([mx, my])

    def xy(self, name: str) -> np.ndarray:
        """Metric coordinates of each feature of a point layer (NaN without geometry)."""
        def build() -> np.ndarray:
            geoms = np.asarray(self.frame(name).geometry.values, dtype=object)
            missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
            points = np.where(missing, None, geoms)
            not_point = ~missing & (shapely.get_type_id(points) != 0)
            points[not_point] = shapely.point_on_surface(points[not_point])
            x, y = shapely.get_x(points), shapely.get_y(points)
            return self.to_metric(x, y)
        return self.memo(("xy", name), build, step=f"coordinates of {name}")

    # -- standards and dates ----------------------------------------------------------
    def standard(self, ref: str | Standard | None) -> Standard | None:
        """The standard an indicator names, overrides applied (an inline one as given)."""
        if ref is None or isinstance(ref, Standard):
            return ref
        return self.standards.get(ref)

    def data_date(self, name: str, level: int) -> pd.Series:
        """Date of the latest observation behind each territory's value, as text."""
        def build() -> pd.Series:
            index = self.level_index(level)
            if name == POPULATION:
                from .population import population_date

                return pd.Series(population_date(self, level), index=index, dtype="object")
            if not self.has_layer(name):
                return pd.Series(None, index=index, dtype="object")
            spec = self.spec(name)
            # the date given at import (--as-of, the file's date, else the import day),
            # never the catalogue's description of the layer
            fallback = self.memo(("as_of", name), lambda: layer_as_of(self.atlas, name))
            field = next((f for f in DATE_FIELDS if spec.has_field(f)), None)
            if field is None:
                return pd.Series(fallback, index=index, dtype="object")
            rank, labels = self.memo(("date_rank", name), lambda: _ranked_dates(
                self.frame(name)[field]))
            latest = self.groups(name, level).latest(rank, labels)
            return latest if fallback is None else latest.fillna(fallback)
        return self.memo(("date", name, level), build)
