"""The Atlas: an opened store with its catalogue, settings and territory tree.

It is the one object front ends hold. It stays thin: it reads and writes through
the store, caches what is derived from the data (the territory tree) under the
store's revision number, and hands itself to the diagnostics and renderers, which
live in their own modules.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from .catalog import Catalog, LayerSpec, load_catalog, parse_spec
from .errors import NotFoundError
from .i18n import t
from .names import TERRITORIES
from .settings import AtlasSettings
from .snapshot import AtlasSnapshot, read_in_territory
from .store import Revision, Store, WriteMode, create_store, open_store
from .store.base import BBox
from .store.frames import checksum as frame_checksum
from .territories import TerritoryTree

if TYPE_CHECKING:
    import folium
    from matplotlib.figure import Figure

    from .render.map import MapOptions
    from .render.sheet import Sheet


class Atlas:
    """An atlas opened from a GeoPackage path or a PostGIS URL."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[str, tuple[int, Any]] = {}

    # -- opening ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Where the atlas lives (path or URL)."""
        return self.store.url

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> Atlas:
        """Use as a context manager that closes the atlas."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close on leaving the ``with`` block."""
        self.close()

    def __repr__(self) -> str:
        """Title, location and revision."""
        where = getattr(self.store, "display_url", self.url)
        return f"<Atlas {self.settings.title_in()!r} at {where} (revision {self.revision})>"

    # -- cached, derived state --------------------------------------------------------
    @property
    def revision(self) -> int:
        """Latest revision of the whole atlas; changes on every write."""
        return self.store.current_revision()

    def _cached(self, key: str, build: Any, revision: int) -> Any:
        hit = self._cache.get(key)
        if hit is None or hit[0] != revision:
            hit = (revision, build())
            self._cache[key] = hit
        return hit[1]

    def _settings_at(self, revision: int) -> AtlasSettings:
        return self._cached("settings", lambda: AtlasSettings.from_dict(
            self.store.get_settings()), revision)

    def _catalog_at(self, revision: int) -> Catalog:
        return self._cached("catalog", lambda: Catalog([
            parse_spec(text, source=f"{name}.toml")
            for name, text in self.store.layer_specs().items()]), revision)

    def _tree_at(self, revision: int) -> TerritoryTree:
        return self._cached("territories", lambda: TerritoryTree(
            self.store.read(TERRITORIES), self._settings_at(revision)), revision)

    @property
    def settings(self) -> AtlasSettings:
        """Title, metric CRS, level names... stored in the atlas."""
        return self._settings_at(self.revision)

    @property
    def catalog(self) -> Catalog:
        """Layer specs registered in this atlas."""
        return self._catalog_at(self.revision)

    @property
    def territories(self) -> TerritoryTree:
        """The territory tree (rebuilt only after a write)."""
        return self._tree_at(self.revision)

    @property
    def metric_crs(self) -> CRS:
        """CRS in which areas and distances are measured."""
        return self.settings.crs

    def spec(self, layer: str) -> LayerSpec:
        """Spec of a layer; raises :class:`NotFoundError` for an unknown layer."""
        if layer not in self.catalog:
            raise NotFoundError("store.unknown_layer", layer=layer,
                                available=", ".join(self.catalog))
        return self.catalog[layer]

    # -- reading ------------------------------------------------------------------------
    def read(
        self,
        layer: str,
        territory: str | None = None,
        bbox: BBox | None = None,
        columns: Sequence[str] | None = None,
        revision: int | None = None,
    ) -> gpd.GeoDataFrame:
        """Rows of a layer as a GeoDataFrame in EPSG:4326.

        ``territory`` keeps what lies in a territory (its descendants for the
        territories layer; for other layers, features meeting its boundary or
        attached to it by ``territory_code``).
        """
        spec = self.spec(layer)
        if territory is None:
            return self.store.read(layer, bbox=bbox, columns=columns, revision=revision)
        tree = self.territories
        tree.get(territory)
        return read_in_territory(self.store, spec, tree, territory, columns, revision)

    def count(self, layer: str) -> int:
        """Number of features in a layer."""
        self.spec(layer)
        return self.store.count(layer)

    # -- writing ------------------------------------------------------------------------
    def write(
        self,
        layer: str,
        frame: gpd.GeoDataFrame,
        mode: WriteMode | str = WriteMode.REPLACE,
        *,
        user: str | None = None,
        source: str | None = None,
        message: str | None = None,
        warnings: Sequence[str] = (),
        provenance: dict[str, object] | None = None,
    ) -> Revision:
        """Write rows as one revision (atomic; nothing changes on failure).

        ``provenance`` (source, licence, as_of, constants) is kept with the revision.
        """
        self.spec(layer)
        return self.store.write(layer, frame, mode, user=user, source=source,
                                message=message, warnings=warnings, provenance=provenance)

    def sources(self, layer: str) -> list[dict[str, Any]]:
        """Provenance of the current rows of a layer: the sources to cite under a map.

        ``[{"source", "licence", "as_of", "imported", "revision", "rows"}, ...]``, largest share
        first; see :func:`atlas.provenance.current_provenance`.
        """
        from .provenance import current_provenance

        self.spec(layer)
        return current_provenance(self.store, layer)

    def history(self, layer: str | None = None) -> list[Revision]:
        """Revisions of a layer (or of the atlas), oldest first."""
        if layer is not None:
            self.spec(layer)
        return self.store.history(layer)

    def history_frame(self, layer: str | None = None) -> pd.DataFrame:
        """:meth:`history` as a table."""
        return pd.DataFrame([r.as_dict() for r in self.history(layer)])

    def restore(self, layer: str, revision: int, *, user: str | None = None) -> Revision:
        """Bring back the state of a layer at an earlier revision, as a new revision."""
        self.spec(layer)
        return self.store.restore(layer, revision, user=user)

    # -- outputs (thin delegations; the work lives in atlas.render / atlas.diagnostics) --
    def snapshot(self, revision: int | None = None, *,
                 preload: Sequence[str] = ()) -> AtlasSnapshot:
        """The atlas frozen at one revision (default: the latest), read once.

        Books and the app work from a snapshot: its settings, catalogue and tree are
        read once, and every row it returns belongs to that revision (see
        :mod:`atlas.snapshot`). ``preload`` names layers to read whole at once. An
        earlier ``revision`` pins the rows and the tree; settings and catalogue are
        the current ones.
        """
        current = self.revision
        wanted = current if revision is None else int(revision)
        settings = self._settings_at(current)
        catalog = self._catalog_at(current)
        tree = self._tree_at(current) if wanted == current else None
        if tree is None or self.revision != current:  # the tree as it was at `wanted`
            tree = TerritoryTree(self.store.read(TERRITORIES, revision=wanted), settings)
        return AtlasSnapshot(store=self.store, url=self.url, revision=wanted,
                             settings=settings, catalog=catalog, territories=tree,
                             population_raster=self.population_raster_path(),
                             preload=preload)

    def map(self, territory: str | None = None, *, options: MapOptions | None = None,
            **fields: Any) -> folium.Map:
        """Interactive folium map of a territory (or the whole atlas); shows inline in Jupyter.

        ``options`` (a :class:`~atlas.render.MapOptions`) or its fields as keywords
        (``layers``, ``indicator``, ``level``, ``scheme``, ``classes``, ``lang``,
        ``offline``...), as :func:`atlas.render.territory_map` takes them.
        """
        from .render.map import territory_map

        return territory_map(self, territory, options=options, **fields)

    def diagnose(self, level: int | str | Sequence[int | str],
                 territories: str | Sequence[str] | None = None,
                 indicators: str | Sequence[str] | None = None,
                 lang: str | None = None, **options: Any) -> pd.DataFrame:
        """Indicators per territory of a level, see :func:`atlas.diagnostics.diagnose`."""
        from .diagnostics import diagnose

        return diagnose(self, level, territories, indicators, lang, **options)

    def static_map(self, territory: str | None = None, *, options: MapOptions | None = None,
                   **fields: Any) -> Figure:
        """Static matplotlib map (for print): the same options as :meth:`map`.

        See :func:`atlas.render.static_map` (``size``, ``dpi``, ``title``, ``legend``...).
        """
        from .render.map import static_map

        return static_map(self, territory, options=options, **fields)

    def sheet(self, code: str, lang: str | None = None, **options: Any) -> Sheet:
        """Fact sheet of one territory (any level), shown inline in Jupyter.

        ``.to_html(path)`` and ``.to_pdf(path)`` save it. Options are those of
        :func:`atlas.render.territory_sheet` (``layers``, ``list_size``, ``today``).
        """
        from .render.sheet import territory_sheet

        return territory_sheet(self, code, lang, **options)

    def book(self, output: str | Path, **options: Any) -> Path:
        """Write an atlas book: ``.pdf`` to print, ``.html`` to project.

        Options are those of :func:`atlas.render.atlas_book` (``parent``, ``level``,
        ``sort``, ``group_by``, ``layout``, ``layers``, ``lang``, ``workers``...).
        """
        from .render.book import atlas_book

        return atlas_book(self, output, **options)

    # -- summaries ----------------------------------------------------------------------
    def layers(self, lang: str | None = None) -> pd.DataFrame:
        """One row per layer: name, title, geometry, count, current revision, source."""
        from .provenance import citations, current_provenance

        revisions: dict[str, list[Revision]] = {}
        for rev in self.store.history():  # read once, for every layer's line
            revisions.setdefault(rev.layer, []).append(rev)
        rows = []
        for name, spec in self.catalog.items():
            mine = revisions.get(name, [])
            rev = mine[-1] if mine else None
            items = current_provenance(self.store, name, mine)
            licences = list(dict.fromkeys(str(i["licence"]) for i in items if i["licence"]))
            rows.append({
                "layer": name,
                "title": spec.title(lang),
                "geometry": spec.geometry,
                "count": self.store.count(name),
                "revision": rev.revision if rev else None,
                "updated": rev.created_at.isoformat(timespec="seconds") if rev else None,
                # where the current rows came from, as given at import
                "source": " ; ".join(citations(items)) or None,
                "licence": " ; ".join(licences) or None,
            })
        return pd.DataFrame(rows)

    def checksum(self) -> str:
        """Fingerprint of the whole atlas content.

        Two builds can be compared without depending on file bytes or timestamps.
        """
        digest = hashlib.sha256()
        for name, spec in self.catalog.items():
            digest.update(name.encode())
            digest.update(frame_checksum(self.store.read(name), spec).encode())
        return digest.hexdigest()

    def warning(self, lang: str | None = None) -> str | None:
        """The fictional-data warning when the atlas is a demonstration."""
        return t("cli.fictional", lang) if self.settings.fictional else None

    def population_raster_path(self) -> Path | None:
        """Path of the population GeoTIFF, resolved next to a GeoPackage atlas."""
        raster = self.settings.population_raster
        if not raster:
            return None
        path = Path(raster)
        if not path.is_absolute() and hasattr(self.store, "path"):
            path = Path(self.store.path).parent / path
        return path


def open(url: str | Path) -> Atlas:  # noqa: A001 - mirrors builtins.open on purpose
    """Open an existing atlas: a ``.gpkg`` path or a ``postgresql://`` URL."""
    return Atlas(open_store(url))


def create(
    url: str | Path,
    settings: AtlasSettings | dict[str, Any],
    catalog: Catalog | None = None,
) -> Atlas:
    """Create an empty atlas with its settings and layer tables."""
    store = create_store(url)
    if isinstance(settings, dict):
        settings = AtlasSettings.from_dict(settings)
    store.set_settings(settings.to_dict())
    for spec in (catalog or load_catalog()).values():
        store.ensure_layer(spec)
    return Atlas(store)
