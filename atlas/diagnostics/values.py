"""What an indicator returns for one level: values, and why the missing ones are missing.

There is a value per territory and breakdown, and a reason for every missing value.

Missing data must never read as a zero, so a NaN always travels with a sentence that
explains it ("aucune école", "couche vide"...). The helpers build the common shapes
(shares, ratios) with their reasons, so compute functions stay a few lines long.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Column name of an indicator without breakdowns.
SINGLE = ""

Column = tuple[pd.Series, pd.Series]
#: (condition, reason) pairs; a reason is one sentence or a Series of them (e.g. the
#: reasons of an input that is missing, passed on).
Why = Sequence[tuple[pd.Series | np.ndarray, "str | pd.Series"]]


def numbers(values: pd.Series | np.ndarray, fill: float = np.nan) -> np.ndarray:
    """Numbers (nullable integers, floats, booleans) as float64, missing as NaN or ``fill``."""
    if isinstance(values, pd.Series):
        return values.astype("Float64").to_numpy(dtype="float64", na_value=fill)
    return np.asarray(values, dtype="float64")


def add_known(*arrays: np.ndarray) -> np.ndarray:
    """Element-wise sum skipping unknowns; NaN only where every term is unknown.

    For girls + boys when one of them was not recorded.
    """
    stacked = np.vstack(arrays)
    total = np.nansum(stacked, axis=0)
    return np.where(np.isnan(stacked).all(axis=0), np.nan, total)


def explain(values: pd.Series, why: Why = (), default: str | None = None) -> Column:
    """Attach reasons to the NaNs of ``values``: the first condition that holds wins."""
    values = values.astype("float64")
    reasons = np.full(len(values), None, dtype=object)
    open_ = values.isna().to_numpy().copy()  # missing and not yet explained
    for condition, text in why:
        hit = open_ & np.asarray(condition, dtype=bool)
        reasons[hit] = text.to_numpy(dtype=object)[hit] if isinstance(text, pd.Series) else text
        open_ &= ~hit
    if default is not None:
        reasons[open_] = default
    return values, pd.Series(reasons, index=values.index, dtype="object")


def divide(num: pd.Series, den: pd.Series, *, scale: float = 1.0, why: Why = (),
           default: str | None = None) -> Column:
    """``num / den * scale``, NaN (with a reason) where ``den`` is zero or unknown."""
    den = den.astype("float64")
    values = (num.astype("float64") / den.where(den != 0)) * scale
    return explain(values, why, default)


@dataclass
class Values:
    """Values (float) and reasons (text or None) with the same index and columns.

    Rows are the territory codes of one level, columns the breakdown codes (``""``
    when there is none). ``labels`` names breakdowns found in the data (years,
    programmes) rather than declared with the indicator.
    """

    values: pd.DataFrame
    reasons: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, columns: Mapping[str, Column | pd.Series],
           labels: Mapping[str, str] | None = None) -> Values:
        """Values from ``{breakdown: (values, reasons)}`` (or bare value Series)."""
        values, reasons = {}, {}
        for code, item in columns.items():
            value, reason = item if isinstance(item, tuple) else explain(item)
            values[str(code)], reasons[str(code)] = value.astype("float64"), reason
        return cls(pd.DataFrame(values), pd.DataFrame(reasons, dtype="object"),
                   dict(labels or {}))

    @classmethod
    def single(cls, values: pd.Series, why: Why = (), default: str | None = None) -> Values:
        """An indicator without breakdowns."""
        return cls.of({SINGLE: explain(values, why, default)})

    @classmethod
    def unavailable(cls, index: pd.Index, columns: Sequence[str], reason: str) -> Values:
        """All NaN for the same reason (a missing layer, no population...)."""
        columns = list(columns) or [SINGLE]
        return cls(pd.DataFrame(np.nan, index=index, columns=columns, dtype="float64"),
                   pd.DataFrame(reason, index=index, columns=columns, dtype="object"))

    @classmethod
    def coerce(cls, result: object, index: pd.Index) -> Values:
        """Normalise what a compute function returned and align it on the level's codes."""
        if isinstance(result, Values):
            out = result
        elif isinstance(result, pd.Series):
            out = cls.single(result)
        elif isinstance(result, pd.DataFrame):
            out = cls.of({str(c): result[c] for c in result.columns})
        elif isinstance(result, np.ndarray) and result.ndim == 1 and len(result) == len(index):
            out = cls.single(pd.Series(result, index=index))
        else:
            raise TypeError(f"an indicator returned {type(result).__name__}")
        values = out.values.reindex(index)
        reasons = out.reasons.reindex(index=index, columns=values.columns)
        values.columns = [str(c) for c in values.columns]
        reasons.columns = values.columns
        return cls(values.astype("float64"), reasons.astype("object"), out.labels)
