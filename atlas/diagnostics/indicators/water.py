"""Water points: counts, functionality, density, load, coverage, age, priorities.

Load per point is by type against Sphere maxima; coverage is within the Sphere
distance; priorities count localities left without a water point within it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...names import LOCALITIES, WATER_POINTS
from ..access import (
    IF_UNKNOWN_WORKED,
    SPHERE_CLASSES,
    coverage,
    functional_improved,
    nearest_for_layer,
    served_population,
    sphere_class,
)
from ..context import Context
from ..population import located_population_problem, population_total
from ..registry import POPULATION, Breakdown, indicator
from ..values import Values, divide, explain
from .shares import functional_breakdowns, functional_share


def _no_points(ctx: Context, level: int) -> tuple[pd.Series, str]:
    return ctx.groups(WATER_POINTS, level).count() == 0, ctx.reason("no_water_points")


@indicator("wp_count", labels={"fr": "Points d'eau", "en": "Water points"}, theme="water",
           unit="nb", layers=(WATER_POINTS,))
def wp_count(ctx: Context, level: int) -> pd.Series:
    """All water points, whatever their state."""
    return ctx.groups(WATER_POINTS, level).count()


@indicator("wp_functional", labels={"fr": "Taux de fonctionnement des points d'eau",
                                    "en": "Water points functionality rate"},
           theme="water", unit="%", layers=(WATER_POINTS,), direction="higher",
           breakdowns=functional_breakdowns({"fr": "points d'état inconnu",
                                             "en": "points of unknown state"}))
def wp_functional(ctx: Context, level: int) -> Values:
    """Functional (or partly functional) points among those whose state is known.

    The points of unknown state are counted beside the rate, never guessed.
    """
    return functional_share(ctx, WATER_POINTS, level, "no_water_points")


@indicator("wp_per_1000", labels={"fr": "Points d'eau fonctionnels améliorés pour 1\u00a0000 hab.",
                                  "en": "Functional improved water points per 1,000 people"},
           theme="water", unit="/1000 hab", layers=(WATER_POINTS, POPULATION), direction="higher")
def wp_per_1000(ctx: Context, level: int) -> Values:
    """Functional improved points per 1,000 inhabitants of the territory."""
    population, why = population_total(ctx, level)
    points = ctx.groups(WATER_POINTS, level).count(functional_improved(ctx))
    return Values.of({"": divide(points, population, scale=1000, why=[
        (why.notna(), why), (population == 0, ctx.reason("no_population"))])})


@indicator("wp_load", labels={"fr": "Habitants par point d'eau fonctionnel amélioré, par type",
                              "en": "People per functional improved water point, by type"},
           theme="water", unit="hab/PE", layers=(WATER_POINTS, POPULATION), direction="lower",
           breakdowns=tuple(Breakdown(c, labels, threshold=f"wp_users_max.{c}") for c, labels in (
               ("tap", {"fr": "robinet", "en": "tap"}),
               ("hand_pump", {"fr": "pompe à main", "en": "hand pump"}),
               ("open_well", {"fr": "puits ouvert", "en": "open well"}))))
def wp_load(ctx: Context, level: int) -> Values:
    """Mean users per point of each Sphere type in the territory.

    Each person uses their nearest functional improved point, so nobody is counted
    twice.
    """
    index = ctx.level_index(level)
    problem = located_population_problem(ctx)
    if problem is not None:
        return Values.unavailable(index, SPHERE_CLASSES, problem)
    groups = ctx.groups(WATER_POINTS, level)
    usable, kind, served = functional_improved(ctx), sphere_class(ctx), served_population(ctx)
    columns = {}
    for code in SPHERE_CLASSES:
        mine = usable & (kind == code)
        columns[code] = divide(groups.sum(np.where(mine, served, 0.0)), groups.count(mine),
                               default=ctx.reason("no_point_of_type"))
    return Values.of(columns)


@indicator("pop_within_500m",
           labels={"fr": "Population à ≤ {distance} m d'un point d'eau fonctionnel amélioré",
                   "en": "Population within {distance} m of a functional improved water point"},
           theme="water", unit="%", layers=(POPULATION, WATER_POINTS), direction="higher",
           breakdowns=(Breakdown("", {"fr": "points connus en service",
                                      "en": "points known to work"}),
                       Breakdown(IF_UNKNOWN_WORKED, {
                           "fr": "si les points d'état inconnu fonctionnaient",
                           "en": "if the points of unknown state worked"},
                           direction="neutral")))
def pop_within_500m(ctx: Context, level: int) -> Values:
    """Share of the population within the distance of a functional improved point.

    Sphere: 500 m; each cell or locality is counted once. Only points known to work
    count; the second breakdown also counts the improved points of unknown state, so
    the two values are the honest range of the coverage rather than a guess.
    """
    index = ctx.level_index(level)
    problem = located_population_problem(ctx)
    if problem is not None:
        return Values.unavailable(index, ["", IF_UNKNOWN_WORKED], problem)
    _, why = population_total(ctx, level)
    columns = {}
    for code, optimistic in (("", False), (IF_UNKNOWN_WORKED, True)):
        population, covered = coverage(ctx, level, optimistic=optimistic)
        columns[code] = divide(covered, population, scale=100, why=[
            (why.notna(), why), (population == 0, ctx.reason("no_population"))])
    return Values.of(columns)


@indicator("wp_age", labels={"fr": "Âge moyen des points d'eau", "en": "Mean age of water points"},
           theme="water", unit="ans", layers=(WATER_POINTS,), direction="lower")
def wp_age(ctx: Context, level: int) -> Values:
    """Mean of (reference year − installation year) over points whose year is known."""
    years = ctx.numbers(WATER_POINTS, "install_year")
    mean = ctx.groups(WATER_POINTS, level).mean(ctx.options.reference_year - years)
    return Values.single(mean, why=[_no_points(ctx, level)], default=ctx.reason("no_data"))


@indicator("priority_localities",
           labels={"fr": "Localités sans point d'eau fonctionnel amélioré à ≤ {distance} m",
                   "en": "Localities without a functional improved water point within "
                         "{distance} m"},
           theme="water", unit="nb", layers=(LOCALITIES, WATER_POINTS), direction="lower",
           breakdowns=(Breakdown("localities", {"fr": "localités", "en": "localities"}),
                       Breakdown("population", {"fr": "population", "en": "population"},
                                 unit="hab")))
def priority_localities(ctx: Context, level: int) -> Values:
    """Localities beyond the distance and their people.

    The people are those of the localities whose population is known: none known
    (a village list without population) is "n/a" with its reason, never 0.
    The list itself: :func:`atlas.diagnostics.priority.priority_localities`.
    """
    far = ~(nearest_for_layer(ctx, LOCALITIES).distance <= ctx.options.distance)
    far &= ~np.isnan(ctx.xy(LOCALITIES)[:, 0])
    people = ctx.numbers(LOCALITIES, "population")
    groups = ctx.groups(LOCALITIES, level)
    count, known = groups.count(far), groups.count(far & ~np.isnan(people))
    unknown = (count > 0) & (known == 0)
    population = groups.sum(np.where(far, people, np.nan)).where(~unknown)
    return Values.of({
        "localities": count.astype("float64"),
        "population": explain(population, [(unknown, ctx.reason("no_locality_population"))]),
    })
