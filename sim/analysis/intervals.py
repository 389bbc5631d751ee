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
    None for a replicate without a draw. When draws have several replicates
    (``--reps-per-draw``), the variances are the one-way analysis-of-variance estimates over
    the draws: the stochastic variance is the mean square within draws, the parameter variance
    ``(MS_between - MS_within) / n0`` (``n0`` the replicates per draw, adjusted for unequal
    groups; at least 0). When every draw has one replicate, the variance of the replicates
    without a draw (the same model at the package's values) stands in for the stochastic one,
    and the parameter variance is the drawn replicates' variance minus it. Each part is shown
    as the median of the drawn replicates ± :data:`Z95` standard deviations (a normal
    approximation: the two parts' variances add up to the total, their widths do not).

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
    g = [np.asarray(x) for x in groups.values()]
    if any(len(x) > 1 for x in g):
        var_s, var_p = _anova(g)
    elif (~drawn).sum() >= 2:
        var_s = float(np.var(v[~drawn], ddof=1))
        var_p = max(float(np.var(v[drawn], ddof=1)) - var_s, 0.0)
    else:
        return None
    mid = float(np.median(v[drawn]))
    return {
        name: {"lo": mid - Z95 * np.sqrt(var), "hi": mid + Z95 * np.sqrt(var)}
        for name, var in (("stochastic", var_s), ("parameter", var_p))
    }


def _anova(groups: list[np.ndarray]) -> tuple[float, float]:
    """(within, between) variance components of one-way random-effects groups."""
    n = np.array([len(x) for x in groups], dtype=float)
    total, k = n.sum(), len(groups)
    within = sum(float(((x - x.mean()) ** 2).sum()) for x in groups) / (total - k)
    if k < 2:
        return within, 0.0  # one draw: its parameter spread cannot be seen
    grand = float(np.concatenate(groups).mean())
    between = sum(len(x) * (x.mean() - grand) ** 2 for x in groups) / (k - 1)
    n0 = (total - float((n**2).sum()) / total) / (k - 1)
    return within, max(float(between - within) / n0, 0.0)
