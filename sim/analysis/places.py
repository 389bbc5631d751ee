"""Use of places: the IPS team's and the coordinators' places, and the share of them in use.

Read from a scenario's stacked yearly rows (:class:`sim.analysis.summary.Stack`) so that a
scenario's cost can be shown next to its use of what it buys (``summary.json`` ``places``).
"""

from __future__ import annotations

import numpy as np

from sim.analysis.intervals import stats

PLACE_SERVICES = {"ips": "service:ips", "coordinator": "service:coordinator"}


def places(stack) -> dict:
    """Places of the IPS team and the coordinators, and the share of them in use.

    From the November rows each service with a capacity writes (:mod:`sim.core.metrics`):
    ``capacity_used_share`` (active clients / capacity) and ``active_count`` (active clients,
    represented population), so the places (represented) are ``active_count /
    capacity_used_share`` in a year with anyone active. Per replicate: the mean over the
    horizon's years; then ``{median, lo, hi}`` over replicates. A service with no capacity in
    any year (no rows, e.g. coordinators in the baseline) is left out.

    Returns:
        ``{"ips": {"mean": stats, "used_share": stats}, "coordinator": {...}}``.
    """
    metric, group = (stack.cells[k].to_numpy() for k in ("metric", "group"))
    period = stack.cells["period"].to_numpy()
    out = {}
    for name, where in PLACE_SERVICES.items():
        rows = {
            "share": np.flatnonzero((metric == "capacity_used_share") & (group == where)),
            "active": np.flatnonzero((metric == "active_count") & (group == where)),
        }
        if not len(rows["share"]):
            continue
        at = {p: i for i, p in zip(rows["active"], period[rows["active"]], strict=True)}
        share = stack.value[rows["share"]]  # years x replicates (NaN where a run has no row)
        active = np.full_like(share, np.nan)
        for k, p in enumerate(period[rows["share"]]):
            if p in at:
                active[k] = stack.value[at[p]]
        with np.errstate(divide="ignore", invalid="ignore"):
            count = np.where(share > 0, active / share, np.nan)
        out[name] = {"mean": stats(_nanmean(count)), "used_share": stats(_nanmean(share))}
    return out


def _nanmean(a: np.ndarray) -> np.ndarray:
    """Mean over the first axis without NaN; NaN where a column has no value."""
    n = (~np.isnan(a)).sum(axis=0)
    total = np.nansum(a, axis=0)
    return np.where(n > 0, total / np.maximum(n, 1), np.nan)
