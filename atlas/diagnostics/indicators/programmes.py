"""Programme monitoring: people reached by the programmes' activities, by sex."""

from __future__ import annotations

from ...names import ACTIVITIES
from ..context import Context
from ..registry import Breakdown, indicator
from ..values import Values, add_known, explain


@indicator("act_beneficiaries",
           labels={"fr": "Personnes touchées par les actions",
                   "en": "People reached by the activities"},
           theme="programmes", unit="personnes", layers=(ACTIVITIES,), direction="higher",
           breakdowns=(Breakdown("total", {"fr": "total", "en": "total"}),
                       Breakdown("women", {"fr": "femmes et filles", "en": "women and girls"}),
                       Breakdown("men", {"fr": "hommes et garçons", "en": "men and boys"})))
def act_beneficiaries(ctx: Context, level: int) -> Values:
    """Women, men and both reached, then the total of each programme of the layer spec.

    Activities attached to a coarser territory (a whole département) count there and
    above, never in one of its communes.
    """
    groups = ctx.groups(ACTIVITIES, level)
    women, men = ctx.numbers(ACTIVITIES, "women"), ctx.numbers(ACTIVITIES, "men")
    both = add_known(women, men)
    no_data = ctx.reason("no_data")
    columns = {"total": explain(groups.total(both), default=no_data),
               "women": explain(groups.total(women), default=no_data),
               "men": explain(groups.total(men), default=no_data)}
    labels = {}
    programme = ctx.frame(ACTIVITIES)["programme"]
    for value in ctx.spec(ACTIVITIES).field("programme").values:
        mine = (programme == value.code).to_numpy()
        columns[value.code] = explain(groups.total(both, among=mine), default=no_data)
        labels[value.code] = value.label(ctx.lang)
    return Values.of(columns, labels=labels)
