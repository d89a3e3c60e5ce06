"""Domestic biodigesters of the national biogas programme."""

from __future__ import annotations

import pandas as pd

from ..context import Context
from ..registry import indicator
from ..values import Values, divide

BIODIGESTERS = "biodigesters"


@indicator("bio_count", labels={"fr": "Biodigesteurs", "en": "Biodigesters"}, theme="energy",
           unit="nb", layers=(BIODIGESTERS,), direction="higher")
def bio_count(ctx: Context, level: int) -> pd.Series:
    """Biodigesters installed, working or not."""
    return ctx.groups(BIODIGESTERS, level).count()


@indicator("bio_functional", labels={"fr": "Biodigesteurs en fonctionnement",
                                     "en": "Biodigesters working"},
           theme="energy", unit="%", layers=(BIODIGESTERS,), direction="higher")
def bio_functional(ctx: Context, level: int) -> Values:
    """Working units among those whose state is known."""
    status = ctx.frame(BIODIGESTERS)["status"]
    groups = ctx.groups(BIODIGESTERS, level)
    working = status.isin(ctx.field_codes(BIODIGESTERS, "status", "functional")).to_numpy()
    return Values.of({"": divide(
        groups.count(working), groups.count(status.notna().to_numpy()), scale=100,
        why=[(groups.count() == 0, ctx.reason("no_biodigesters"))],
        default=ctx.reason("no_data"))})
