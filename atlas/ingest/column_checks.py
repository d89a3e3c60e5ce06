"""A column that is not the field it was matched to, said once instead of row by row.

A borehole list's ``type`` column holding the map class ``4`` on every row, matched to
the source type, would otherwise be 240 identical "unknown value" lines. When almost
every filled cell of a category column is refused, the column itself is the mistake:
one issue names it, its distinct values and the two ways out (map another column, or
give the value to every row with ``--set``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..catalog import FieldSpec
from .report import ERROR, WARNING, Issue
from .text import display, is_blank
from .values import Converted

#: Share of the filled cells that must be refused for the column to be the mistake.
REFUSED_SHARE = 0.9
#: Filled cells below which rows are reported one by one (a few typos are typos).
MIN_CELLS = 10
#: Distinct values quoted in the message.
QUOTED = 5
#: Prefix of the columns the pipeline makes for ``--set`` constants (a wrong constant
#: is its own message, not a wrong column).
CONSTANT_PREFIX = "--set "


def wrong_column(spec_field: FieldSpec, raw: Sequence[object],
                 used: Sequence[str | None], converted: Converted) -> Issue | None:
    """One issue when the category column is not this field, else None."""
    if spec_field.type != "category" or not converted.problems:
        return None
    refused = [p for p in converted.problems if p.code == "unknown_category"]
    columns = {used[p.position] for p in refused}
    if len(columns) != 1:
        return None  # several columns feed the field: each row says which one failed
    column = next(iter(columns))
    if column is None or column.startswith(CONSTANT_PREFIX):
        return None
    filled = sum(1 for value, source in zip(raw, used, strict=True)
                 if source == column and not is_blank(value))
    if filled < MIN_CELLS or len(refused) < REFUSED_SHARE * filled:
        return None
    counts = Counter(display(raw[p.position]) for p in refused)
    quoted = ", ".join(value for value, _ in counts.most_common(QUOTED))
    more = len(counts) - min(len(counts), QUOTED)
    codes = spec_field.codes()
    return Issue(ERROR if spec_field.required else WARNING, "column_not_field",
                 field=spec_field.name, value=column, titles=spec_field.titles,
                 params={"column": column, "distinct": len(counts), "values": quoted,
                         "more": f" (+{more})" if more else "", "refused": len(refused),
                         "filled": filled, "choices": ", ".join(codes),
                         "example": codes[0] if codes else "",
                         "emptied": not spec_field.required})


def missing_column(spec_field: FieldSpec, unused: Sequence[str]) -> Issue:
    """A required field no column feeds: map one, or (a category) ``--set`` its value.

    The hint of a category quotes its allowed codes, so ``--set status=unknown`` is
    found from the message itself.
    """
    codes = spec_field.codes()
    params: dict[str, object] = {"columns": ", ".join(unused) or "-"}
    if codes:
        params.update(hint_key="missing_category_column", choices=", ".join(codes))
    return Issue(ERROR, "missing_column", field=spec_field.name, titles=spec_field.titles,
                 params=params)
