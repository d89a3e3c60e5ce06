"""Stores: where an atlas lives.

A ``.gpkg`` path opens the embedded GeoPackage store; a ``postgresql://`` URL opens
the shared PostGIS store. Both implement :class:`~atlas.store.base.Store`. Addresses
are checked first (:mod:`atlas.store.addresses`), so a typo is a sentence that never
shows the password, whichever store it was meant for.
"""

from __future__ import annotations

from pathlib import Path

from .addresses import POSTGRES_SCHEMES, check_postgres_url, gpkg_path, is_postgres_url
from .base import Revision, Store, WriteMode

__all__ = ["POSTGRES_SCHEMES", "Revision", "Store", "WriteMode", "check_address",
           "create_store", "is_postgres_url", "open_store"]


def check_address(url: str | Path) -> str | Path:
    """The address as the stores want it, or a :class:`StoreError` explaining the mistake.

    PostgreSQL URLs come back with their scheme in lower case, GeoPackage addresses
    as a :class:`~pathlib.Path`; nothing is opened or connected.
    """
    if is_postgres_url(url):
        return check_postgres_url(str(url))
    return gpkg_path(url)


def open_store(url: str | Path) -> Store:
    """Open the store behind a URL or path."""
    address = check_address(url)
    if isinstance(address, str):
        from .postgis import PostGISStore

        return PostGISStore.open(address)
    from .geopackage import GeoPackageStore

    return GeoPackageStore.open(address)


def create_store(url: str | Path) -> Store:
    """Create an empty store (refusing to overwrite an existing atlas)."""
    address = check_address(url)
    if isinstance(address, str):
        from .postgis import PostGISStore

        return PostGISStore.create(address)
    from .geopackage import GeoPackageStore

    return GeoPackageStore.create(address)
