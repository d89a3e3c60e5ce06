"""Stores: where an atlas lives.

A ``.gpkg`` path opens the embedded GeoPackage store; a ``postgresql://`` URL opens
the shared PostGIS store. Both implement :class:`~atlas.store.base.Store`.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import StoreError
from .base import Revision, Store, WriteMode

POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg2://")

__all__ = ["Revision", "Store", "WriteMode", "create_store", "is_postgres_url", "open_store"]


def is_postgres_url(url: str | Path) -> bool:
    """True for PostgreSQL/PostGIS connection URLs."""
    return str(url).startswith(POSTGRES_SCHEMES)


def _gpkg_path(url: str | Path) -> Path:
    path = Path(str(url).removeprefix("gpkg://"))
    if path.suffix.lower() != ".gpkg":
        raise StoreError("store.unsupported_url", url=str(url))
    return path


def open_store(url: str | Path) -> Store:
    """Open the store behind a URL or path."""
    if is_postgres_url(url):
        from .postgis import PostGISStore

        return PostGISStore.open(str(url))
    from .geopackage import GeoPackageStore

    return GeoPackageStore.open(_gpkg_path(url))


def create_store(url: str | Path) -> Store:
    """Create an empty store (refusing to overwrite an existing atlas)."""
    if is_postgres_url(url):
        from .postgis import PostGISStore

        return PostGISStore.create(str(url))
    from .geopackage import GeoPackageStore

    return GeoPackageStore.create(_gpkg_path(url))
