"""Workbooks read row by row with openpyxl's read-only parser, in bounded memory.

``pandas.read_excel`` loads a whole sheet (a 550,000-row workbook: minutes and a
gigabyte), pads every row to the sheet's *declared* dimension (a hostile
``A1:XFD1048576`` is 16,384 columns) and turns formulas that Excel never calculated
into silent blanks. Here the workbook's parts (strings, styles, sheet list) are read
by openpyxl, and the chosen sheet's XML is streamed once by the C ``iterparse``
(openpyxl's own goes through a pure-Python parser when ``defusedxml`` is installed,
and scans every sheet without a ``<dimension>`` once more just to size it): a sheet
that declares a DTD is refused first, so no entity is ever expanded. Each cell goes
into a sparse column table (:class:`atlas.ingest.limits.ColumnBuilder`) whose columns
and cells are bounded as rows come in; a formula cell without a cached value is
reported.

Cells come through as pandas shows them (whole floats as integers, dates as
datetimes) except that text is kept as typed ("NA" stays "NA", as in CSV files) and an
error cell keeps its code (``#DIV/0!``) so that the report can quote it. The header is
the first row holding a value; its blank cells are named ``Unnamed: i`` and duplicate
names get ``.1``, ``.2``... as pandas does.
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import iterparse
from xml.parsers import expat

import pandas as pd
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import coordinate_to_tuple, get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._reader import (
    FORMULA_TAG,
    INLINE_STRING,
    ROW_TAG,
    VALUE_TAG,
    WorkSheetParser,
    _cast_number,
)
from openpyxl.xml.constants import SHEET_MAIN_NS

from ..errors import IngestError
from .limits import ColumnBuilder, Progress, check_columns, report
from .sniff import check_xlsx

INT64 = 2**63
TEXT_TAG = f"{{{SHEET_MAIN_NS}}}t"
RUN_TAG = f"{{{SHEET_MAIN_NS}}}r"


class _CountingReader:
    """A file object that reports how much of the sheet's XML has been read."""

    def __init__(self, handle: IO[bytes], size: int, progress: Progress | None) -> None:
        self.handle = handle
        self.size = max(size, 1)
        self.done = 0
        self.progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.done += len(data)
        report(self.progress, self.done / self.size)
        return data


class _Parser(WorkSheetParser):
    """openpyxl's cell decoding on the C parser, noting formulas without a cached value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.uncalculated: list[tuple[int, int]] = []

    def parse(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """(sheet row, cells) of each ``<row>``, freed once decoded."""
        for _, element in iterparse(self.source):
            if element.tag == ROW_TAG:
                yield self.parse_row(element)
                element.clear()

    def parse_cell(self, element: Any) -> dict[str, Any]:
        """Row, column and value of a ``<c>``, decoded as openpyxl does (``data_only``)."""
        kind = element.get("t", "n")
        reference = element.get("r")
        if reference:
            row, column = coordinate_to_tuple(reference)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        value: Any = None
        if kind == "inlineStr":
            child = element.find(INLINE_STRING)
            if child is not None:
                value = _inline_text(child)
        else:
            text = element.findtext(VALUE_TAG)
            if text:
                value = self._decode(kind, text, element.get("s"), reference)
        if value is None and element.find(FORMULA_TAG) is not None:
            self.uncalculated.append((row, column))
        return {"row": row, "column": column, "value": value}

    def _decode(self, kind: str, text: str, style: str | None, reference: str | None) -> Any:
        if kind == "n":
            number = _cast_number(text)
            if style and int(style) in self.date_formats:
                try:
                    return from_excel(number, self.epoch,
                                      timedelta=int(style) in self.timedelta_formats)
                except (OverflowError, ValueError):
                    return "#VALUE!"  # a date serial out of range, as openpyxl shows it
            return number
        if kind == "s":
            return self.shared_strings[int(text)]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        return text  # "str" (a formula's text result) and "e" (an error code)


def _inline_text(element: Any) -> str:
    """Plain text of an inline string: its ``<t>`` and its rich-text runs, no phonetics."""
    parts = [element.findtext(TEXT_TAG) or ""]
    parts += [run.findtext(TEXT_TAG) or "" for run in element.findall(RUN_TAG)]
    return "".join(parts)


def _value(cell: dict[str, Any]) -> Any:
    """A cell as pandas would give it (see the module docstring)."""
    value = cell["value"]
    if isinstance(value, float) and value.is_integer() and abs(value) < INT64:
        return int(value)
    return value


def _names(header: dict[int, Any], keys: list[int]) -> list[str]:
    """Column names from the header cells: ``Unnamed: i`` for blanks, dedup'd."""
    names = []
    for key in keys:
        value = header.get(key)
        text = "" if value is None else str(_value({"value": value})).strip()
        if isinstance(value, datetime):
            text = str(value)
        names.append(text or f"Unnamed: {key - 1}")
    counts: dict[str, int] = defaultdict(int)
    out = []
    for name in names:
        count = counts[name]
        while count > 0:
            counts[name] = count + 1
            name = f"{name}.{count}"
            count = counts[name]
        out.append(name)
        counts[name] = count + 1
    return out


@dataclass
class Sheet:
    """One sheet as read: the table, the sheet names, and the uncalculated formulas."""

    frame: pd.DataFrame
    names: list[str]
    chosen: str
    #: (report row, cell reference, column name) of each formula without a value.
    uncalculated: list[tuple[int, str, str]] = field(default_factory=list)


def _stream_rows(parser: _Parser, name: str) -> tuple[dict[int, Any], ColumnBuilder, int]:
    """Header cells, data table and the sheet row of the header."""
    table = ColumnBuilder(name)
    header: dict[int, Any] = {}
    header_row = 0
    for sheet_row, cells in parser.parse():
        values = [(c["column"], _value(c)) for c in cells if c["value"] is not None]
        if not values:
            continue
        check_columns(name, max(column for column, _ in values))
        if not header_row:
            header_row, header = sheet_row, dict(values)
            continue
        table.skip_to(max(sheet_row - header_row - 1, table.rows))
        table.add(values)
    return header, table, header_row


class _Prolog(Exception):
    """Raised by the prolog scan: ``True`` when a DTD is declared, else the root began."""


def _refuse_dtd(handle: IO[bytes], name: str) -> None:
    """Refuse a sheet whose XML declares a DTD (entities live there, before the root)."""
    scanner = expat.ParserCreate()

    def doctype(*_: object) -> None:
        raise _Prolog(True)

    def root(*_: object) -> None:
        raise _Prolog(False)

    scanner.StartDoctypeDeclHandler = doctype
    scanner.StartElementHandler = root
    try:
        while chunk := handle.read(1 << 16):
            scanner.Parse(chunk, False)
        scanner.Parse(b"", True)
    except _Prolog as found:
        if found.args[0]:
            raise IngestError("ingest.xml_entities", file=name) from None
    except expat.ExpatError as exc:
        raise IngestError("ingest.unreadable", file=name, detail=str(exc)) from exc


def _open_book(path: Path) -> tuple[ExcelReader, list[tuple[str, str | None]]]:
    """The workbook's strings, styles and sheets; (name, XML part) of each sheet.

    A chart sheet has no part to read (None).
    """
    reader = ExcelReader(path, read_only=True, data_only=True, keep_links=False)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    sheets = [(str(sheet.name), None if "chartsheet" in rel.Type else rel.target)
              for sheet, rel in reader.parser.find_sheets() if rel.target in reader.valid_files]
    return reader, sheets


def read_sheet(path: Path, sheet: str | None, progress: Progress | None = None) -> Sheet:
    """The chosen sheet (default: the first) of a workbook."""
    check_xlsx(path)
    try:
        reader, sheets = _open_book(path)
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on bad files
        raise IngestError("ingest.unreadable", file=path.name, detail=str(exc)) from exc
    try:
        names = [name for name, _ in sheets]
        if sheet is not None and sheet not in names:
            raise IngestError("ingest.sheet_unknown", file=path.name, sheet=sheet,
                              sheets=", ".join(names))
        if not names:
            raise IngestError("ingest.unreadable", file=path.name, detail="no sheet")
        chosen = sheet if sheet is not None else names[0]
        member = dict(sheets)[chosen]
        if member is None:  # a chart sheet: no cells
            return Sheet(pd.DataFrame(), names, chosen)
        return _read(reader, path, member, names, chosen, progress)
    finally:
        reader.archive.close()


def _read(reader: ExcelReader, path: Path, member: str, names: list[str], chosen: str,
          progress: Progress | None) -> Sheet:
    book = reader.wb
    try:
        with reader.archive.open(member) as source:
            _refuse_dtd(source, path.name)
        size = reader.archive.getinfo(member).file_size
        with reader.archive.open(member) as source:
            parser = _Parser(_CountingReader(source, size, progress), reader.shared_strings,
                             data_only=True, epoch=book.epoch, date_formats=book._date_formats,
                             timedelta_formats=book._timedelta_formats)
            header, table, header_row = _stream_rows(parser, path.name)
    except IngestError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, OSError,
            SyntaxError) as exc:  # SyntaxError: ElementTree's ParseError
        raise IngestError("ingest.unreadable", file=path.name, detail=str(exc)) from exc
    keys = sorted(set(header) | set(table.order))
    for key in keys:
        table.ensure(key)  # header-only columns exist, empty
    columns = list(zip(keys, _names(header, keys), strict=True))
    uncalculated = [(row - header_row, f"{get_column_letter(col)}{row}",
                     dict(columns).get(col, get_column_letter(col)))
                    for row, col in parser.uncalculated if row > header_row]
    report(progress, 1.0)
    return Sheet(table.frame(columns), names, chosen, uncalculated)
