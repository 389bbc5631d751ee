"""Python API for notebooks: load a scenario, build and step a model, run, compare, batch.

Example:
    >>> from sim import api
    >>> sc = api.load_scenario("scenarios/baseline.toml")
    >>> model = api.build(sc, seed=1, scale=0.05)      # warmed up, at the start month
    >>> model.step()                                    # one month
    >>> yearly, monthly = api.run(sc, reps=2, years=3, scale=0.05)
    >>> api.history(model, pid=int(model.pop.live()[0]))
    >>> res = api.compare(["scenarios/baseline.toml", "scenarios/ips_only.toml"],
    ...                   reps=2, years=1, scale=0.02)  # what ``sim compare`` computes
    >>> res.summary["headline"]["ips_only"]["neet_years_averted"]
    >>> res = api.batch({"scenarios": ["scenarios/ips_only.toml"], "reps": 2, "years": 1,
    ...                  "scale": 0.02, "grid": {"ips.fte": [4, 12, 24]}})

The options are checked as on the command line (:class:`sim.run.jobs.RunOptions`) and
parameter values as in scenario files: a bad option, a misspelt parameter name or a value
outside its domain (``min``-``max`` in ``parameters.csv``) raises
:class:`sim.errors.InputError` naming it.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from sim.core.history import youth_history, youth_referrals
from sim.core.model import YouthModel
from sim.core.scenario import Scenario, load_scenario
from sim.errors import InputError
from sim.run.execute import execute
from sim.run.jobs import RunOptions, plan
from sim.run.runner import RunSpec, build_model, replicate_seeds
from sim.run.tables import combine

__all__ = [
    "Results",
    "batch",
    "build",
    "compare",
    "history",
    "load_scenario",
    "replicate_seeds",
    "run",
    "with_params",
    "youth_referrals",
]


def with_params(scenario: Scenario, params: dict | None) -> Scenario:
    """The scenario with ``params`` merged over its overrides (from the start month).

    Raises:
        InputError: a misspelt parameter name or a value outside its domain, named.
    """
    if not params:
        return scenario
    if not isinstance(params, dict):
        raise InputError(f"params: must be a dict of parameter = value, got {params!r}")
    return replace(scenario, overrides={**scenario.overrides, **params})


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
    params: dict | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Replicates of one scenario with the replicate seeds of ``sim run``; tidy tables.

    The same runs as ``sim run`` with these options (``workers`` local processes; 1: in this
    process), kept in memory instead of written to a results folder. ``params`` overrides
    parameters on top of the scenario's (see :func:`with_params`).

    Raises:
        InputError: a bad option or parameter.
        RuntimeError: a run failed (its traceback in the message).
    """
    scenario = with_params(scenario, params)
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


@dataclass
class Results:
    """What ``sim compare`` or ``sim batch`` writes, read back into memory.

    Attributes:
        yearly: ``yearly.parquet``.
        summary: ``summary.json`` (medians, intervals, paired differences, headline).
        manifest: ``manifest.json``.
        paired: ``paired.parquet`` (None with one scenario).
        monthly: ``monthly.parquet`` (None when monthly tables were off).
        cohorts: ``cohorts.parquet`` (None without cohorts).
        variants: ``variants.csv`` of a sweep (None without variants).
        out: the results folder, or None when it was a temporary one (removed).
    """

    yearly: pd.DataFrame
    summary: dict
    manifest: dict
    paired: pd.DataFrame | None = None
    monthly: pd.DataFrame | None = None
    cohorts: pd.DataFrame | None = None
    variants: pd.DataFrame | None = None
    out: Path | None = None


def _read(folder: Path, kept: bool) -> Results:
    """A results folder's tables, summary and manifest."""

    def table(name: str) -> pd.DataFrame | None:
        path = folder / name
        return pd.read_parquet(path) if path.is_file() else None

    variants = folder / "variants.csv"
    return Results(
        yearly=table("yearly.parquet"),
        summary=json.loads((folder / "summary.json").read_text(encoding="utf-8")),
        manifest=json.loads((folder / "manifest.json").read_text(encoding="utf-8")),
        paired=table("paired.parquet"),
        monthly=table("monthly.parquet"),
        cohorts=table("cohorts.parquet"),
        variants=pd.read_csv(variants) if variants.is_file() else None,
        out=folder if kept else None,
    )


@contextmanager
def _folder(out: str | Path | None) -> Iterator[Path]:
    """``out`` as given, or a temporary folder removed afterwards."""
    if out is not None:
        yield Path(out)
        return
    with tempfile.TemporaryDirectory(prefix="sim-api-") as tmp:
        yield Path(tmp) / "results"


def _failed(records: list) -> RuntimeError:
    first = records[0]
    return RuntimeError(
        f"{len(records)} run(s) failed; first: {first.label} replicate {first.replicate}\n"
        f"{first.error}"
    )


def compare(
    scenarios: list,
    reps: int = 10,
    years: int = 15,
    scale: float = 1.0,
    seed: int = 1,
    start: str = "2024-01",
    out: str | Path | None = None,
    monthly: bool = True,
    draw_params: bool = False,
    cohorts: tuple[str, ...] = (),
    workers: int | None = 1,
    params: dict | None = None,
    reps_per_draw: int = 1,
) -> Results:
    """What ``sim compare`` does: scenarios with common random numbers, paired, summarised.

    The same code as the command (:func:`sim.cli.common.simulate_scenarios`), so the tables
    and summary equal those of ``sim compare`` with the same options.

    Args:
        scenarios: scenario files or :class:`Scenario` objects (the first is the reference;
            labels are their stems, which must differ).
        reps: replicates (``--reps``).
        years: years simulated (``--years``).
        scale: the share of the population simulated (``--scale``; 1.0 = all of it).
        seed: the base seed (``--seed``).
        start: the first month, ``YYYY-MM`` (``--start``).
        out: a results folder to write (the rules of ``--out``); None: a temporary one.
        monthly: also ``monthly.parquet`` (``--no-monthly`` is ``False``).
        draw_params: draw the uncertain parameters per replicate (``--draw-params``).
        cohorts: cohorts to follow, ``NAME[@YYYY-MM]`` as with ``--cohort``.
        workers: local processes (1: in this process; None: one per core).
        params: overrides applied on top of every scenario (checked like a scenario file).
        reps_per_draw: replicates that share one parameter draw (``--reps-per-draw``).

    Raises:
        InputError: a bad option, scenario or parameter (nothing runs).
        RuntimeError: a run failed.
    """
    from sim.cli.common import simulate_scenarios

    loaded = _scenarios(scenarios, params)
    with _folder(out) as folder:
        o = RunOptions(
            seed=seed,
            reps=reps,
            years=years,
            scale=scale,
            start=start,
            monthly=monthly,
            workers=workers,
            out=str(folder),
            quiet=True,
            draw_params=draw_params,
            reps_per_draw=reps_per_draw,
            cohorts=tuple(cohorts),
        )
        failures = simulate_scenarios(o, loaded, "compare")
        if failures:
            raise _failed(failures)
        return _read(folder, kept=out is not None)


def _scenarios(scenarios: list, params: dict | None) -> dict:
    """Label → Scenario from files or Scenario objects, ``params`` applied to each."""
    if isinstance(scenarios, str | Path | Scenario) or not scenarios:
        raise InputError("scenarios: give a non-empty list of scenario files or Scenarios")
    out: dict = {}
    for item in scenarios:
        sc = item if isinstance(item, Scenario) else load_scenario(item)
        if sc.stem in out:
            raise InputError(f"{item}: scenario name {sc.stem!r} given twice")
        out[sc.stem] = with_params(sc, params)
    return out


def batch(
    batch_file: str | Path | dict,
    out: str | Path | None = None,
    folder: str | Path = ".",
    resume: bool = False,
    workers: int | None = 1,
    **options,
) -> Results:
    """What ``sim batch`` does: a batch file (or the same keys as a dict), sweeps included.

    The same code as the command (:func:`sim.cli.batch.run_planned`): the run files go to
    ``OUT/runs/``, a sweep writes ``variants.csv``, and the tables and summary equal those of
    ``sim batch`` with the same options.

    Args:
        batch_file: a batch TOML file, or a dict with its keys (``scenarios``, ``reps``,
            ``variants``, ``grid``, ...; checked like a file).
        out: a results folder to write (the rules of ``--out``); None: a temporary one.
        folder: where a dict's scenario paths are relative to (a file's: its own folder).
        resume: run only the runs not yet in ``OUT/runs/`` (``--resume``).
        workers: local processes (1: in this process; None: one per core).
        **options: ``seed``, ``reps``, ``years``, ``scale``, ``start``, ``monthly``,
            ``draw_params``, ``reps_per_draw``, ``cohorts``: override the batch's values, as
            on the command line.

    Raises:
        InputError: a bad batch, option, scenario or parameter (nothing runs).
        RuntimeError: a run failed (with ``out`` given, the finished runs stay there).
    """
    import argparse

    from sim.cli.batch import DEFAULTS, plan_batch, run_planned
    from sim.run.batchfile import batch_from_dict, load_batch

    extra = set(options) - {*DEFAULTS, "draw_params", "reps_per_draw", "cohorts"}
    if extra:
        raise InputError(f"batch: unknown option(s) {', '.join(sorted(extra))}")
    if isinstance(batch_file, dict):
        file = batch_from_dict(batch_file, folder)
    else:
        file = load_batch(batch_file)
    with _folder(out) as where:
        args = argparse.Namespace(
            **{k: options.get(k) for k in DEFAULTS},
            draw_params=options.get("draw_params", False),
            reps_per_draw=options.get("reps_per_draw"),
            cohorts=options.get("cohorts"),
            out=str(where),
            quiet=True,
            workers=workers,
            scheduler=None,
        )
        planned = plan_batch(args, file)
        code = run_planned(planned, resume)
        if code:
            failed = json.loads((where / "failures.json").read_text(encoding="utf-8"))
            first = failed["failures"][0]
            raise RuntimeError(
                f"{len(failed['failures'])} run(s) failed; first: {first['scenario']} "
                f"replicate {first['replicate']}\n{first['traceback']}"
            )
        return _read(where, kept=out is not None)


def history(model: YouthModel, pid: int) -> pd.DataFrame:
    """One youth's spells (activity, NAV status, helpers, mental health)."""
    return youth_history(model, pid)
