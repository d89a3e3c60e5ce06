"""Showing a plan: a terminal summary, a JSON report, an HTML page and a Jupyter view.

All three say the same things in the same order: what was imported where, how many
rows and issues, which column fed which field, then the issues (row, field, value,
what is wrong, what to do). Everything that came from the file is HTML-escaped.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..i18n import t
from . import provenance
from .report import ERROR, WARNING
from .text import printable

if TYPE_CHECKING:
    import geopandas as gpd

    from ..store import Revision, WriteMode
    from .file_pipeline import FilePlan
    from .report import Issue, Report


class ImportPlan(Protocol):
    """What the outputs read of an :class:`atlas.ingest.import_plan.ImportPlan`.

    Spelled out here so that this module never imports the plan, which calls it.
    """

    layer: str
    mode: WriteMode
    files: list[FilePlan]
    frame: gpd.GeoDataFrame
    report: Report
    skip_invalid: bool
    committed: Revision | None

    @property
    def source(self) -> str: ...  # noqa: D102 - see ImportPlan.source
    @property
    def counts(self) -> dict[str, int]: ...  # noqa: D102
    @property
    def ok(self) -> bool: ...  # noqa: D102
    @property
    def rejected_rows(self) -> list[int]: ...  # noqa: D102
    @property
    def file_errors(self) -> list[Issue]: ...  # noqa: D102
    @property
    def valid_frame(self) -> gpd.GeoDataFrame: ...  # noqa: D102
    def mapping_table(self, lang: str | None = None) -> list[dict[str, str]]: ...  # noqa: D102

#: Issues shown in a Jupyter cell (the files hold all of them).
NOTEBOOK_ISSUES = 200


def _facts(plan: ImportPlan, lang: str) -> dict[str, Any]:
    counts = plan.counts
    return {
        "file": plan.source, "layer": plan.layer, "mode": plan.mode.value,
        "rows": len(plan.frame), "valid": int(len(plan.valid_frame)),
        "rejected": len(plan.rejected_rows), "errors": counts[ERROR],
        "warnings": counts[WARNING],
    }


def _status(plan: ImportPlan, lang: str) -> str:
    if plan.committed is not None:
        return t("ingest.ui.status_committed", lang, revision=plan.committed.revision)
    if plan.ok:
        return t("ingest.ui.status_ready", lang)
    rejected = len(plan.rejected_rows)
    if rejected and not plan.skip_invalid and not plan.file_errors:
        # Only rows are wrong: say exactly what --skip-invalid would leave out.
        return t("ingest.ui.status_blocked_rows", lang, rejected=rejected,
                 rows=len(plan.frame), valid=len(plan.frame) - rejected)
    return t("ingest.ui.status_blocked", lang)


def _severity(value: str, lang: str) -> str:
    return t(f"ingest.ui.severity_{value}", lang)


def _short(text: str | None, limit: int = 30) -> str:
    text = text or "-"
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _source_lines(plan: ImportPlan, lang: str) -> list[str]:
    lines = []
    for item in plan.files:
        src = item.source
        details = [src.format]
        if src.encoding:
            details.append(t("ingest.ui.encoding", lang, encoding=src.encoding))
        if src.layer:
            details.append(t("ingest.ui.source_layer", lang, layer=src.layer))
        lines.append("  " + t("ingest.ui.line", lang, where=src.name,
                              message=", ".join(details)))
    return lines


def _unused(plan: ImportPlan) -> list[str]:
    return list(dict.fromkeys(c for f in plan.files for c in f.mapping.unused))


def _mapping_lines(plan: ImportPlan, lang: str) -> list[str]:
    lines = ["", t("ingest.ui.mapping_header", lang)]
    table = plan.mapping_table(lang)
    width = max((len(r["field"]) for r in table), default=5)
    for row in table:
        how = f"  ({row['how']})" if row["how"] else ""
        lines.append(f"  {row['field']:<{width}} ← {row['columns']}{how}")
    unused = _unused(plan)
    if unused:
        lines.append(t("ingest.ui.unused", lang,
                       columns=", ".join(_short(c, 60) for c in unused[:40])
                       + (" …" if len(unused) > 40 else "")))
    return lines


def _issue_lines(plan: ImportPlan, lang: str, max_issues: int) -> list[str]:
    """The first groups of identical issues as an aligned table, each with its hint."""
    issues = plan.report.issues
    if not issues:
        return []
    groups = plan.report.groups()
    head = groups[:max(max_issues, 0)]
    lines = [""]
    if head:
        lines += [t("ingest.ui.issues_header", lang, shown=len(head), groups=len(groups),
                    total=len(issues)),
                  t("ingest.ui.row_note", lang)]
        columns = [[_severity(g.first.severity, lang) for g in head],
                   [str(g.count) for g in head],
                   [g.rows_text(lang) for g in head],
                   [g.first.field or "-" for g in head],
                   [_short(g.first.value) for g in head]]
        titles = [t(f"ingest.ui.col_{c}", lang)
                  for c in ("severity", "count", "row", "field", "value")]
        widths = [max([len(titles[k]), *(len(v) for v in columns[k])]) for k in range(5)]
        lines.append("  " + "  ".join(f"{titles[k]:<{widths[k]}}" for k in range(5))
                     + "  " + t("ingest.ui.col_message", lang))
        for index, group in enumerate(head):
            issue = group.first
            cells = "  ".join(f"{columns[k][index]:<{widths[k]}}" for k in range(5))
            prefix = f"[{issue.file}] " if plan.report.multi_file and issue.file else ""
            lines.append(f"  {cells}  {prefix}{issue.message(lang)}")
            lines.append(f"  {'':<{sum(widths) + 8}}  → {issue.hint(lang)}")
    if len(groups) > len(head):
        rest = groups[len(head):]
        lines.append(t("ingest.ui.more_issues", lang, groups=len(rest),
                       count=sum(g.count for g in rest)))
    return lines


def summary_text(plan: ImportPlan, lang: str, max_issues: int = 20) -> str:
    """Summary for a terminal: counts, mapping, then the first issues with their hints."""
    facts = _facts(plan, lang)
    lines = [t("ingest.ui.header", lang, **facts), t("ingest.ui.rows", lang, **facts),
             t("ingest.ui.counts", lang, **facts)]
    lines += _source_lines(plan, lang)
    lines += provenance.summary_lines(plan, lang)  # provenance, duplicates, rows left out
    lines += _mapping_lines(plan, lang)
    lines += _issue_lines(plan, lang, max_issues)
    if plan.rejected_rows and plan.skip_invalid:
        rows = plan.rejected_rows
        lines += ["", t("ingest.ui.rejected_rows", lang, count=len(rows),
                        rows=", ".join(map(str, rows[:100])) + (" …" if len(rows) > 100
                                                                 else ""))]
    lines += ["", _status(plan, lang)]
    # File names, column names and values come from the file: a terminal must show
    # their control characters, not obey them.
    return "\n".join(printable(line) for line in lines)


def report_dict(plan: ImportPlan, lang: str) -> dict[str, Any]:
    """Everything the report says, as JSON-ready data."""
    facts = _facts(plan, lang)
    return {
        "file": facts["file"], "layer": plan.layer, "mode": plan.mode.value,
        "ok": plan.ok, "skip_invalid": plan.skip_invalid, "language": lang,
        "committed_revision": plan.committed.revision if plan.committed else None,
        "rows": {"read": facts["rows"], "valid": facts["valid"],
                 "rejected": facts["rejected"]},
        "counts": plan.counts,
        "row_numbering": t("ingest.ui.row_note", lang),
        "sources": [{"file": f.source.name, "format": f.source.format,
                     "encoding": f.source.encoding, "layer": f.source.layer,
                     "crs": f.crs.to_string() if f.crs is not None else None,
                     "scheme": f.scheme} for f in plan.files],
        "mapping": plan.mapping_table(lang),
        "unused_columns": [c for f in plan.files for c in f.mapping.unused],
        "rejected_rows": plan.rejected_rows,
        **provenance.report_facts(plan),
        "issues": [i.record(lang, plan.report.multi_file) for i in plan.report.issues],
        "grouped_issues": [g.record(lang, plan.report.multi_file)
                           for g in plan.report.groups()],
        "status": _status(plan, lang),
    }


def write_json(plan: ImportPlan, path: Path, lang: str) -> Path:
    """Write :func:`report_dict` as UTF-8 JSON."""
    path.write_text(json.dumps(report_dict(plan, lang), ensure_ascii=False, indent=2,
                               default=str), encoding="utf-8")
    return path


def _table(headers: list[str], rows: list[list[Any]], classes: list[str] | None = None
           ) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for index, row in enumerate(rows):
        css = f' class="{escape(classes[index])}"' if classes else ""
        cells = "".join(f"<td>{escape('' if v is None else str(v))}</td>" for v in row)
        body.append(f"<tr{css}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def html_fragment(plan: ImportPlan, lang: str, max_issues: int | None = NOTEBOOK_ISSUES
                  ) -> str:
    """Summary, mapping and issues as HTML (no page wrapper)."""
    facts = _facts(plan, lang)
    parts = [f"<h3>{escape(t('ingest.ui.header', lang, **facts))}</h3>",
             f"<p>{escape(t('ingest.ui.rows', lang, **facts))}<br>"
             f"{escape(t('ingest.ui.counts', lang, **facts))}<br>"
             f"<strong>{escape(_status(plan, lang))}</strong></p>",
             "<p>" + "<br>".join(escape(line.strip()) for line in _source_lines(plan, lang))
             + "</p>",
             f"<h4>{escape(t('ingest.ui.mapping_header', lang))}</h4>",
             _table([t("ingest.ui.col_field", lang), t("ingest.ui.col_columns", lang),
                     t("ingest.ui.col_how", lang)],
                    [[r["field"], r["columns"], r["how"]] for r in plan.mapping_table(lang)])]
    unused = _unused(plan)
    if unused:
        parts.append(f"<p>{escape(t('ingest.ui.unused', lang, columns=', '.join(unused)))}</p>")
    issues = plan.report.issues
    if issues:
        groups = plan.report.groups()
        shown = groups if max_issues is None else groups[:max_issues]
        header = t("ingest.ui.issues_header", lang, shown=len(shown), groups=len(groups),
                   total=len(issues))
        parts.append(f"<h4>{escape(header)}</h4>")
        parts.append(f"<p><em>{escape(t('ingest.ui.row_note', lang))}</em></p>")
        multi = plan.report.multi_file
        headers = ([t("ingest.ui.col_file", lang)] if multi else []) + [
            t(f"ingest.ui.col_{c}", lang)
            for c in ("severity", "count", "row", "field", "value", "message", "hint")]
        rows = [([g.first.file] if multi else []) + [
            _severity(g.first.severity, lang), g.count, g.rows_text(lang), g.first.field,
            g.first.value, g.first.message(lang), g.first.hint(lang)] for g in shown]
        parts.append(_table(headers, rows, [g.first.severity for g in shown]))
    return f'<div class="atlas-import-report">{"".join(parts)}</div>'


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
tr.error td:first-child { color: #b2182b; font-weight: bold; }
tr.warning td:first-child { color: #a6611a; }
"""


def write_html(plan: ImportPlan, path: Path, lang: str) -> Path:
    """A standalone HTML page with the whole report."""
    title = escape(t("ingest.ui.header", lang, **_facts(plan, lang)))
    page = (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{title}</title><style>{_STYLE}</style></head><body>"
            f"{html_fragment(plan, lang, max_issues=None)}</body></html>\n")
    path.write_text(page, encoding="utf-8")
    return path
