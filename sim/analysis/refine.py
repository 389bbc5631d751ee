"""The clinics' treatment places drawn from their conditional posterior, one world at a time.

A specialist clinic's waiting time is a knife edge: with places a little short of what the
referrals need, the list grows for years; a little over, nobody waits beyond the minimum. The
quadratic emulators of the posterior fit (:mod:`sim.analysis.posterior`, at scale 0.1) cannot
follow that edge (their leave-one-out errors on the waits are in ``posterior.json``), so the
ABC kernel, widened by that error, hardly constrained BUP's and DPS's places, and the waits of
worlds drawn from the emulators' posterior fall far outside their bands on both sides
(``benchmarks/bench_posterior.py`` with that posterior shows it).

Given the rest of a world (its demand: onset, referral and recovery), the places are pinned
down by the wait. So each world's places are redrawn from their conditional posterior given
the rest of that world: one componentwise step of ABC (Clarté, Robert, Ryder & Stoehr,
"Component-wise approximate Bayesian computation via Gibbs-like steps", Biometrika 2021,
arXiv:1905.13599). The world is run at ``GRID`` quantiles of the places' prior (both clinics
at the same quantile in one run; the two lists hardly interact), each clinic's log wait and
log patients treated are interpolated linearly between the grid points, and the new quantile
is drawn uniformly from those where both of that clinic's start-year targets are inside their
bands: uniform, because a prior (triangular or uniform) is uniform in its own quantiles. Each
world draws from its own stream (``REFINE_KEY``), so the step is reproducible, and its grid
runs use their own model seed (:func:`grid_seed`), not the one its verification runs with.

Weights: in the joint posterior of (rest, places) a world counts in proportion to the prior
probability of places that fit it (:func:`mass`, the product over the clinics), since a world
whose demand fits only a narrow window of places is less likely than one that fits a wide
window, though each gets one draw of its places. A world in which no number of places fits
(mass 0) is dropped. The verification (:mod:`sim.analysis.verify`) writes these weights into
the posterior file, and its effective sample size is Kish's, ``(sum w)^2 / sum w^2``.

What it cannot do: one run per grid point carries replicate noise, and the interpolation is
linear between grid points and flat beyond the grid's ends (below 0.02 and above 0.98 the end
values are held), so the chosen places fit approximately; the verification runs each world
again on another seed and keeps those that fit, which conditions the places on the clinics'
targets a second time (their spread is a little narrower than one condition would give). The
rest of the world was accepted by the emulators at its original places and is not redrawn
given the new ones (one block of a Gibbs sweep, not a chain), so the result is an
approximation of the joint posterior, checked by the verification and the benchmark.
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
    fine point fits when every metric's interpolated value is inside its band. A metric with
    a missing or non-positive value at any grid point cannot be read: nothing fits.
    """
    ok = np.ones(len(FINE), bool)
    for band in bands.itertuples(index=False):
        y = np.asarray(values[band.metric], float)
        if not (np.isfinite(y) & (y > 0)).all():
            return np.zeros(len(FINE), bool)
        line = np.exp(np.interp(FINE, grid, np.log(y)))
        ok &= (line >= band.lo) & (line <= band.hi)
    return ok


def mass(grid: np.ndarray, values: dict[str, list[float]], bands: pd.DataFrame) -> float:
    """The prior probability of places that fit the clinic in this world (0 to 1).

    The world's weight in the joint posterior of (rest, places) is the product of its
    clinics' masses: a world whose demand fits only a narrow window of places is less likely
    than one that fits a wide window, though each gets one draw of its places.
    """
    return float(fitting(grid, values, bands).mean())


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
