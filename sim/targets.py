"""Calibration targets (``sim/data/targets.csv``) and the check of results against them.

Each target has a band (lo, hi); period ``*`` means every simulated year (plausibility).
"""

from __future__ import annotations

import io
from importlib import resources

import pandas as pd


def load_targets(path=None) -> pd.DataFrame:
    """The targets table (the packaged file unless a path is given)."""
    if path is None:
        text = resources.files("sim").joinpath("data/targets.csv").read_text("utf-8")
        return pd.read_csv(io.StringIO(text), dtype={"period": str})
    return pd.read_csv(path, dtype={"period": str})


def compare(yearly: pd.DataFrame, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Simulated median and 95 % interval per target, and whether the median is in its band.

    Args:
        yearly: a yearly tidy table (one scenario; any number of replicates).
        targets: the targets table (default: the packaged one).

    Returns:
        One row per target (and per year for ``*`` targets).
    """
    targets = load_targets() if targets is None else targets
    rows = []
    for t in targets.itertuples(index=False):
        sel = yearly[(yearly["metric"] == t.metric) & (yearly["group"] == t.group)]
        periods = sorted(sel["period"].unique()) if t.period == "*" else [int(t.period)]
        for period in periods:
            v = sel[sel["period"] == period]["value"]
            rows.append(_row(t, period, v))
    return pd.DataFrame(rows)


def _row(t, period: int, values: pd.Series) -> dict:
    med = float(values.median()) if len(values) else float("nan")
    return {
        "metric": t.metric,
        "group": t.group,
        "period": period,
        "target": t.value,
        "lo": t.lo,
        "hi": t.hi,
        "simulated": med,
        "sim_lo": float(values.quantile(0.025)) if len(values) else float("nan"),
        "sim_hi": float(values.quantile(0.975)) if len(values) else float("nan"),
        "inside": bool(t.lo <= med <= t.hi) if len(values) else False,
        "weight": t.weight,
        "source": t.source,
    }
