"""Medians and intervals over replicates: the one rule every summary uses.

With at least :data:`MIN_REPS` values, ``lo``/``hi`` are the 2.5 % and 97.5 % quantiles (a 95 %
interval); with fewer, a quantile would pretend to a precision the replicates do not have, so
``lo``/``hi`` are the lowest and highest value (the range of n replicates), and the report and
console call them so.
"""

from __future__ import annotations

import numpy as np

MIN_REPS = 5  # fewer values than this: the interval is the range (lowest to highest)
QUANTILES = (0.5, 0.025, 0.975)


def interval(values: np.ndarray, axis: int = -1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median, lo and hi of ``values`` along ``axis`` (no NaN; see the module's rule)."""
    values = np.asarray(values, dtype=float)
    if values.shape[axis] < MIN_REPS:
        return np.median(values, axis=axis), values.min(axis=axis), values.max(axis=axis)
    median, lo, hi = np.quantile(values, QUANTILES, axis=axis)
    return median, lo, hi


def stats(values: np.ndarray) -> dict:
    """``{"median", "lo", "hi"}`` of the non-NaN values (all None when there are none)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if not len(v):
        return {"median": None, "lo": None, "hi": None}
    median, lo, hi = interval(v)
    return {"median": float(median), "lo": float(lo), "hi": float(hi)}
