"""Schools: counts, pupils, JMP WASH ladders and shares, latrines, fences, water.

The distance to water and the count of schools without basic drinking water are here
too.

Every share is computed over the schools whose survey allows a verdict (see
:mod:`atlas.diagnostics.wash`); a territory without schools gets NaN with the reason,
while its school count is a real 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...names import SCHOOLS, WATER_POINTS
from ..access import nearest_for_layer
from ..context import Context
from ..grouping import Grouping
from ..registry import Breakdown, indicator
from ..values import Values, divide, explain
from ..wash import (
    BASIC,
    LIMITED,
    NO_SERVICE,
    UNKNOWN,
    school_ladders,
    school_pupils,
    usable_latrines,
)

LADDER = (
    Breakdown(BASIC, {"fr": "service de base", "en": "basic service"}, direction="higher"),
    Breakdown(LIMITED, {"fr": "service limité", "en": "limited service"}, direction="neutral"),
    Breakdown(NO_SERVICE, {"fr": "pas de service", "en": "no service"}, direction="lower"),
    Breakdown(UNKNOWN, {"fr": "non renseigné", "en": "no data"}, direction="neutral"),
)
SEXES = (Breakdown("total", {"fr": "total", "en": "total"}),
         Breakdown("girls", {"fr": "filles", "en": "girls"}),
         Breakdown("boys", {"fr": "garçons", "en": "boys"}))


def _no_schools(ctx: Context, groups: Grouping) -> tuple[pd.Series, str]:
    return groups.count() == 0, ctx.reason("no_schools")


@indicator("sch_count", labels={"fr": "Écoles", "en": "Schools"}, theme="education",
           unit="nb", layers=(SCHOOLS,))
def sch_count(ctx: Context, level: int) -> pd.Series:
    """Number of schools."""
    return ctx.groups(SCHOOLS, level).count()


@indicator("sch_pupils", labels={"fr": "Élèves", "en": "Pupils"}, theme="education",
           unit="élèves", layers=(SCHOOLS,), breakdowns=SEXES)
def sch_pupils(ctx: Context, level: int) -> Values:
    """Pupils enrolled, by sex; a school whose enrolment is unknown adds nothing."""
    groups = ctx.groups(SCHOOLS, level)
    girls, boys = ctx.numbers(SCHOOLS, "pupils_girls"), ctx.numbers(SCHOOLS, "pupils_boys")
    total = school_pupils(ctx)
    # no school: a real 0; schools whose enrolment is all unknown: NaN with the reason
    return Values.of({code: explain(groups.total(values), default=ctx.reason("no_enrolment"))
                      for code, values in (("total", total), ("girls", girls),
                                           ("boys", boys))})


def _basic_share(ctx: Context, level: int, service: str) -> Values:
    ladder = school_ladders(ctx)[service].to_numpy()
    groups = ctx.groups(SCHOOLS, level)
    return Values.of({"": divide(groups.count(ladder == BASIC), groups.count(ladder != UNKNOWN),
                                 scale=100, why=[_no_schools(ctx, groups)],
                                 default=ctx.reason("no_wash_data"))})


def _ladder_counts(ctx: Context, level: int, service: str) -> pd.DataFrame:
    ladder = school_ladders(ctx)[service].to_numpy()
    groups = ctx.groups(SCHOOLS, level)
    return pd.DataFrame({b.code: groups.count(ladder == b.code) for b in LADDER})


@indicator("sch_water_basic", labels={"fr": "Écoles avec service d'eau de base",
                                      "en": "Schools with basic drinking water service"},
           theme="education", unit="%", layers=(SCHOOLS,), direction="higher")
def sch_water_basic(ctx: Context, level: int) -> Values:
    """Share of schools with an improved source and water on the survey day (JMP)."""
    return _basic_share(ctx, level, "water")


@indicator("sch_water_ladder", labels={"fr": "Échelle eau des écoles (JMP)",
                                       "en": "School drinking water ladder (JMP)"},
           theme="education", unit="nb", layers=(SCHOOLS,), breakdowns=LADDER)
def sch_water_ladder(ctx: Context, level: int) -> pd.DataFrame:
    """Schools at each level of the JMP drinking water ladder."""
    return _ladder_counts(ctx, level, "water")


@indicator("sch_sanitation_basic", labels={"fr": "Écoles avec assainissement de base",
                                           "en": "Schools with basic sanitation service"},
           theme="education", unit="%", layers=(SCHOOLS,), direction="higher")
def sch_sanitation_basic(ctx: Context, level: int) -> Values:
    """Share of schools with improved, single-sex, usable toilets (JMP)."""
    return _basic_share(ctx, level, "sanitation")


@indicator("sch_sanitation_ladder", labels={"fr": "Échelle assainissement des écoles (JMP)",
                                            "en": "School sanitation ladder (JMP)"},
           theme="education", unit="nb", layers=(SCHOOLS,), breakdowns=LADDER)
def sch_sanitation_ladder(ctx: Context, level: int) -> pd.DataFrame:
    """Schools at each level of the JMP sanitation ladder."""
    return _ladder_counts(ctx, level, "sanitation")


@indicator("sch_hygiene_basic", labels={"fr": "Écoles avec lavage des mains de base",
                                        "en": "Schools with basic hygiene service"},
           theme="education", unit="%", layers=(SCHOOLS,), direction="higher")
def sch_hygiene_basic(ctx: Context, level: int) -> Values:
    """Share of schools with a handwashing facility with water and soap (JMP)."""
    return _basic_share(ctx, level, "hygiene")


@indicator("sch_hygiene_ladder", labels={"fr": "Échelle hygiène des écoles (JMP)",
                                         "en": "School hygiene ladder (JMP)"},
           theme="education", unit="nb", layers=(SCHOOLS,), breakdowns=LADDER)
def sch_hygiene_ladder(ctx: Context, level: int) -> pd.DataFrame:
    """Schools at each level of the JMP hygiene ladder."""
    return _ladder_counts(ctx, level, "hygiene")


def _pupils_per_latrine(ctx: Context, level: int, sex: str) -> Values:
    """Pupils of one sex per usable toilet reserved to that sex.

    Over the schools where both are known: a school whose toilets are all unusable
    adds pupils and no toilet.
    """
    pupils = ctx.numbers(SCHOOLS, f"pupils_{sex}")
    usable = usable_latrines(ctx, sex)
    both = ~np.isnan(pupils) & ~np.isnan(usable)
    groups = ctx.groups(SCHOOLS, level)
    latrines = groups.sum(np.where(both, usable, 0.0))
    return Values.of({"": divide(
        groups.sum(np.where(both, pupils, 0.0)), latrines,
        why=[_no_schools(ctx, groups),
             (groups.count(both) == 0, ctx.reason("no_latrine_data")),
             (latrines == 0, ctx.reason(f"no_usable_latrine_{sex}"))])})


@indicator("sch_pupils_per_latrine_girls",
           labels={"fr": "Filles par latrine utilisable", "en": "Girls per usable latrine"},
           theme="education", unit="élèves/latrine", layers=(SCHOOLS,), direction="lower",
           threshold="pupils_per_latrine.girls")
def sch_pupils_per_latrine_girls(ctx: Context, level: int) -> Values:
    """Girls per usable girls' toilet."""
    return _pupils_per_latrine(ctx, level, "girls")


@indicator("sch_pupils_per_latrine_boys",
           labels={"fr": "Garçons par latrine utilisable", "en": "Boys per usable latrine"},
           theme="education", unit="élèves/latrine", layers=(SCHOOLS,), direction="lower",
           threshold="pupils_per_latrine.boys")
def sch_pupils_per_latrine_boys(ctx: Context, level: int) -> Values:
    """Boys per usable boys' toilet."""
    return _pupils_per_latrine(ctx, level, "boys")


@indicator("sch_fenced", labels={"fr": "Écoles clôturées", "en": "Fenced schools"},
           theme="education", unit="%", layers=(SCHOOLS,), direction="higher")
def sch_fenced(ctx: Context, level: int) -> Values:
    """Share of fenced schools among those whose fence is known."""
    fenced = ctx.frame(SCHOOLS)["fenced"]
    groups = ctx.groups(SCHOOLS, level)
    return Values.of({"": divide(groups.count(fenced.fillna(False).to_numpy(bool)),
                                 groups.count(fenced.notna().to_numpy()), scale=100,
                                 why=[_no_schools(ctx, groups)],
                                 default=ctx.reason("no_data"))})


@indicator("sch_dist_water",
           labels={"fr": "Distance école → point d'eau fonctionnel amélioré (médiane)",
                   "en": "School to functional improved water point distance (median)"},
           theme="education", unit="m", layers=(SCHOOLS, WATER_POINTS), direction="lower",
           threshold="water_distance_m")
def sch_dist_water(ctx: Context, level: int) -> Values:
    """Median over schools of the distance to the nearest functional improved point.

    Straight lines, in the metric CRS.
    """
    groups = ctx.groups(SCHOOLS, level)
    distance = nearest_for_layer(ctx, SCHOOLS).distance
    median = groups.median(np.where(np.isinf(distance), np.nan, distance))
    return Values.single(median, why=[
        _no_schools(ctx, groups),
        (pd.Series(np.isinf(distance).any(), index=median.index),
         ctx.reason("no_functional_point"))])


@indicator("priority_schools",
           labels={"fr": "Écoles sans service d'eau de base",
                   "en": "Schools without basic drinking water"},
           theme="education", unit="nb", layers=(SCHOOLS,), direction="lower",
           breakdowns=(Breakdown("schools", {"fr": "écoles", "en": "schools"}),
                       Breakdown("pupils", {"fr": "élèves", "en": "pupils"}, unit="élèves")))
def priority_schools(ctx: Context, level: int) -> pd.DataFrame:
    """Schools whose water service is limited or absent, and their pupils.

    The list itself: :func:`atlas.diagnostics.priority.priority_schools`.
    """
    lacking = np.isin(school_ladders(ctx)["water"].to_numpy(), [LIMITED, NO_SERVICE])
    pupils = school_pupils(ctx)
    groups = ctx.groups(SCHOOLS, level)
    return pd.DataFrame({"schools": groups.count(lacking),
                         "pupils": groups.sum(np.where(lacking, pupils, 0.0))})
