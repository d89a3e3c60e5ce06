"""The pipeline of one file: read, map, convert, check and place every row, writing nothing.

The steps follow the order in which a person would fix a file: can it be read and
where are its coordinates, which column is which field, is each value of the right
type, is each geometry usable and in the atlas's territory, are the identifiers
unique. Each step adds issues to the report instead of stopping, so one run lists
everything there is to fix. :mod:`atlas.ingest.import_plan` combines the plans of
the files of one import and commits them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from pyproj.exceptions import CRSError

from ..crs import STORAGE, as_crs
from ..errors import IngestError, StoreError
from ..forms.submissions import survey_columns
from ..names import TERRITORIES, TERRITORY_FIELD
from ..store.frames import conform_column
from . import boundaries, census, crs_hints, levels, territory_steps
from .column_checks import CONSTANT_PREFIX, missing_column, wrong_column
from .context import Context, territory_frame
from .coordinates import table_geometry
from .geometry import prepare
from .limits import Progress
from .mapping import GEOMETRY_KEYS, ColumnMapping, check_overrides, map_columns, resolve_column
from .placement import out_of_range_issues, place
from .readers import Source, blank_geometry, read_source
from .report import ERROR, WARNING, Issue
from .text import display, is_blank
from .values import as_text, convert

#: Issues about a row's coordinates that already explain a missing geometry.
_GEOMETRY_READ_ERRORS = {"bad_coordinate", "bad_geopoint", "bad_wkt", "bad_geometry"}


@dataclass
class FilePlan:
    """One file, planned: the rows as they would be written and what was found.

    ``source`` keeps the file's description (name, format, encoding, columns); its raw
    rows are released once planned, so that a plan does not hold a large file twice.
    """

    path: Path
    source: Source
    frame: gpd.GeoDataFrame
    issues: list[Issue]
    mapping: ColumnMapping
    geometry_origin: dict[str, str] = field(default_factory=dict)
    crs: CRS | None = None
    scheme: str | None = None
    #: Where the level of admin units came from (``--level 2``, a scheme...).
    level_source: str | None = None
    parents_by_location: bool = False

    @property
    def rows(self) -> list[int]:
        """Row numbers of the planned rows, as the person sees them."""
        return [int(r) for r in self.frame.index]


def parse_crs(value: object) -> CRS:
    """The CRS a person gave (``EPSG:32628``, ``32628``, WKT...)."""
    try:
        return as_crs(int(value) if isinstance(value, str) and value.isdigit() else value)
    except (CRSError, TypeError, ValueError) as exc:
        raise IngestError("ingest.bad_crs", crs=str(value)) from exc


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or "import"


def _coalesce(frame: pd.DataFrame, columns: list[str]) -> tuple[list[object], list[str | None]]:
    """Per row, the first non-blank value among ``columns`` and the column it came from."""
    values: list[object] = [None] * len(frame)
    used: list[str | None] = [None] * len(frame)
    for column in columns:
        for position, value in enumerate(frame[column].tolist()):
            if used[position] is None and not is_blank(value):
                values[position] = value
                used[position] = column
    return values, used


class FilePlanner:
    """Plans one file against a :class:`Context` (see the module docstring)."""

    def __init__(self, ctx: Context, path: str | Path, *,
                 overrides: Mapping[str, str | None], crs: object = None,
                 level: int | None = None, source_layer: str | None = None,
                 sheet: str | None = None, max_size_mb: float | None = None,
                 batch: gpd.GeoDataFrame | None = None,
                 progress: Progress | None = None) -> None:
        self.ctx = ctx
        self.spec = ctx.spec
        self.path = Path(path)
        self.raw_overrides = overrides
        self.crs_option = crs
        self.level_option = level
        self.source_layer = source_layer
        self.sheet = sheet
        self.max_size_mb = max_size_mb
        self.batch = batch
        self.progress = progress
        self.issues: list[Issue] = []
        self.is_territories = self.spec.name == TERRITORIES
        self.level_source: str | None = None
        self.parents_by_location = False
        #: True when a survey question answered the territory: the answer is kept.
        self.territory_answered = False

    # -- helpers ------------------------------------------------------------------------
    def add(self, issue: Issue) -> None:
        """Record an issue of this file."""
        self.issues.append(issue)

    def field_issue(self, severity: str, code: str, position: int, field_name: str,
                    value: object = None, **params: object) -> None:
        """Record an issue about one cell."""
        spec_field = self.spec.field(field_name)
        self.add(Issue(severity, code, row=self.rows[position], field=field_name,
                       value=display(value), params=dict(params), titles=spec_field.titles))

    # -- the steps ------------------------------------------------------------------------
    def run(self) -> FilePlan:
        """All steps, in order; returns the file plan."""
        self.read()
        self.find_geometry()
        self.map_fields()
        self.convert_values()
        if self.is_territories:
            self.territory_fields()
        self.identifiers()
        self.release_rows()
        self.geometries()
        if self.is_territories:
            self.parents()
        else:
            self.territory_codes()
        self.required_values()
        self.stored_geometries()
        return self.finish()

    def read(self) -> None:
        """Read the file into raw columns."""
        self.source = read_source(self.path, source_layer=self.source_layer, sheet=self.sheet,
                                  max_size_mb=self.max_size_mb,
                                  geometry_hint=self.spec.geometry, progress=self.progress)
        frame = self.source.frame.reset_index(drop=True)
        frame.columns = [str(c) for c in frame.columns]
        self.frame = frame
        self.n = len(frame)
        # A range, not a list: a million row numbers as ints would be 30 MB.
        self.rows = range(self.source.row_number(0), self.source.row_number(self.n))
        self.issues.extend(self.source.issues)
        self.overrides = check_overrides(self.spec, self._with_constants(),
                                         list(self.frame.columns))

    def _with_constants(self) -> dict[str, str | None]:
        """``--set FIELD=VALUE`` as a column of the value, mapped to the field.

        The constant is then converted and validated like any cell, and it wins over
        a column matched or mapped to the same field.
        """
        overrides = dict(self.raw_overrides)
        for name, value in self.ctx.options.constants.items():
            if not self.spec.has_field(name):
                raise IngestError("ingest.map_unknown_field", field=name, layer=self.spec.name,
                                  fields=", ".join(self.spec.field_names))
            column = f"{CONSTANT_PREFIX}{name}"
            self.frame[column] = pd.Series([value] * self.n, dtype=object)
            overrides[name] = column
        return overrides

    def find_geometry(self) -> None:
        """Geometries from the format, or from coordinate columns; and their CRS."""
        geometry, crs, origin = self.source.geometry, self.source.crs, {}
        geometry_overrides = {k: v for k, v in self.overrides.items() if k in GEOMETRY_KEYS}
        if blank_geometry(geometry) or any(geometry_overrides.values()):
            found = table_geometry(self.frame, geometry_overrides, self.source.row_offset)
            if found.geometry is not None:
                geometry, crs, origin = found.geometry, found.crs, found.origin
                self.issues.extend(found.issues)
        if geometry is not None and not origin and not blank_geometry(geometry):
            origin = {"geometry": self.source.format}
        self.geometry_origin = origin
        # Coordinate columns count even when every row is blank or unreadable: the
        # rows are then reported one by one rather than as a file without geometry.
        from_columns = geometry is not None and bool(origin) and "geometry" not in origin
        self.source_geometry = geometry if from_columns or not blank_geometry(geometry) \
            else None
        # lat/lon columns, a GeoJSON without a crs member: GDAL says 4326, the file nothing
        declared = None if from_columns or not self.source.crs_declared else crs
        if self.crs_option is not None:
            crs = parse_crs(self.crs_option)
            if declared is not None and not declared.equals(crs):
                self.add(Issue(WARNING, "crs_overridden", value=str(self.crs_option),
                               params={"declared": declared.to_string()}))
        self.crs = crs
        if self.source_geometry is not None and crs is None:
            self.add(Issue(ERROR, "no_crs", field="geometry",
                           value=", ".join(origin.values()) or None))

    def map_fields(self) -> None:
        """Source columns → layer fields (with the boundary scheme for territories)."""
        self.scheme = None
        preset: dict[str, list[str]] = {}
        single: set[str] = set()
        if self.is_territories:
            self.scheme = boundaries.detect_scheme(self.frame, self.level_option)
            single = {"code", "parent_code"}
            if self.scheme is not None:
                for name, values in self.scheme.derived.items():
                    self.frame[name] = pd.Series(values, dtype=object)
                preset = dict(self.scheme.preset)
                territory_steps.choose_parent_column(self, preset)
                if self.scheme.level is not None or self.scheme.levels is not None:
                    preset["level"] = []
                if self.scheme.name == "Who's On First":
                    preset["level_name"] = []
            if self.level_option is not None:
                preset["level"] = []
        elif (survey := survey_columns(self.spec, list(self.frame.columns))) is not None:
            preset = dict(survey.columns)  # a KoboToolbox / ODK Central export
            self.territory_answered = TERRITORY_FIELD in preset
        self.mapping = map_columns(self.spec, list(self.frame.columns), self.overrides,
                                   preset=preset, reserved=self.geometry_origin.values(),
                                   single=single)
        if self.is_territories:
            census.population_columns(self)
        for spec_field in self.spec.fields:
            if not spec_field.required or self.mapping.fields.get(spec_field.name) or (
                    self.ctx.mode == "update" and spec_field.name != self.spec.id_field):
                continue
            if spec_field.name == self.spec.id_field and not self.is_territories:
                continue  # generated below
            if spec_field.name == TERRITORY_FIELD and self.source_geometry is not None:
                continue  # found from the geometry
            if spec_field.name == "level" and self.is_territories:
                if self.level_option is None and preset.get("level") != []:
                    self.add(Issue(ERROR, "missing_level", field="level",
                                   titles=spec_field.titles))
                continue
            self.add(missing_column(spec_field, self.mapping.unused))

    def _own(self, name: str) -> list[object]:
        """The typed values of a field, as a list this step may change in place.

        Unmapped fields share :attr:`blank` (a million rows × a dozen fields of ``None``
        would be lists of their own); a step that fills one in takes a copy first.
        """
        values = self.typed[name]
        if values is self.blank:
            values = self.typed[name] = list(self.blank)
        return values

    def release_rows(self) -> None:
        """Drop the raw rows once values are typed (the columns stay, for the report)."""
        self.frame = self.frame.iloc[:0]
        self.source.frame = self.source.frame.iloc[:0]

    def convert_values(self) -> None:
        """Typed values of every mapped field; refused cells become issues."""
        self.blank: list[object] = [None] * self.n
        self.typed: dict[str, list[object]] = {}
        self.refused: dict[str, set[int]] = {}
        for spec_field in self.spec.fields:
            columns = self.mapping.fields.get(spec_field.name) or []
            if not columns:
                self.typed[spec_field.name] = self.blank  # shared: see _own()
                self.refused[spec_field.name] = set()
                continue
            raw, used = _coalesce(self.frame, columns)
            converted = convert(spec_field, raw, used)
            severity = ERROR if spec_field.required else WARNING
            summary = wrong_column(spec_field, raw, used, converted)
            if summary is not None:  # the column is the mistake: said once
                self.add(summary)
            for problem in converted.problems if summary is None else ():
                self.field_issue(severity, problem.code, problem.position, spec_field.name,
                                 raw[problem.position], column=used[problem.position],
                                 emptied=not spec_field.required, **problem.params)
            for note in converted.notes:
                self.field_issue(WARNING, note.code, note.position, spec_field.name,
                                 raw[note.position], column=used[note.position], **note.params)
            self.typed[spec_field.name] = converted.values
            self.refused[spec_field.name] = {p.position for p in converted.problems}

    def territory_fields(self) -> None:
        """Level, country and level name of admin units."""
        scheme = self.scheme
        if self.level_option is not None:
            self.typed["level"] = [self.level_option] * self.n
            self.level_source = f"--level {self.level_option}"
        elif scheme is not None and scheme.level is not None:
            self.typed["level"] = [scheme.level] * self.n
            self.level_source = f"{scheme.name} ({scheme.level})"
        elif scheme is not None and scheme.levels is not None:
            self.typed["level"] = list(scheme.levels)
            self.level_source = scheme.name
        if self.level_source is not None:  # e.g. a WOF placetype we do not know
            for position, level in enumerate(self.typed["level"]):
                if level is None:
                    self.field_issue(ERROR, "required_missing", position, "level")
                    self.refused["level"].add(position)
        self.typed["country"] = [boundaries.country_code(v) for v in self.typed["country"]]
        settings = self.ctx.atlas.settings
        names = self._own("level_name")
        for position, level in enumerate(self.typed["level"]):
            if names[position] is None and level is not None \
                    and int(level) in settings.level_names:
                names[position] = settings.level_name(int(level), "fr")
        territory_steps.name_levels(self)

    def identifiers(self) -> None:
        """Generate missing identifiers (from Kobo ``_uuid``, else file + row)."""
        id_field = self.spec.id_field
        if self.is_territories:
            self.issues.extend(levels.code_column_issues(
                self.frame, self.mapping.fields.get(id_field) or []))
            return
        ids = self._own(id_field)
        uuid = resolve_column("_uuid", self.frame.columns)
        stem = _slug(self.path.stem)
        mapped = bool(self.mapping.fields.get(id_field))
        generated: list[str] = []
        for position in range(self.n):
            if ids[position] is not None or position in self.refused[id_field]:
                continue
            value = self.frame[uuid].iloc[position] if uuid else None
            new = as_text(value) if not is_blank(value) else \
                f"{self.spec.name}-{stem}-{self.rows[position]}"
            ids[position] = new
            generated.append(new)
            if mapped:
                self.field_issue(WARNING, "id_generated", position, id_field, new)
        if generated and not mapped:
            self.add(Issue(WARNING, "ids_generated", field=id_field, value=generated[0],
                           params={"count": len(generated)},
                           titles=self.spec.field(id_field).titles))

    def geometries(self) -> None:
        """Repair, adapt and reproject geometries; report those that cannot be used."""
        self.geometry = gpd.GeoSeries([None] * self.n, crs=STORAGE)
        self.out_of_range: dict[int, object] = {}
        if self.source_geometry is None:
            if self.spec.geometry_required and self.n and self.ctx.mode != "update":
                self.add(Issue(ERROR, "no_geometry", field="geometry",
                               params={"columns": ", ".join(self.frame.columns[:30])}))
            return
        if self.crs is None:
            return
        source = gpd.GeoSeries(np.asarray(self.source_geometry.values, dtype=object),
                               crs=self.crs)
        prepared = prepare(source, self.crs, self.spec, self.rows)
        already = {i.row for i in self.issues if i.code in _GEOMETRY_READ_ERRORS}
        self.issues.extend(issue for _, issue in prepared.issues
                           if not (issue.code == "geometry_missing" and issue.row in already))
        self.geometry = prepared.geometry
        self.out_of_range = prepared.out_of_range
        if (hint := crs_hints.degrees_hint(self.ctx, self.out_of_range, self.crs)) is not None:
            self.add(hint)  # once for the file, not once per row
            self.out_of_range, self.source_geometry = {}, None

    def territory_codes(self) -> None:
        """Attach the territory containing each feature; check codes given without one."""
        has_field = self.spec.has_field(TERRITORY_FIELD)
        given = self._own(TERRITORY_FIELD) if has_field else [None] * self.n
        tree, index = self.ctx.tree, self.ctx.index
        present = ~(self.geometry.isna() | self.geometry.is_empty).to_numpy()
        if tree is None or index is None:
            self.issues.extend(i for _, i in out_of_range_issues(self.out_of_range, self.rows))
            if present.any() and has_field:
                self.add(Issue(WARNING, "no_territories"))
            codes: list[str | None] = [None] * self.n
        else:
            geographic = self.crs is not None and self.crs.is_geographic
            placement = place(self.geometry, index, self.rows, self.out_of_range, geographic)
            self.issues.extend(issue for _, issue in placement.issues)
            codes = placement.codes
        if not has_field:
            return
        for position in range(self.n):
            wanted = given[position]
            found = codes[position]
            if wanted is not None and (tree is None or wanted not in tree):
                if not present[position]:
                    self.field_issue(ERROR, "unknown_territory", position, TERRITORY_FIELD,
                                     wanted)
                    self.refused[TERRITORY_FIELD].add(position)
                wanted = None
            if found is not None:
                if wanted is not None and wanted != found \
                        and wanted not in tree.ancestors(found):  # type: ignore[union-attr]
                    if self.territory_answered:  # the surveyor chose it: kept, reported
                        self.field_issue(WARNING, "territory_answer_mismatch", position,
                                         TERRITORY_FIELD, wanted, found=found)
                        continue
                    self.field_issue(WARNING, "territory_mismatch", position,
                                     TERRITORY_FIELD, wanted, found=found)
                given[position] = found
            else:
                given[position] = wanted
        self.typed[TERRITORY_FIELD] = given

    def parents(self) -> None:
        """Parent of each admin unit, by code or by location (impossible coordinates first)."""
        if self.ctx.mode == "update" and self.source_geometry is None \
                and not self.mapping.fields.get("parent_code"):
            return  # codes without places (a census table): the stored parents stay
        self.issues.extend(i for _, i in out_of_range_issues(self.out_of_range, self.rows))
        codes, levels = self.typed["code"], self.typed["level"]
        valid = [p for p in range(self.n) if codes[p] is not None and levels[p] is not None]
        parts = [self.ctx.known_territories]
        if self.batch is not None and len(self.batch):
            parts.append(territory_frame(self.batch["code"].tolist(),
                                          self.batch["level"].tolist(),
                                          list(self.batch.geometry.values)))
        parts.append(territory_frame([codes[p] for p in valid], [levels[p] for p in valid],
                                      [self.geometry.iloc[p] for p in valid]))
        known = pd.concat(parts, ignore_index=True)
        known = known[~known.geometry.isna()] if len(known) else known
        result = boundaries.resolve_parents(codes, levels, self.typed["parent_code"],
                                            self.geometry, known, self.rows)
        self.typed["parent_code"] = result.codes
        self.issues.extend(issue for _, issue in result.issues)
        self.issues.extend(result.file_issues)
        self.parents_by_location = result.by_location

    def required_values(self) -> None:
        """Required fields left empty (cells already refused are reported once)."""
        present = ~(self.geometry.isna() | self.geometry.is_empty).to_numpy()
        for spec_field in self.spec.fields:
            if not spec_field.required or not (self.mapping.fields.get(spec_field.name)
                                               or spec_field.name == TERRITORY_FIELD):
                continue
            if spec_field.name == TERRITORY_FIELD and not self.mapping.fields.get(
                    spec_field.name) and self.source_geometry is None:
                continue  # already reported as a missing column
            values = self.typed[spec_field.name]
            for position in range(self.n):
                if values[position] is not None or position in self.refused[spec_field.name]:
                    continue
                if spec_field.name == TERRITORY_FIELD and present[position]:
                    continue  # reported by the location step
                self.field_issue(ERROR, "required_missing", position, spec_field.name)

    def stored_geometries(self) -> None:
        """A row the store would refuse for its missing geometry is an error here already.

        Earlier steps explain most missing geometries; this makes sure that no row
        reaches a commit the store would refuse ("geometry absent") without one.
        """
        if not self.spec.geometry_required or self.source_geometry is None or self.crs is None:
            return  # the whole file is refused already (no geometry, no CRS)
        present = ~(self.geometry.isna() | self.geometry.is_empty).to_numpy()
        explained = {i.row for i in self.issues if i.blocking and i.row is not None}
        for position in np.flatnonzero(~present):
            row = self.rows[int(position)]
            if row not in explained:
                self.add(Issue(ERROR, "geometry_missing", row=row, field="geometry"))

    def finish(self) -> FilePlan:
        """The planned rows in the layer's shape, indexed by row number.

        The raw rows are released here (the source keeps its description and columns):
        a plan of a million rows should not hold the file twice.
        """
        columns: dict[str, object] = {}
        for spec_field in self.spec.fields:
            raw = pd.Series(self.typed.pop(spec_field.name), dtype=object)
            try:
                columns[spec_field.name] = conform_column(raw, spec_field.type)
            except OverflowError as exc:  # values.py refuses such cells: never expected
                raise StoreError("store.integer_out_of_range", layer=self.spec.name,
                                 field=spec_field.name) from exc
        geometry = gpd.GeoSeries(np.asarray(self.geometry.values, dtype=object), crs=STORAGE)
        self.geometry = self.source_geometry = None  # type: ignore[assignment]
        self.source.geometry = None
        frame = gpd.GeoDataFrame(columns, geometry=geometry, crs=STORAGE)
        frame.index = pd.Index(self.rows, name="row")
        issues = [i if i.file else replace(i, file=self.source.name) for i in self.issues]
        return FilePlan(path=self.path, source=self.source, frame=frame, issues=issues,
                        mapping=self.mapping, geometry_origin=self.geometry_origin,
                        crs=self.crs, scheme=self.scheme.name if self.scheme else None,
                        level_source=self.level_source,
                        parents_by_location=self.parents_by_location)
