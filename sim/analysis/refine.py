"""The clinics' treatment places drawn from their conditional posterior, one world at a time.

A specialist clinic's waiting time is a knife edge: with places a little short of what the
referrals need, the list grows for years; a little over, nobody waits beyond the minimum. In
the drawn worlds of the emulators' posterior (:mod:`sim.analysis.posterior`) the mean wait in
DPS ranged from 16 to 280 days against a band of 35-70 (BUP 15-205), because the quadratic
emulators at scale 0.1 cannot follow that edge (their leave-one-out error was 1.4-2 times the
band's half-width), so the ABC kernel, widened by that error, hardly constrained the places:
their 90 % posterior interval was the prior's.

Given the rest of a world (its demand: onset, referral and recovery), the places are pinned
down by the wait. So each world's places are redrawn from their conditional posterior given
the rest of that world, one Gibbs step of ABC (Clarté, Robert, Ryder & Stoehr,
"Component-wise approximate Bayesian computation via Gibbs-like steps", Biometrika 2021,
arXiv:1905.13599):
the world is run at ``GRID`` quantiles of the places' prior (both clinics at the same quantile
in one run; the two lists hardly interact), the log wait and the patients treated are
interpolated between the grid points, and the new quantile is drawn uniformly (the prior is
uniform in its quantiles) from those where both of that clinic's start-year targets are
inside their bands. A world in which no number of places fits is dropped. Each world draws
from its own stream (``REFINE_KEY``), so the step is reproducible, and its grid runs use their
own model seed (:func:`grid_seed`), not the one its verification runs with.

What it cannot do: one run per grid point at a small scale carries replicate noise, and the
interpolation between grid points is linear, so the chosen places fit approximately; the
verification that follows (:mod:`sim.analysis.verify`) runs each world at scale 0.5 and keeps
only those that fit. The other parameters are not redrawn (one block of the Gibbs sweep).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

REFINE_KEY = 0x6B1B  # the stream key of the places' draws (distinct from the model's)
GRID = np.array([0.02, 0.17, 0.33, 0.5, 0.67, 0.83, 0.98])  # prior quantiles run per world
FINE = np.linspace(0.0, 1.0, 1001)  # where the interpolated targets are read
BLOCK = {"bup.capacity": "service:bup", "dps.capacity": "service:dps"}  # places → clinic group
METRICS = ("wait_days_mean", "patients_treated")  # the clinic's targets that its places decide


def clinic_targets(targets: pd.DataFrame, year: int, group: str) -> pd.DataFrame:
    """The clinic's start-year target rows (waiting time and patients treated)."""
    period = targets["period"].astype(str)
    keep = (targets["metric"].isin(METRICS) & (targets["group"] == group)
            & ((period == str(year)) | (period == "*")))  # fmt: skip
    return targets[keep]


def readings(yearly: pd.DataFrame, year: int, group: str) -> dict[str, float]:
    """The clinic's simulated start-year values of :data:`METRICS` (NaN when missing)."""
    at = yearly[(yearly["period"] == year) & (yearly["group"] == group)]
    values = at.groupby("metric")["value"].mean()
    return {m: float(values.get(m, np.nan)) for m in METRICS}


def fitting(grid: np.ndarray, values: dict[str, list[float]], bands: pd.DataFrame) -> np.ndarray:
    """Where on :data:`FINE` every band of the clinic holds, read between the grid points.

    ``values[metric]`` holds the run's value at each grid quantile; each is interpolated
    linearly in its logarithm (waits and counts are positive and change by factors), and a
    fine point fits when every metric's interpolated value is inside its band. Grid points
    whose value is missing or not positive are left out of that metric's interpolation.
    """
    ok = np.ones(len(FINE), bool)
    for band in bands.itertuples(index=False):
        y = np.asarray(values[band.metric], float)
        good = np.isfinite(y) & (y > 0)
        if good.sum() < 2:
            return np.zeros(len(FINE), bool)
        line = np.exp(np.interp(FINE, grid[good], np.log(y[good])))
        ok &= (line >= band.lo) & (line <= band.hi)
    return ok


def draw_quantile(rng: np.random.Generator, ok: np.ndarray) -> float | None:
    """A quantile drawn uniformly from the fine points that fit; None when none does."""
    where = np.flatnonzero(ok)
    if not len(where):
        return None
    step = FINE[1] - FINE[0]
    u = FINE[where[rng.integers(len(where))]] + step * (rng.random() - 0.5)
    return float(np.clip(u, 0.0, 1.0))


def grid_seed(seed: int) -> int:
    """The model seed of a world's grid runs (not its verification run's ``seed``)."""
    state = np.random.SeedSequence([int(seed), REFINE_KEY, 1]).generate_state(1, np.uint32)
    return int(state[0])


def stream(seed: int) -> np.random.Generator:
    """The places' draw stream of a world (by its replicate seed)."""
    return np.random.Generator(np.random.Philox(np.random.SeedSequence([int(seed), REFINE_KEY])))
