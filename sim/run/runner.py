"""Run replicates of scenarios: seeds, one run, and the tidy tables it produces.

Replicate seeds follow the design contract: ``SeedSequence(seed).spawn(reps)[r]``, and the
integer written in the ``seed`` column (and used to key every random stream) is
``spawned.generate_state(1, numpy.uint32)[0]``. One replicate seed drives every scenario of
that replicate (common random numbers), in ``sim run``, ``compare``, ``batch`` and ``trial``.
"""

from __future__ import annotations

import functools
import pickle
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.core.cohorts import CohortRecorder
from sim.core.model import YouthModel
from sim.core.scenario import Scenario
from sim.run.tables import tidy, tidy_cohorts
from sim.services import create_all, plugins


def replicate_seeds(seed: int, reps: int) -> list[int]:
    """The integer seed of each replicate (the same in every command)."""
    children = np.random.SeedSequence(seed).spawn(reps)
    return [int(c.generate_state(1, np.uint32)[0]) for c in children]


@dataclass(frozen=True)
class RunSpec:
    """One model run: a scenario, a replicate and the common options."""

    scenario: Scenario
    replicate: int
    seed: int  # the replicate seed (from :func:`replicate_seeds`)
    years: int = 15
    scale: float = 1.0
    start: str = "2024-01"
    monthly: bool = True
    label: str | None = None  # the ``scenario`` column; defaults to the file stem
    draws: dict | None = None  # parameter values drawn for this replicate (--draw-params)
    # cohorts followed (--cohort): (label, cohort name, entry "YYYY-MM"), labels sorted
    cohorts: tuple[tuple[str, str, str], ...] = ()

    @property
    def name(self) -> str:
        """The label written in the ``scenario`` column."""
        return self.label or self.scenario.stem


@dataclass
class RunResult:
    """The tables of one run and its timing."""

    yearly: pd.DataFrame
    monthly: pd.DataFrame | None
    timing: dict = field(default_factory=dict)
    youth_months: int = 0
    cohorts: pd.DataFrame | None = None  # cohorts.parquet rows, when cohorts are followed


_WARM: dict[tuple, bytes] = {}  # a warm-up kept for the next run: key -> pickled model


def warmup_key(spec: RunSpec) -> tuple | None:
    """What a warm-up depends on.

    Seed, scale, start, the chain root's parameter values and the plugin services: scenarios
    sharing these share their warm-up exactly.
    """
    if getattr(spec.scenario, "trial", None) is not None:
        return None  # trial runs add trial agents at creation
    params = tuple(sorted(spec.scenario.warmup_params.items()))
    return (spec.seed, spec.scale, spec.start, params, tuple(plugins()), spec.cohorts)


def with_cohorts(model: YouthModel, cohorts: tuple) -> list:
    """The run's services and recorders, plus the recorder that follows ``cohorts``."""
    return [*create_all(model), CohortRecorder(model, cohorts)]


def build_model(spec: RunSpec, keep: bool = False) -> YouthModel:
    """Create the model of a run and run its warm-up.

    The warm-up runs under the root of the scenario's ``extends`` chain, so every scenario of
    a replicate that shares that root starts from the same state. With ``keep`` the warmed-up
    model is kept (pickled) for the next run with the same key, which reuses it: the
    scenario's own parameters only come into force at the start month, so the result is
    identical to a fresh build. A kept warm-up is dropped once a run uses it without ``keep``.
    """
    key = warmup_key(spec)
    if key is not None and key in _WARM:
        model = pickle.loads(_WARM[key])
        if not keep:
            _WARM.clear()
        model.definition = spec.scenario
        model.collector.monthly_on = spec.monthly
        model.end_month = model.month + spec.years * 12  # the horizon, for the lifetime tail
        return model
    model = YouthModel(
        spec.scenario,
        seed=spec.seed,
        scale=spec.scale,
        start=spec.start,
        monthly=spec.monthly,
        modules=functools.partial(with_cohorts, cohorts=spec.cohorts)
        if spec.cohorts
        else create_all,
    )
    model.warm_up()
    _WARM.clear()
    if keep and key is not None:
        _WARM[key] = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    model.end_month = model.month + spec.years * 12  # stepping by hand books the same tail
    return model


def simulate(model: YouthModel, years: int) -> int:
    """Step the model through the horizon; returns youth-months simulated."""
    youth_months = 0
    model.end_month = model.month + years * 12  # the cost ledger's lifetime view reads it
    for _ in range(years * 12):
        model.step()
        youth_months += len(model.youth)
    return youth_months


def run_one(spec: RunSpec, keep_warmup: bool = False) -> RunResult:
    """Build, warm up and simulate one run; return its tidy tables.

    ``keep_warmup``: keep the warm-up for the next run sharing it (see :func:`build_model`).
    """
    t0 = time.perf_counter()
    model = build_model(spec, keep=keep_warmup)
    t1 = time.perf_counter()
    youth_months = simulate(model, spec.years)
    t2 = time.perf_counter()
    keys = {"scenario": spec.name, "replicate": spec.replicate, "seed": spec.seed}
    yearly = tidy(model.collector.yearly_rows(), keys, yearly=True)
    monthly = tidy(model.collector.monthly, keys, yearly=False) if spec.monthly else None
    cohorts = None
    if spec.cohorts:
        cohorts = tidy_cohorts(model.module(CohortRecorder.name).rows(), keys)
    timing = {"build_s": t1 - t0, "simulate_s": t2 - t1}
    return RunResult(yearly, monthly, timing, youth_months, cohorts)
