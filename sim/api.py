"""Python API for notebooks: load a scenario, build and step a model, run replicates.

Example:
    >>> from sim import api
    >>> sc = api.load_scenario("scenarios/baseline.toml")
    >>> model = api.build(sc, seed=1, scale=0.05)      # warmed up, at the start month
    >>> model.step()                                    # one month
    >>> yearly, monthly = api.run(sc, reps=2, years=3, scale=0.05)
    >>> api.history(model, pid=int(model.pop.live()[0]))

The options are checked as on the command line (:class:`sim.run.jobs.RunOptions`): a bad
value raises :class:`sim.errors.InputError` naming the option.
"""

from __future__ import annotations

import pandas as pd

from sim.core.history import youth_history, youth_referrals
from sim.core.model import YouthModel
from sim.core.scenario import Scenario, load_scenario
from sim.run.execute import execute
from sim.run.jobs import RunOptions, plan
from sim.run.runner import RunSpec, build_model, replicate_seeds
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
    o = RunOptions(seed=seed, scale=scale, start=start, monthly=monthly)
    return build_model(RunSpec(scenario, 0, o.seed, 0, o.scale, o.start, o.monthly))


def run(
    scenario: Scenario,
    reps: int = 1,
    years: int = 15,
    scale: float = 1.0,
    seed: int = 1,
    start: str = "2024-01",
    monthly: bool = True,
    workers: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Replicates of one scenario with the replicate seeds of ``sim run``; tidy tables.

    The same runs as ``sim run`` with these options (``workers`` local processes; 1: in this
    process), kept in memory instead of written to a results folder.

    Raises:
        InputError: a bad option.
        RuntimeError: a run failed (its traceback in the message).
    """
    o = RunOptions(
        seed=seed,
        reps=reps,
        years=years,
        scale=scale,
        start=start,
        monthly=monthly,
        workers=workers,
    )
    job = plan(o, {scenario.stem: scenario}, "run")
    results, failures = execute(job.specs, workers=o.workers, quiet=True)
    if failures:
        spec, error = failures[0]
        raise RuntimeError(f"run failed: {spec.name} replicate {spec.replicate}\n{error}")
    yearly = combine([r.yearly for r in results], yearly=True)
    monthly_t = combine([r.monthly for r in results], yearly=False) if monthly else None
    return yearly, monthly_t


def history(model: YouthModel, pid: int) -> pd.DataFrame:
    """One youth's spells (activity, NAV status, helpers, mental health)."""
    return youth_history(model, pid)
