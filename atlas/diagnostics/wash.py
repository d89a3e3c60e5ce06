"""JMP service ladders for water, sanitation and hygiene in schools (SDG 4.a.1).

Each school gets one level per service: ``basic``, ``limited``, ``no_service``, or
``unknown`` when its survey does not say enough to decide (JMP leaves such schools out
of the estimates rather than guessing, and so do the shares built on these ladders).

- Water: basic = improved source with water available on the survey day; limited =
  improved source, no water that day; no service = unimproved source or none.
- Sanitation: basic = improved toilets, single-sex and usable (for each sex the school
  teaches, at least one usable toilet of its own); limited = improved but not
  single-sex or not usable; no service = unimproved toilets, or none at all.
- Hygiene: basic = handwashing facility with water and soap; limited = water, no soap;
  no service = no facility, or a facility without water.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..names import SCHOOLS
from .context import Context
from .values import add_known, numbers

BASIC, LIMITED, NO_SERVICE, UNKNOWN = "basic", "limited", "no_service", "unknown"
LEVELS = (BASIC, LIMITED, NO_SERVICE, UNKNOWN)
SERVICES = ("water", "sanitation", "hygiene")


def _flag(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(true, known) masks of a nullable boolean column."""
    known = values.notna().to_numpy()
    return values.fillna(False).to_numpy(dtype=bool) & known, known


def _ladder(conditions: list[tuple[np.ndarray, str]], size: int) -> np.ndarray:
    """First matching level per school; ``unknown`` when none matches."""
    if not size:
        return np.array([], dtype=object)
    return np.select([c for c, _ in conditions], [lvl for _, lvl in conditions],
                     default=UNKNOWN).astype(object)


def _water(ctx: Context, frame: pd.DataFrame) -> np.ndarray:
    source = frame["water_source"]
    improved = source.isin(ctx.field_codes(SCHOOLS, "water_source", "improved")).to_numpy()
    unimproved = source.isin(
        ctx.field_codes(SCHOOLS, "water_source", "improved", False)).to_numpy()
    available, known = _flag(frame["water_available"])
    return _ladder([(unimproved, NO_SERVICE), (improved & available, BASIC),
                    (improved & known & ~available, LIMITED)], len(frame))


def _needs(pupils: np.ndarray) -> np.ndarray:
    """A school needs toilets for a sex unless it is known to have no pupil of that sex."""
    return ~(pupils == 0)


def usable_latrines(ctx: Context, sex: str) -> np.ndarray:
    """Usable toilets reserved to one sex (``girls`` or ``boys``) per school.

    An unknown usable count is 0 when the school is known to have no toilet of that
    sex at all; otherwise it stays unknown (NaN).
    """
    usable = ctx.numbers(SCHOOLS, f"latrines_{sex}_usable")
    return np.where(np.isnan(usable) & (ctx.numbers(SCHOOLS, f"latrines_{sex}") == 0),
                    0.0, usable)


def _sanitation(ctx: Context, frame: pd.DataFrame) -> np.ndarray:
    kind = frame["sanitation_type"]
    improved = kind.isin(ctx.field_codes(SCHOOLS, "sanitation_type", "improved")).to_numpy()
    unimproved = kind.isin(
        ctx.field_codes(SCHOOLS, "sanitation_type", "improved", False)).to_numpy()
    counts = np.column_stack([numbers(frame[f"latrines_{s}"]) for s in ("girls", "boys", "mixed")])
    none_at_all = np.all(np.nan_to_num(counts, nan=0.0) == 0, axis=1) \
        & ~np.all(np.isnan(counts), axis=1)
    verdicts = []
    for sex in ("girls", "boys"):
        usable = usable_latrines(ctx, sex)
        needed = _needs(numbers(frame[f"pupils_{sex}"]))
        ok = np.where(needed, usable > 0, True)
        verdicts.append(np.where(needed & np.isnan(usable), np.nan, ok.astype(float)))
    separate = np.column_stack(verdicts)
    basic = improved & np.all(separate == 1, axis=1)
    limited = improved & np.any(separate == 0, axis=1)
    return _ladder([(unimproved, NO_SERVICE), (improved & none_at_all, NO_SERVICE),
                    (basic, BASIC), (limited, LIMITED)], len(frame))


def _hygiene(frame: pd.DataFrame) -> np.ndarray:
    facility, facility_known = _flag(frame["handwashing_facility"])
    water, water_known = _flag(frame["handwashing_water"])
    soap, soap_known = _flag(frame["handwashing_soap"])
    return _ladder([(facility_known & ~facility, NO_SERVICE),
                    (facility & water_known & ~water, NO_SERVICE),
                    (facility & water & soap, BASIC),
                    (facility & water & soap_known & ~soap, LIMITED)], len(frame))


def school_pupils(ctx: Context) -> np.ndarray:
    """Pupils of each school, girls and boys (NaN when neither is recorded)."""
    return ctx.memo("school_pupils", lambda: add_known(ctx.numbers(SCHOOLS, "pupils_girls"),
                                                       ctx.numbers(SCHOOLS, "pupils_boys")))


def school_ladders(ctx: Context) -> pd.DataFrame:
    """Water, sanitation and hygiene level of every school (rows as in the layer)."""
    def build() -> pd.DataFrame:
        frame = ctx.frame(SCHOOLS)
        return pd.DataFrame({"water": _water(ctx, frame),
                             "sanitation": _sanitation(ctx, frame),
                             "hygiene": _hygiene(frame)}, index=frame.index)
    return ctx.memo("school_ladders", build, step="JMP ladders of schools")
