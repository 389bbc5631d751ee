"""A quadratic emulator of the target moments, and the next point it proposes.

Calibration runs are expensive; the moments they produce are smooth in the parameters, the
loss is not (zero inside the bands). So each moment (one per target row) is emulated by its
own least-squares quadratic in the unit-cube coordinates: intercept, linear and squared terms,
plus the pairwise products once there are enough evaluations to fit them (twice as many points
as terms), with a small ridge penalty so a fit with few points stays tame. The emulated loss
(:func:`sim.analysis.calibrate_loss.objectives` of the predicted moments) is cheap, and is
minimised over a scrambled Sobol set of candidates refined by bounded Nelder-Mead; the
proposal is the best predicted point that lies at least ``spacing`` from every evaluated point
(so it is never a repeat). Proposals stay inside a trust region around the best point so
far, whose half-width grows after a proposal that improves on it and shrinks after one that
does not; the emulator's fit weighs the points near that region most, so it is a local
quadratic model there and a rough global one elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import optimize, stats

RIDGE = 1e-4  # relative ridge penalty (columns of the design are of order 1)
CANDIDATES = 2048  # Sobol points the emulated loss is screened on (a power of two)
SPACING = 0.01  # least max-norm distance (unit cube) of a proposal from evaluated points
# trust region (half-width in the unit cube): it starts at R0, grows by GROW after a proposal
# that improves on the best point, shrinks by SHRINK after one that does not
R0, RMIN, RMAX, GROW, SHRINK = 0.2, 0.03, 0.5, 1.5, 0.6


def trust_box(centre: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """The trust region: a cube of half-width ``radius`` around ``centre``, inside [0, 1]."""
    return np.clip(centre - radius, 0.0, 1.0), np.clip(centre + radius, 0.0, 1.0)


def local_weights(u: np.ndarray, centre: np.ndarray, radius: float) -> np.ndarray:
    """Row weights of the emulator fit: near the trust region count most (floor 0.1)."""
    d = np.abs(np.asarray(u) - centre).max(axis=1)
    return np.maximum(0.1, np.exp(-0.5 * (d / max(2 * radius, 0.1)) ** 2))


def design(k: int, n: int, seed: int) -> np.ndarray:
    """``n`` points of a Latin hypercube in the unit cube of ``k`` parameters (reproducible)."""
    if n <= 0:
        return np.zeros((0, k))
    return stats.qmc.LatinHypercube(d=k, seed=seed).random(n)


def features(u: np.ndarray, cross: bool) -> np.ndarray:
    """Quadratic features of unit-cube points (centred at 0.5): 1, x, x^2 (and x_i x_j)."""
    x = np.atleast_2d(u) - 0.5
    cols = [np.ones((len(x), 1)), x, x**2]
    if cross:
        i, j = np.triu_indices(x.shape[1], k=1)
        cols.append(x[:, i] * x[:, j])
    return np.hstack(cols)


def n_terms(k: int, cross: bool) -> int:
    """How many features :func:`features` makes for ``k`` parameters."""
    return 1 + 2 * k + (k * (k - 1) // 2 if cross else 0)


class Emulator:
    """Per-moment quadratic least squares (ridge), fitted to evaluated points."""

    def __init__(self, u: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None):
        """Fit to points ``u`` (n x k) and their moments ``y`` (n x m), rows weighted."""
        u, y = np.asarray(u, float), np.asarray(y, float)
        w = np.ones(len(u)) if weights is None else np.asarray(weights, float)
        self.cross = len(u) >= 2 * n_terms(u.shape[1], True)
        x = features(u, self.cross)
        seen = ~np.isnan(y)
        fill = np.where(seen.any(axis=0), np.nansum(y, axis=0) / np.maximum(seen.sum(0), 1), 0.0)
        y = np.where(seen, y, fill)  # a moment missing at a point: its mean elsewhere
        self.mean, self.scale = y.mean(axis=0), y.std(axis=0) + 1e-12
        ys = (y - self.mean) / self.scale
        penalty = RIDGE * len(u) * np.eye(x.shape[1])
        penalty[0, 0] = 0.0  # never shrink the intercept
        self.coef = np.linalg.solve(x.T @ (w[:, None] * x) + penalty, x.T @ (w[:, None] * ys))

    def predict(self, u: np.ndarray) -> np.ndarray:
        """Emulated moments at points ``u`` (n x m)."""
        return features(u, self.cross) @ self.coef * self.scale + self.mean


def propose(
    emulator: Emulator,
    objective: Callable[[np.ndarray], np.ndarray],
    done: np.ndarray,
    seed: int,
    box: tuple[np.ndarray, np.ndarray] | None = None,
    spacing: float = SPACING,
) -> np.ndarray:
    """The next point to evaluate: the best emulated point not within ``spacing`` of ``done``.

    Args:
        emulator: the fitted emulator.
        objective: objective of predicted moments (rows) → one value per row.
        done: the points evaluated so far (n x k).
        seed: seed of the candidate set (a new one each step keeps the search moving).
        box: the trust region (lower and upper corners; default the unit cube).
        spacing: least max-norm distance from every point in ``done``.
    """
    k = done.shape[1]
    lo, hi = box if box is not None else (np.zeros(k), np.ones(k))

    def f(u: np.ndarray) -> np.ndarray:
        return objective(emulator.predict(np.clip(u, lo, hi)))

    cands = lo + stats.qmc.Sobol(d=k, scramble=True, seed=seed).random(CANDIDATES) * (hi - lo)
    scores = f(cands)
    starts = cands[np.argsort(scores)[:4]]
    for x0 in starts:
        res = optimize.minimize(
            lambda u: float(f(u[None, :])[0]),
            x0,
            method="Nelder-Mead",
            bounds=list(zip(lo, hi, strict=True)),
            options={"maxfev": 400, "xatol": 1e-3, "fatol": 1e-6},
        )
        cands = np.vstack([cands, np.clip(res.x, lo, hi)])
    scores = f(cands)
    far = np.abs(cands[:, None, :] - done[None, :, :]).max(axis=2).min(axis=1) >= spacing
    pool = np.where(far)[0] if far.any() else np.arange(len(cands))
    return cands[pool[np.argmin(scores[pool])]]
