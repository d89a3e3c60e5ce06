"""How figures read on a fact sheet: numbers, ranks, standards and verdicts.

Fact sheets are printed, photocopied and projected, so a verdict against a standard
is never carried by colour alone: it is a symbol (✔, ✖, –) followed by words. Numbers
go through :mod:`.formatting` so a sheet agrees with the maps to the last comma.
"""

from __future__ import annotations

import math

from ...i18n import t
from ..formatting import format_date, format_number, is_missing, unit_text

#: Marks of the engine's statuses: met, missed (either side), not judged.
MARKS = {"ok": "✔", "below": "✖", "above": "✖", "n.a.": "–"}
#: Units that count whole things: never shown with decimals.
COUNT_UNITS = {"nb", "hab", "élèves", "personnes", "people", "pupils"}
MISSING = "–"


def decimals_for(value: float, unit: str | None) -> int:
    """Decimals worth printing: none for counts and large values, more for small rates."""
    if unit in COUNT_UNITS:
        return 0
    size = abs(value)
    if size >= 100 or size == 0:
        return 0
    if size >= 10:
        return 1
    return 2 if size >= 0.01 else 3


def number(value: object, unit: str | None, lang: str, decimals: int | None = None) -> str:
    """A figure as text ("–" when missing); ``decimals`` overrides the automatic choice."""
    if is_missing(value):
        return MISSING
    number_value = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number_value):
        return MISSING
    places = decimals_for(number_value, unit) if decimals is None else decimals
    return format_number(round(number_value, places), lang, decimals=places)


def rank_text(rank: object, rank_of: object) -> str:
    """"3 / 14" (3rd best of 14 siblings), or a dash when there is no rank."""
    if is_missing(rank) or is_missing(rank_of):
        return MISSING
    return f"{int(rank)}\u00a0/\u00a0{int(rank_of)}"  # type: ignore[call-overload]


def standard_text(threshold: object, direction: str | None, unit: str | None,
                  source: object, lang: str) -> str:
    """"≤ 500 m (Sphere)": the standard with its sign and who sets it; "" without one."""
    if is_missing(threshold):
        return ""
    sign = {"lower": "≤\u00a0", "higher": "≥\u00a0"}.get(direction or "", "=\u00a0")
    whole = float(threshold).is_integer()  # type: ignore[arg-type]
    text = sign + number(threshold, unit, lang, 0 if whole else None)
    if unit and unit != "nb":
        text += f"\u00a0{unit_text(unit, lang)}"
    if not is_missing(source) and str(source):
        text += f" ({source})"
    return text


def status_mark(status: object) -> str:
    """✔, ✖ or – for an engine status."""
    return MARKS.get(str(status), MARKS["n.a."])


def status_text(status: object, has_standard: bool, lang: str) -> str:
    """Words after the mark: met, above/below the standard, no data, no standard."""
    if not has_standard:
        return t("reports.status_none", lang)
    key = {"ok": "ok", "below": "below", "above": "above"}.get(str(status), "unknown")
    return t(f"reports.status_{key}", lang)


def date_text(value: object, lang: str) -> str:
    """A data date as people read it.

    A year stays a year, a month is "mars 2023", a day becomes dd/mm/yyyy.
    """
    if is_missing(value):
        return MISSING
    text = str(value)
    if len(text) >= 10 and text[4] == "-":
        return format_date(text, lang)
    if len(text) == 7 and text[4] == "-" and text[5:].isdigit() and 1 <= int(text[5:]) <= 12:
        return f"{t('reports.months', lang).split(',')[int(text[5:]) - 1]} {text[:4]}"
    return text


def is_day(value: object) -> bool:
    """True for a full date (2024-06-14), which reads "as of".

    A year or a month reads "from" ("données de 2025", not "données au 2025").
    """
    text = "" if is_missing(value) else str(value)
    return len(text) >= 10 and text[4] == "-"


def latest_date(values: list[object]) -> object:
    """The latest of texts like "2023" and "2024-06-14" (ISO sorts as text)."""
    known = sorted(str(v) for v in values if not is_missing(v) and str(v))
    return known[-1] if known else None
