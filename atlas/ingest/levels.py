"""Boundary files deeper than the atlas: which file level is the unit, who is its parent.

GADM ships Senegal's communes at its level 4 (``GID_4``) under arrondissements
(``GID_3``) that a 4-level atlas (pays, région, département, commune) does not have.
The unit's code is the finest code column unique per row, whatever ``--level`` the
atlas stores it at; its parent is the nearest ancestor column whose codes are
territories of the atlas, so communes hang from their département and the report
says once which file level was skipped. A level the atlas has no name for takes
``--level-name`` or the file's type column, and the name is saved in the settings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

import pandas as pd

from ..i18n import t
from .report import ERROR, WARNING, Issue
from .text import is_blank

#: Column names that look like codes, for the hint on a non-unique code column.
_CODE_LIKE = re.compile(r"(gid_\d|adm\d_pcode|pcode|shapeid|wof_id|hasc|code|^id$)", re.I)


def unique_per_row(frame: pd.DataFrame, column: str) -> bool:
    """True when every row has a value and no two rows share it."""
    values = frame[column]
    return bool(len(values)) and values.notna().all() and values.astype(str).is_unique


def finest_unique(frame: pd.DataFrame, columns: Mapping[int, str], level: int | None) -> int:
    """File level of the units: the finest code column unique per row.

    When none is (a file with true duplicates), ``--level`` if the file has it, else
    the finest column: the duplicates are then reported row by row.
    """
    for number in sorted(columns, reverse=True):
        if unique_per_row(frame, columns[number]):
            return number
    return level if level is not None and level in columns else max(columns)


def first_text(frame: pd.DataFrame, column: str | None) -> str | None:
    """The first non-blank value of a column, as text (a level's type: "Arrondissement")."""
    if column is None or column not in frame.columns:
        return None
    for value in frame[column]:
        if not is_blank(value):
            return str(value).strip()
    return None


def _plural(name: str) -> str:
    lowered = name.lower()
    return lowered if lowered.endswith(("s", "x", "z")) else lowered + "s"


def attach_to_atlas(frame: pd.DataFrame, ancestors: list[tuple[int, str]],
                    type_columns: Mapping[int, str], known: pd.DataFrame,
                    atlas_level: int | None, level_names: Mapping[int, str],
                    lang: str) -> tuple[str | None, list[Issue]]:
    """Parent column of a boundary file: the nearest ancestor known to the atlas.

    ``ancestors`` are (file level, code column), finest first; ``known`` has the code
    and level of every territory a parent may be. Without any match (an empty atlas,
    other codes) the file's own parent column stays, found by location if need be.
    """
    if not ancestors:
        return None, []
    default = ancestors[0][1]
    if atlas_level is None or known is None or not len(known):
        return default, []
    lower = known[known["level"] < atlas_level]
    codes = dict(zip(lower["code"].astype(str), lower["level"].astype(int), strict=True))
    for rank, (file_level, column) in enumerate(ancestors):
        values = [str(v).strip() for v in frame[column] if not is_blank(v)]
        matched = [codes[v] for v in values if v in codes]
        if not matched:
            continue
        if rank == 0:
            return column, []
        parent_level = Counter(matched).most_common(1)[0][0]
        skipped = ancestors[0]
        skipped_name = first_text(frame, type_columns.get(skipped[0]))
        skipped_text = _plural(skipped_name) if skipped_name else \
            t("boundaries.file_level", lang, level=skipped[0])
        units = level_names.get(atlas_level) or first_text(
            frame, type_columns.get(file_level + rank + 1)) or str(atlas_level)
        parent = level_names.get(parent_level) or str(parent_level)
        return column, [Issue(WARNING, "level_skipped", field="parent_code",
                              value=skipped[1],
                              params={"skipped": skipped_text, "column": skipped[1],
                                      "units": _plural(units), "parent": parent.lower()})]
    return default, []


def level_name_issue(levels: list[object], names: list[object], known_levels: set[int],
                     given: str | None) -> Issue | None:
    """An error when rows are at a level with no name anywhere (atlas, file, option)."""
    if given:
        return None
    unnamed = sorted({int(lv) for lv, name in zip(levels, names, strict=True)
                      if lv is not None and name is None and int(lv) not in known_levels})
    if not unnamed:
        return None
    return Issue(ERROR, "level_name_needed", field="level_name",
                 params={"level": ", ".join(map(str, unnamed)), "first": unnamed[0]})


def new_level_names(frame: pd.DataFrame, known_levels: set[int],
                    given: str | None) -> dict[int, str]:
    """Names of the levels written that the atlas does not name yet (option, else file)."""
    out: dict[int, str] = {}
    if "level" not in frame.columns or not len(frame):
        return out
    for level in sorted({int(v) for v in frame["level"].dropna()}):
        if level in known_levels:
            continue
        rows = frame[frame["level"] == level]
        names = [str(v) for v in rows.get("level_name", pd.Series(dtype=object)).dropna()]
        name = given or (Counter(names).most_common(1)[0][0] if names else None)
        if name:
            out[level] = name
    return out


def save_level_names(atlas: object, names: Mapping[int, str]) -> None:
    """Add level names to the atlas settings (right after the commit that needs them).

    Settings are not versioned with the rows in either store, so this is a second
    write; it only adds names, never renames a level already named.
    """
    if not names:
        return
    store = atlas.store  # type: ignore[attr-defined]
    settings = dict(store.get_settings())
    stored = {str(k): v for k, v in (settings.get("level_names") or {}).items()}
    for level, name in names.items():
        stored.setdefault(str(level), {"fr": name, "en": name})
    settings["level_names"] = stored
    store.set_settings(settings)
    cache = getattr(atlas, "_cache", None)
    if isinstance(cache, dict):  # cached by revision, and the revision did not move
        cache.pop("settings", None)
        cache.pop("territories", None)


def code_column_issues(frame: pd.DataFrame, code_columns: list[str]) -> list[Issue]:
    """A non-unique code column: say which column is unique per row instead.

    The row-by-row ``duplicate_id`` errors say where; this says what to do.
    """
    if not code_columns or not len(frame):
        return []
    column = code_columns[0]
    values = frame[column]
    present = values.dropna().astype(str)
    repeated = int(present.duplicated(keep=False).sum())
    if not repeated:
        return []
    candidates = [c for c in frame.columns if c != column and _CODE_LIKE.search(str(c))
                  and unique_per_row(frame, c)]
    candidates.sort(key=lambda c: (not str(c).lower().startswith(("gid_", "adm")),
                                   -len(str(c)), str(c)))
    # GID_4 before GID_3: the finest level of a producer's columns comes first.
    candidates.sort(key=lambda c: -int(m.group(1)) if (m := re.search(r"(\d)", str(c)))
                    else 0)
    if candidates:
        return [Issue(WARNING, "code_not_unique", field="code", value=column,
                      params={"count": repeated, "better": candidates[0]})]
    return [Issue(WARNING, "code_not_unique_nohint", field="code", value=column,
                  params={"count": repeated})]
