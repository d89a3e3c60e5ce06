"""Shares computed the same way for several layers."""

from __future__ import annotations

from ..context import Context
from ..registry import Breakdown
from ..values import Values, divide

#: Breakdown code of the features whose state nobody knows.
UNKNOWN = "unknown"


def functional_breakdowns(of_unknown: dict[str, str]) -> tuple[Breakdown, Breakdown]:
    """The rate itself, then the count of features of unknown state beside it."""
    return (Breakdown("", {"fr": "taux", "en": "rate"}),
            Breakdown(UNKNOWN, of_unknown, unit="nb", direction="neutral"))


def functional_share(ctx: Context, layer: str, level: int, empty_reason: str) -> Values:
    """Percentage of functional features among those whose state is known.

    A state is known when its spec value says whether it works (``functional = true``
    or ``false``); the others (``unknown``, or no state at all) leave the denominator
    and are counted in the ``unknown`` breakdown, so a territory whose points are all
    of unknown state reads "n/a" with their number rather than 0 % or 100 %. NaN with
    ``empty_reason`` where a territory has no feature at all.
    """
    status = ctx.frame(layer)["status"]
    groups = ctx.groups(layer, level)
    working = status.isin(ctx.field_codes(layer, "status", "functional")).to_numpy()
    known = working | status.isin(
        ctx.field_codes(layer, "status", "functional", False)).to_numpy()
    total, known_count = groups.count(), groups.count(known)
    return Values.of({
        "": divide(groups.count(working), known_count, scale=100, why=[
            (total == 0, ctx.reason(empty_reason)),
            (known_count == 0, ctx.reason("state_unknown"))],
            default=ctx.reason("no_data")),
        UNKNOWN: (total - known_count).astype("float64"),
    })
