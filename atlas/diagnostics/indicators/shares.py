"""Shares computed the same way for several layers."""

from __future__ import annotations

from ..context import Context
from ..values import Values, divide


def functional_share(ctx: Context, layer: str, level: int, empty_reason: str) -> Values:
    """Percentage of functional features among those whose ``status`` is known.

    NaN with ``empty_reason`` where a territory has no feature at all.

    The functional codes come from the spec (``functional = true`` on status values),
    so water points, biodigesters and any layer declared alike share one definition.
    """
    status = ctx.frame(layer)["status"]
    groups = ctx.groups(layer, level)
    working = status.isin(ctx.field_codes(layer, "status", "functional")).to_numpy()
    return Values.of({"": divide(
        groups.count(working), groups.count(status.notna().to_numpy()), scale=100,
        why=[(groups.count() == 0, ctx.reason(empty_reason))],
        default=ctx.reason("no_data"))})
