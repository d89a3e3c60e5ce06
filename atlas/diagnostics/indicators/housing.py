"""Nubian-vault (earth-roofed) buildings of the AVN programme."""

from __future__ import annotations

import pandas as pd

from ...names import NUBIAN_VAULTS
from ..context import Context
from ..registry import Breakdown, indicator
from ..values import Values, explain


@indicator("nv_buildings", labels={"fr": "Bâtiments en voûte nubienne",
                                   "en": "Nubian-vault buildings"},
           theme="housing", unit="nb", layers=(NUBIAN_VAULTS,), direction="higher")
def nv_buildings(ctx: Context, level: int) -> pd.Series:
    """Buildings of every stage (planned ones included: they are programme commitments)."""
    return ctx.groups(NUBIAN_VAULTS, level).count()


@indicator("nv_area", labels={"fr": "Surface bâtie en voûte nubienne",
                              "en": "Nubian-vault floor area"},
           theme="housing", unit="m²", layers=(NUBIAN_VAULTS,), direction="higher",
           breakdowns=(Breakdown("total", {"fr": "total", "en": "total"}),))
def nv_area(ctx: Context, level: int) -> Values:
    """Floor area, in total and by building use (one breakdown per use of the layer spec)."""
    area = ctx.numbers(NUBIAN_VAULTS, "floor_area_m2")
    use = ctx.frame(NUBIAN_VAULTS)["use"]
    groups = ctx.groups(NUBIAN_VAULTS, level)
    no_area = ctx.reason("no_data")
    columns = {"total": explain(groups.total(area), default=no_area)}
    labels = {}
    for value in ctx.spec(NUBIAN_VAULTS).field("use").values:
        mine = (use == value.code).to_numpy()
        columns[value.code] = explain(groups.total(area, among=mine), default=no_area)
        labels[value.code] = value.label(ctx.lang)
    return Values.of(columns, labels=labels)
