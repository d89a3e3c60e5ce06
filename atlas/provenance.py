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

Each item is ``{"source", "licence", "as_of", "revision", "rows"}``, largest share first
then oldest revision; ``source`` falls back to the file names the revision recorded,
``licence`` and ``as_of`` are None when nobody gave them (or the revision predates
provenance). :func:`cited_sources` gives the distinct source texts, for one line.
"""

from __future__ import annotations

from typing import Any

from .store.base import Revision, Store

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


def current_provenance(store: Store, layer: str) -> list[dict[str, Any]]:
    """Provenance of the revisions that wrote the current rows of ``layer`` (see above)."""
    counts = store.rows_by_revision(layer)
    if not counts:
        return []
    by_number = {r.revision: r for r in store.history(layer)}
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
            "revision": rev,
            "rows": rows,
        })
    return sorted(items, key=lambda item: (-item["rows"], item["revision"]))


def cited_sources(store: Store, layer: str) -> list[str]:
    """Distinct sources of the current rows, largest share first, with licence and date.

    ``"DNH, inventaire national (CC-BY 4.0, 2024-03)"``: one string per source, ready to
    join under a map.
    """
    seen: list[str] = []
    for item in current_provenance(store, layer):
        if not item["source"]:
            continue
        extra = ", ".join(str(v) for v in (item["licence"], item["as_of"]) if v)
        text = f"{item['source']} ({extra})" if extra else str(item["source"])
        if text not in seen:
            seen.append(text)
    return seen
