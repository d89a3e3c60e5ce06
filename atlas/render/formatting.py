"""Values as people read them: French (or English) numbers, Oui/Non, labels, dates.

Popups, tooltips, legends and static maps all show values through this module, so a
number looks the same in the interactive map, the PNG and the fact sheet. French
numbers use a comma for decimals and a no-break space between thousands (U+00A0
rather than the narrow U+202F, which many fonts used by WeasyPrint and matplotlib
lack).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from numbers import Number

import pandas as pd

from ..catalog import FieldSpec
from ..i18n import catalogue, normalise_language, t

#: Thousands separator and decimal mark per language.
SEPARATORS: dict[str, tuple[str, str]] = {"fr": ("\u00a0", ","), "en": (",", ".")}


def is_missing(value: object) -> bool:
    """True for None, NaN, NaT and pandas' NA (``pd.isna`` raises on lists)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_number(value: float | int, lang: str | None = None, decimals: int | None = None,
                  grouping: bool = True) -> str:
    """A number with the language's separators.

    ``decimals=None`` keeps up to two decimals and drops trailing zeros, which suits
    popups; legends pass a fixed count so that class bounds line up.
    """
    lang = normalise_language(lang)
    thousands, mark = SEPARATORS[lang]
    number = float(value)
    if not math.isfinite(number):
        return str(value)
    if decimals is None:
        text = f"{number:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{number:,.{decimals}f}"
    if text in ("-0", "-0.0") or (text.startswith("-") and float(text.replace(",", "")) == 0):
        text = text[1:]
    integer, _, fraction = text.partition(".")
    integer = integer.replace(",", thousands if grouping else "")
    return integer + (mark + fraction if fraction else "")


def unit_text(unit: str | None, lang: str) -> str:
    """The unit as printed, in the reader's language (units are French in the data)."""
    if not unit:
        return ""
    # a count needs no unit ("15", not "15 nb"): its entry is empty, so read it directly
    table = catalogue(normalise_language(lang))
    key = f"reports.unit.{unit}"
    return table[key] if key in table else unit


def with_unit(text: str, unit: str | None) -> str:
    """Append a unit after a no-break space (``%`` too, as French typography wants)."""
    return f"{text}\u00a0{unit}" if unit else text


def format_date(value: object, lang: str | None = None) -> str:
    """dd/mm/yyyy in French, ISO in English (stores keep ISO strings)."""
    if isinstance(value, (datetime, date)):
        parsed: date = value.date() if isinstance(value, datetime) else value
    else:
        text = str(value)
        try:
            parsed = date.fromisoformat(text[:10])
        except ValueError:
            return text
    if normalise_language(lang) == "fr":
        return parsed.strftime("%d/%m/%Y")
    return parsed.isoformat()


def format_bool(value: object, lang: str | None = None) -> str:
    """Oui/Non (Yes/No)."""
    return t("render.yes", lang) if bool(value) else t("render.no", lang)


def is_year(field: FieldSpec) -> bool:
    """Integer fields holding years are written without a thousands separator."""
    if field.type != "integer":
        return False
    if field.name.endswith("year") or field.name in ("annee", "year"):
        return True
    return field.minimum is not None and field.maximum is not None \
        and 1000 <= field.minimum and field.maximum <= 3000


def format_value(value: object, field: FieldSpec, lang: str | None = None) -> str | None:
    """A field value as shown to a person, or None when it is missing.

    Category codes become their label (an unknown code is shown as is, so a bad
    import stays visible), booleans Oui/Non, numbers get separators and the unit.
    """
    if is_missing(value):
        return None
    if field.type == "category":
        spec = field.value(str(value))
        return spec.label(lang) if spec is not None else str(value)
    if field.type == "boolean":
        return format_bool(value, lang)
    if field.type == "date":
        return format_date(value, lang)
    if field.type in ("integer", "float") and isinstance(value, Number):
        if is_year(field):
            return format_number(value, lang, decimals=0, grouping=False)
        return with_unit(format_number(value, lang), field.unit)
    return str(value)


def pick_decimals(values: list[float] | pd.Series) -> int:
    """Decimals needed to tell class bounds apart (0 for counts, 1-2 for rates)."""
    finite = [abs(float(v)) for v in values if not is_missing(v) and math.isfinite(float(v))]
    if not finite:
        return 0
    if all(float(v).is_integer() for v in finite):
        return 0
    spread = max(finite) - min(finite) if len(finite) > 1 else max(finite)
    if spread >= 100:
        return 0
    if spread >= 1:
        return 1
    return 2
