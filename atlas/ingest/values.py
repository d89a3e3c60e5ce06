"""Cell values to the typed values of a layer field, with a reason for each refusal.

Category values are matched on the code, the French and English labels and the
synonyms of the spec, without case or accents ("Forage", "borehole", "Borehole" →
``borehole``); OSM-style synonyms ``key=value`` match a column ``key`` holding
``value``. Booleans accept the words people use ("Oui", "yes", "1", "vrai", "x"...).
Numbers accept a decimal comma and spaces between thousands; dates accept ISO,
day-first French dates and, when a column shows it, month-first dates (WPDx); a year
field accepts a date and keeps its year.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from ..catalog import FieldSpec
from .text import UNKNOWN_WORDS, fold, is_blank, is_null_token

#: Field types whose cells are kept as text.
TEXT_KINDS = frozenset({"string", "category"})
#: Distinct cells whose conversion is remembered per field (categories repeat; a
#: million unique codes would only fill memory).
CACHE_SIZE = 10_000
#: Integers a store column holds: -2**63 to 2**63 - 1.
INT64 = 2**63
#: The NUL character, which a text column of PostgreSQL cannot hold.
NUL = "\x00"
TRUE_WORDS = frozenset({"oui", "o", "yes", "y", "1", "true", "t", "vrai", "x", "ok"})
FALSE_WORDS = frozenset({"non", "n", "no", "0", "false", "f", "faux"})

#: Years a date may have: those of a pandas timestamp (1677-09-21 to 2262-04-11),
#: whole years only.
DATE_YEARS = range(1678, 2262)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_SLASH_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[T ].*)?$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[T ].*)?$")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")
_LEADING_YEAR = re.compile(r"^(\d{4})(?:[-/.]\d{1,2}){0,2}(?:[T ].*)?$")


@dataclass(frozen=True)
class Problem:
    """Why one cell could not be used (position is 0-based in the source table)."""

    position: int
    code: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class Converted:
    """Typed values of one field, None where missing or refused."""

    values: list[object]
    problems: list[Problem]
    #: Problems that only warn and keep a value (e.g. a partial date).
    notes: list[Problem] = field(default_factory=list)


#: The category code that means "nobody knows" (see :data:`UNKNOWN_WORDS`).
UNKNOWN = "unknown"


def category_lookup(spec_field: FieldSpec) -> dict[str, str]:
    """Folded code, labels and synonyms → code (first declared wins on a clash).

    A field that declares the code ``unknown`` also takes every unknown word for it, so
    "inconnu", "NSP" or "?" mean the same in a state, a management or a source column.
    """
    table: dict[str, str] = {}
    for value in spec_field.values:
        for text in (value.code, *value.labels.values(), *value.synonyms):
            table.setdefault(fold(text), value.code)
    if UNKNOWN in spec_field.codes():
        for word in UNKNOWN_WORDS:
            table.setdefault(word, UNKNOWN)
    return table


def _integral_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def as_text(value: object) -> str:
    """Text of a cell: integral floats without ``.0`` (codes read as numbers)."""
    if isinstance(value, (np.integer, np.floating)):
        value = value.item()
    if isinstance(value, (datetime, pd.Timestamp)):
        return value.isoformat()
    return _integral_text(value).strip()


def parse_number(value: object) -> float | None:
    """A number from a cell: ``12``, ``12.5``, ``12,5``, ``1 234,5``; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    text = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in text and "." in text:
        text = text.replace(",", "") if text.rfind(".") > text.rfind(",") \
            else text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _day_first(values: Sequence[object]) -> bool:
    """Column-level reading of a/b/yyyy dates: month-first only when a value proves it."""
    for value in values:
        match = _SLASH_DATE.match(str(value).strip()) if isinstance(value, str) else None
        if match and int(match.group(1)) > 12:
            return True
        if match and int(match.group(2)) > 12:
            return False
    return True


def parse_date(value: object, day_first: bool = True) -> tuple[str | None, bool]:
    """ISO date of a cell and whether it was partial (year or year-month only).

    Years outside :data:`DATE_YEARS` are refused: the stores read dates through
    pandas, whose timestamps end there, so such a date would silently become empty.
    """
    if value is pd.NaT:
        return None, False
    if isinstance(value, (datetime, date, pd.Timestamp)):
        parts: tuple[int, int, int] | None = (value.year, value.month, value.day)
        return _iso(parts), False
    text = str(value).strip()
    parts = None
    partial = False
    if match := _ISO_DATE.match(text) or _YMD_SLASH.match(text):
        parts = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    elif match := _SLASH_DATE.match(text):
        a, b, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        parts = (year, b, a) if day_first else (year, a, b)
    elif match := _PARTIAL_DATE.match(text):
        parts = (int(match.group(1)), int(match.group(2) or 1), 1)
        partial = True
    iso = _iso(parts)
    return iso, partial and iso is not None


def _iso(parts: tuple[int, int, int] | None) -> str | None:
    """``YYYY-MM-DD`` of (year, month, day), None when no such date or out of range."""
    if parts is None or parts[0] not in DATE_YEARS:
        return None
    try:
        return date(*parts).isoformat()
    except ValueError:
        return None


def _range_problem(spec_field: FieldSpec, number: float, position: int) -> Problem | None:
    if spec_field.minimum is not None and number < spec_field.minimum:
        return Problem(position, "below_min", {"min": _integral_text(spec_field.minimum)})
    if spec_field.maximum is not None and number > spec_field.maximum:
        return Problem(position, "above_max", {"max": _integral_text(spec_field.maximum)})
    return None


def _is_year_field(spec_field: FieldSpec) -> bool:
    return spec_field.type == "integer" and (spec_field.name == "year"
                                             or spec_field.name.endswith("_year"))


def convert(spec_field: FieldSpec, raw: Sequence[object],
            columns: Sequence[str | None] | None = None) -> Converted:
    """Typed values of a field from raw cells.

    ``columns`` names the source column of each cell (for OSM ``key=value`` synonyms).
    """
    values: list[object] = []
    problems: list[Problem] = []
    notes: list[Problem] = []
    kind = spec_field.type
    lookup = category_lookup(spec_field) if kind == "category" else {}
    day_first = _day_first(raw) if kind == "date" else True
    cache: dict[tuple[object, object], tuple[object, Problem | None]] = {}
    for position, value in enumerate(raw):
        cleaned = False
        if kind in TEXT_KINDS and isinstance(value, str) and NUL in value:
            # PostgreSQL cannot store NUL in text, and no one typed it on purpose.
            value, cleaned = value.replace(NUL, ""), True
        if is_blank(value):
            values.append(None)
            continue
        column = columns[position] if columns is not None else None
        key = (type(value), value, column) if isinstance(value, (str, int, float)) else None
        if key is not None and key in cache:
            out, problem = cache[key]
            problem = None if problem is None else Problem(position, problem.code,
                                                           problem.params)
        else:
            out, problem = _convert_one(spec_field, kind, value, column, lookup, day_first,
                                        position)
            if key is not None and len(cache) < CACHE_SIZE:
                cache[key] = (out, problem)
        if problem is not None and problem.code == "date_partial":
            notes.append(problem)
            problem = None
        if problem is None and kind in ("integer", "float") and out is not None:
            problem = _range_problem(spec_field, float(out), position)
        if problem is not None:
            problems.append(problem)
            out = None
        elif cleaned:
            notes.append(Problem(position, "nul_removed"))
        values.append(out)
    return Converted(values, problems, notes)


def _convert_one(spec_field: FieldSpec, kind: str, value: object, column: str | None,
                 lookup: dict[str, str], day_first: bool, position: int
                 ) -> tuple[object, Problem | None]:
    if isinstance(value, (np.generic,)):
        value = value.item()
    if kind == "string":
        return as_text(value), None
    if kind == "category":
        text = as_text(value)
        code = lookup.get(fold(text))
        if code is None and column:
            code = lookup.get(fold(f"{column}={text}"))
        if code is not None:
            return code, None
        if is_null_token(text):
            return None, None
        return None, Problem(position, "unknown_category",
                             {"choices": ", ".join(spec_field.codes())})
    if is_null_token(value):
        return None, None
    if kind == "boolean":
        if isinstance(value, (bool, np.bool_)):
            return bool(value), None
        word = fold(as_text(value))
        if word in TRUE_WORDS:
            return True, None
        if word in FALSE_WORDS:
            return False, None
        number = parse_number(value)
        if number in (0.0, 1.0):
            return bool(number), None
        return None, Problem(position, "bad_boolean")
    if kind == "integer":
        number = parse_number(value)
        if number is None and _is_year_field(spec_field):
            if isinstance(value, (datetime, date, pd.Timestamp)):
                return value.year, None
            match = _LEADING_YEAR.match(str(value).strip())
            number = float(match.group(1)) if match else None
        if number is None:
            return None, Problem(position, "bad_integer")
        if not float(number).is_integer():
            return None, Problem(position, "not_whole")
        if not -INT64 <= number < INT64:  # the stores hold 64-bit integers
            return None, Problem(position, "integer_too_large")
        return int(number), None
    if kind == "float":
        number = parse_number(value)
        if number is None:
            return None, Problem(position, "bad_float")
        return number, None
    if kind == "date":
        iso, partial = parse_date(value, day_first)
        if iso is None:
            return None, Problem(position, "bad_date")
        return iso, Problem(position, "date_partial", {"date": iso}) if partial else None
    raise ValueError(kind)
