"""Domestic biodigesters of the national biogas programme."""

from __future__ import annotations

import pandas as pd

from ...names import BIODIGESTERS
from ..context import Context
from ..registry import indicator
from ..values import Values
from .shares import functional_breakdowns, functional_share


@indicator("bio_count", labels={"fr": "Biodigesteurs", "en": "Biodigesters"}, theme="energy",
           unit="nb", layers=(BIODIGESTERS,), direction="higher")
def bio_count(ctx: Context, level: int) -> pd.Series:
    """Biodigesters installed, working or not."""
    return ctx.groups(BIODIGESTERS, level).count()


@indicator("bio_functional", labels={"fr": "Biodigesteurs en fonctionnement",
                                     "en": "Biodigesters working"},
           theme="energy", unit="%", layers=(BIODIGESTERS,), direction="higher",
           breakdowns=functional_breakdowns({"fr": "d'état inconnu", "en": "of unknown state"}))
def bio_functional(ctx: Context, level: int) -> Values:
    """Working units among those whose state is known."""
    return functional_share(ctx, BIODIGESTERS, level, "no_biodigesters")
