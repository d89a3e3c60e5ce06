"""Spreadsheet exports that a spreadsheet cannot run: CSV and XLSX, inert by construction.

Territory names, codes and labels come from partners' files, and a spreadsheet
program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a tab or a carriage return) as a formula: a boundary file naming a commune
``=HYPERLINK("http://…","Cliquez")`` would put a live link, or worse, in every
exported table ("CSV injection", OWASP). So every CSV and XLSX the platform writes
(``atlas diagnose -o``, the app's downloads) goes through this module:

- CSV: a *text* cell that starts with one of those characters gets a leading ``'``,
  which spreadsheet programs show as text and never evaluate (OWASP's advice);
- XLSX: every text cell is stored as a string with Excel's "quote prefix" style,
  so its value is kept exactly and no program reads it as a formula; characters an
  XLSX file cannot hold (control characters) are dropped instead of failing.

Numbers stay numbers: a negative value is a numeric cell, not the text ``-50``.
"""

from __future__ import annotations

import io
import math
import os
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Characters that make a spreadsheet read the rest of a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Characters forbidden in sheet names (Excel's rule), and their maximum length.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
#: XML 1.0 forbids these control characters; openpyxl refuses to write them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def inert_text(value: str) -> str:
    """``value`` prefixed with ``'`` when a spreadsheet would run it as a formula."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and headers cannot run (see :func:`inert_text`).

    Numeric, boolean and date columns are left as they are; in mixed columns only
    the text values change.
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(
                series):
            continue
        out[column] = series.map(lambda v: inert_text(v) if isinstance(v, str) else v)
    out.columns = [inert_text(c) if isinstance(c, str) else c for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as inert CSV, UTF-8 with a BOM so that spreadsheet programs show accents."""
    return inert_frame(frame).to_csv(index=False).encode("utf-8-sig")


def sheet_title(name: str) -> str:
    """A valid worksheet name for ``name`` (a territory code may hold ``/`` or ``:``)."""
    title = _XML_ILLEGAL.sub("", _SHEET_FORBIDDEN.sub("_", str(name))).strip("' ")
    return title[:SHEET_NAME_MAX] or "Sheet1"


def xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "diagnostic") -> bytes:
    """The table as an XLSX workbook whose text cells are text, never formulas."""
    return xlsx_sheets_bytes({sheet_name: frame})


def xlsx_sheets_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """Several tables as the sheets of one inert XLSX workbook (names → tables, in order).

    The app's localised downloads put the table as shown in the first sheet and the
    codes, for machines, in the second (:mod:`atlas.exports_locale`).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for sheet_name, frame in sheets.items():
        sheet = workbook.create_sheet(sheet_title(sheet_name))

        def row_of(values: Iterable[Any], sheet: Any = sheet) -> list[Any]:
            cells = []
            for value in values:
                plain = _cell_value(value)
                if isinstance(plain, str):
                    cell = WriteOnlyCell(sheet, value=plain)
                    cell.data_type = "s"  # a string even when it starts with "="
                    cell.quotePrefix = True
                    cells.append(cell)
                else:
                    cells.append(plain)
            return cells

        sheet.append(row_of(str(c) for c in frame.columns))
        for record in frame.itertuples(index=False, name=None):
            sheet.append(row_of(record))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_value(value: Any) -> Any:
    """A value openpyxl writes as the right cell type (empty for missing values)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return _XML_ILLEGAL.sub("", value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        # XLSX has no time zones: an aware time is written in UTC.
        return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, date):
        return value
    return _XML_ILLEGAL.sub("", str(value))


def write_bytes_atomically(data: bytes, path: Path) -> None:
    """Write a whole file or nothing: a crash never leaves half an export behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write an inert CSV file (see :func:`csv_bytes`)."""
    write_bytes_atomically(csv_bytes(frame), path)


def write_xlsx(frame: pd.DataFrame, path: Path, sheet_name: str = "diagnostic") -> None:
    """Write an inert XLSX file (see :func:`xlsx_bytes`)."""
    write_bytes_atomically(xlsx_bytes(frame, sheet_name), path)
