"""Steps of the file pipeline proper to boundary files, kept out of it for its size.

Each takes the :class:`~atlas.ingest.file_pipeline.FilePlanner` at the point where
the step runs: the parent column of a file deeper than the atlas (before columns
are mapped), the name of a level the atlas does not name (once levels are typed).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .context import territory_frame
from .levels import attach_to_atlas, level_name_issue

#: Write modes where every required field must come from the file.
_PARTIAL_MODES = ("update",)


def choose_parent_column(planner: Any, preset: dict[str, list[str]]) -> None:
    """Point ``parent_code`` at the nearest ancestor column the atlas has (see .levels)."""
    scheme = planner.scheme
    if scheme is None or not scheme.ancestors or "parent_code" in planner.overrides:
        return
    ctx = planner.ctx
    parts = [ctx.known_territories]
    if planner.batch is not None and len(planner.batch):
        batch = planner.batch
        parts.append(territory_frame(batch["code"].tolist(), batch["level"].tolist(),
                                     list(batch.geometry.values)))
    known = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    atlas_level = planner.level_option if planner.level_option is not None else scheme.level
    settings = ctx.atlas.settings
    names = {level: settings.level_name(level, ctx.lang) for level in settings.level_names}
    column, issues = attach_to_atlas(planner.frame, scheme.ancestors, scheme.type_columns,
                                     known, atlas_level, names, ctx.lang)
    if column is not None:
        preset["parent_code"] = [column]
    planner.issues.extend(issues)


def name_levels(planner: Any) -> None:
    """``--level-name`` for rows without one; an error when a level has no name at all."""
    ctx = planner.ctx
    if ctx.mode in _PARTIAL_MODES:
        return
    names = planner._own("level_name")
    given = ctx.options.level_name
    known = set(ctx.atlas.settings.level_names)
    if given:
        for position, level in enumerate(planner.typed["level"]):
            if names[position] is None and level is not None and int(level) not in known:
                names[position] = given
    issue = level_name_issue(planner.typed["level"], names, known, given)
    if issue is not None:
        planner.add(issue)
