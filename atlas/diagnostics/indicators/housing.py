"""Nubian-vault (earth-roofed) buildings of the AVN programme."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..context import Context
from ..registry import Breakdown, indicator
from ..values import Values, explain

VAULTS = "nubian_vaults"


@indicator("nv_buildings", labels={"fr": "Bâtiments en voûte nubienne",
                                   "en": "Nubian-vault buildings"},
           theme="housing", unit="nb", layers=(VAULTS,), direction="higher")
def nv_buildings(ctx: Context, level: int) -> pd.Series:
    """Buildings of every stage (planned ones included: they are programme commitments)."""
    return ctx.groups(VAULTS, level).count()


@indicator("nv_area", labels={"fr": "Surface bâtie en voûte nubienne",
                              "en": "Nubian-vault floor area"},
           theme="housing", unit="m²", layers=(VAULTS,), direction="higher",
           breakdowns=(Breakdown("total", {"fr": "total", "en": "total"}),))
def nv_area(ctx: Context, level: int) -> Values:
    """Floor area, in total and by building use (one breakdown per use of the layer spec)."""
    frame = ctx.frame(VAULTS)
    area = frame["floor_area_m2"].to_numpy("float64", na_value=np.nan)
    groups = ctx.groups(VAULTS, level)
    no_area = ctx.reason("no_data")
    uses = ctx.spec(VAULTS).field("use").values
    columns = {"total": explain(groups.sum(area).where((groups.known(area) > 0)
                                                        | (groups.count() == 0)),
                                default=no_area)}
    labels = {}
    for use in uses:
        mine = (frame["use"] == use.code).to_numpy()
        values = np.where(mine, area, np.nan)
        columns[use.code] = explain(groups.sum(values).where(
            (groups.known(values) > 0) | (groups.count(mine) == 0)), default=no_area)
        labels[use.code] = use.label(ctx.lang)
    return Values.of(columns, labels=labels)
