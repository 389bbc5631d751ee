"""Where a calibration evaluates next: planned points, then the emulator's proposals.

The planned points are the base scenario's values (the loss before calibrating) and a
Latin-hypercube design of ``2k + 2`` points; they do not depend on the budget, so a rerun with
a larger budget continues the same search. After them each point is proposed by the quadratic
emulator (:mod:`sim.analysis.emulator`) fitted to every logged evaluation, inside a trust
region around the best one. Everything is replayed from the log (trust radius included), so
an interrupted and continued calibration proposes exactly the points an uninterrupted one would.
"""

from __future__ import annotations

import numpy as np

from sim.analysis import calibrate_loss as cl
from sim.analysis import emulator as em
from sim.analysis.calibrate_log import Log, table_of
from sim.analysis.emulator import Emulator, design


def n_design(k: int) -> int:
    """Design points after the prior point: 2k + 2 (enough for the emulator's first fit)."""
    return 2 * k + 2


def points(problem) -> list[tuple[str, np.ndarray]]:
    """The planned points before the emulator takes over: the prior, then the design.

    They do not depend on the budget, so a rerun with a larger budget continues the same
    search.
    """
    k = len(problem.names)
    planned = [("prior", problem.prior_u())]
    return planned + [("design", u) for u in design(k, n_design(k), problem.design_seed)]


def next_point(problem, log: Log) -> tuple[str, np.ndarray]:
    """The next point: a planned one not yet evaluated, else the emulator's proposal."""
    planned = points(problem)
    done = len(log.entries)
    if done < len(planned):
        return planned[done]
    best, radius = trust(log.entries, len(planned))
    template = table_of(best)
    keys = cl.row_keys(template)
    u = np.array([e["u"] for e in log.entries])
    y = np.array([_moment_vector(e, keys) for e in log.entries])
    centre = np.array(best["u"])
    emulator = Emulator(u, y, em.local_weights(u, centre, radius))
    proposal = em.propose(
        emulator,
        cl.Scorer(template),
        u,
        problem.design_seed + done,
        em.trust_box(centre, radius),
    )
    return "emulator", proposal


def trust(entries: list[dict], planned: int) -> tuple[dict, float]:
    """The best evaluation and the trust radius, replayed from the log (so a rerun agrees)."""
    best = min(entries[:planned], key=objective_of)
    radius = em.R0
    for e in entries[planned:]:
        if objective_of(e) < objective_of(best):
            best, radius = e, min(em.RMAX, radius * em.GROW)
        else:
            radius = max(em.RMIN, radius * em.SHRINK)
    return best, radius


def _moment_vector(e: dict, keys: list[str]) -> list[float]:
    sims = {
        f"{m['table']}|{m['metric']}|{m['group']}|{m['period']}": m["simulated"]
        for m in e["moments"]
    }
    return [np.nan if sims.get(k) is None else float(sims[k]) for k in keys]


def objective_of(e: dict) -> float:
    """The objective of a log line (inf when it had none)."""
    return e["objective"] if e["objective"] is not None else float("inf")
