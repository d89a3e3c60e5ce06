"""Reading back the submissions exports of KoboToolbox and ODK Central.

Both platforms name a column after its question's path in the form: KoboToolbox joins
groups with ``/`` (``donnees/name``, ``lieu/_gps_latitude``), ODK Central with ``-``
(``donnees-name``, ``lieu-gps-Latitude``). They add metadata columns of their own
(``_submission_time``, ``_uuid``… ; ``SubmissionDate``, ``KEY``, ``Status``…), some
of which look like layer fields (``Status`` is not a water point's status).

When a table is such an export, a question named exactly like a layer field (which
every form from :mod:`atlas.forms` does) feeds that field before any synonym is
tried, so the metadata never takes a field's place. The import calls
:func:`survey_columns` (``atlas.ingest.file_pipeline``); it imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..catalog import LayerSpec

#: Columns only KoboToolbox exports carry (with the form's own questions).
KOBO_MARKERS = frozenset({"_uuid", "_submission_time", "_validation_status", "__version__"})
#: Columns only ODK Central (and Briefcase) CSV exports carry.
CENTRAL_MARKERS = frozenset({"KEY", "SubmissionDate", "meta-instanceID", "SubmitterID"})
KOBO = "KoboToolbox"
CENTRAL = "ODK Central"


@dataclass(frozen=True)
class SurveyExport:
    """Which platform exported a table, and the question column of each field."""

    platform: str
    columns: dict[str, list[str]] = field(default_factory=dict)


def platform_of(columns: Sequence[str]) -> str | None:
    """``KoboToolbox``, ``ODK Central`` or None, from an export's metadata columns.

    Two markers are needed: a single ``KEY`` or ``_uuid`` column may be anyone's.
    """
    names = set(columns)
    if len(names & CENTRAL_MARKERS) >= 2:
        return CENTRAL
    if len(names & KOBO_MARKERS) >= 2:
        return KOBO
    return None


def question_name(column: str, platform: str) -> str:
    """The question a column answers: the last part of its group path."""
    separator = "-" if platform == CENTRAL else "/"
    return column.rsplit(separator, 1)[-1]


def survey_columns(spec: LayerSpec, columns: Sequence[str]) -> SurveyExport | None:
    """The columns of an export whose question is named like a field (None if no export).

    A column whose own name is a field is taken before a grouped one, and each field
    gets its first column only: a form never asks the same field twice.
    """
    platform = platform_of(columns)
    if platform is None:
        return None
    found: dict[str, list[str]] = {}
    for column in sorted(columns, key=lambda c: ("/" in c or "-" in c)):
        name = question_name(column, platform)
        if spec.has_field(name) and name not in found:
            found[name] = [column]
    return SurveyExport(platform, found)
