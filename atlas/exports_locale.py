"""Downloads in the reader's language and locale: what a French Excel opens as a table.

A French spreadsheet program splits a CSV on ``;`` and reads ``1,5`` as one and a
half; a comma-separated file with decimal points opens as one column of text. So a
download made from the French interface is written the French way (``;``, decimal
commas, UTF-8 with a BOM), with translated headers and category labels and values
rounded as the page shows them; the English one stays comma-separated. The codes
(territory, indicator, status…) that scripts need are kept: as extra columns in the
CSV, and in a second sheet of the workbook. Every file still goes through
:mod:`atlas.exports`, so no cell can run as a formula.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from .exports import csv_bytes, inert_frame, xlsx_sheets_bytes
from .i18n import normalise_language, t

#: CSV field separator and decimal mark of each language.
CSV_FORMATS = {"fr": (";", ","), "en": (",", ".")}
#: Decimals kept in downloads: what the page shows (at most two, see format_number).
SHOWN_DECIMALS = 2


@dataclass(frozen=True)
class Column:
    """One column of a localised table: source column, header key, how to show a value.

    ``header`` is an i18n key; ``decimals`` rounds numbers; ``label`` turns a code into
    the text shown (a category label), returning None to leave the cell empty.
    """

    source: str
    header: str
    decimals: int | None = None
    label: Callable[[object], str | None] | None = None


def csv_format(lang: str | None) -> tuple[str, str]:
    """The (separator, decimal mark) of a language's CSV files."""
    return CSV_FORMATS.get(normalise_language(lang), CSV_FORMATS["en"])


def localised_frame(frame: pd.DataFrame, columns: Sequence[Column], lang: str | None
                    ) -> pd.DataFrame:
    """``frame`` with the ``columns`` it has, headers translated, values as shown."""
    lang = normalise_language(lang)
    out: dict[str, pd.Series] = {}
    for column in columns:
        if column.source not in frame.columns:
            continue
        values = frame[column.source]
        if column.label is not None:
            values = values.map(lambda v, f=column.label: _blank(f(v)))
        elif column.decimals == 0:
            values = pd.to_numeric(values, errors="coerce").round(0).astype("Int64")
        elif column.decimals is not None:
            values = pd.to_numeric(values, errors="coerce").round(column.decimals)
        out[t(column.header, lang)] = values.reset_index(drop=True)
    return pd.DataFrame(out)


def _blank(value: str | None) -> str | None:
    return value if value not in ("", None) else None


def localised_csv(frame: pd.DataFrame, lang: str | None) -> bytes:
    """An inert CSV in the language's format (UTF-8 with a BOM, which Excel reads)."""
    separator, decimal = csv_format(lang)
    if (separator, decimal) == CSV_FORMATS["en"]:
        return csv_bytes(frame)
    return inert_frame(frame).to_csv(index=False, sep=separator, decimal=decimal
                                     ).encode("utf-8-sig")


def localised_xlsx(shown: pd.DataFrame, codes: pd.DataFrame, lang: str | None,
                   sheet: str) -> bytes:
    """A workbook: the table as shown in the first sheet, the codes in a second one."""
    lang = normalise_language(lang)
    return xlsx_sheets_bytes({sheet: shown, t("exports.codes_sheet", lang): codes})


# -- the tables the app offers ------------------------------------------------------------

def _indicator_columns(lang: str) -> list[Column]:
    def status(value: object) -> str | None:
        return t(f"diagnostics.status.{value}", lang) if value in ("ok", "below", "above") \
            else None

    def theme(value: object) -> str | None:
        return t(f"diagnostics.theme.{value}", lang) if isinstance(value, str) and value \
            else None

    return [
        Column("territory_name", "exports.col.territory"),
        Column("level_name", "exports.col.level"),
        Column("theme", "exports.col.theme", label=theme),
        Column("label", "exports.col.indicator"),
        Column("value", "exports.col.value", decimals=SHOWN_DECIMALS),
        Column("unit", "exports.col.unit"),
        Column("parent_value", "exports.col.parent_value", decimals=SHOWN_DECIMALS),
        Column("rank", "exports.col.rank", decimals=0),
        Column("rank_of", "exports.col.rank_of", decimals=0),
        Column("status", "exports.col.status", label=status),
        Column("threshold", "exports.col.threshold", decimals=SHOWN_DECIMALS),
        Column("threshold_source", "exports.col.threshold_source"),
        Column("data_date", "exports.col.data_date"),
        Column("reason", "exports.col.reason"),  # why a value is missing
    ]


#: Code columns appended to the CSV, for scripts: source column → header key.
_CODE_COLUMNS = (("territory_code", "exports.col.territory_code"),
                 ("indicator", "exports.col.indicator_code"),
                 ("breakdown", "exports.col.breakdown_code"),
                 ("status", "exports.col.status_code"))


def indicator_table(table: pd.DataFrame, lang: str | None, *, codes: bool = True
                    ) -> pd.DataFrame:
    """A territory's indicator table as a reader sees it (``codes``: code columns after)."""
    lang = normalise_language(lang)
    shown = localised_frame(table, _indicator_columns(lang), lang)
    if codes:
        for source, header in _CODE_COLUMNS:
            if source in table.columns:
                shown[t(header, lang)] = table[source].fillna("").astype(str).tolist()
    return shown


def indicator_csv(table: pd.DataFrame, lang: str | None) -> bytes:
    """The indicator table as the reader's CSV, codes in its last columns."""
    return localised_csv(indicator_table(table, lang), lang)


def indicator_xlsx(table: pd.DataFrame, lang: str | None, sheet: str) -> bytes:
    """The indicator table as a workbook: as shown, then the raw table with its codes."""
    return localised_xlsx(indicator_table(table, lang, codes=False), table, lang, sheet)


def proposals_table(proposals: Sequence[dict[str, object]], type_labels: dict[str, str],
                    lang: str | None) -> pd.DataFrame:
    """What-if proposals: number, type as the reader calls it ("Robinet"), place, code."""
    lang = normalise_language(lang)
    kinds = [str(p.get("type", "")) for p in proposals]
    return pd.DataFrame({
        t("exports.col.number", lang): list(range(1, len(proposals) + 1)),
        t("exports.col.type", lang): [type_labels.get(k, k) for k in kinds],
        t("exports.col.lon", lang): [round(float(p["lon"]), 6) for p in proposals],  # type: ignore[arg-type]
        t("exports.col.lat", lang): [round(float(p["lat"]), 6) for p in proposals],  # type: ignore[arg-type]
        t("exports.col.type_code", lang): kinds,
    })
