"""Features grouped by the territories of one level: every aggregate in one vectorised pass.

Diagnostics never join geometries per level: each feature (or raster cell) carries the
position of its territory in the level's ordered codes, and sums, counts and means are
``numpy.bincount`` calls over those positions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .values import numbers


class Grouping:
    """Features (or raster cells) assigned to the territories of one level.

    ``pos`` holds, for each feature, the position of its territory in ``index`` (-1 when
    it lies in none of the level's territories, e.g. an activity attached to a coarser
    territory), so every aggregate is one vectorised pass.
    """

    def __init__(self, index: pd.Index, pos: np.ndarray) -> None:
        self.index = index
        self.pos = pos
        self.inside = pos >= 0
        self._everyone = bool(self.inside.all())  # raster cells: no copy per aggregate
        self._valid = pos if self._everyone else pos[self.inside]

    def _bincount(self, weights: np.ndarray | None = None) -> pd.Series:
        if weights is not None and not self._everyone:
            weights = weights[self.inside]
        counts = np.bincount(self._valid, weights=weights, minlength=len(self.index))
        return pd.Series(counts.astype("float64"), index=self.index)

    def count(self, mask: np.ndarray | pd.Series | None = None) -> pd.Series:
        """Number of features (where ``mask``) per territory; 0 where there are none."""
        if mask is None:
            return self._bincount()
        return self._bincount(numbers(mask, fill=0.0))

    def sum(self, values: np.ndarray | pd.Series) -> pd.Series:
        """Sum per territory, unknown values skipped; 0 where there is nothing."""
        return self._bincount(np.nan_to_num(numbers(values), nan=0.0))

    def total(self, values: np.ndarray | pd.Series,
              among: np.ndarray | None = None) -> pd.Series:
        """Sum of the known values of the features ``among`` (default: all).

        0 where no feature is concerned (a real zero); NaN where some are but none has
        a known value (missing data, not zero).
        """
        data = numbers(values)
        if among is not None:
            data = np.where(among, data, np.nan)
        concerned = self.count(among)
        return self.sum(data).where((self.known(data) > 0) | (concerned == 0))

    def known(self, values: np.ndarray | pd.Series) -> pd.Series:
        """Number of known (non-null) values per territory."""
        return self._bincount((~np.isnan(numbers(values))).astype("float64"))

    def mean(self, values: np.ndarray | pd.Series) -> pd.Series:
        """Mean of the known values; NaN where none is known."""
        known = self.known(values)
        return self.sum(values) / known.where(known > 0)

    def median(self, values: np.ndarray | pd.Series) -> pd.Series:
        """Median of the known values; NaN where none is known."""
        data = numbers(values)
        keep = self.inside & ~np.isnan(data)
        medians = pd.Series(data[keep]).groupby(self.pos[keep]).median()
        out = pd.Series(np.nan, index=self.index)
        out.iloc[medians.index.to_numpy()] = medians.to_numpy()
        return out

    def latest(self, rank: np.ndarray, labels: Sequence[str]) -> pd.Series:
        """Greatest value per territory; None where there is none.

        Values come as ``rank`` in the sorted ``labels`` (-1: unknown).
        """
        best = np.full(len(self.index), -1, dtype="int64")
        keep = self.inside & (rank >= 0)
        np.maximum.at(best, self.pos[keep], rank[keep])
        text = np.asarray(list(labels) + [None], dtype=object)
        return pd.Series(text[best], index=self.index, dtype="object")
