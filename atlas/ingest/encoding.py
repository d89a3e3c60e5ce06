"""Text encodings of Shapefile attribute tables and CSV files.

A Shapefile made by a GIS officer on Windows often has a Latin-1 (cp1252) DBF and no
``.cpg`` sidecar; a recent QGIS writes UTF-8, also sometimes without ``.cpg``. GDAL
assumes ISO-8859-1 when nothing is declared, which turns UTF-8 "Thiès" into
"ThiÃ¨s". We look at the bytes instead: if the records decode as UTF-8 they are
UTF-8 (Latin-1 accents almost never form valid UTF-8 sequences), otherwise cp1252.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

UTF8 = "UTF-8"
CP1252 = "CP1252"


def sidecar(path: Path, suffix: str) -> Path | None:
    """The file next to ``path`` with another extension, whatever its case."""
    wanted = (path.stem + suffix).casefold()
    for candidate in path.parent.iterdir():
        if candidate.name.casefold() == wanted:
            return candidate
    return None


def decodes_as_utf8(data: bytes) -> bool:
    """True when the bytes are valid UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def dbf_encoding(dbf: Path) -> str | None:
    """Encoding to read a DBF with, or None when the file declares it (language driver id)."""
    data = dbf.read_bytes()
    if len(data) < 32:
        return None
    if data[29] != 0:  # a language driver id: GDAL knows what to do with it
        return None
    header_length = int.from_bytes(data[8:10], "little")
    return UTF8 if decodes_as_utf8(data[header_length:]) else CP1252


def shapefile_encoding(shp: Path) -> str | None:
    """Encoding for pyogrio's ``encoding=``: None when a ``.cpg`` says it, else detected."""
    if sidecar(shp, ".cpg") is not None:
        return None
    dbf = sidecar(shp, ".dbf")
    return dbf_encoding(dbf) if dbf is not None else None


#: Byte-order marks of the UTF-16/32 encodings (Excel's "Unicode text" is UTF-16 LE),
#: longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
              (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"), (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"))


def decode_text(data: bytes) -> tuple[str, str]:
    """Text of a CSV file and the encoding used.

    UTF-16/32 when a byte-order mark says so, UTF-8 (with or without BOM), else cp1252.
    """
    for bom, codec, name in _WIDE_BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), name
            except UnicodeDecodeError:
                break  # a mark by accident (cp1252 "ÿþ"): read it as 8-bit text
    if decodes_as_utf8(data):
        return data.decode("utf-8-sig"), UTF8
    try:
        return data.decode("cp1252"), CP1252
    except UnicodeDecodeError:  # bytes undefined in cp1252: plain Latin-1 never fails
        return data.decode("latin-1"), "ISO-8859-1"


@dataclass
class Decoded:
    """Text of a file, its encoding and the lines written in another one.

    ``other_lines`` are the 1-based numbers of physical lines decoded with
    ``other_encoding`` because they are not in ``encoding`` (a CP1252 line pasted into
    a UTF-8 file, or the reverse); empty when the whole file has one encoding.
    """

    text: str
    encoding: str
    other_lines: list[int] = field(default_factory=list)
    other_encoding: str | None = None


def _decode_8bit(line: bytes) -> str:
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:  # bytes undefined in cp1252: plain Latin-1 never fails
        return line.decode("latin-1")


def decode_mixed(data: bytes) -> Decoded:
    """Like :func:`decode_text`, but a file mixing UTF-8 and 8-bit lines is read by line.

    Decoding such a file whole as CP1252 turns its UTF-8 "Thiès" into "ThiÃ¨s". A line
    with accents that is valid UTF-8 is UTF-8 (8-bit accented text almost never forms
    valid UTF-8 sequences), the others CP1252; the lines of the rarer one are listed.
    """
    text, encoding = decode_text(data)
    if encoding != CP1252 and encoding != "ISO-8859-1":
        return Decoded(text, encoding)
    lines = data.splitlines(keepends=True)
    utf8 = [i for i, line in enumerate(lines) if not line.isascii() and decodes_as_utf8(line)]
    if not utf8:
        return Decoded(text, encoding)
    utf8_set = set(utf8)
    eight_bit = [i for i, line in enumerate(lines) if not line.isascii() and i not in utf8_set]
    decoded = [line.decode("utf-8") if i in utf8_set else _decode_8bit(line)
               for i, line in enumerate(lines)]
    if decoded and decoded[0].startswith("\ufeff"):
        decoded[0] = decoded[0][1:]
    if len(utf8) >= len(eight_bit):
        return Decoded("".join(decoded), UTF8, [i + 1 for i in eight_bit], CP1252)
    return Decoded("".join(decoded), CP1252, [i + 1 for i in utf8], UTF8)
