"""Layer catalogue: declarative layer specifications read from ``atlas/layers/*.toml``.

A layer is described once (titles, geometry, id field, typed fields with allowed
values and their synonyms, style, metadata) and every other part of the platform
(store schema, import mapping, validation, legends, popups) reads that description.
Adding a layer is adding a file. A wrong spec fails on load with the file and the
key named, so a typo never reaches the store.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from . import config
from .errors import CatalogError
from .i18n import label

#: Identifiers we accept for layers and fields: they become SQL identifiers, so
#: they are restricted to a safe alphabet instead of being escaped after the fact.
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

FIELD_TYPES = ("string", "integer", "float", "boolean", "date", "category")
GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                  "MultiPolygon")
RESERVED = {"fid", "geometry", "geom", "_rev_from", "_rev_to"}


@dataclass(frozen=True)
class ValueSpec:
    """One allowed value of a category field."""

    code: str
    labels: dict[str, str]
    synonyms: tuple[str, ...] = ()
    attrs: dict[str, Any] = field(default_factory=dict)

    def label(self, lang: str | None = None) -> str:
        """Label of the value in a language."""
        return label(self.labels, lang)


@dataclass(frozen=True)
class FieldSpec:
    """One attribute of a layer."""

    name: str
    type: str
    titles: dict[str, str]
    required: bool = False
    unit: str | None = None
    values: tuple[ValueSpec, ...] = ()
    synonyms: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    description: dict[str, str] = field(default_factory=dict)

    def title(self, lang: str | None = None) -> str:
        """Human title of the field in a language."""
        return label(self.titles, lang)

    def value(self, code: str) -> ValueSpec | None:
        """The allowed value with this code, if any."""
        return next((v for v in self.values if v.code == code), None)

    def codes(self) -> tuple[str, ...]:
        """Codes of the allowed values (empty for non-category fields)."""
        return tuple(v.code for v in self.values)

    def codes_where(self, attr: str, expected: object = True) -> tuple[str, ...]:
        """Codes of the values whose attribute ``attr`` equals ``expected``."""
        return tuple(v.code for v in self.values if v.attrs.get(attr) == expected)


@dataclass(frozen=True)
class Symbol:
    """How one category (or the whole layer) is drawn."""

    color: str
    label: dict[str, str] = field(default_factory=dict)
    fill: str | None = None
    icon: str | None = None
    radius: float | None = None
    opacity: float | None = None


@dataclass(frozen=True)
class StyleSpec:
    """Symbology of a layer: one default symbol, optionally one per category."""

    default: Symbol
    by: str | None = None
    categories: dict[str, Symbol] = field(default_factory=dict)
    #: A second field that shades some categories (mangrove extents by year): each of
    #: its values gets its own shade of the category's colour and its own legend line.
    shade_by: str | None = None
    shaded: tuple[str, ...] = ()

    def symbol_for(self, code: object) -> Symbol:
        """Symbol of a category code, falling back to the default symbol."""
        if self.by is None or code is None:
            return self.default
        return self.categories.get(str(code), self.default)


@dataclass(frozen=True)
class LayerSpec:
    """Everything the platform knows about a layer before reading any data."""

    name: str
    titles: dict[str, str]
    geometry: str
    id_field: str
    fields: tuple[FieldSpec, ...]
    style: StyleSpec
    metadata: dict[str, Any]
    geometry_required: bool = True
    theme: str | None = None
    order: int = 100
    source_text: str = ""

    def title(self, lang: str | None = None) -> str:
        """Human title of the layer in a language."""
        return label(self.titles, lang)

    def field(self, name: str) -> FieldSpec:
        """The field with this name; raises :class:`KeyError` when unknown."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def has_field(self, name: str) -> bool:
        """True when the layer declares a field of that name."""
        return any(spec.name == name for spec in self.fields)

    @property
    def field_names(self) -> tuple[str, ...]:
        """Names of the fields, in declaration order."""
        return tuple(spec.name for spec in self.fields)

    @property
    def is_polygon(self) -> bool:
        """True for polygon layers (areas are meaningful)."""
        return self.geometry.endswith("Polygon")


class Catalog(Mapping[str, LayerSpec]):
    """The set of layer specifications of an atlas, ordered for display."""

    def __init__(self, specs: list[LayerSpec]) -> None:
        ordered = sorted(specs, key=lambda s: (s.order, s.name))
        self._specs = {spec.name: spec for spec in ordered}

    def __getitem__(self, name: str) -> LayerSpec:
        """The spec of a layer; raises :class:`KeyError` when unknown."""
        return self._specs[name]

    def __iter__(self) -> Iterator[str]:
        """Layer names in display order."""
        return iter(self._specs)

    def __len__(self) -> int:
        """Number of layers."""
        return len(self._specs)

    def __repr__(self) -> str:
        """Short description listing the layer names."""
        return f"Catalog({', '.join(self._specs)})"


def default_layers_dir() -> Path | Traversable:
    """Folder of the built-in layer catalogue, shipped inside the package.

    ``ATLAS_LAYERS_DIR`` overrides it (a deployment's own catalogue). The built-in one is
    found through :mod:`importlib.resources`, so an installed wheel carries its layers.
    """
    override = config.current().layers_dir
    if override is not None:
        return override
    return resources.files("atlas") / "layers"


def load_catalog(directory: str | os.PathLike[str] | Traversable | None = None) -> Catalog:
    """Load and validate every ``*.toml`` spec in a directory."""
    if directory is None:
        folder: Path | Traversable = default_layers_dir()
    elif isinstance(directory, Traversable):
        folder = directory
    else:
        folder = Path(directory)
    files = sorted((entry for entry in folder.iterdir()
                    if entry.name.endswith(".toml") and entry.is_file()),
                   key=lambda entry: entry.name) if folder.is_dir() else []
    if not files:
        raise CatalogError("catalog.empty", path=str(folder))
    specs = [parse_spec(entry.read_text(encoding="utf-8"), source=entry.name) for entry in files]
    names = [spec.name for spec in specs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise CatalogError("catalog.duplicate_layer", path=str(folder), name=duplicates[0])
    return Catalog(specs)


def load_spec(path: str | os.PathLike[str]) -> LayerSpec:
    """Read one layer spec file; errors name the file and the key."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    return parse_spec(text, source=path.name)


def parse_spec(text: str, source: str = "<spec>") -> LayerSpec:
    """Parse and validate the TOML text of a layer spec."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError("catalog.toml_syntax", file=source, detail=str(exc)) from exc
    return _SpecReader(source, text).layer(data)


class _SpecReader:
    """Turns parsed TOML into a :class:`LayerSpec`, naming the key of any error."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.text = text

    def fail(self, key: str, problem: str, **params: object) -> CatalogError:
        return CatalogError(f"catalog.{problem}", file=self.source, key=key, **params)

    def require(self, data: Mapping[str, Any], key: str, where: str,
                kind: type | tuple[type, ...]) -> Any:
        if key not in data:
            raise self.fail(f"{where}{key}", "missing_key")
        value = data[key]
        if not isinstance(value, kind):
            kinds = kind if isinstance(kind, tuple) else (kind,)
            expected = "/".join(k.__name__ for k in kinds)
            raise self.fail(f"{where}{key}", "wrong_type", expected=expected)
        return value

    def identifier(self, value: str, key: str) -> str:
        if not IDENTIFIER.match(value) or value in RESERVED:
            raise self.fail(key, "bad_identifier", value=value)
        return value

    def labels(self, value: Any, key: str) -> dict[str, str]:
        if isinstance(value, str):
            return {"fr": value, "en": value}
        if not isinstance(value, dict) or "fr" not in value:
            raise self.fail(key, "bad_labels")
        return {lang: str(text) for lang, text in value.items()}

    def layer(self, data: dict[str, Any]) -> LayerSpec:
        name = self.identifier(self.require(data, "name", "", str), "name")
        titles = self.labels(self.require(data, "title", "", (dict, str)), "title")
        geometry = self.require(data, "geometry", "", str)
        if geometry not in GEOMETRY_TYPES:
            raise self.fail("geometry", "bad_choice", value=geometry,
                            choices=", ".join(GEOMETRY_TYPES))
        raw_fields = self.require(data, "fields", "", list)
        fields = tuple(self.field_spec(raw, i) for i, raw in enumerate(raw_fields))
        names = [f.name for f in fields]
        for i, field_name in enumerate(names):
            if field_name in names[:i]:
                raise self.fail(f"fields[{i}].name", "duplicate_field", value=field_name)
        id_field = self.require(data, "id_field", "", str)
        if id_field not in names:
            raise self.fail("id_field", "unknown_field", value=id_field)
        style = self.style(data.get("style", {}), fields)
        metadata = data.get("metadata", {})
        if not isinstance(metadata, dict):
            raise self.fail("metadata", "wrong_type", expected="table")
        for key in ("source", "licence"):
            if key not in metadata:
                raise self.fail(f"metadata.{key}", "missing_key")
        return LayerSpec(
            name=name,
            titles=titles,
            geometry=geometry,
            id_field=id_field,
            fields=fields,
            style=style,
            metadata=dict(metadata),
            geometry_required=bool(data.get("geometry_required", True)),
            theme=data.get("theme"),
            order=int(data.get("order", 100)),
            source_text=self.text,
        )

    def field_spec(self, raw: Any, index: int) -> FieldSpec:
        where = f"fields[{index}]."
        if not isinstance(raw, dict):
            raise self.fail(f"fields[{index}]", "wrong_type", expected="table")
        name = self.identifier(self.require(raw, "name", where, str), f"{where}name")
        kind = self.require(raw, "type", where, str)
        if kind not in FIELD_TYPES:
            raise self.fail(f"{where}type", "bad_choice", value=kind,
                            choices=", ".join(FIELD_TYPES))
        titles = self.labels(raw.get("title", name), f"{where}title")
        values = tuple(self.value_spec(v, f"{where}values[{j}]")
                       for j, v in enumerate(raw.get("values", [])))
        if kind == "category" and not values:
            raise self.fail(f"{where}values", "missing_key")
        codes = [v.code for v in values]
        if len(set(codes)) != len(codes):
            raise self.fail(f"{where}values", "duplicate_value")
        synonyms = raw.get("synonyms", [])
        if not isinstance(synonyms, list):
            raise self.fail(f"{where}synonyms", "wrong_type", expected="array")
        return FieldSpec(
            name=name,
            type=kind,
            titles=titles,
            required=bool(raw.get("required", False)),
            unit=raw.get("unit"),
            values=values,
            synonyms=tuple(str(s) for s in synonyms),
            minimum=raw.get("min"),
            maximum=raw.get("max"),
            description=self.labels(raw["description"], f"{where}description")
            if "description" in raw else {},
        )

    def value_spec(self, raw: Any, where: str) -> ValueSpec:
        if not isinstance(raw, dict):
            raise self.fail(where, "wrong_type", expected="table")
        code = str(self.require(raw, "code", f"{where}.", str))
        labels = {lang: str(raw[lang]) for lang in ("fr", "en") if lang in raw}
        if "fr" not in labels:
            raise self.fail(f"{where}.fr", "missing_key")
        known = {"code", "fr", "en", "synonyms"}
        attrs = {k: v for k, v in raw.items() if k not in known}
        return ValueSpec(code=code, labels=labels,
                         synonyms=tuple(str(s) for s in raw.get("synonyms", [])),
                         attrs=attrs)

    def symbol(self, raw: Any, key: str) -> Symbol:
        if not isinstance(raw, dict):
            raise self.fail(key, "wrong_type", expected="table")
        color = self.require(raw, "color", f"{key}.", str)
        if not re.match(r"^#[0-9a-fA-F]{6}$", color):
            raise self.fail(f"{key}.color", "bad_color", value=color)
        fill = raw.get("fill")
        if fill is not None and not re.match(r"^#[0-9a-fA-F]{6}$", str(fill)):
            raise self.fail(f"{key}.fill", "bad_color", value=fill)
        return Symbol(color=color, fill=fill, icon=raw.get("icon"),
                      radius=raw.get("radius"), opacity=raw.get("opacity"),
                      label=self.labels(raw["label"], f"{key}.label") if "label" in raw else {})

    def style(self, raw: Any, fields: tuple[FieldSpec, ...]) -> StyleSpec:
        if not isinstance(raw, dict):
            raise self.fail("style", "wrong_type", expected="table")
        default = self.symbol(raw.get("default", {"color": "#555555"}), "style.default")
        by = raw.get("by")
        categories: dict[str, Symbol] = {}
        if by is not None:
            spec = next((f for f in fields if f.name == by), None)
            if spec is None:
                raise self.fail("style.by", "unknown_field", value=by)
            for code, symbol in raw.get("categories", {}).items():
                if spec.values and code not in spec.codes():
                    raise self.fail(f"style.categories.{code}", "unknown_value", value=code)
                categories[code] = self.symbol(symbol, f"style.categories.{code}")
        shade_by = raw.get("shade_by")
        shaded = tuple(str(c) for c in raw.get("shaded", ()))
        if shade_by is not None and not any(f.name == shade_by for f in fields):
            raise self.fail("style.shade_by", "unknown_field", value=shade_by)
        for code in shaded:
            if code not in categories:
                raise self.fail("style.shaded", "unknown_value", value=code)
        return StyleSpec(default=default, by=by, categories=categories, shade_by=shade_by,
                         shaded=shaded if shade_by else ())
