"""Programme monitoring: people reached by the programmes' activities, by sex."""

from __future__ import annotations

import numpy as np

from ..context import Context
from ..registry import Breakdown, indicator
from ..values import Values, explain

ACTIVITIES = "activities"


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
    frame = ctx.frame(ACTIVITIES)
    groups = ctx.groups(ACTIVITIES, level)
    women = frame["women"].astype("Float64").to_numpy("float64", na_value=np.nan)
    men = frame["men"].astype("Float64").to_numpy("float64", na_value=np.nan)
    both = np.where(np.isnan(women) & np.isnan(men), np.nan,
                    np.nan_to_num(women) + np.nan_to_num(men))
    none = groups.count() == 0
    no_data = ctx.reason("no_data")

    def reached(values: np.ndarray) -> tuple:
        return explain(groups.sum(values).where((groups.known(values) > 0) | none),
                       default=no_data)

    columns = {"total": reached(both), "women": reached(women), "men": reached(men)}
    labels = {}
    for programme in ctx.spec(ACTIVITIES).field("programme").values:
        mine = (frame["programme"] == programme.code).to_numpy()
        columns[programme.code] = explain(groups.sum(np.where(mine, both, np.nan)))
        labels[programme.code] = programme.label(ctx.lang)
    return Values.of(columns, labels=labels)
