"""A rendered sheet: one self-contained HTML document, and the PDF made from it.

The PDF is WeasyPrint's rendering of the very same HTML (its ``@page`` rules give
the A4 layout), so the screen and the paper versions cannot disagree. Files are
written through :func:`atlas.render.files.atomic_write`, so a failed export never
leaves a half-written file where the reader expects one.
"""

from __future__ import annotations

import html as html_lib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import ReportError
from ..files import atomic_write

HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)


def render_pdf(html: str) -> Any:
    """The WeasyPrint document of an HTML string (fonts from the system: DejaVu)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=None).render()


@dataclass
class Sheet:
    """A fact sheet or programme sheet: its HTML, and PDF on demand."""

    html: str
    title: str
    lang: str
    meta: dict[str, Any] = field(default_factory=dict)
    _document: Any = field(default=None, init=False, repr=False)

    def __repr__(self) -> str:
        """Title and size, not the whole page."""
        return f"<Sheet {self.title!r} ({self.lang}, {len(self.html):,} characters)>"

    def _repr_html_(self) -> str:
        """Shown in Jupyter in an iframe, so the sheet's styles stay in the sheet."""
        return (f'<iframe srcdoc="{html_lib.escape(self.html, quote=True)}" '
                f'style="width:100%;height:900px;border:1px solid #ccc" '
                f'title="{html_lib.escape(self.title, quote=True)}"></iframe>')

    def document(self) -> Any:
        """The WeasyPrint rendering (computed once)."""
        if self._document is None:
            self._document = render_pdf(self.html)
        return self._document

    @property
    def page_count(self) -> int:
        """Number of A4 pages of the PDF."""
        return len(self.document().pages)

    def pdf_bytes(self) -> bytes:
        """The PDF as bytes."""
        return self.document().write_pdf()

    def to_html(self, path: str | os.PathLike[str]) -> Path:
        """Write the self-contained HTML (images inline, no network needed)."""
        return atomic_write(path, lambda temp: temp.write_text(self.html, encoding="utf-8"))

    def to_pdf(self, path: str | os.PathLike[str]) -> Path:
        """Write the A4 PDF."""
        return atomic_write(path, lambda temp: self.document().write_pdf(temp))

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write HTML or PDF according to the file's suffix."""
        suffix = Path(path).suffix.lower()
        if suffix in HTML_SUFFIXES:
            return self.to_html(path)
        if suffix in PDF_SUFFIXES:
            return self.to_pdf(path)
        raise ReportError("reports.bad_format", suffix=suffix or str(path),
                          choices=".html, .pdf")
