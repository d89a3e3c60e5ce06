"""The validation report: one issue per problem, with where, what and what to do.

Each issue says where (file row and field), what (the value and a sentence) and
what to do (a hint). Identical issues on many rows are shown as one group with their
count and first rows (:meth:`Report.groups`); the list of issues stays complete.

Issues carry a message key and parameters rather than sentences, so the same plan
can be shown in French in the CLI and saved in English for a partner. Rows are
numbered as a person sees them: 1 is the first data row after the header (in a
spreadsheet, row n of the report is sheet row n + 1); file-level issues have no row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import pandas as pd

from ..i18n import label, normalise_language, t

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)
COLUMNS = ("severity", "row", "field", "value", "message", "hint")


@dataclass(frozen=True)
class Issue:
    """One problem found while planning an import."""

    severity: str
    code: str
    row: int | None = None
    field: str | None = None
    value: str | None = None
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    file: str | None = None
    #: Titles of the field in each language, quoted by some messages.
    titles: dict[str, str] | None = None

    @property
    def blocking(self) -> bool:
        """True for errors: they stop the commit (or reject the row with --skip-invalid)."""
        return self.severity == ERROR

    def _params(self, lang: str | None) -> dict[str, Any]:
        params = {"field": self.field or "", "value": self.value or "", "row": self.row or "",
                  "title": label(self.titles, lang) or self.field or "", **self.params}
        if "error" in self.params:  # an AtlasError quoted by the issue, in the same language
            params["detail"] = t(str(self.params["error"]), lang,
                                 **dict(self.params.get("error_params") or {}))
        return params

    def message(self, lang: str | None = None) -> str:
        """What is wrong, as a sentence (saying so when the value was left empty)."""
        text = t(f"ingest.issue.{self.code}", lang, **self._params(lang))
        if self.params.get("emptied"):
            text = f"{text} {t('ingest.ui.left_empty', lang)}"
        return text

    def hint(self, lang: str | None = None) -> str:
        """What to do about it (an issue may name a more precise hint than its code's)."""
        key = self.params.get("hint_key", self.code)
        return t(f"ingest.hint.{key}", lang, **self._params(lang))

    def record(self, lang: str | None = None, with_file: bool = False) -> dict[str, Any]:
        """Plain mapping for tables and JSON (severity kept as ``error``/``warning``)."""
        out: dict[str, Any] = {"file": self.file} if with_file else {}
        out.update({
            "severity": self.severity, "row": self.row, "field": self.field,
            "value": self.value, "message": self.message(lang), "hint": self.hint(lang),
            "code": self.code,
        })
        return out

    def one_line(self, lang: str | None = None) -> str:
        """The issue in one line, as kept with a revision."""
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(t("ingest.ui.at_row", lang, row=self.row))
        if self.field:
            where.append(t("ingest.ui.at_field", lang, field=self.field))
        if not where:
            return self.message(lang)
        return t("ingest.ui.line", lang, where=", ".join(where), message=self.message(lang))


#: Row numbers quoted for a group of identical issues (the JSON report keeps them all).
ROWS_SHOWN = 10


def _group_key(issue: Issue) -> tuple[object, ...]:
    params = tuple(sorted((k, repr(v)) for k, v in issue.params.items()))
    return (issue.file, issue.severity, issue.code, issue.field, issue.value, params)


@dataclass(frozen=True)
class IssueGroup:
    """Issues that say the same thing (file, problem, field, value) on different rows.

    240 rows whose source type is « 4 » are one line with their count and first rows,
    not 240 lines; a file-level issue is a group of its own.
    """

    first: Issue
    rows: tuple[int, ...]

    @property
    def count(self) -> int:
        """How many issues the group stands for (1 for a file-level issue)."""
        return max(len(self.rows), 1)

    def rows_text(self, lang: str | None = None) -> str:
        """The first row numbers, and how many more ("3, 4, 9 … (+237)")."""
        if not self.rows:
            return "-"
        shown = ", ".join(map(str, self.rows[:ROWS_SHOWN]))
        more = len(self.rows) - ROWS_SHOWN
        return shown if more <= 0 else t("ingest.ui.rows_more", lang, rows=shown, more=more)

    def record(self, lang: str | None = None, with_file: bool = False) -> dict[str, Any]:
        """Plain mapping: the issue's record with ``count`` and every row number."""
        out = self.first.record(lang, with_file)
        out.pop("row")
        out.update({"count": self.count, "rows": list(self.rows)})
        return out


def group_issues(issues: Iterable[Issue]) -> list[IssueGroup]:
    """Identical issues together, in the order of their first occurrence."""
    groups: dict[tuple[object, ...], tuple[Issue, list[int]]] = {}
    for index, issue in enumerate(issues):
        key = _group_key(issue) if issue.row is not None else ("file", index)
        first, rows = groups.setdefault(key, (issue, []))
        if issue.row is not None:
            rows.append(issue.row)
    return [IssueGroup(first, tuple(rows)) for first, rows in groups.values()]


class Report(Sequence[dict[str, Any]]):
    """Issues of an import, readable as a list of dicts (``pandas.DataFrame(report)``)."""

    def __init__(self, issues: Iterable[Issue], lang: str | None = None) -> None:
        ordered = sorted(issues, key=lambda i: (i.row is not None, SEVERITIES.index(i.severity),
                                                i.file or "", i.row or 0, i.field or ""))
        self.issues: list[Issue] = ordered
        self.lang = normalise_language(lang)
        self.multi_file = len({i.file for i in ordered if i.file}) > 1

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        """Issue records in the report's language."""
        if isinstance(index, slice):
            return [i.record(self.lang, self.multi_file) for i in self.issues[index]]
        return self.issues[index].record(self.lang, self.multi_file)

    def __len__(self) -> int:
        """Number of issues."""
        return len(self.issues)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Issue records: file-level first, then errors by row, then warnings by row."""
        return (i.record(self.lang, self.multi_file) for i in self.issues)

    @property
    def counts(self) -> dict[str, int]:
        """Number of issues per severity (always both keys)."""
        return {s: sum(1 for i in self.issues if i.severity == s) for s in SEVERITIES}

    @property
    def errors(self) -> list[Issue]:
        """Blocking issues."""
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        """Non-blocking issues."""
        return [i for i in self.issues if i.severity == WARNING]

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """The issues as a table with translated messages and hints."""
        lang = lang or self.lang
        records = [i.record(lang, self.multi_file) for i in self.issues]
        columns = (["file"] if self.multi_file else []) + [*COLUMNS, "code"]
        frame = pd.DataFrame(records, columns=columns)
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def groups(self) -> list[IssueGroup]:
        """The issues with identical ones together (see :class:`IssueGroup`)."""
        return group_issues(self.issues)

    def to_grouped_frame(self, lang: str | None = None) -> pd.DataFrame:
        """One line per group: severity, count, first rows, field, value, message, hint."""
        lang = lang or self.lang
        records = []
        for group in self.groups():
            record = group.record(lang, self.multi_file)
            record["rows"] = group.rows_text(lang)
            records.append(record)
        columns = (["file"] if self.multi_file else []) + [
            "severity", "count", "rows", "field", "value", "message", "hint", "code"]
        return pd.DataFrame(records, columns=columns)

    def __repr__(self) -> str:
        """Counts per severity."""
        counts = self.counts
        return f"<Report {counts[ERROR]} error(s), {counts[WARNING]} warning(s)>"
