"""The narrow store interface that every backend implements.

A store keeps the layers of one atlas, their specs, the atlas settings, styles and
an append-only log of revisions. Every write is atomic and becomes one revision;
any earlier revision of a layer can be restored exactly. The GeoPackage store (one
file, the embedded default) and the PostGIS store (shared) implement this interface
and pass the same test suite.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import geopandas as gpd

from ..catalog import LayerSpec


class WriteMode(StrEnum):
    """How a write combines with the rows already in the layer."""

    REPLACE = "replace"
    APPEND = "append"
    UPSERT = "upsert"
    #: Some fields of existing rows (an import writes it as an upsert of merged rows).
    UPDATE = "update"


@dataclass(frozen=True)
class Revision:
    """Audit record of one write: who changed what, when, from which source.

    ``provenance`` is what the person said about the data at import: ``source`` (the
    citation, by default the file names), ``licence``, ``as_of`` (ISO date of the
    data) and ``constants`` (``--set`` values, raw text); a restore records
    ``restored_from`` and ``origins`` (rows per revision that first wrote them). It is
    ``{}`` for revisions written before the atlas recorded provenance.
    """

    revision: int
    layer: str
    mode: str
    created_at: datetime
    user: str
    source: str | None
    rows_written: int
    rows_removed: int
    row_count: int
    checksum: str
    message: str | None = None
    restored_from: int | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    provenance: Mapping[str, object] = field(default_factory=dict)

    @property
    def licence(self) -> str | None:
        """Licence of the data written, when the import named one."""
        value = self.provenance.get("licence")
        return None if value is None else str(value)

    @property
    def as_of(self) -> str | None:
        """Date of the data written (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``)."""
        value = self.provenance.get("as_of")
        return None if value is None else str(value)

    @property
    def cited_source(self) -> str | None:
        """The source to cite: the provenance's, else the file names recorded."""
        value = self.provenance.get("source")
        return self.source if value is None else str(value)

    def as_dict(self) -> dict[str, Any]:
        """Plain mapping, for tables and JSON."""
        return {
            "revision": self.revision,
            "layer": self.layer,
            "mode": self.mode,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "user": self.user,
            "source": self.source,
            "rows_written": self.rows_written,
            "rows_removed": self.rows_removed,
            "row_count": self.row_count,
            "checksum": self.checksum,
            "message": self.message,
            "restored_from": self.restored_from,
            "warnings": list(self.warnings),
            "cited_source": self.cited_source,
            "licence": self.licence,
            "as_of": self.as_of,
            "provenance": dict(self.provenance),
        }


BBox = tuple[float, float, float, float]


class Store(ABC):
    """Persistence of an atlas.

    Implementations must be safe for one writer at a time (writes are serialised)
    and any number of readers, who see either the state before or after a write,
    never a mix, and are not held for the length of a write. A fault (a lock held
    past the timeout, a server gone, a read-only medium) is a :class:`~atlas.errors.
    StoreError` whose message says what happened, never a driver's exception.
    """

    url: str

    # -- lifecycle -----------------------------------------------------------------
    @abstractmethod
    def close(self) -> None:
        """Release connections and file handles."""

    # -- settings and catalogue ----------------------------------------------------
    @abstractmethod
    def get_settings(self) -> dict[str, Any]:
        """Atlas settings (title, countries, metric CRS, level names...)."""

    @abstractmethod
    def set_settings(self, settings: dict[str, Any]) -> None:
        """Replace the atlas settings."""

    @abstractmethod
    def layer_specs(self) -> dict[str, str]:
        """TOML text of every layer spec registered in this atlas, by layer name."""

    @abstractmethod
    def ensure_layer(self, spec: LayerSpec) -> None:
        """Create the layer's tables if needed and record its spec and style."""

    # -- data ----------------------------------------------------------------------
    @abstractmethod
    def read(
        self,
        layer: str,
        *,
        bbox: BBox | None = None,
        columns: Sequence[str] | None = None,
        revision: int | None = None,
        where: dict[str, Sequence[Any]] | None = None,
    ) -> gpd.GeoDataFrame:
        """Rows of a layer (current state, or as it was at ``revision``).

        ``bbox`` keeps features whose bounding box meets (xmin, ymin, xmax, ymax);
        ``where`` keeps rows whose field value is in the given list.
        """

    @abstractmethod
    def count(self, layer: str) -> int:
        """Number of rows in the current state of a layer."""

    @abstractmethod
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
        expected_revision: int | None = None,
        provenance: Mapping[str, object] | None = None,
    ) -> Revision:
        """Write rows atomically and record a revision; nothing changes on failure.

        ``provenance`` (JSON-able: source, licence, as_of, constants) is kept with the
        revision (see :class:`Revision`).

        ``expected_revision`` makes the write conditional: it is refused
        (``store.stale``) unless the atlas is still at that revision once this writer
        holds the lock, so a plan checked against revision N never lands on N+1.
        """

    @abstractmethod
    def restore(self, layer: str, revision: int, *, user: str | None = None) -> Revision:
        """Make the state of ``layer`` at ``revision`` current again, as a new revision.

        Atomic with its checksum, like every write. Refused with a
        :class:`~atlas.errors.StoreError`, and rolled back, when the rows found in
        history do not match the row count and checksum that ``revision`` recorded.
        """

    @abstractmethod
    def history(self, layer: str | None = None) -> list[Revision]:
        """Revisions, oldest first, of one layer or of the whole atlas."""

    @abstractmethod
    def rows_by_revision(self, layer: str) -> dict[int, int]:
        """Current rows of ``layer`` counted by the revision that wrote them."""

    @abstractmethod
    def current_revision(self) -> int:
        """Number of the latest revision of the whole atlas (0 when empty).

        It changes on every write, so front ends key their caches on it.
        """

    @abstractmethod
    def styles(self) -> dict[str, dict[str, str]]:
        """QGIS styles stored for each layer: ``{layer: {"qml": ..., "sld": ...}}``."""

    def __enter__(self) -> Store:
        """Use the store as a context manager that closes it."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close on leaving the ``with`` block."""
        self.close()
