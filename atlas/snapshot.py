"""One revision of an atlas, read once: what renderers, books and the app work from.

An :class:`~atlas.atlas.Atlas` asks the store for its revision on every access to its
settings, catalogue or tree, so that a write is seen at once. A book of 550 pages or
one run of the app would ask thousands of times, and could mix two revisions in one
document. :meth:`Atlas.snapshot() <atlas.atlas.Atlas.snapshot>` asks once: the
snapshot's settings, catalogue and territory tree belong to one revision, and so does
every row it returns.

A layer read whole (``read(layer)``, or named in ``preload``) is read once at the
snapshot's revision and kept; later reads of it, for a territory or a box, are cut in
memory by the same rule as :meth:`Atlas.read` (features meeting the boundary, or
attached to the territory by ``territory_code``). Other reads go to the store. A read
of the current rows is kept only when the store is still at the snapshot's revision
after it (then no write can have slipped in before it); otherwise the layer is read
as it was at that revision, from the store's history. The
snapshot never writes, and the frames it returns are copies: nothing a caller does to
them changes what the next caller gets.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from .catalog import Catalog, LayerSpec
from .errors import NotFoundError
from .i18n import t
from .names import TERRITORIES, TERRITORY_FIELD
from .settings import AtlasSettings
from .territories import TerritoryTree

if TYPE_CHECKING:
    from .atlas import Atlas
    from .store import Store
    from .store.base import BBox


class AtlasSnapshot:
    """An atlas frozen at one revision (see the module docstring)."""

    __slots__ = ("_catalog", "_frames", "_lock", "_raster", "_revision", "_settings",
                 "_sources", "_store", "_tree", "_url")

    def __init__(self, *, store: Store, url: str, revision: int, settings: AtlasSettings,
                 catalog: Catalog, territories: TerritoryTree, population_raster: Path | None,
                 preload: Iterable[str] = ()) -> None:
        self._store = store
        self._url = url
        self._revision = revision
        self._settings = settings
        self._catalog = catalog
        self._tree = territories
        self._raster = population_raster
        self._frames: dict[str, gpd.GeoDataFrame] = {}
        self._sources: dict[str, list[dict[str, object]]] = {}
        self._lock = threading.Lock()
        self.preload(preload)

    # -- what was read once ------------------------------------------------------------
    @property
    def url(self) -> str:
        """Where the atlas lives (path or URL)."""
        return self._url

    @property
    def revision(self) -> int:
        """The revision everything in the snapshot belongs to."""
        return self._revision

    @property
    def settings(self) -> AtlasSettings:
        """Title, metric CRS, level names... of the atlas."""
        return self._settings

    @property
    def catalog(self) -> Catalog:
        """Layer specs of the atlas."""
        return self._catalog

    @property
    def territories(self) -> TerritoryTree:
        """The territory tree at the snapshot's revision."""
        return self._tree

    @property
    def metric_crs(self) -> CRS:
        """CRS in which areas and distances are measured."""
        return self._settings.crs

    def spec(self, layer: str) -> LayerSpec:
        """Spec of a layer; raises :class:`NotFoundError` for an unknown layer."""
        if layer not in self._catalog:
            raise NotFoundError("store.unknown_layer", layer=layer,
                                available=", ".join(self._catalog))
        return self._catalog[layer]

    def warning(self, lang: str | None = None) -> str | None:
        """The fictional-data warning when the atlas is a demonstration."""
        return t("cli.fictional", lang) if self._settings.fictional else None

    def population_raster_path(self) -> Path | None:
        """Path of the population GeoTIFF (as :meth:`Atlas.population_raster_path`)."""
        return self._raster

    def sources(self, layer: str) -> list[dict[str, object]]:
        """Provenance of the current rows of a layer (as :meth:`Atlas.sources`).

        Asked once per snapshot: a book cites the same layers on every page.
        """
        self.spec(layer)
        with self._lock:
            if layer not in self._sources:
                from .provenance import current_provenance

                self._sources[layer] = current_provenance(self._store, layer)
            return [dict(item) for item in self._sources[layer]]

    def __repr__(self) -> str:
        """Title and revision."""
        return f"<AtlasSnapshot {self._settings.title_in()!r} (revision {self._revision})>"

    # -- rows -----------------------------------------------------------------------------
    def read(self, layer: str, territory: str | None = None, bbox: BBox | None = None,
             columns: Sequence[str] | None = None) -> gpd.GeoDataFrame:
        """Rows of a layer at the snapshot's revision, as :meth:`Atlas.read` selects them."""
        spec = self.spec(layer)
        if territory is not None:
            self._tree.get(territory)
        whole = self._frames.get(layer)
        if whole is None and territory is None and bbox is None:
            whole = self._whole(layer)
        if whole is None:
            found = self._from_store(spec, territory, bbox, columns)
            if found is not None:
                return found
            whole = self._whole(layer)
        return self._cut(spec, whole, territory, bbox, columns)

    def frame(self, layer: str) -> gpd.GeoDataFrame:
        """All rows of a layer (read once, then copied)."""
        return self.read(layer)

    def preload(self, layers: Iterable[str]) -> None:
        """Read these layers whole now (unknown names are skipped), for the cuts to come.

        What the snapshot returns does not change: it is read at the same revision.
        """
        for layer in layers:
            if layer in self._catalog:
                self._whole(layer)

    def _whole(self, layer: str) -> gpd.GeoDataFrame:
        """The layer at the snapshot's revision, read once and spatially indexed.

        The current rows are read first (the store's fastest read); only when a write
        came in since the snapshot is the layer read as it was at its revision.
        """
        with self._lock:
            found = self._frames.get(layer)
            if found is None:
                found = self._store.read(layer)
                if self._store.current_revision() != self._revision:
                    found = self._store.read(layer, revision=self._revision)
                found.sindex  # noqa: B018 - built once, here, for the cuts to come
                self._frames[layer] = found
        return found

    def _from_store(self, spec: LayerSpec, territory: str | None, bbox: BBox | None,
                    columns: Sequence[str] | None) -> gpd.GeoDataFrame | None:
        """A targeted read, or None when a write came in since the snapshot was taken."""
        if territory is None:
            rows = self._store.read(spec.name, bbox=bbox, columns=columns)
        else:
            rows = read_in_territory(self._store, spec, self._tree, territory, columns)
            if bbox is not None:
                rows = rows[_meets_box(rows, bbox)].reset_index(drop=True)
        return rows if self._store.current_revision() == self._revision else None

    def _cut(self, spec: LayerSpec, whole: gpd.GeoDataFrame, territory: str | None,
             bbox: BBox | None, columns: Sequence[str] | None) -> gpd.GeoDataFrame:
        """What :meth:`read` returns, taken from a layer held in memory."""
        keep = np.ones(len(whole), dtype=bool)
        if territory is not None:
            keep &= self._in_territory(spec, whole, territory)
        if bbox is not None:
            keep &= _meets_box(whole, bbox)
        rows = whole[keep]
        if columns is not None:
            rows = rows[[c for c in whole.columns if c in columns or c == "geometry"]]
        return rows.reset_index(drop=True).copy()

    def _in_territory(self, spec: LayerSpec, whole: gpd.GeoDataFrame,
                      territory: str) -> np.ndarray:
        codes = [territory, *self._tree.descendants(territory)]
        if spec.name == TERRITORIES:
            return whole["code"].isin(codes).to_numpy()
        keep = np.zeros(len(whole), dtype=bool)
        hits = whole.sindex.query(self._tree.geometry(territory), predicate="intersects")
        keep[hits] = True
        if TERRITORY_FIELD in whole.columns and spec.has_field(TERRITORY_FIELD):
            keep |= whole[TERRITORY_FIELD].isin(codes).to_numpy()
        return keep


def read_in_territory(store: Store, spec: LayerSpec, tree: TerritoryTree, territory: str,
                      columns: Sequence[str] | None = None, revision: int | None = None
                      ) -> gpd.GeoDataFrame:
    """What lies in a territory, read from the store (the rule of :meth:`Atlas.read`).

    For the territories layer, the territory and its descendants; for other layers,
    features meeting its boundary or attached to it by ``territory_code``.
    """
    codes = [territory, *tree.descendants(territory)]
    if spec.name == TERRITORIES:
        return store.read(spec.name, where={"code": codes}, columns=columns, revision=revision)
    boundary = tree.geometry(territory)
    spatial = store.read(spec.name, bbox=shapely.bounds(boundary).tolist(), columns=columns,
                         revision=revision)
    spatial = spatial[spatial.intersects(boundary)]
    if not spec.has_field(TERRITORY_FIELD):
        return spatial.reset_index(drop=True)
    attached = store.read(spec.name, where={TERRITORY_FIELD: codes}, columns=columns,
                          revision=revision)
    both = pd.concat([spatial, attached], ignore_index=True)
    if spec.id_field in both.columns:
        both = both.drop_duplicates(spec.id_field).sort_values(spec.id_field)
    return gpd.GeoDataFrame(both, geometry="geometry", crs=spatial.crs).reset_index(drop=True)


def _meets_box(frame: gpd.GeoDataFrame, bbox: BBox) -> np.ndarray:
    """Rows whose envelope meets a lon/lat box (the stores' ``bbox`` rule)."""
    envelopes = shapely.envelope(np.asarray(frame.geometry.values, dtype=object))
    return np.asarray(shapely.intersects(envelopes, shapely.box(*bbox)), dtype=bool)


def snapshot_of(atlas: Atlas | AtlasSnapshot) -> AtlasSnapshot:
    """The snapshot renderers work from: ``atlas`` itself, or a new one of it."""
    return atlas if isinstance(atlas, AtlasSnapshot) else atlas.snapshot()
