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


Z95 = 1.959964  # the normal 97.5 % quantile: a 95 % interval is the mean ± Z95 sd


def parts(values: np.ndarray, keys: list) -> dict | None:
    """The interval split into stochastic and parameter parts (law of total variance).

    ``keys[i]`` is replicate i's parameter draw (any hashable; equal keys share a draw) or
    None for a replicate without a draw. The stochastic variance is the pooled variance of
    replicates around their draw's mean, from the draws that have two or more replicates; when
    every draw has one replicate, the variance of the replicates without a draw (the same
    model at the package's values) stands in for it. The parameter variance is the drawn
    replicates' variance minus the stochastic one (at least 0). Each part is shown as the
    median of the drawn replicates ± :data:`Z95` standard deviations (a normal approximation:
    the two parts' variances add up to the total, their widths do not).

    Returns:
        ``{"stochastic": {"lo", "hi"}, "parameter": {"lo", "hi"}}``, or None when no replicate
        has a draw or the stochastic variance cannot be estimated (one replicate per draw and
        fewer than two replicates without a draw).
    """
    v = np.asarray(values, dtype=float)
    drawn = np.array([k is not None for k in keys], dtype=bool)
    if drawn.sum() < 2 or np.isnan(v).any():
        return None
    groups: dict = {}
    for k, x in zip(keys, v, strict=True):
        if k is not None:
            groups.setdefault(k, []).append(x)
    shared = [np.asarray(g) for g in groups.values() if len(g) > 1]
    if shared:
        ss = sum(float(((g - g.mean()) ** 2).sum()) for g in shared)
        var_s = ss / sum(len(g) - 1 for g in shared)
    elif (~drawn).sum() >= 2:
        var_s = float(np.var(v[~drawn], ddof=1))
    else:
        return None
    var_p = max(float(np.var(v[drawn], ddof=1)) - var_s, 0.0)
    mid = float(np.median(v[drawn]))
    return {
        name: {"lo": mid - Z95 * np.sqrt(var), "hi": mid + Z95 * np.sqrt(var)}
        for name, var in (("stochastic", var_s), ("parameter", var_p))
    }
