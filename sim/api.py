"""Python API for notebooks: load a scenario, build and step a model, run replicates.

Example:
    >>> from sim import api
    >>> sc = api.load_scenario("scenarios/baseline.toml")
    >>> model = api.build(sc, seed=1, scale=0.05)      # warmed up, at the start month
    >>> model.step()                                    # one month
    >>> yearly, monthly = api.run(sc, reps=2, years=3, scale=0.05)
    >>> api.history(model, pid=int(model.pop.live()[0]))
"""

from __future__ import annotations

import pandas as pd

from sim.core.history import youth_history, youth_referrals
from sim.core.model import YouthModel
from sim.core.scenario import Scenario, load_scenario
from sim.run.runner import RunSpec, build_model, replicate_seeds, run_one
from sim.run.tables import combine

__all__ = ["build", "history", "load_scenario", "replicate_seeds", "run", "youth_referrals"]


def build(
    scenario: Scenario,
    seed: int = 1,
    scale: float = 0.05,
    start: str = "2024-01",
    monthly: bool = True,
) -> YouthModel:
    """A model after its warm-up, ready to step from ``start`` (seed used as given)."""
    return build_model(RunSpec(scenario, 0, seed, 0, scale, start, monthly))


def run(
    scenario: Scenario,
    reps: int = 1,
    years: int = 15,
    scale: float = 1.0,
    seed: int = 1,
    start: str = "2024-01",
    monthly: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Replicates of one scenario with the replicate seeds of ``sim run``; tidy tables."""
    seeds = replicate_seeds(seed, reps)
    results = [
        run_one(RunSpec(scenario, r, s, years, scale, start, monthly)) for r, s in enumerate(seeds)
    ]
    yearly = combine([r.yearly for r in results], yearly=True)
    monthly_t = combine([r.monthly for r in results], yearly=False) if monthly else None
    return yearly, monthly_t


def history(model: YouthModel, pid: int) -> pd.DataFrame:
    """One youth's spells (activity, NAV status, helpers, mental health)."""
    return youth_history(model, pid)
