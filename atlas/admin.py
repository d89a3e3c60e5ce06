"""Administering atlases: copying one between stores, granting PostgreSQL roles.

These are the operations of ``atlas copy`` and ``atlas roles grant``, offered to
Python too, so that the command line (and any other front end) goes through the
``atlas`` API instead of reaching into :mod:`atlas.store`. Both are for whoever owns
the atlas: a copy needs an empty destination, a grant the schema owner's address.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import StoreError

if TYPE_CHECKING:
    from .atlas import Atlas
    from .store.roles import GrantReport

#: ``progress(layer, done, total)``, called after each layer copied.
CopyProgress = Callable[[str, int, int], None]


def copy(source: str | os.PathLike[str], destination: str | os.PathLike[str], *,
         progress: CopyProgress | None = None, user: str | None = None) -> dict[str, Any]:
    """Copy a whole atlas (layers with their revisions' content, settings, styles).

    ``source`` and ``destination`` are ``.gpkg`` paths or ``postgresql://`` URLs; the
    destination must not hold an atlas yet. Each layer's rows are verified by checksum
    on arrival. Returns a report: ``source`` and ``destination`` (passwords hidden),
    ``layers`` (per layer: ``rows``, ``source_revision``, ``revision``, ``checksum``)
    and ``styles``. Raises :class:`~atlas.errors.StoreError` (``store.exists``...).
    """
    from .store.copy import copy_atlas

    return copy_atlas(_address(source), _address(destination), progress=progress, user=user)


def grant_roles(atlas_url: str, reader: str, writer: str, *, create: bool = False,
                reader_password: str | None = None,
                writer_password: str | None = None) -> GrantReport:
    """Give a reader and a writer role the only rights they need on a PostGIS atlas.

    ``atlas_url`` connects as the schema's owner (or a superuser). The reader reads
    layers, history and styles; the writer adds revisions but can neither change
    tables nor rewrite the history or the audit log. Also installs (or refreshes)
    that protection. With ``create``, missing roles are created with the given
    passwords. One transaction, idempotent. A GeoPackage address is refused.
    """
    from .store import is_postgres_url
    from .store.addresses import check_postgres_url
    from .store.roles import grant_roles as grant

    if not is_postgres_url(atlas_url):
        raise StoreError("roles.not_postgis", url=atlas_url)
    checked = check_postgres_url(atlas_url)  # a typo is a sentence, without the password
    return grant(checked, None, reader, writer, create=create,
                 reader_password=reader_password, writer_password=writer_password)


def where(opened: Atlas) -> str:
    """Where an opened atlas lives, without any password (for messages and logs)."""
    from .store.copy import describe

    return describe(opened.store)


def _address(url: str | os.PathLike[str]) -> str | Path:
    return url if isinstance(url, str) else Path(url)


__all__ = ["CopyProgress", "copy", "grant_roles", "where"]
