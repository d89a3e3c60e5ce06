"""CSV and XLSX files into raw tables (coordinates are found later).

Values are kept as text (CSV) or as the workbook holds them (XLSX), so the report can
quote what the person typed. Both formats share the HXL hashtag row
(``#adm1+name``) and the removal of trailing blank rows. A CSV whose lines mix UTF-8 and
CP1252 is decoded line by line, with a warning for each row of the rarer encoding; its
content must be a table (not XML, JSON or a virtual dataset); its columns and cells are
bounded while it is parsed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import IngestError
from .encoding import Decoded, decode_mixed
from .limits import Progress, check_cells, check_columns, report
from .osm import flatten_osm
from .report import WARNING, Issue
from .sniff import check_table_text
from .text import display
from .xlsx import read_sheet

CSV_CHUNK_ROWS = 50_000


def delimiter(text: str) -> str:
    """The separator of a CSV: the most frequent candidate in its header line."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        try:
            return csv.Sniffer().sniff(text[:4096]).delimiter
        except csv.Error:
            return ","
    return best


def hxl(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Use a Humanitarian Exchange Language hashtag row (``#adm1+name``) as the header."""
    if frame.empty:
        return frame, 0
    first = [str(v).strip() for v in frame.iloc[0]]
    filled = [v for v in first if v]
    if filled and sum(v.startswith("#") for v in filled) >= max(1, len(filled) // 2 + 1):
        names = [tag if tag else str(col) for tag, col in zip(first, frame.columns, strict=True)]
        out = frame.iloc[1:].reset_index(drop=True)
        out.columns = names
        return out, 1
    return frame, 0


def drop_trailing_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The table without the blank rows at its end (spreadsheets keep formatted ones)."""
    blank = frame.apply(lambda col: col.map(lambda v: v is None or (isinstance(v, float)
                                                                    and np.isnan(v))
                                            or (isinstance(v, str) and not v.strip())))
    filled = ~blank.all(axis=1).to_numpy()
    last = int(np.flatnonzero(filled)[-1]) + 1 if filled.any() else 0
    return frame.iloc[:last]


def _parse_csv(name: str, text: str, sep: str, progress: Progress | None) -> pd.DataFrame:
    """The table, chunk by chunk, refused as soon as it passes the column or cell limit."""
    buffer = io.StringIO(text)
    chunks: list[pd.DataFrame] = []
    rows = 0
    try:
        reader = pd.read_csv(buffer, sep=sep, dtype=str, keep_default_na=False,
                             na_filter=False, skip_blank_lines=False,
                             chunksize=CSV_CHUNK_ROWS)
        with reader:
            for chunk in reader:
                check_columns(name, len(chunk.columns))
                rows += len(chunk)
                check_cells(name, rows, len(chunk.columns))
                chunks.append(chunk)
                report(progress, buffer.tell() / max(len(text), 1))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise IngestError("ingest.unreadable", file=name, detail=str(exc)) from exc
    if not chunks:
        raise IngestError("ingest.unreadable", file=name, detail="No columns to parse")
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def _record_of_lines(text: str, sep: str, lines: list[int]) -> dict[int, int]:
    """Physical line → index of the CSV record it belongs to (0 = the header)."""
    wanted = sorted(lines)
    found: dict[int, int] = {}
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    start = 1
    cursor = 0
    try:
        for record, _ in enumerate(reader):
            end = reader.line_num
            while cursor < len(wanted) and wanted[cursor] <= end:
                if wanted[cursor] >= start:
                    found[wanted[cursor]] = record
                cursor += 1
            start = end + 1
            if cursor == len(wanted):
                break
    except csv.Error:
        pass  # broken quoting: the rows found so far are named, the others not
    return found


def _encoding_issues(decoded: Decoded, sep: str, hxl_rows: int) -> list[Issue]:
    """One warning per row holding a line of the file's other encoding."""
    if not decoded.other_lines:
        return []
    records = _record_of_lines(decoded.text, sep, decoded.other_lines)
    lines = decoded.text.splitlines()
    params = {"encoding": decoded.other_encoding, "main": decoded.encoding}
    issues: dict[int | None, Issue] = {}
    for line in decoded.other_lines:
        record = records.get(line)
        row = None if record is None or record <= hxl_rows else record
        if row in issues:
            continue
        excerpt = lines[line - 1] if line - 1 < len(lines) else ""
        issues[row] = Issue(WARNING, "mixed_encoding", row=row, value=display(excerpt),
                            params={**params, "line": line})
    return list(issues.values())


def read_csv_table(path: Path, progress: Progress | None = None
                   ) -> tuple[pd.DataFrame, str, int, list[Issue]]:
    """Table, encoding, row offset and issues of a delimited text file."""
    data = path.read_bytes()
    check_table_text(path, data[:65536])
    decoded = decode_mixed(data)
    del data
    sep = delimiter(decoded.text)
    frame = _parse_csv(path.name, decoded.text, sep, progress)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame, hxl_rows = hxl(frame.astype(object))
    frame = drop_trailing_blank_rows(frame)
    issues = _encoding_issues(decoded, sep, hxl_rows)
    return flatten_osm(frame), decoded.encoding, 1 + hxl_rows, issues


def read_xlsx_table(path: Path, sheet: str | None, progress: Progress | None = None
                    ) -> tuple[pd.DataFrame, str, int, list[Issue]]:
    """Table, sheet read, row offset and issues of a workbook."""
    read = read_sheet(path, sheet, progress)
    frame, hxl_rows = hxl(read.frame)
    frame = drop_trailing_blank_rows(frame)
    issues = []
    if sheet is None and len(read.names) > 1:
        issues.append(Issue(WARNING, "several_sheets", value=read.chosen,
                            params={"others": ", ".join(read.names[1:])}))
    by_row: dict[int, list[tuple[str, str]]] = {}
    for row, cell, column in read.uncalculated:
        if row - hxl_rows >= 1:
            by_row.setdefault(row, []).append((cell, column))
    for row, cells in by_row.items():
        issues.append(Issue(WARNING, "formula_without_value", row=row,
                            value=", ".join(c for c, _ in cells[:5]),
                            params={"columns": ", ".join(dict.fromkeys(n for _, n in cells))}))
    return flatten_osm(frame), read.chosen, 1 + hxl_rows, issues
