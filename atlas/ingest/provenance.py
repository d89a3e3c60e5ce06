"""The provenance an import records with its revision: source, licence, date of the data.

``--source``, ``--licence`` and ``--as-of`` say where the data comes from, under which
licence and as of when; sheets, books and maps cite them under every map
(:mod:`atlas.provenance`). Without them the source is the file name(s) and the date the
file's last modification (the best guess of "as of when" a file knows); the licence is
then unknown. ``--set`` constants are kept too, as the raw text the person gave.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..errors import IngestError
from ..i18n import t

#: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
AS_OF = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def check_as_of(value: object) -> str | None:
    """The date of the data as ISO text (``2024``, ``2024-03``, ``2024-03-15``), or None.

    A :class:`~datetime.date` (the app's date picker) is accepted as it is; anything
    else that is not one of the three ISO forms is an :class:`IngestError` sentence.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    found = AS_OF.match(text)
    if found is None:
        raise IngestError("ingest.bad_as_of", value=text)
    year, month, day = (int(part) if part else None for part in found.groups())
    try:
        date(year or 1, month or 1, day or 1)
    except ValueError:
        raise IngestError("ingest.bad_as_of", value=text) from None
    return text


def file_date(paths: Sequence[Path]) -> str | None:
    """ISO date of the latest modification among the files (None when unreadable)."""
    stamps = []
    for path in paths:
        try:
            stamps.append(path.stat().st_mtime)
        except OSError:
            continue
    return datetime.fromtimestamp(max(stamps), UTC).date().isoformat() if stamps else None


def import_provenance(*, paths: Sequence[Path], source: str | None, licence: str | None,
                      as_of: str | None, constants: Mapping[str, str]) -> dict[str, object]:
    """The provenance kept with the revision of an import (defaults as described above)."""
    out: dict[str, object] = {
        "source": (source or "").strip() or ", ".join(p.name for p in paths),
        "licence": (licence or "").strip() or None,
        "as_of": check_as_of(as_of) or file_date(paths),
    }
    if constants:
        out["constants"] = {str(k): str(v) for k, v in constants.items()}
    return out


def summary_lines(plan: Any, lang: str) -> list[str]:
    """Lines of the import summary: the provenance recorded, the duplicates found.

    ``plan`` is an :class:`~atlas.ingest.import_plan.ImportPlan` (not imported here: it
    calls this module).
    """
    prov = plan.provenance
    none = t("ingest.none", lang)
    lines = [t("ingest.provenance_line", lang, source=prov.get("source") or none,
               licence=prov.get("licence") or none, as_of=prov.get("as_of") or none)]
    found = plan.duplicates
    dropped = plan.dropped_rows
    if found.exact or found.same_place or found.unnamed:
        lines.append(t("ingest.duplicates_line", lang, exact=found.extra(found.exact),
                       same_place=found.extra(found.same_place),
                       unnamed=found.extra(found.unnamed), dropped=len(dropped)))
    if dropped:
        shown = ", ".join(map(str, dropped[:100])) + (" …" if len(dropped) > 100 else "")
        lines.append(t("ingest.dropped_line", lang, rows=shown))
    return lines


def report_facts(plan: Any) -> dict[str, object]:
    """What the JSON report adds: provenance, duplicate counts, rows left out."""
    found = plan.duplicates
    return {"provenance": plan.provenance, "dropped_rows": plan.dropped_rows,
            "duplicates": {"exact": found.extra(found.exact),
                           "same_place_same_name": found.extra(found.same_place),
                           "same_place_unnamed": found.extra(found.unnamed),
                           "stored": len(found.stored_exact) + len(found.stored_place)}}
