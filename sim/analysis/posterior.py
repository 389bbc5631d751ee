"""The calibrated posterior: which parameters the targets constrain, and how far.

A point fit (``sim calibrate``) gives one world; drawing every uncertain parameter from its
prior range gives worlds that no longer reproduce the targets. The posterior is the prior
restricted to the worlds that do. It is found in three steps (``sim posterior``), each logged
evaluation by evaluation (:mod:`sim.analysis.calibrate_log`), so a run can be stopped and
continued:

1. **Screening.** Each ``uncertain`` parameter is moved alone to both ends
   of its prior range ``[lo, hi]``, the others at their values, with the same seeds (common
   random numbers). Its *shift* is the largest change of a target moment between the two ends,
   in half-widths of that target's band. ``calibrated`` parameters are fitted by definition
   (each has a target that moves with it). A parameter with shift ≥ ``ACTIVE`` is *active*: the
   targets constrain it, and drawing it from its prior would move a target out of its band, so
   it is fitted. A parameter whose runs are identical at both ends in the baseline and in every
   scenario screened is *inert* there and is never drawn. The rest move no target by much:
   they are drawn from their priors (the targets say nothing about them).
2. **History matching.** Waves of runs on a scrambled Sobol design in a box of the active
   parameters (the first wave: the whole prior box). Each target moment gets a quadratic
   emulator (:class:`sim.analysis.emulator.Emulator`); its error is the root mean square of
   the leave-one-out residuals. A point is *not implausible* when every target's
   implausibility ``|emulated - value| / sqrt((h/2)^2 + error^2)`` is at most ``CUTOFF``
   (``h`` the band's half-width, read as a 95 % interval), and the next wave's box is the
   bounding box of the not-implausible points.
3. **Approximate Bayesian computation** on the last wave's emulators: prior points (uniform
   in the unit cube, whose coordinates are each parameter's prior quantiles, so they are
   draws from the ``prior`` of each line, in rounds until ``POSTERIOR_ROWS`` are accepted or
   ``MAX_SAMPLES`` were screened) are accepted when every
   emulated target moment is inside its band, widened by twice the emulator's error in
   quadrature (``sqrt(h^2 + (2 error)^2)``): the uniform ABC kernel whose tolerance is the
   band, so an accepted world is one the targets call right, up to what the emulator knows.
   The accepted points are equally weighted, so the effective sample size is their number;
   ``POSTERIOR_ROWS`` of them are the posterior file.

Guards: the emulators' leave-one-out error is reported per target; a parameter whose accepted
values pile up at an edge of the last box that is not an edge of its prior is flagged
(the box may have cut the posterior); the method is checked on a synthetic truth drawn from
the prior (tests/test_posterior.py); and real runs of drawn worlds are checked against the
targets (``benchmarks/bench_posterior.py``).

What it cannot do: the emulators are quadratic, so a posterior with several separate modes or
sharp ridges is smoothed; the targets' bands are taken as the whole uncertainty of the
targets (no correlation between years of one target); parameters that move no target are not
learned from anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis import calibrate_loss as cl
from sim.analysis.emulator import Emulator, features

ACTIVE = 0.5  # shift (band half-widths, lo to hi end of the prior) that makes a parameter active
CUTOFF = 3.0  # implausibility cut of history matching (Pukelsheim's three-sigma rule)
SAMPLES = 200_000  # prior points screened by the emulators per wave, and per round of ABC
POSTERIOR_ROWS = 1000  # rows of the posterior file, and the accepted points ABC aims for
MAX_SAMPLES = 40_000_000  # prior points ABC may screen (in rounds of SAMPLES) to reach them
EDGE = 0.02  # share of a box's width counted as its edge in the truncation check


# -- screening ----------------------------------------------------------------------------------
def screen_points(base_u: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
    """(parameter index, end 0 or 1, unit point) of the one-at-a-time screening design."""
    out = []
    for i in range(len(base_u)):
        for end in (0, 1):
            u = base_u.copy()
            u[i] = float(end)
            out.append((i, end, u))
    return out


def shifts(moments: np.ndarray, half: np.ndarray, n: int) -> pd.DataFrame:
    """Each parameter's shift from its screening moments (rows: parameter-major, lo then hi).

    Returns:
        ``shift`` (largest change in band half-widths, NaN moments left out) and ``identical``
        (every moment equal at both ends: the model's runs did not change).
    """
    m = moments.reshape(n, 2, -1)
    diff = np.abs(m[:, 1, :] - m[:, 0, :])
    same = np.all((m[:, 1, :] == m[:, 0, :]) | (np.isnan(m[:, 1, :]) & np.isnan(m[:, 0, :])), 1)
    scaled = np.where(np.isnan(diff), 0.0, diff / half[None, :])
    return pd.DataFrame({"shift": scaled.max(axis=1), "identical": same})


# -- emulators ----------------------------------------------------------------------------------
@dataclass
class Emulators:
    """Quadratic emulators of every target moment, with their leave-one-out error."""

    emulator: Emulator
    error: np.ndarray  # per moment: root mean square of the leave-one-out residuals
    log: np.ndarray | None = None  # moments emulated on the log scale (None: none)

    @classmethod
    def fit(cls, u: np.ndarray, y: np.ndarray) -> Emulators:
        """Fit to points ``u`` (n x k, unit cube) and moments ``y`` (n x m)."""
        e = Emulator(u, y)
        x = features(u, e.cross)
        from sim.analysis.emulator import RIDGE

        penalty = RIDGE * len(u) * np.eye(x.shape[1])
        penalty[0, 0] = 0.0
        hat = x @ np.linalg.solve(x.T @ x + penalty, x.T)
        leverage = np.clip(np.diag(hat), 0.0, 0.99)
        resid = (y - e.predict(u)) / (1.0 - leverage)[:, None]
        error = np.sqrt(np.nanmean(resid**2, axis=0))
        return cls(e, error)

    def predict(self, u: np.ndarray) -> np.ndarray:
        """Emulated moments (n x m) at unit points ``u``."""
        return self.emulator.predict(u)


@dataclass(frozen=True)
class Bands:
    """The target bands of the moments used (their value, lo and hi)."""

    value: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    @property
    def half(self) -> np.ndarray:
        """Half-widths of the bands."""
        return (self.hi - self.lo) / 2.0

    @classmethod
    def of(cls, table: pd.DataFrame) -> Bands:
        """From a moment table (:func:`sim.analysis.calibrate_loss.moments`)."""
        return cls(*(table[c].to_numpy(float) for c in ("target", "lo", "hi")))

    def positive(self) -> np.ndarray:
        """Moments whose band lies above 0 (candidates for the log scale)."""
        return self.lo > 0

    def logged(self, mask: np.ndarray | None = None) -> Bands:
        """The bands on the log scale where ``mask`` (default :meth:`positive`; else as is)."""
        pos = self.positive() if mask is None else mask & self.positive()

        def log(x: np.ndarray) -> np.ndarray:
            return np.where(pos, np.log(np.where(pos, x, 1.0)), x)

        return Bands(log(self.value), log(self.lo), log(self.hi))

    def implausibility(self, pred: np.ndarray, error: np.ndarray) -> np.ndarray:
        """Largest implausibility over the moments, per row of ``pred``."""
        sd = np.sqrt((self.half / 2.0) ** 2 + error**2)
        return (np.abs(pred - self.value) / sd).max(axis=1)

    def inside(self, pred: np.ndarray, error: np.ndarray | None = None) -> np.ndarray:
        """Rows of ``pred`` with every moment inside its band.

        With the emulators' ``error``, each band is widened so its half-width becomes
        ``sqrt(h^2 + (2 error)^2)``: an emulated moment that close to the band may be inside.
        """
        pad = 0.0 if error is None else np.sqrt(self.half**2 + (2 * error) ** 2) - self.half
        return np.all((pred >= self.lo - pad) & (pred <= self.hi + pad), axis=1)


def sample_box(lo: np.ndarray, hi: np.ndarray, n: int, seed) -> np.ndarray:
    """``n`` scrambled Sobol points in the box ``[lo, hi]`` of the unit cube.

    ``seed``: an integer or a :class:`numpy.random.Generator` (the scrambling's stream).
    """
    k = len(lo)
    m = int(np.ceil(np.log2(max(n, 2))))
    pts = stats.qmc.Sobol(d=k, scramble=True, seed=seed).random_base2(m)[:n]
    return lo + pts * (hi - lo)


def next_box(
    emulators: Emulators, bands: Bands, lo: np.ndarray, hi: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """The not-implausible region's bounding box (in ``[lo, hi]``) and its share of the box."""
    u = sample_box(lo, hi, SAMPLES, seed)
    keep = bands.implausibility(emulators.predict(u), emulators.error) <= CUTOFF
    if not keep.any():
        return lo, hi, 0.0
    kept = u[keep]
    pad = 0.05 * (hi - lo)
    return (
        np.maximum(lo, kept.min(axis=0) - pad),
        np.minimum(hi, kept.max(axis=0) + pad),
        float(keep.mean()),
    )


@dataclass
class Posterior:
    """Accepted unit points, how many prior points were screened, and the box they came from."""

    u: np.ndarray
    screened: int
    lo: np.ndarray
    hi: np.ndarray

    @property
    def ess(self) -> int:
        """Effective sample size: accepted points are equally weighted."""
        return len(self.u)

    def rows(self, n: int, seed: int) -> np.ndarray:
        """``n`` rows for the posterior file (without replacement when there are enough)."""
        rng = np.random.default_rng(seed)
        idx = rng.choice(len(self.u), size=n, replace=len(self.u) < n)
        return self.u[np.sort(idx)]

    def truncated(self) -> np.ndarray:
        """Per parameter: accepted values pile at a box edge that is not the prior's edge."""
        width = np.maximum(self.hi - self.lo, 1e-12)
        at_lo = (self.u <= self.lo + EDGE * width).mean(axis=0) > 2 * EDGE
        at_hi = (self.u >= self.hi - EDGE * width).mean(axis=0) > 2 * EDGE
        return (at_lo & (self.lo > 0)) | (at_hi & (self.hi < 1))


def abc(
    emulators: Emulators, bands: Bands, lo: np.ndarray, hi: np.ndarray, seed: int
) -> Posterior:
    """Prior points in the box whose every emulated moment is inside its band.

    Rounds of :data:`SAMPLES` prior points (round ``r`` from its own Sobol stream) until
    :data:`POSTERIOR_ROWS` are accepted or :data:`MAX_SAMPLES` were screened, so a small
    acceptance rate (many parameters, narrow bands) still yields a posterior of that size
    whenever the emulators allow one.
    """
    kept, screened, r = [], 0, 0
    while screened < MAX_SAMPLES and sum(len(k) for k in kept) < POSTERIOR_ROWS:
        u = sample_box(lo, hi, SAMPLES, seed if r == 0 else np.random.default_rng([seed, r]))
        kept.append(u[bands.inside(emulators.predict(u), emulators.error)])
        screened, r = screened + len(u), r + 1
    return Posterior(np.vstack(kept), screened, lo, hi)


def to_values(names: list[str], u: np.ndarray) -> np.ndarray:
    """Unit-cube rows as parameter values (each column through its prior's quantiles)."""
    from sim.core.params import specs

    if not len(u):
        return np.zeros((0, len(names)))
    return np.column_stack([specs()[n].from_unit(u[:, i]) for i, n in enumerate(names)])


def intervals(u: np.ndarray, q: tuple[float, float] = (0.05, 0.95)) -> np.ndarray:
    """Quantile interval per column (2 x k)."""
    return np.quantile(u, q, axis=0) if len(u) else np.full((2, u.shape[1]), np.nan)


def usable(table: pd.DataFrame) -> np.ndarray:
    """Moments that count: a simulated value and a positive weight."""
    return (~table["simulated"].isna() & (table["w"] > 0)).to_numpy()


def moment_matrix(entries: list[dict], keys: list[str]) -> np.ndarray:
    """Moments of logged evaluations in the order of ``keys`` (NaN where missing)."""
    out = np.full((len(entries), len(keys)), np.nan)
    for i, e in enumerate(entries):
        got = {f"{m['table']}|{m['metric']}|{m['group']}|{m['period']}": m["simulated"]
               for m in e["moments"]}  # fmt: skip
        out[i] = [np.nan if got.get(k) is None else float(got[k]) for k in keys]
    return out


def key_list(table: pd.DataFrame) -> list[str]:
    """Moment keys of a table (as :func:`sim.analysis.calibrate_loss.row_keys`)."""
    return cl.row_keys(table)


# -- the waves ----------------------------------------------------------------------------------
@dataclass
class Wave:
    """One wave of history matching: its box, points, and the share not implausible after it."""

    lo: np.ndarray
    hi: np.ndarray
    u: np.ndarray
    y: np.ndarray
    kept: float = 1.0


def design_size(k: int) -> int:
    """Runs per wave: twice the quadratic emulator's terms without interactions, at least 40."""
    return max(40, 2 * (1 + 2 * k))


def history_match(evaluate, k: int, bands: Bands, waves: int, n: int, seed: int):
    """Waves of design and emulation, then ABC in the last box.

    Args:
        evaluate: ``evaluate(wave, index, u) -> moments`` (one vector; NaN where missing).
        k: parameters (the unit cube's dimension).
        bands: the targets of the moments.
        waves: how many waves (the last one's emulators give the posterior).
        n: design points per wave.
        seed: seed of the designs and of the prior samples.

    The waves' emulators work on the moments as they are; the final ones, which ABC uses, on
    the log scale of every moment whose band lies above 0 (counts, rates, waiting times), where
    a quadratic follows multiplicative effects and queues that build up far better (the
    leave-one-out error of the waiting times falls by half or more), with the bands taken to
    the same scale (:meth:`Bands.logged`); a moment some run gave as 0 or less stays as it is.

    Returns:
        (:class:`Posterior`, the final :class:`Emulators`, the list of :class:`Wave`).
    """
    lo, hi = np.zeros(k), np.ones(k)
    done: list[Wave] = []
    for w in range(waves):
        pts = sample_box(lo, hi, n, seed + w)
        y = np.array([evaluate(w, i, u) for i, u in enumerate(pts)])
        done.append(Wave(lo, hi, pts, y))
        if w < waves - 1:
            emus = _fit_in_box(done, lo, hi)
            lo, hi, done[-1].kept = next_box(emus, bands, lo, hi, seed + 100 + w)
    log = bands.positive() & np.all(np.vstack([w.y for w in done]) > 0, axis=0)
    final = _fit_in_box(done, lo, hi, log)
    final.log = log
    return abc(final, bands.logged(log), lo, hi, seed + 999), final, done


def _fit_in_box(
    waves: list[Wave], lo: np.ndarray, hi: np.ndarray, log: np.ndarray | None = None
) -> Emulators:
    """Emulators fitted to every evaluated point inside the box (all waves).

    ``log``: the moments emulated on the log scale (the final ones, :func:`history_match`).
    """
    u = np.vstack([w.u for w in waves])
    y = np.vstack([w.y for w in waves])
    if log is not None:
        y = y.copy()
        y[:, log] = np.log(y[:, log])
    pad = 1e-9
    inside = np.all((u >= lo - pad) & (u <= hi + pad), axis=1)
    return Emulators.fit(u[inside], y[inside])
