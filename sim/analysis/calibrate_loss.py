"""The calibration loss: every target row (yearly, cohorts, trial) against its band.

A target row has a value, a band ``[lo, hi]`` and a weight (``sim/data/targets.csv``). The
simulated moment of a row is its mean over the candidate's replicate seeds (for the trial: the
share pooled over the seeds, as in ``trial.json``). Per row, with half-width ``h = (hi - lo)/2``:

    excess = max(0, lo - sim, sim - hi) / h        (0 inside the band)
    z      = (sim - value) / h                     (distance from the centre)

    loss   = sum_t w_t excess_t^2 / sum_t w_t      (0 when every row is inside its band)
    centre = sum_t w_t z_t^2 / sum_t w_t           (breaks ties among candidates with loss 0)

A row over every year (period ``*``) shares its weight over the years. A row with no simulated
value (a year not simulated, a cohort the model did not follow) is listed with ``simulated``
NaN and left out of both sums.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.analysis.targets import TABLES, load_targets
from sim.errors import InputError

TARGET_COLUMNS = ["metric", "group", "period", "value", "lo", "hi", "weight"]
TIE = 1e-3  # weight of ``centre`` in the objective the optimiser minimises (a tie-breaker)


def all_targets(path=None) -> pd.DataFrame:
    """Every row of a targets file (packaged one by default) with its ``table``."""
    parts = [load_targets(path, t).assign(table=t) for t in TABLES]
    return pd.concat(parts, ignore_index=True)


def check_targets(targets: pd.DataFrame, where: str) -> pd.DataFrame:
    """Columns present, bands valid and weights non-negative (InputError otherwise)."""
    missing = [c for c in TARGET_COLUMNS if c not in targets.columns]
    if missing:
        raise InputError(f"{where}: {missing[0]}: required column missing")
    for i, t in enumerate(targets.itertuples(index=False)):
        if not (t.lo <= t.value <= t.hi) or not t.hi > t.lo:
            raise InputError(f"{where}: row {i + 2}: need lo <= value <= hi and lo < hi")
        if not t.weight >= 0:
            raise InputError(f"{where}: row {i + 2}: weight must be non-negative")
    return targets


# -- simulated moments --------------------------------------------------------------------------
def yearly_means(yearly: pd.DataFrame) -> dict[tuple, float]:
    """(metric, group, period) → mean over replicates."""
    if yearly is None or yearly.empty:
        return {}
    means = yearly.groupby(["metric", "group", "period"])["value"].mean()
    return {(m, g, int(p)): float(v) for (m, g, p), v in means.items()}


def cohort_means(cohorts: pd.DataFrame | None) -> dict[tuple, float]:
    """(``cohort_share``, group, month) → mean over replicates, for both group forms.

    ``<cohort>:<activity>`` sums the NAV statuses of that activity; ``<cohort>:<activity>:
    <nav_status>`` is one cell (``cohorts.parquet``, DESIGN "Cohorts").
    """
    if cohorts is None or cohorts.empty:
        return {}
    out: dict[tuple, float] = {}
    keys = ["cohort", "activity", "nav_status"]
    for by in (keys[:2], keys):
        per_rep = cohorts.groupby(["replicate", "month", *by])["value"].sum()
        means = per_rep.groupby(level=["month", *by]).mean()
        for idx, v in means.items():
            month, *parts = idx
            out[("cohort_share", ":".join(map(str, parts)), int(month))] = float(v)
    return out


def trial_shares(trials: dict[str, dict]) -> dict[tuple, float]:
    """(metric, group, month) from ``trial.json`` dicts by population: shares and risk ratios."""
    out: dict[tuple, float] = {}
    for population, trial in trials.items():
        arms = trial.get("arms", {})
        for arm, outcomes in arms.items():
            for outcome, cells in outcomes.items():
                for month, cell in cells.items():
                    key = (f"trial_{outcome}", f"{population}:{arm}", int(month))
                    if cell.get("share") is not None:
                        out[key] = cell["share"]
        for pair, outcomes in trial.get("risk_ratio", {}).items():
            for outcome, ratios in outcomes.items():
                for month, ratio in ratios.items():
                    if ratio is not None:
                        out[(f"trial_rr_{outcome}", f"{population}:{pair}", int(month))] = ratio
    return out


def moments(
    targets: pd.DataFrame,
    yearly: pd.DataFrame | None = None,
    cohorts: pd.DataFrame | None = None,
    trials: dict[str, dict] | None = None,
) -> pd.DataFrame:
    """One row per target (and year for ``*``): simulated moment, ``excess``, ``z`` and ``w``."""
    sims = {
        "yearly": yearly_means(yearly),
        "cohorts": cohort_means(cohorts),
        "trial": trial_shares(trials or {}),
    }
    rows = []
    for t in targets.itertuples(index=False):
        table = getattr(t, "table", "yearly")
        have = sims[table]
        periods = _periods(have, t)
        for period in periods or [str(t.period)]:
            sim = have.get((t.metric, t.group, period), math.nan) if periods else math.nan
            rows.append(_row(t, table, period, sim, t.weight / max(len(periods), 1)))
    return pd.DataFrame(rows)


def _periods(have: dict[tuple, float], t) -> list[int]:
    if str(t.period) == "*":
        return sorted(p for (m, g, p) in have if (m, g) == (t.metric, t.group))
    return [int(t.period)] if (t.metric, t.group, int(t.period)) in have else []


def _row(t, table: str, period, sim: float, w: float) -> dict:
    half = (t.hi - t.lo) / 2.0
    excess = max(0.0, t.lo - sim, sim - t.hi) / half if not math.isnan(sim) else math.nan
    return {
        "table": table, "metric": t.metric, "group": t.group, "period": period,
        "target": t.value, "lo": t.lo, "hi": t.hi, "weight": t.weight, "w": w,
        "simulated": sim, "excess": excess, "z": (sim - t.value) / half,
        "inside": bool(t.lo <= sim <= t.hi),
    }  # fmt: skip


def _weighted(table: pd.DataFrame, column: str) -> float:
    ok = table[~table["simulated"].isna()] if not table.empty else table
    if ok.empty or ok["w"].sum() <= 0:
        return math.inf
    return float((ok["w"] * ok[column] ** 2).sum() / ok["w"].sum())


def loss(table: pd.DataFrame) -> float:
    """The band loss: weighted mean squared excess outside the bands (0 when all inside)."""
    return _weighted(table, "excess")


def centre(table: pd.DataFrame) -> float:
    """The weighted mean squared distance from the targets' central values."""
    return _weighted(table, "z")


def objective(table: pd.DataFrame) -> float:
    """What the optimiser minimises: the loss, ties among in-band candidates by ``centre``."""
    return loss(table) + TIE * centre(table)


def row_keys(table: pd.DataFrame) -> list[str]:
    """A stable text key per moment row (``table|metric|group|period``)."""
    return [
        f"{a}|{b}|{c}|{d}"
        for a, b, c, d in zip(
            table["table"], table["metric"], table["group"], table["period"], strict=True
        )
    ]


class Scorer:
    """The objective of many vectors of moments at once (rows of ``sims``, ``table``'s order).

    Used on the emulator's predictions; rows of ``table`` without a simulated value are left
    out, as in :func:`loss`. The bands are read once.
    """

    def __init__(self, table: pd.DataFrame):
        self.ok = ~table["simulated"].isna().to_numpy()
        cols = (table[c].to_numpy(float)[self.ok] for c in ("lo", "hi", "target", "w"))
        self.lo, self.hi, self.value, self.w = cols
        self.half = (self.hi - self.lo) / 2.0

    def __call__(self, sims: np.ndarray) -> np.ndarray:
        """One objective per row of ``sims``."""
        sims = np.atleast_2d(sims)[:, self.ok]
        total = self.w.sum()
        if total <= 0:
            return np.full(len(sims), math.inf)
        excess = np.maximum(0.0, np.maximum(self.lo - sims, sims - self.hi)) / self.half
        z = (sims - self.value) / self.half
        return ((excess**2) @ self.w + TIE * ((z**2) @ self.w)) / total


def objectives(sims: np.ndarray, table: pd.DataFrame) -> np.ndarray:
    """:class:`Scorer` of ``table`` applied to ``sims`` (one objective per row)."""
    return Scorer(table)(sims)
