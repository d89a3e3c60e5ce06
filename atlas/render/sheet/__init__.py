"""The sheet wing: territory fact sheets and programme sheets, in HTML and PDF.

:func:`territory_sheet` writes out the diagnostics of one territory (any level);
:func:`programme_sheet` lays out what :mod:`atlas.diagnostics.programmes` counted
for one programme. Both return a :class:`Sheet` (``.to_html``, ``.to_pdf``, shown
inline in Jupyter). The same data model (:mod:`.model`), figures (:mod:`.data`,
:mod:`.format`), pictures and templates feed the book pages.
"""

from __future__ import annotations

from .document import Sheet
from .programme import ProgrammeSheet, programme_sheet
from .territory import territory_sheet

__all__ = ["ProgrammeSheet", "Sheet", "programme_sheet", "territory_sheet"]
