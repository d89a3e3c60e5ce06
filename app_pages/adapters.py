"""Bridges to parts of the platform written in parallel with the app.

Each function calls the platform's own API when it is there and, where the app
cannot do without, falls back to a minimal stand-in, so the app keeps working while
the renderers evolve. Everything here is meant to disappear into ``atlas`` (see the
report of issue 8): fact sheets (``atlas.render.sheets``), presentation books
(``atlas.render.book``) and the source columns of an import plan.
"""

from __future__ import annotations

import tempfile
from html import escape
from pathlib import Path
from typing import Any

from atlas import Atlas
from atlas.i18n import t
from atlas.render.formatting import format_number, with_unit


class FallbackSheet:
    """A plain indicator table standing in for ``atlas.render.sheets.Sheet``."""

    def __init__(self, html: str) -> None:
        self.html = html

    def pdf_bytes(self) -> bytes:
        """The page printed by WeasyPrint."""
        from weasyprint import HTML

        return HTML(string=self.html).write_pdf()


def territory_sheet(atlas: Atlas, code: str, lang: str) -> Any:
    """``atlas.render.sheets.territory_sheet`` (or the plain table when it is absent)."""
    try:
        from atlas.render.sheets import territory_sheet as build
    except ImportError:
        return _fallback_sheet(atlas, code, lang)
    return build(atlas, code, lang)


def sheet_html(sheet: Any) -> str:
    """The HTML of a sheet."""
    return str(sheet.html)


def sheet_pdf(sheet: Any) -> bytes:
    """The PDF of a sheet, whichever way the sheet offers it."""
    if hasattr(sheet, "pdf_bytes"):
        return bytes(sheet.pdf_bytes())
    with tempfile.TemporaryDirectory(prefix="atlas-sheet-") as folder:
        path = Path(folder) / "sheet.pdf"
        sheet.to_pdf(path)
        return path.read_bytes()


def presentation_html(atlas: Atlas, parent: str | None, lang: str) -> bytes:
    """The HTML presentation of ``parent``'s sub-units (``atlas.render.book``)."""
    from atlas.render.book import atlas_book

    with tempfile.TemporaryDirectory(prefix="atlas-book-") as folder:
        # One worker: a process pool forked from the app server's threads is not worth it
        # for the few dozen slides a workshop shows.
        path = atlas_book(atlas, Path(folder) / "presentation.html", parent=parent,
                          lang=lang, layout="summary", workers=1)
        return Path(path).read_bytes()


def source_columns(plan: Any) -> list[str]:
    """Columns of the file(s) of an import plan, for adjusting the field mapping."""
    columns: list[str] = []
    for item in getattr(plan, "files", []):
        frame = getattr(getattr(item, "source", None), "frame", None)
        if frame is not None:
            columns.extend(str(c) for c in frame.columns)
    return list(dict.fromkeys(columns))


def _fallback_sheet(atlas: Atlas, code: str, lang: str) -> FallbackSheet:
    from atlas.diagnostics import diagnose

    tree = atlas.territories
    here = tree.get(code)
    rows = diagnose(atlas, level=here.level, territories=[code], lang=lang)
    rows = rows[rows["territory_code"] == code]
    lines = []
    for row in rows.itertuples():
        value = "–" if row.value != row.value else with_unit(format_number(row.value, lang),
                                                              row.unit)
        lines.append(f"<tr><td>{escape(str(row.label))}</td><td>{escape(value)}</td>"
                     f"<td>{escape(str(row.status))}</td></tr>")
    warning = atlas.warning(lang) or ""
    html = (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
            f"<title>{escape(here.name)}</title></head><body>"
            f"<h1>{escape(here.name)}</h1><p>{escape(tree.path(code, lang))}</p>"
            f"<p><em>{escape(warning)}</em></p><table>"
            f"<tr><th>{escape(t('app.fiche.col_indicator', lang))}</th>"
            f"<th>{escape(t('app.fiche.col_value', lang))}</th>"
            f"<th>{escape(t('app.fiche.col_status', lang))}</th></tr>"
            f"{''.join(lines)}</table></body></html>")
    return FallbackSheet(html)
