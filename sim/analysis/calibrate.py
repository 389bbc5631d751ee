"""Calibration by the simulated method of moments (``sim calibrate``).

A candidate is a vector of parameter values inside their ranges. It is evaluated by running
the base scenario with those values (warm-up included, see :func:`sim.run.draws.apply_draw`) for
the same replicate seeds as every other candidate (common random numbers), averaging each
target moment over the seeds, and computing the weighted distance

    D = sum_t w_t z_t^2 / sum_t w_t,   z_t = (mean simulated_t - target_t) / half-width_t,

where half-width is half the target's band (hi - lo) / 2, so D < 1 means the average target
sits inside its band. Targets over every year (period ``*``) share their weight over the years.

The optimiser works in the unit cube: a Latin-hypercube design (a third of the budget, run in
parallel, plus the prior point), then bounded Nelder-Mead (scipy) from the best design point
with the rest of the budget. Runs go through the batch executor (local processes or Dask).

Identifiability: ``handover_loss`` and ``plan_conflict`` both raise NEET and cannot both be
identified from NEET alone, so the default set calibrates ``handover_loss`` against the NEET
level with ``plan_conflict`` fixed at its prior; ``--fix plan_conflict=V`` profiles it, and
asking for both is refused. See ``docs/calibration.md``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from sim.core.params import specs
from sim.core.scenario import Scenario
from sim.errors import InputError
from sim.run.draws import apply_draw
from sim.run.runner import RunSpec

# parameter → the target that identifies it (the default set: six, each with its own moment)
DEFAULT_PARAMS = {
    "handover_loss": "neet_rate all (plan_conflict fixed at its prior)",
    "nav.chance_contact_monthly": "neet_status_share unknown",
    "nav.aap_grant_monthly": "aap_count_under30",
    "nav.disability_from_aap_monthly": "disability_count_under30",
    "school.dropout_vocational_yearly": "dropout_rate all (academic kept at its Udir ratio)",
    "school.final_year_pass": "upper_secondary_completion_5_6y",
}
CONFOUNDED = ("handover_loss", "plan_conflict")
TARGET_COLUMNS = ["metric", "group", "period", "value", "lo", "hi", "weight", "reference_year"]


@dataclass
class Problem:
    """What is fitted: the base scenario, the free parameters, targets and the run design."""

    scenario: Scenario
    names: list[str]
    targets: pd.DataFrame
    seeds: list[int]
    years: int = 7
    scale: float = 0.25
    start: str = "2024-01"
    fixed: dict[str, float] = field(default_factory=dict)

    @property
    def lo(self) -> np.ndarray:
        """Lower bounds of the free parameters."""
        return np.array([specs()[n].lo for n in self.names])

    @property
    def hi(self) -> np.ndarray:
        """Upper bounds of the free parameters."""
        return np.array([specs()[n].hi for n in self.names])

    def values(self, u: np.ndarray) -> dict[str, float]:
        """Parameter values of a point of the unit cube (fixed values included)."""
        x = self.lo + np.clip(u, 0.0, 1.0) * (self.hi - self.lo)
        return {**self.fixed, **{n: float(v) for n, v in zip(self.names, x, strict=True)}}

    def prior_u(self) -> np.ndarray:
        """The base scenario's values, in unit-cube coordinates."""
        base = self.scenario.params
        return np.clip(
            (np.array([base[n] for n in self.names]) - self.lo) / (self.hi - self.lo), 0, 1
        )

    def specs(self, u: np.ndarray, label: str) -> list[RunSpec]:
        """The runs of one candidate: one per replicate seed, the candidate in the warm-up too."""
        sc = apply_draw(self.scenario, self.values(u))
        return [
            RunSpec(sc, r, seed, self.years, self.scale, self.start, monthly=False, label=label)
            for r, seed in enumerate(self.seeds)
        ]


# -- choosing and checking the inputs -------------------------------------------------------
def choose_params(names: list[str] | None, fixed: dict[str, float]) -> list[str]:
    """The free parameters: given names (checked) or the default identifiable set."""
    chosen = names if names else list(DEFAULT_PARAMS)
    known = specs()
    for n in chosen:
        if n not in known:
            raise InputError(f"--params: {n}: unknown parameter")
        if known[n].hi <= known[n].lo:
            raise InputError(f"--params: {n}: its range [{known[n].lo}, {known[n].hi}] is empty")
    if all(n in chosen for n in CONFOUNDED):
        raise InputError(
            "--params: handover_loss and plan_conflict both raise NEET and cannot both be "
            "identified from these targets; calibrate one and fix or profile the other (--fix)"
        )
    clash = sorted(set(chosen) & set(fixed))
    if clash:
        raise InputError(f"--fix: {clash[0]}: is also a calibrated parameter")
    return [n for n in chosen if n not in fixed]


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


# -- moments and distance ---------------------------------------------------------------------
def moments(yearly: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Per target (and year for ``*``): the simulated mean over replicates and its z-score.

    Targets whose year was not simulated are left out. ``w`` is the weight of the row
    (a ``*`` target's weight shared over its years).
    """
    means = yearly.groupby(["metric", "group", "period"])["value"].mean()
    rows = []
    for t in targets.itertuples(index=False):
        periods = _periods(means, t)
        for period in periods:
            sim = float(means[(t.metric, t.group, period)])
            half = (t.hi - t.lo) / 2.0
            rows.append(
                {"metric": t.metric, "group": t.group, "period": period, "target": t.value,
                 "lo": t.lo, "hi": t.hi, "simulated": sim, "z": (sim - t.value) / half,
                 "w": t.weight / len(periods), "inside": bool(t.lo <= sim <= t.hi)}
            )  # fmt: skip
    return pd.DataFrame(rows)


def _periods(means: pd.Series, t) -> list[int]:
    key = (t.metric, t.group)
    have = sorted(p for (m, g, p) in means.index if (m, g) == key)
    if str(t.period) == "*":
        return have
    return [int(t.period)] if int(t.period) in have else []


def distance(table: pd.DataFrame) -> float:
    """The weighted mean squared z-score (the objective)."""
    if table.empty or table["w"].sum() <= 0:
        return math.inf
    return float((table["w"] * table["z"] ** 2).sum() / table["w"].sum())


# -- running candidates -----------------------------------------------------------------------
def run_tables(specs_: list[RunSpec], pool) -> dict[str, pd.DataFrame]:
    """Run specs on an entered executor; yearly table per label (replicates combined).

    Raises:
        RuntimeError: when a run fails (its traceback in the message).
    """
    from sim.run.execute import run_in_memory

    results, failures = run_in_memory(specs_, pool)
    if failures:
        spec, error = failures[0]
        raise RuntimeError(f"run failed: {spec.name} r{spec.replicate}:\n{error}")
    done: dict[str, list[pd.DataFrame]] = {}
    for spec, result in zip(specs_, results, strict=True):
        done.setdefault(spec.name, []).append(result.yearly)
    return {label: pd.concat(frames, ignore_index=True) for label, frames in done.items()}


class Evaluator:
    """Evaluates candidates on an executor, caching by point; keeps the history.

    The cache makes a revisited point free and the fit deterministic for given seeds.
    """

    def __init__(self, problem: Problem, pool, quiet: bool = True):
        self.problem, self.pool, self.quiet = problem, pool, quiet
        self.cache: dict[tuple, float] = {}
        self.tables: dict[tuple, pd.DataFrame] = {}  # the target moments of each candidate
        self.history: list[dict] = []

    def __call__(self, points: list[np.ndarray], stage: str) -> list[float]:
        """Distances of points (new points run together, in parallel)."""
        keys = [tuple(np.round(np.clip(u, 0, 1), 9)) for u in points]
        new = list(dict.fromkeys(k for k in keys if k not in self.cache))
        runs = [s for i, k in enumerate(new) for s in self.problem.specs(np.array(k), f"c{i}")]
        tables = run_tables(runs, self.pool) if runs else {}
        for i, k in enumerate(new):
            self.tables[k] = moments(tables[f"c{i}"], self.problem.targets)
            self.cache[k] = distance(self.tables[k])
            self._log(np.array(k), self.cache[k], stage)
        return [self.cache[k] for k in keys]

    def _log(self, u: np.ndarray, d: float, stage: str) -> None:
        entry = {"evaluation": len(self.history) + 1, "stage": stage, **self.problem.values(u)}
        self.history.append({**entry, "distance": d})
        if not self.quiet:
            print(f"[{entry['evaluation']}] {stage} D={d:.4f}", flush=True)


# -- the optimiser ----------------------------------------------------------------------------
def optimise(
    evaluate: Callable[[list[np.ndarray], str], list[float]],
    k: int,
    budget: int,
    seed: int,
    prior: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """Latin-hypercube design, then bounded Nelder-Mead from its best point.

    Args:
        evaluate: distances of a list of unit-cube points (run together).
        k: number of free parameters.
        budget: total number of candidate evaluations.
        seed: seed of the design (reproducible).
        prior: a point evaluated first (the base scenario's values).

    Returns:
        The best point (unit cube) and its distance.
    """
    n_init = max(2, min(budget - 1, max(k + 1, budget // 3)))
    design = list(stats.qmc.LatinHypercube(d=k, seed=seed).random(n_init - (prior is not None)))
    points = ([prior] if prior is not None else []) + design
    dists = evaluate(points, "design")
    best = int(np.argmin(dists))
    x0, d0 = np.asarray(points[best]), dists[best]
    left = budget - len(points)
    if left <= 0:
        return x0, d0
    res = optimize.minimize(
        lambda u: evaluate([u], "nelder-mead")[0],
        x0,
        method="Nelder-Mead",
        bounds=[(0.0, 1.0)] * k,
        options={
            "maxfev": left,
            "initial_simplex": simplex(x0, 0.15),
            "xatol": 0.01,
            "fatol": 1e-3,
        },
    )
    return (np.asarray(res.x), float(res.fun)) if res.fun <= d0 else (x0, d0)


def simplex(x0: np.ndarray, step: float) -> np.ndarray:
    """A start simplex around x0 inside the unit cube (each vertex moves one coordinate)."""
    verts = [x0]
    for i in range(len(x0)):
        v = x0.copy()
        v[i] = x0[i] + step if x0[i] + step <= 1.0 else x0[i] - step
        verts.append(v)
    return np.array(verts)


# -- the whole fit ----------------------------------------------------------------------------
@dataclass
class Fit:
    """The result: fitted values, the target table at them, history and timing."""

    values: dict[str, float]
    distance: float
    table: pd.DataFrame
    history: pd.DataFrame
    seconds: float


def calibrate(problem: Problem, pool, budget: int, seed: int, quiet: bool = True) -> Fit:
    """Fit ``problem`` within ``budget`` evaluations on an entered executor."""
    t0 = time.perf_counter()
    ev = Evaluator(problem, pool, quiet)
    optimise(ev, len(problem.names), budget, seed, problem.prior_u())
    key = min(ev.cache, key=ev.cache.get)  # the best candidate evaluated (any stage)
    values = problem.values(np.array(key))
    fit = Fit(values, ev.cache[key], ev.tables[key], pd.DataFrame(ev.history), 0.0)
    fit.seconds = time.perf_counter() - t0
    return fit


def fit_table(fit: Fit, problem: Problem) -> pd.DataFrame:
    """One row per free parameter: prior, range, fitted value and the identifying target."""
    prior = problem.scenario.params
    rows = []
    for n in problem.names:
        s = specs()[n]
        rows.append(
            {"parameter": n, "prior": prior[n], "lo": s.lo, "hi": s.hi,
             "fitted": fit.values[n], "identified_by": DEFAULT_PARAMS.get(n, "")}
        )  # fmt: skip
    for n, v in problem.fixed.items():
        s = specs()[n]
        rows.append({"parameter": n, "prior": prior[n], "lo": s.lo, "hi": s.hi,
                     "fitted": v, "identified_by": "fixed (--fix)"})  # fmt: skip
    return pd.DataFrame(rows)


def estimate_seconds(runs: int, scale: float, years: int, workers: int) -> float:
    """Rough wall time: ~1.5 s per run to start, ~0.27 s per simulated year at scale 1."""
    per_run = 1.5 + 0.27 * scale * (15 + years)
    return runs * per_run / max(workers, 1)
