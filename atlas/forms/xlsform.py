"""The whole XLSForm of a layer: survey, choices and settings sheets, checked by pyxform.

The form asks, in this order: the territory cascade and the geometry (group ``lieu``),
then one question per field (group ``donnees``); the layer's identifier is generated
at the root. Question names are the field names, so KoboToolbox (``donnees/name``,
``lieu/_gps_latitude``) and ODK Central (``donnees-name``, ``lieu-gps-Latitude``)
exports import with no mapping (see :mod:`atlas.forms.submissions`).

``form_id`` is the layer's name (with the territory when the form is limited to one);
``version`` is the atlas's revision when the form was drawn, zero-padded so that
versions sort, and a digest of the questions, so that two different forms drawn from
one revision never share a version (ODK Central refuses that).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..catalog import LayerSpec
from ..errors import FormError, NotFoundError
from ..i18n import LANGUAGES, t
from ..names import TERRITORIES, TERRITORY_FIELD
from .questions import (
    GEOMETRY_QUESTIONS,
    ChoiceLists,
    Row,
    column,
    field_question,
    geometry_question,
    id_question,
    messages,
    plain,
    translated,
)
from .territories import territory_questions

if TYPE_CHECKING:
    from ..atlas import Atlas
    from ..territories import TerritoryTree

LOCATION_GROUP = "lieu"
DATA_GROUP = "donnees"
#: Metadata every KoboToolbox form records: when the interview started and ended.
METADATA = ("start", "end")
SURVEY_COLUMNS = ("type", "name", "label", "hint", "required", "required_message",
                  "constraint", "constraint_message", "calculation", "choice_filter",
                  "appearance")
SUFFIXES = (".xlsx", ".xml")
NOT_ASKED = frozenset({"begin_group", "end_group", "calculate", *METADATA})
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class SurveyForm:
    """An XLSForm drawn from a layer spec (see the module docstring)."""

    layer: str
    form_id: str
    version: str
    title: str
    languages: tuple[str, ...]
    survey: list[Row]
    choices: list[Row]
    settings: Row
    #: Message keys worth telling the person (e.g. no territory in the atlas).
    notes: list[str] = field(default_factory=list)

    @property
    def questions(self) -> list[Row]:
        """The questions a surveyor answers (groups, metadata and calculations left out)."""
        return [r for r in self.survey if r["type"] not in NOT_ASKED]

    def sheet_columns(self, rows: Sequence[Row], preferred: Iterable[str]) -> list[str]:
        """Columns of a sheet: the preferred order, translations after their column."""
        present = list(dict.fromkeys(key for row in rows for key in row))
        ordered: list[str] = []
        for name in preferred:
            ordered += [c for c in present if c == name or c.startswith(f"{name}::")]
        return ordered + [c for c in present if c not in ordered]

    def xlsx_bytes(self) -> bytes:
        """The XLSForm as a workbook whose cells are all text (never formulas)."""
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheets = (("survey", self.survey, SURVEY_COLUMNS),
                  ("choices", self.choices, ("list_name", "name", "label", "parent")),
                  ("settings", [self.settings], tuple(self.settings)))
        for name, rows, preferred in sheets:
            sheet = workbook.create_sheet(name)
            columns = self.sheet_columns(rows, preferred)
            sheet.append(_text_cells(sheet, columns))
            for row in rows:
                sheet.append(_text_cells(sheet, (row.get(c, "") for c in columns)))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def to_xform(self) -> str:
        """The XForm XML, converted by pyxform (raises :class:`FormError` if refused)."""
        from pyxform.errors import PyXFormError
        from pyxform.xls2xform import convert

        try:
            return convert(xlsform=self.xlsx_bytes(), file_type=".xlsx",
                           pretty_print=True, warnings=[]).xform
        except PyXFormError as exc:
            raise FormError("forms.error.invalid", layer=self.layer, detail=str(exc)) from exc

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the form as ``.xlsx`` (XLSForm) or ``.xml`` (XForm), whole or not at all."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix not in SUFFIXES:
            raise FormError("forms.error.bad_output", path=str(target))
        data = self.to_xform().encode("utf-8") if suffix == ".xml" else self.xlsx_bytes()
        try:
            _write_whole(data, target)
        except OSError as exc:
            raise FormError("forms.error.not_written", path=str(target),
                            detail=exc.strerror or str(exc)) from exc
        return target


def _write_whole(data: bytes, target: Path) -> None:
    """Write a file whole or not at all (a crash never leaves half a form to upload)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _text_cells(sheet: object, values: Iterable[str]) -> list[object]:
    """Cells stored as text even when they start with ``=`` (a name is never a formula)."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=_XML_ILLEGAL.sub("", value) or None)
        cell.data_type = "s"
        cells.append(cell)
    return cells


def check_languages(langs: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"fr,en"`` or ``["fr", "en"]`` as known languages, the form's default first."""
    if langs is None:
        return LANGUAGES
    items = langs.split(",") if isinstance(langs, str) else list(langs)
    chosen = tuple(dict.fromkeys(str(item).strip().lower() for item in items
                                 if str(item).strip()))
    if not chosen:
        raise FormError("forms.error.no_language")
    for lang in chosen:
        if lang not in LANGUAGES:
            raise FormError("forms.error.bad_language", lang=lang)
    return chosen


def chosen_fields(spec: LayerSpec, fields: str | Sequence[str] | None) -> list[str]:
    """The fields to ask, in catalogue order; the identifier and required ones always.

    A required field left out would make every submission fail its import, so it is
    asked even when ``fields`` does not name it.
    """
    if fields is None:
        return list(spec.field_names)
    items = fields.split(",") if isinstance(fields, str) else list(fields)
    wanted = [str(item).strip() for item in items if str(item).strip()]
    available = ", ".join(spec.field_names)
    if not wanted:
        raise FormError("forms.error.no_fields", layer=spec.name, available=available)
    unknown = [name for name in wanted if not spec.has_field(name)]
    if unknown:
        raise FormError("forms.error.unknown_fields", layer=spec.name,
                        fields=", ".join(unknown), available=available)
    keep = set(wanted) | {spec.id_field} | {f.name for f in spec.fields if f.required}
    return [name for name in spec.field_names if name in keep]


def _tree(atlas: Atlas) -> TerritoryTree | None:
    try:
        tree = atlas.territories
    except NotFoundError:
        return None
    return tree if len(tree) else None


def _group(name: str, labels: Row, rows: list[Row]) -> list[Row]:
    if not rows:
        return []
    return [{"type": "begin_group", "name": name, **labels}, *rows, {"type": "end_group"}]


def build_form(atlas: Atlas, layer: str, *, fields: str | Sequence[str] | None = None,
               territory: str | None = None,
               langs: str | Sequence[str] | None = None) -> SurveyForm:
    """The XLSForm of ``layer`` in ``atlas`` (see :func:`atlas.forms.form`)."""
    spec = atlas.spec(layer)
    if spec.name == TERRITORIES:
        raise FormError("forms.error.territories_layer")
    languages = check_languages(langs)
    names = chosen_fields(spec, fields)
    tree = _tree(atlas)
    if territory is not None:
        if tree is None or territory not in tree:
            raise NotFoundError("store.unknown_territory", code=territory)
    lists = ChoiceLists(languages)
    ask_territory = spec.has_field(TERRITORY_FIELD) and (
        TERRITORY_FIELD in names or territory is not None)
    notes: list[str] = []
    location: list[Row] = []
    if ask_territory and tree is not None:
        location += territory_questions(tree, territory, languages, lists)
    elif ask_territory:
        notes.append("forms.no_territories")
    _, geometry_name = GEOMETRY_QUESTIONS[spec.geometry]
    if spec.has_field(geometry_name):  # a field named "gps" keeps its name and column
        geometry_name = f"point_{geometry_name}"
    location.append(geometry_question(spec, languages, geometry_name))
    data = [field_question(spec.field(name), languages, lists) for name in names
            if name not in (spec.id_field, TERRITORY_FIELD)]
    taken = {spec.id_field, *names}
    survey = [{"type": kind, "name": kind} for kind in METADATA if kind not in taken]
    survey.append(id_question(spec, languages))
    survey += _group(LOCATION_GROUP, messages("forms.location_group", languages, "label"),
                     location)
    survey += _group(DATA_GROUP, translated("label", spec.titles, languages), data)
    return _finish(atlas, spec, languages, survey, lists.rows, territory, notes)


def _finish(atlas: Atlas, spec: LayerSpec, languages: tuple[str, ...], survey: list[Row],
            choices: list[Row], territory: str | None, notes: list[str]) -> SurveyForm:
    """Settings sheet: title, form_id, version, default language, instance name."""
    form_id = spec.name if territory is None else \
        f"{spec.name}_{re.sub(r'[^A-Za-z0-9_]+', '_', territory).strip('_')}"
    digest = hashlib.sha256(json.dumps([survey, choices], sort_keys=True,
                                       ensure_ascii=False).encode("utf-8")).hexdigest()
    version = f"{atlas.revision:06d}-{digest[:6]}"
    first = languages[0]
    title = plain(t("forms.title", first, layer=spec.title(first),
                    atlas=atlas.settings.title_in(first)))
    settings: Row = {"form_title": title, "form_id": form_id, "version": version,
                     "default_language": column("label", first).split("::", 1)[1]}
    if any(row.get("name") == "name" for row in survey):
        settings["instance_name"] = "concat(${name})"
    return SurveyForm(layer=spec.name, form_id=form_id, version=version, title=title,
                      languages=languages, survey=survey, choices=choices,
                      settings=settings, notes=notes)
