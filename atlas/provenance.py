"""Where the current rows of a layer come from: the sources to cite under a map or a sheet.

Every import records its provenance with its revision (``Revision.provenance``: the
source cited, the licence, the date of the data, the ``--set`` constants). The rows of a
layer today may come from several imports (a replace, then appends and upserts), so the
sources to cite are those of the revisions that wrote the rows still current, each with
its share of rows. A restore writes rows again but records where they came from
(``origins``), and those are followed back to the imports.

Use :func:`current_provenance` (or :meth:`atlas.atlas.Atlas.sources`)::

    for item in current_provenance(atlas.store, "boreholes"):
        print(item["source"], item["licence"], item["as_of"], item["rows"])

Each item is ``{"source", "licence", "as_of", "imported", "revision", "rows"}``
(``imported``: the day of the revision), largest share first
then oldest revision; ``source`` falls back to the file names the revision recorded,
``licence`` and ``as_of`` are None when nobody gave them (or the revision predates
provenance). :func:`citations` gives the distinct source texts, for one line.
"""

from __future__ import annotations

from typing import Any, Protocol

from .store.base import Revision, Store


class _WithSources(Protocol):
    def sources(self, layer: str) -> list[dict[str, Any]]: ...  # noqa: D102


#: Restores followed back at most this deep (a log edited by hand cannot loop us).
MAX_RESTORE_DEPTH = 50


def _origins(revision: Revision) -> dict[int, int] | None:
    """Rows of a restore by the revision that wrote them (None for another revision)."""
    raw = revision.provenance.get("origins")
    if revision.restored_from is None or not isinstance(raw, dict):
        return None
    try:
        return {int(rev): int(count) for rev, count in raw.items()}
    except (TypeError, ValueError):
        return None


def _resolve(by_number: dict[int, Revision], rev: int, rows: int, depth: int,
             into: dict[int, int]) -> None:
    """Add ``rows`` written by ``rev`` to ``into``, following restores to their origins."""
    revision = by_number.get(rev)
    origins = _origins(revision) if revision is not None else None
    if origins is None or depth >= MAX_RESTORE_DEPTH or not sum(origins.values()):
        into[rev] = into.get(rev, 0) + rows
        return
    total = sum(origins.values())
    # A restore's rows as a whole; later revisions may have replaced some of them, so
    # the current ones are shared out in proportion (exact when none was replaced).
    shares = {origin: rows * count // total for origin, count in origins.items()}
    shares[max(origins, key=lambda o: origins[o])] += rows - sum(shares.values())
    for origin, share in shares.items():
        if share:
            _resolve(by_number, origin, share, depth + 1, into)


def current_provenance(store: Store, layer: str,
                       history: list[Revision] | None = None) -> list[dict[str, Any]]:
    """Provenance of the revisions that wrote the current rows of ``layer`` (see above).

    ``history``: the layer's revisions when the caller has read them already.
    """
    counts = store.rows_by_revision(layer)
    if not counts:
        return []
    by_number = {r.revision: r for r in (store.history(layer) if history is None
                                         else history)}
    resolved: dict[int, int] = {}
    for rev, rows in counts.items():
        _resolve(by_number, rev, rows, 0, resolved)
    items = []
    for rev, rows in resolved.items():
        revision = by_number.get(rev)
        items.append({
            "source": revision.cited_source if revision else None,
            "licence": revision.licence if revision else None,
            "as_of": revision.as_of if revision else None,
            "imported": revision.created_at.date().isoformat() if revision else None,
            "revision": rev,
            "rows": rows,
        })
    return sorted(items, key=lambda item: (-item["rows"], item["revision"]))


def citations(items: list[dict[str, Any]]) -> list[str]:
    """The distinct source texts of :func:`current_provenance` items (see above)."""
    seen: list[str] = []
    for item in items:
        if not item["source"]:
            continue
        extra = ", ".join(str(v) for v in (item["licence"], item["as_of"]) if v)
        text = f"{item['source']} ({extra})" if extra else str(item["source"])
        if text not in seen:
            seen.append(text)
    return seen


def latest_as_of(items: list[dict[str, Any]]) -> str | None:
    """Date of the newest data behind the current rows.

    The dates given at import (``--as-of``, the file's date by default), else the day
    of the import.
    """
    dates = [str(item["as_of"] or item["imported"] or "") for item in items]
    dates = sorted(d for d in dates if d)
    return dates[-1] if dates else None


def layer_citations(atlas: _WithSources, layer: str) -> list[str]:
    """What to cite for a layer under a map, a table or a figure.

    The sources given at import of its current rows (file names by default); nothing
    for a layer without rows: the catalogue's description is never cited as where the
    data came from.
    """
    return citations(atlas.sources(layer))


def layer_as_of(atlas: _WithSources, layer: str) -> str | None:
    """Date of the newest data of a layer's current rows (see :func:`latest_as_of`)."""
    return latest_as_of(atlas.sources(layer))
