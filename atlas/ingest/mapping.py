"""Which source column feeds which layer field.

Automatic matching uses what the layer spec declares: the field name, its synonyms
(French, English, WPDx hashtags, OSM tags, Kobo names) and its titles, compared
without case or accents. A Kobo/ODK group path ``ecole/nom`` also matches on its
last segment, after full names; as a last resort, names are compared without their
little words ("Nom de l'école" is ``nom_ecole``); generic names (``type``, ``code``,
``id``...) come after all of these. ``--map field=column`` overrides a field
(``--map field=`` leaves it unmapped) and ``--map lat=…/lon=…/wkt=…/geopoint=…``
names the coordinate columns.

A field may be fed by several columns, best first: a row takes its value from the
first column that has one (OSM points carry either ``man_made`` or ``amenity``;
Who's On First has ``name_fra`` for a few places and ``name`` for all). Identifiers
and codes never mix columns: they take the first match only. A column feeds one
field at most.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..catalog import FieldSpec, LayerSpec
from ..errors import IngestError
from .text import fold_column, last_segment, loose_column

GEOMETRY_KEYS = ("lat", "lon", "wkt", "geopoint")


@dataclass
class ColumnMapping:
    """Result of the mapping: field → source columns and how each was found."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)

    @property
    def primary(self) -> dict[str, str]:
        """Field → its main source column."""
        return {name: cols[0] for name, cols in self.fields.items() if cols}


def parse_overrides(mapping: Mapping[str, str | None] | Iterable[str] | None
                    ) -> dict[str, str | None]:
    """``{"field": "column"}`` or ``["field=column", ...]`` as a dict (``None`` = unmapped)."""
    if mapping is None:
        return {}
    if isinstance(mapping, Mapping):
        items = list(mapping.items())
    else:
        items = []
        for text in mapping:
            if "=" not in text:
                raise IngestError("ingest.map_syntax", item=text)
            name, column = text.split("=", 1)
            items.append((name, column))
    out: dict[str, str | None] = {}
    for name, column in items:
        name = str(name).strip()
        if not name:
            raise IngestError("ingest.map_syntax", item=f"={column}")
        out[name] = column.strip() if isinstance(column, str) and column.strip() else None
    return out


def resolve_column(wanted: str, columns: Iterable[str]) -> str | None:
    """The source column a person meant: exact name, else case/accent-insensitive."""
    columns = list(columns)
    if wanted in columns:
        return wanted
    folded = fold_column(wanted)
    return next((c for c in columns if fold_column(c) == folded), None)


def check_overrides(spec: LayerSpec, overrides: Mapping[str, str | None],
                    columns: list[str]) -> dict[str, str | None]:
    """Overrides with real column names; unknown fields or columns raise at once."""
    checked: dict[str, str | None] = {}
    for name, column in overrides.items():
        if name not in GEOMETRY_KEYS and not spec.has_field(name):
            raise IngestError("ingest.map_unknown_field", field=name, layer=spec.name,
                              fields=", ".join([*spec.field_names, *GEOMETRY_KEYS]))
        if column is None:
            checked[name] = None
            continue
        real = resolve_column(column, columns)
        if real is None:
            raise IngestError("ingest.map_unknown_column", field=name, column=column,
                              columns=", ".join(columns))
        checked[name] = real
    return checked


#: Column names too common to mean one field: a ``type`` column is as often a map
#: symbol class as a source type, ``code`` or ``id`` a row number, ``source`` where the
#: data came from. A synonym among them is tried only after every specific name of
#: every field, and only for a field that found nothing better (the layer's identifier
#: excepted: ``id`` and ``code`` are what an identifier column is called).
GENERIC_NAMES = frozenset({"type", "code", "id", "name", "source", "fid", "objectid"})


def candidates(spec_field: FieldSpec, *, generic: bool | None = None) -> list[str]:
    """Folded names that identify a field, best first.

    The synonyms in the spec's order (where the field's own name sits if listed,
    first otherwise), then the titles. ``generic`` keeps only the generic synonyms
    (True) or only the others (False); the field's own name is never generic.
    """
    synonyms = list(spec_field.synonyms)
    own = fold_column(spec_field.name)
    if own not in {fold_column(s) for s in synonyms}:
        synonyms.insert(0, spec_field.name)
    names = list(dict.fromkeys(fold_column(n) for n in [*synonyms, *spec_field.titles.values()]))
    if generic is None:
        return names
    return [n for n in names if (n in GENERIC_NAMES and n != own) == generic]


def map_columns(spec: LayerSpec, columns: list[str], overrides: Mapping[str, str | None],
                preset: Mapping[str, list[str]] | None = None, reserved: Iterable[str] = (),
                single: Iterable[str] = ()) -> ColumnMapping:
    """Match source columns to the fields of ``spec`` (see the module docstring).

    ``overrides`` come from the user (already checked), ``preset`` from a recognised
    file scheme (HDX, GADM, Who's On First boundaries); ``reserved`` columns (used for
    coordinates) are never mapped; ``single`` fields take one column only.
    """
    result = ColumnMapping()
    claimed = set(reserved)
    single = {spec.id_field, *single}
    for name, column in overrides.items():
        if name in GEOMETRY_KEYS:
            continue
        result.fields[name] = [column] if column else []
        result.how[name] = "override"
        if column:
            claimed.add(column)
    by_user = set(claimed)
    for name, cols in (preset or {}).items():
        if name in result.fields:
            continue
        if not cols:  # the scheme says this field has no column in such files
            result.fields[name] = []
            result.how[name] = "scheme"
            continue
        # A scheme may feed two fields from one column (ADM0_PCODE is both the
        # parent and the country of a region); only the user's choices are exclusive.
        cols = [c for c in cols if c in columns and c not in by_user]
        if cols:
            result.fields[name] = cols[:1] if name in single else cols
            result.how[name] = "scheme"
            claimed.update(result.fields[name])
    pending = [f for f in spec.fields if f.name not in result.fields]
    found, how = _match_names(spec, pending, columns, claimed, single)
    for spec_field in pending:
        if found[spec_field.name]:
            result.fields[spec_field.name] = found[spec_field.name]
            result.how[spec_field.name] = how[spec_field.name]
    result.unused = [c for c in columns if c not in claimed]
    return result


def _match_names(spec: LayerSpec, pending: list[FieldSpec], columns: list[str],
                 claimed: set[str], single: set[str]
                 ) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Columns of each pending field found by name, and how (``claimed`` is updated).

    Passes over match kinds, each over every field: an exact name anywhere in the layer
    beats a last-path-segment match, which beats a little-word match, so that
    `latrines/filles` (a synonym of latrines_girls) is never taken by pupils_girls
    through its last segment `filles`; generic names come last of all.
    """
    full: dict[str, list[str]] = {}
    segment: dict[str, list[str]] = {}
    loose: dict[str, list[str]] = {}
    for column in columns:
        full.setdefault(fold_column(column), []).append(column)
        if "/" in column:
            segment.setdefault(fold_column(last_segment(column)), []).append(column)
        loose.setdefault(loose_column(last_segment(column)), []).append(column)
    found: dict[str, list[str]] = {f.name: [] for f in pending}
    how: dict[str, str] = {f.name: "" for f in pending}
    passes = [(index, False) for index in (full, segment, loose)] + [
        (full, True), (segment, True)]
    for index, generic in passes:
        for spec_field in pending:
            taken = found[spec_field.name]
            if (index is loose or generic) and taken:
                continue  # little-word and generic matching are last resorts
            # A layer's identifier keeps its synonyms' order: there `id` and `code`
            # are the names one expects, and a foreign id only makes a new row.
            if spec_field.name == spec.id_field:
                if generic:
                    continue
                names = candidates(spec_field)
            else:
                names = candidates(spec_field, generic=generic)
            keys = names if index is not loose else [loose_column(n) for n in names]
            for name in keys:
                for column in index.get(name, []):
                    if spec_field.name in single and taken:
                        break
                    if column in claimed:
                        continue
                    taken.append(column)
                    claimed.add(column)
                    how[spec_field.name] = how[spec_field.name] or (
                        "name" if name == fold_column(spec_field.name)
                        else "path" if index is segment else "synonym")
    return found, how
