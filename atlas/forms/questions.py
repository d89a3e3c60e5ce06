"""One XLSForm question per catalogue field, with its choices, constraints and labels.

The catalogue already says everything a form needs: the type of each field, its unit
and range, its allowed values with French and English labels, whether it is required.
Writing the question from it (rather than by hand in KoboToolbox) keeps the names,
codes and limits of the form equal to the layer's, so that its export imports with
no mapping. Every sheet row is a ``dict`` of XLSForm column → text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..catalog import FieldSpec, LayerSpec, ValueSpec
from ..i18n import label, t

Row = dict[str, str]

#: How XLSForm names the language of a translated column (``label::Français (fr)``).
LANGUAGE_NAMES = {"fr": "Français (fr)", "en": "English (en)"}
#: Catalogue field types → XLSForm question types (category and boolean are selects).
QUESTION_TYPES = {"string": "text", "integer": "integer", "float": "decimal", "date": "date"}
#: Geometry of the layer → the XLSForm question that captures it, and its name.
GEOMETRY_QUESTIONS = {"Point": ("geopoint", "gps"), "MultiPoint": ("geopoint", "gps"),
                      "LineString": ("geotrace", "trace"),
                      "MultiLineString": ("geotrace", "trace"),
                      "Polygon": ("geoshape", "contour"), "MultiPolygon": ("geoshape", "contour")}
#: The choice list of boolean fields and its two answers, as the import reads them.
BOOLEAN_LIST = "oui_non"
BOOLEAN_CHOICES = (("oui", "forms.yes"), ("non", "forms.no"))

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def column(kind: str, lang: str) -> str:
    """Name of a translated column: ``label::Français (fr)``."""
    return f"{kind}::{LANGUAGE_NAMES[lang]}"


def plain(text: str) -> str:
    """Text shown as written: no control characters, no ``${…}`` reference.

    Labels come from the catalogue and from territory names imported from partners'
    files; in an XLSForm ``${name}`` refers to a question, so a name holding one would
    make the form invalid (or show another answer). ``$ {`` reads the same and refers
    to nothing.
    """
    return _CONTROL.sub("", str(text)).replace("${", "$ {")


def translated(kind: str, texts: Mapping[str, str], langs: Iterable[str]) -> Row:
    """One column per language (French text where a translation is missing)."""
    return {column(kind, lang): plain(label(dict(texts), lang)) for lang in langs}


def messages(key: str, langs: Iterable[str], kind: str, **params: object) -> Row:
    """A message of the catalogues in every language of the form."""
    return {column(kind, lang): plain(t(key, lang, **params)) for lang in langs}


def number_text(value: float) -> str:
    """``10000`` rather than ``10000.0`` in constraints and their messages."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def constraint(spec_field: FieldSpec, langs: Iterable[str]) -> Row:
    """The range of a number as a constraint with its message (empty without a range)."""
    low, high = spec_field.minimum, spec_field.maximum
    if low is None and high is None:
        return {}
    parts = []
    if low is not None:
        parts.append(f". >= {number_text(low)}")
    if high is not None:
        parts.append(f". <= {number_text(high)}")
    if low is not None and high is not None:
        key, params = "forms.between", {"min": number_text(low), "max": number_text(high)}
    elif low is not None:
        key, params = "forms.at_least", {"min": number_text(low)}
    else:
        key, params = "forms.at_most", {"max": number_text(high)}  # type: ignore[arg-type]
    return {"constraint": " and ".join(parts),
            **messages(key, langs, "constraint_message", **params)}


def hint(spec_field: FieldSpec, langs: Iterable[str]) -> Row:
    """The field's description and unit, as the question's hint."""
    row: Row = {}
    for lang in langs:
        parts = []
        if spec_field.description:
            parts.append(label(spec_field.description, lang))
        if spec_field.unit:
            parts.append(t("forms.unit", lang, unit=spec_field.unit))
        if parts:
            row[column("hint", lang)] = plain(" ".join(parts))
    return row


def required(langs: Iterable[str]) -> Row:
    """The columns of a required question."""
    return {"required": "yes", **messages("forms.required", langs, "required_message")}


class ChoiceLists:
    """The ``choices`` sheet: lists with unique names, each written once."""

    def __init__(self, langs: tuple[str, ...], taken: Iterable[str] = ()) -> None:
        self.langs = langs
        self.rows: list[Row] = []
        self.names: set[str] = set(taken)
        self.boolean_list: str | None = None

    def unique(self, wanted: str) -> str:
        """``wanted``, or ``wanted_2``… when a list of that name exists already."""
        name, number = wanted, 1
        while name in self.names:
            number += 1
            name = f"{wanted}_{number}"
        self.names.add(name)
        return name

    def add(self, wanted: str, choices: Iterable[tuple[str, Row, str | None]]) -> str:
        """Add a list of (name, label columns, parent) choices; returns the list name."""
        name = self.unique(wanted)
        for code, labels, parent in choices:
            row = {"list_name": name, "name": code, **labels}
            if parent is not None:
                row["parent"] = parent
            self.rows.append(row)
        return name

    def category(self, spec_field: FieldSpec) -> str:
        """The list of a category field: its codes, labelled in every language."""
        return self.add(spec_field.name, ((value.code, self.value_labels(value), None)
                                          for value in spec_field.values))

    def value_labels(self, value: ValueSpec) -> Row:
        """Labels of one allowed value."""
        return translated("label", value.labels, self.langs)

    def boolean(self) -> str:
        """The oui/non list shared by every boolean field (written on first use)."""
        if self.boolean_list is None:
            self.boolean_list = self.add(BOOLEAN_LIST, (
                (code, messages(key, self.langs, "label"), None)
                for code, key in BOOLEAN_CHOICES))
        return self.boolean_list


def id_question(spec: LayerSpec, langs: tuple[str, ...]) -> Row:
    """The layer's identifier: a UUID generated once per submission (never re-drawn).

    ``once()`` keeps the identifier of a submission when it is opened again for
    editing, where a bare ``uuid()`` would give it a new one. An integer identifier
    cannot be a UUID: it is asked for instead.
    """
    spec_field = spec.field(spec.id_field)
    if spec_field.type == "integer":
        return {**field_question(spec_field, langs, ChoiceLists(langs)), **required(langs)}
    return {"type": "calculate", "name": spec_field.name, "calculation": "once(uuid())"}


def field_question(spec_field: FieldSpec, langs: tuple[str, ...], lists: ChoiceLists) -> Row:
    """The question of one field (its choice list added to ``lists`` when it has one)."""
    if spec_field.type == "category":
        kind = f"select_one {lists.category(spec_field)}"
    elif spec_field.type == "boolean":
        kind = f"select_one {lists.boolean()}"
    else:
        kind = QUESTION_TYPES[spec_field.type]
    row: Row = {"type": kind, "name": spec_field.name,
                **translated("label", spec_field.titles, langs), **hint(spec_field, langs)}
    if spec_field.required:
        row.update(required(langs))
    if spec_field.type in ("integer", "float"):
        row.update(constraint(spec_field, langs))
    return row


def geometry_question(spec: LayerSpec, langs: tuple[str, ...], name: str) -> Row:
    """The question capturing the feature's geometry (required when the layer needs one)."""
    kind, _ = GEOMETRY_QUESTIONS[spec.geometry]
    row: Row = {"type": kind, "name": name, **messages(f"forms.{kind}", langs, "label")}
    if spec.geometry_required:
        row.update(required(langs))
    return row
