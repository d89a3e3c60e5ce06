"""The plan of one import (one or several files), then its commit.

:func:`import_file` reads and checks a file and returns an :class:`ImportPlan`
without writing anything: the rows as they would be stored, the column mapping
used and the report. ``plan.commit()`` writes the rows in one transaction as one
revision (source = the file name, warnings kept with the revision). Errors block
the commit; with ``skip_invalid`` the rows with errors are left out and listed.
:func:`import_territories` plans one boundary file per level and commits the whole
tree as one revision.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import IngestError, StoreError
from ..i18n import t
from ..names import TERRITORIES, TERRITORY_FIELD
from ..store import Revision, WriteMode
from . import partial_writes, plan_output
from .context import ImportOptions
from .duplicates import (
    DUPLICATE_TOLERANCE_M,
    Duplicates,
    duplicate_issues,
    find_duplicates,
    id_groups,
)
from .file_pipeline import Context, FilePlan, FilePlanner
from .limits import Progress
from .mapping import parse_overrides
from .placement import DEFAULT_TOLERANCE_M
from .provenance import check_as_of, import_provenance
from .report import ERROR, Issue, Report

if TYPE_CHECKING:
    from ..atlas import Atlas

#: Lines of warnings kept with a revision (the full report goes to --report).
MAX_REVISION_WARNINGS = 500
#: Rows handed at once to the store's own checks during planning (bounds memory).
STORE_CHECK_ROWS = 100_000
MappingOption = Mapping[str, str | None] | Iterable[str] | None


class ImportPlan:
    """A planned import (see the module docstring)."""

    def __init__(self, ctx: Context, files: list[FilePlan], *, url: str | None,
                 skip_invalid: bool) -> None:
        self._atlas = None if url is not None else ctx.atlas
        self._url = url
        self.layer = ctx.spec.name
        self.spec = ctx.spec
        self.mode = ctx.mode
        self.lang = ctx.lang
        self.skip_invalid = skip_invalid
        self.files = files
        self.revision_at_plan = ctx.revision
        self.committed: Revision | None = None
        self.frame: gpd.GeoDataFrame = files[0].frame if len(files) == 1 else \
            gpd.GeoDataFrame(pd.concat([f.frame for f in files]), geometry="geometry",
                             crs=files[0].frame.crs)
        self._file_of = [f.source.name for f in files for _ in range(len(f.frame))]
        self.options = ctx.options
        self.scope = partial_writes.scope(ctx, files)
        self.duplicates = self._find_duplicates(ctx)
        self._dropped = np.zeros(len(self.frame), dtype=bool)
        if ctx.options.drop_duplicates:
            self._dropped[self.duplicates.repeated()] = True
        issues = [i for f in files for i in f.issues]
        issues += self._identifier_issues(ctx)
        issues += duplicate_issues(self.duplicates, self.frame, self._file_of,
                                   ctx.options.duplicate_tolerance_m, self.spec)
        issues += partial_writes.plan_issues(ctx, self.scope, self.frame, len(files) == 1)
        if not len(self.frame):
            issues.append(Issue(ERROR, "no_rows", file=files[0].source.name))
        self._blocked = self._blocked_rows(issues)
        issues += self._store_issues(ctx, issues)
        if skip_invalid and len(self.frame) and self._blocked.all() \
                and not any(i.blocking and i.row is None for i in issues):
            issues.append(Issue(ERROR, "all_rejected", file=files[0].source.name))
        self.report = Report(issues, self.lang)

    # -- checks across files --------------------------------------------------------------
    def _find_duplicates(self, ctx: Context) -> Duplicates:
        """Exact and same-place duplicates (see :mod:`.duplicates`), also against stored rows."""
        id_field = self.spec.id_field
        stored = None
        if self.mode not in (WriteMode.REPLACE, WriteMode.UPDATE) and ctx.atlas.count(self.layer):
            stored = ctx.atlas.read(self.layer)
        return find_duplicates(
            self.frame, self.spec, ctx.atlas.metric_crs, stored=stored,
            compare_id=all(f.mapping.fields.get(id_field) for f in self.files),
            tolerance_m=ctx.options.duplicate_tolerance_m)

    def _identifier_issues(self, ctx: Context) -> list[Issue]:
        """Identifiers used twice, and (append) identifiers already in the layer."""
        id_field = self.spec.id_field
        titles = self.spec.field(id_field).titles
        column = self.frame[id_field]
        rows = self.frame.index.to_numpy()
        present = column.notna().to_numpy()
        issues: list[Issue] = []
        for group in id_groups(column, skip=np.flatnonzero(self._dropped)):
            positions = group.tolist()  # grouped once: linear in the rows, whatever the ids
            value = str(column.iloc[positions[0]])
            for position in positions:
                # At most ten other rows named: the same id on 100,000 rows is one mistake.
                listed = [str(rows[p]) for p in positions[:11] if p != position][:10]
                more = len(positions) - 1 - len(listed)
                others = ", ".join(listed) + (f", … (+{more})" if more > 0 else "")
                issues.append(Issue(ERROR, "duplicate_id", row=int(rows[position]),
                                    field=id_field, value=value, titles=titles,
                                    params={"rows": others},
                                    file=self._file_of[position]))
        existing = ctx.existing_ids if self.mode is WriteMode.APPEND and present.any() \
            else set()
        if existing:
            known = column.astype(object).map(lambda v: str(v) in existing).to_numpy() \
                & present
            issues.extend(Issue(ERROR, "existing_id", row=int(rows[p]), field=id_field,
                                value=str(column.iloc[p]), titles=titles,
                                file=self._file_of[p]) for p in np.flatnonzero(known))
        return issues

    def _store_issues(self, ctx: Context, issues: list[Issue]) -> list[Issue]:
        """What the store's own checks would refuse in the rows a commit writes.

        The dry run must find everything the commit would refuse: the store checks
        (geometry kind and presence, identifiers, CRS, integer range, NUL characters)
        run here on the rows that would be written, and a refusal blocks the plan.
        """
        if any(i.blocking and i.row is None for i in issues) or self._blocked.all():
            return []
        check = getattr(ctx.atlas.store, "_prepare", None)  # the checks of Store.write
        if check is None:
            return []
        rows = partial_writes.rows_to_write(self.scope, ctx.atlas, self.valid_frame)[0]
        try:  # by slices: identifiers across slices are checked above, row by row
            for start in range(0, len(rows), STORE_CHECK_ROWS):
                check(rows.iloc[start:start + STORE_CHECK_ROWS], self.spec)
        except StoreError as exc:
            return [Issue(ERROR, "store_refusal", file=self.files[0].source.name,
                          params={"error": exc.key, "error_params": exc.params})]
        return []

    def _blocked_rows(self, issues: list[Issue]) -> np.ndarray:
        """Per planned row, True when an error names it (looked up file by file)."""
        wanted: dict[str | None, list[int]] = {}
        for issue in issues:
            if issue.blocking and issue.row is not None:
                wanted.setdefault(issue.file, []).append(issue.row)
        blocked = np.zeros(len(self.frame), dtype=bool)
        offset = 0
        for plan in self.files:
            rows = wanted.get(plan.source.name)
            if rows:
                found = plan.frame.index.get_indexer(rows)
                blocked[offset + found[found >= 0]] = True
            offset += len(plan.frame)
        return blocked

    # -- what the plan says -----------------------------------------------------------------
    @property
    def path(self) -> Path:
        """The (first) file planned."""
        return self.files[0].path

    @property
    def source(self) -> str:
        """File name(s), as recorded in the revision."""
        return ", ".join(f.path.name for f in self.files)

    @property
    def counts(self) -> dict[str, int]:
        """Issues per severity."""
        return self.report.counts

    @property
    def file_errors(self) -> list[Issue]:
        """Errors about a whole file (no CRS, missing column...): nothing can be written."""
        return [i for i in self.report.errors if i.row is None]

    @property
    def ok(self) -> bool:
        """True when the plan can be committed."""
        if self.file_errors or not len(self.frame):
            return False
        if self.skip_invalid:
            return bool((~self._blocked).any())
        return not self._blocked.any()

    @property
    def rejected_rows(self) -> list[int]:
        """Row numbers with errors (left out by ``skip_invalid``)."""
        return [int(r) for r in self.frame.index[self._blocked]]

    @property
    def dropped_rows(self) -> list[int]:
        """Row numbers left out as exact duplicates (``drop_duplicates``)."""
        return [int(r) for r in self.frame.index[self._dropped]]

    @property
    def provenance(self) -> dict[str, object]:
        """What the revision records: source, licence, date of the data, constants."""
        return import_provenance(paths=[f.path for f in self.files],
                                 source=self.options.source, licence=self.options.licence,
                                 as_of=self.options.as_of, constants=self.options.constants)

    @property
    def rejected(self) -> pd.DataFrame:
        """Rows with errors and why, one line per row."""
        records = []
        by_row: dict[tuple[str | None, int | None], list[Issue]] = {}
        for issue in self.report.errors:  # grouped once, not scanned per row
            by_row.setdefault((issue.file, issue.row), []).append(issue)
        for position in np.flatnonzero(self._blocked):
            row = int(self.frame.index[position])
            name = self._file_of[position]
            reasons = [i.message(self.lang) for i in by_row.get((name, row), [])]
            records.append({"file": name, "row": row,
                            self.spec.id_field: self.frame[self.spec.id_field].iloc[position],
                            "errors": " ; ".join(reasons)})
        return pd.DataFrame(records, columns=["file", "row", self.spec.id_field, "errors"])

    @property
    def valid_frame(self) -> gpd.GeoDataFrame:
        """The rows that a commit writes (without errors, without dropped duplicates)."""
        return self.frame[~self._blocked & ~self._dropped]

    @property
    def mapping(self) -> dict[str, str]:
        """Field → main source column, for every mapped field."""
        out: dict[str, str] = {}
        for plan in self.files:
            for name, column in plan.mapping.primary.items():
                out.setdefault(name, column)
        return out

    def mapping_table(self, lang: str | None = None) -> list[dict[str, str]]:
        """How each field was filled: columns (best first) and how they were found."""
        lang = lang or self.lang
        rows: list[dict[str, str]] = []
        for plan in self.files:
            prefix = f"{plan.source.name}: " if len(self.files) > 1 else ""
            for name in self.spec.field_names:
                columns = plan.mapping.fields.get(name) or []
                how = plan.mapping.how.get(name, "")
                text = " | ".join(columns)
                if name == "level" and plan.level_source:
                    text = plan.level_source
                    how = "override" if text.startswith("--") else "scheme"
                located = (name == "parent_code" and plan.parents_by_location) or (
                    name == TERRITORY_FIELD and self.layer != TERRITORIES
                    and bool(plan.geometry_origin))
                if located:
                    where = t("ingest.ui.by_location", lang)
                    text = f"{text} + {where}" if text else where
                if not text:
                    continue
                rows.append({"field": prefix + name, "columns": text,
                             "how": t(f"ingest.how.{how}", lang) if how else ""})
            if plan.geometry_origin:
                text = ", ".join(f"{k}={v}" if k != "geometry" else v
                                 for k, v in plan.geometry_origin.items())
                crs = plan.crs.to_string() if plan.crs is not None else "?"
                rows.append({"field": prefix + "geometry", "columns": f"{text} ({crs})",
                             "how": t("ingest.how.geometry", lang)})
        return rows

    # -- committing ---------------------------------------------------------------------------
    def commit(self, user: str | None = None) -> Revision:
        """Write the rows as one revision; raises :class:`IngestError` when blocked."""
        if self.committed is not None:
            raise IngestError("ingest.already_committed", revision=self.committed.revision)
        if not self.ok:
            counts = self.counts
            raise IngestError("ingest.blocked", file=self.source, errors=counts["error"])
        atlas = self._atlas
        opened = None
        if atlas is None:
            from ..atlas import open as open_atlas

            atlas = opened = open_atlas(self._url)  # type: ignore[arg-type]
        try:
            if atlas.revision != self.revision_at_plan:
                raise IngestError("ingest.stale", planned=self.revision_at_plan,
                                  current=atlas.revision)
            frame, mode = partial_writes.rows_to_write(self.scope, atlas, self.valid_frame)
            # The check above gives the common case its message early; the store
            # repeats it under the writers' lock, where no other import can slip in
            # between the check and the write.
            message = t("ingest.ui.revision_message", self.lang, file=self.source,
                        rows=len(self.valid_frame), rejected=int(self._blocked.sum()),
                        warnings=self.counts["warning"])
            if self._dropped.any():
                message += " " + t("ingest.revision_dropped", self.lang,
                                   count=int(self._dropped.sum()))
            try:
                self.committed = atlas.store.write(
                    self.layer, frame, mode, user=user, source=self.source,
                    message=message, warnings=self.revision_warnings(),
                    expected_revision=self.revision_at_plan, provenance=self.provenance)
            except StoreError as exc:
                if exc.key != "store.stale":
                    raise
                raise IngestError("ingest.stale", planned=self.revision_at_plan,
                                  current=exc.params["current"]) from exc
            partial_writes.after_commit(self.scope, atlas, frame)
        finally:
            if opened is not None:
                opened.close()
        return self.committed

    def revision_warnings(self) -> list[str]:
        """Lines kept with the revision: warnings, then the errors of rejected rows."""
        lines = [i.one_line(self.lang) for i in self.report.warnings]
        lines += [t("ingest.ui.rejected_line", self.lang, line=i.one_line(self.lang))
                  for i in self.report.errors if i.row is not None]
        if len(lines) > MAX_REVISION_WARNINGS:
            more = len(lines) - MAX_REVISION_WARNINGS
            lines = lines[:MAX_REVISION_WARNINGS] + [t("ingest.ui.more", self.lang, count=more)]
        return lines

    # -- showing ------------------------------------------------------------------------------
    def summary(self, lang: str | None = None, max_issues: int = 20) -> str:
        """Readable text summary (the CLI prints it)."""
        return plan_output.summary_text(self, lang or self.lang, max_issues)

    def to_json(self, path: str | os.PathLike[str], lang: str | None = None) -> Path:
        """Save the plan's report as JSON."""
        return plan_output.write_json(self, Path(path), lang or self.lang)

    def to_html(self, path: str | os.PathLike[str], lang: str | None = None) -> Path:
        """Save the plan's report as a standalone HTML page."""
        return plan_output.write_html(self, Path(path), lang or self.lang)

    def _repr_html_(self) -> str:
        """Summary and issues table for Jupyter (escaped)."""
        return plan_output.html_fragment(self, self.lang)

    def __repr__(self) -> str:
        """Layer, files, rows and counts."""
        counts = self.counts
        return (f"<ImportPlan {self.source} → {self.layer} ({self.mode.value}): "
                f"{len(self.frame)} rows, {counts['error']} error(s), "
                f"{counts['warning']} warning(s), ok={self.ok}>")


# -- entry points -------------------------------------------------------------------------
class _Opened:
    """The atlas to plan against: the given one, or one opened (and closed) here."""

    def __init__(self, atlas_or_url: Atlas | str | os.PathLike[str]) -> None:
        self.given = atlas_or_url
        self.atlas: Atlas | None = None
        self.url: str | None = None

    def __enter__(self) -> _Opened:
        from ..atlas import Atlas
        from ..atlas import open as open_atlas

        if isinstance(self.given, Atlas):
            self.atlas = self.given
        else:
            self.url = str(self.given)
            self.atlas = open_atlas(self.url)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.url is not None and self.atlas is not None:
            self.atlas.close()


def import_file(
    atlas_or_url: Atlas | str | os.PathLike[str],
    path: str | os.PathLike[str],
    layer: str,
    *,
    mode: WriteMode | str = "append",
    mapping: MappingOption = None,
    crs: object = None,
    skip_invalid: bool = False,
    lang: str | None = None,
    level: int | None = None,
    source_layer: str | None = None,
    sheet: str | None = None,
    max_size_mb: float | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    progress: Progress | None = None,
    constants: MappingOption = None,
    drop_duplicates: bool = False,
    source: str | None = None,
    licence: str | None = None,
    as_of: str | None = None,
    level_name: str | None = None,
    force: bool = False,
    duplicate_tolerance_m: float = DUPLICATE_TOLERANCE_M,
) -> ImportPlan:
    """Plan the import of a file into a layer; nothing is written until ``.commit()``.

    ``mapping`` overrides the automatic column matching (``{"field": "column"}`` or
    ``["field=column"]``; also ``lat``/``lon``/``wkt``/``geopoint``); ``crs`` gives
    the CRS of a file that has none (or overrides it); ``level`` sets the level of a
    boundary file imported into ``territories``; ``source_layer``/``sheet`` pick a
    layer of a multi-layer file or a sheet of a workbook; ``max_size_mb`` limits the
    input size (zip contents included); ``tolerance_m`` is how far outside the atlas's
    territory a feature is only a warning; ``progress`` is called with the fraction of
    the file read so far (0.0 to 1.0), for a progress bar.

    ``constants`` (``{"status": "unknown"}`` or ``["status=unknown"]``) give every row
    a value, checked like a cell and taking precedence over a matched column;
    ``drop_duplicates`` keeps the first of each exact duplicate row; ``source``,
    ``licence`` and ``as_of`` (ISO date) are the provenance kept with the revision
    (default: the file name, none, the file's date); ``level_name`` names a territory
    level the atlas has no name for; ``force`` commits a territory replace that leaves
    children without their parent; ``duplicate_tolerance_m`` is how close two points
    with the same name must be to be reported as the same place (see
    :mod:`atlas.ingest.duplicates`).
    """
    options = ImportOptions(constants=parse_overrides(constants),
                            drop_duplicates=drop_duplicates, source=source, licence=licence,
                            as_of=check_as_of(as_of), level_name=level_name, force=force,
                            duplicate_tolerance_m=duplicate_tolerance_m)
    with _Opened(atlas_or_url) as opened:
        assert opened.atlas is not None
        ctx = Context.build(opened.atlas, layer, mode, lang, tolerance_m, options)
        if layer == TERRITORIES and ctx.mode is WriteMode.REPLACE:
            ctx.level_replace = level  # one level replaced, the others kept
        planner = FilePlanner(ctx, path, overrides=parse_overrides(mapping), crs=crs,
                              level=level, source_layer=source_layer, sheet=sheet,
                              max_size_mb=max_size_mb, progress=progress)
        return ImportPlan(ctx, [planner.run()], url=opened.url, skip_invalid=skip_invalid)


def import_territories(
    atlas_or_url: Atlas | str | os.PathLike[str],
    files_by_level: Mapping[int, str | os.PathLike[str]],
    *,
    mode: WriteMode | str = "replace",
    mapping: Mapping[int, MappingOption] | None = None,
    crs: object = None,
    skip_invalid: bool = False,
    lang: str | None = None,
    max_size_mb: float | None = None,
    source: str | None = None,
    licence: str | None = None,
    as_of: str | None = None,
    force: bool = False,
) -> ImportPlan:
    """Plan a territory tree from one boundary file per level (coarsest first).

    Parents come from each file's parent-code column when it matches a unit of the
    level above, else from spatial containment. The whole tree is committed as one
    revision; the default mode ``replace`` makes these files the atlas's tree.
    ``mapping`` may give overrides per level: ``{2: {"parent_code": None}}``;
    ``source``/``licence``/``as_of`` and ``force`` as in :func:`import_file`.
    """
    if not files_by_level:
        raise IngestError("ingest.no_files")
    options = ImportOptions(source=source, licence=licence, as_of=check_as_of(as_of),
                            force=force)
    with _Opened(atlas_or_url) as opened:
        assert opened.atlas is not None
        ctx = Context.build(opened.atlas, TERRITORIES, mode, lang, DEFAULT_TOLERANCE_M,
                            options)
        plans: list[FilePlan] = []
        batch: gpd.GeoDataFrame | None = None
        for level in sorted(files_by_level):
            overrides = parse_overrides((mapping or {}).get(level))
            plan = FilePlanner(ctx, files_by_level[level], overrides=overrides, crs=crs,
                               level=int(level), max_size_mb=max_size_mb,
                               batch=batch).run()
            plans.append(plan)
            frame = plan.frame[["code", "level", "geometry"]]
            frame = frame[frame["code"].notna() & ~frame.geometry.isna()]
            batch = frame if batch is None else gpd.GeoDataFrame(
                pd.concat([batch, frame]), geometry="geometry", crs=frame.crs)
        names = [p.source.name for p in plans]
        if len(set(names)) < len(names):  # same file name in two folders: tell them apart
            for index, plan in enumerate(plans):
                plan.issues = [replace(i, file=f"{i.file} [{index + 1}]") for i in plan.issues]
                plan.source.name = f"{plan.source.name} [{index + 1}]"
        return ImportPlan(ctx, plans, url=opened.url, skip_invalid=skip_invalid)
