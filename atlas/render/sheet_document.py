"""A rendered sheet: one self-contained HTML document, and the PDF made from it.

The PDF is WeasyPrint's rendering of the very same HTML (its ``@page`` rules give
the A4 layout), so the screen and the paper versions cannot disagree. Files are
written under a temporary name and moved into place, so a failed export never
leaves a half-written file where the reader expects one.
"""

from __future__ import annotations

import html as html_lib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import RenderError

HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)


class ReportError(RenderError):
    """A sheet or book cannot be made (unknown programme, bad sort, a territory failed)."""


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], Any]) -> Path:
    """Call ``write(temp_path)`` then move the temporary file onto ``path``.

    The temporary file sits in the target folder (same file system, so the move is
    atomic) and is removed if ``write`` fails.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                    dir=target.parent)
    os.close(handle)
    try:
        write(Path(temp))
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes it private; the book is not
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


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
