"""Attribute tables of catalogue layers as people read them, for popups and tooltips.

Values are formatted here, in Python (:mod:`.formatting`), not in the browser, so
the interactive map, static maps and fact sheets share one set of rules (category
labels, Oui/Non, French numbers, dates). A territory code is shown with the
territory's name, which is what a reader recognises.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ...catalog import FieldSpec, LayerSpec
from ...names import TERRITORY_FIELD
from ..formatting import format_value

#: Fields whose value names a feature, best first (used for tooltips).
NAME_FIELDS = ("name", "title", "household", "client")


def tooltip_fields(spec: LayerSpec) -> list[str]:
    """Fields shown when hovering: the feature's name (or id), then its category."""
    first = next((f for f in NAME_FIELDS if spec.has_field(f)), spec.id_field)
    shown = [first]
    if spec.style.by and spec.style.by not in shown:
        shown.append(spec.style.by)
    return shown


def format_column(values: pd.Series, field: FieldSpec, lang: str | None,
                  territory_names: Mapping[str, str] | None = None) -> list[str | None]:
    """A column formatted for display (None where the value is missing)."""
    if field.name == TERRITORY_FIELD and territory_names:
        return [None if v is None or pd.isna(v) else
                (f"{territory_names[str(v)]} ({v})" if str(v) in territory_names else str(v))
                for v in values.astype("object")]
    return [format_value(v, field, lang) for v in values.astype("object")]


def formatted_rows(spec: LayerSpec, frame: pd.DataFrame, lang: str | None,
                   territory_names: Mapping[str, str] | None = None
                   ) -> tuple[list[str], list[list[str | None]]]:
    """Field titles and, per row, the formatted values in the same order."""
    fields = [f for f in spec.fields if f.name in frame.columns]
    columns = [format_column(frame[f.name], f, lang, territory_names) for f in fields]
    rows = [list(values) for values in zip(*columns, strict=True)] if columns \
        else [[] for _ in range(len(frame))]
    return [f.title(lang) for f in fields], rows


def popup_rows(spec: LayerSpec, row: Mapping[str, object], lang: str | None = None,
               territory_names: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(field title, formatted value) pairs of one feature, missing values left out."""
    frame = pd.DataFrame([{k: v for k, v in row.items() if k != "geometry"}])
    titles, rows = formatted_rows(spec, frame, lang, territory_names)
    return [(title, value) for title, value in zip(titles, rows[0], strict=True)
            if value is not None]

