"""Calibration of the baseline to every target at once (``sim calibrate``).

What is fitted: the parameters whose role is ``calibrated`` (``role`` column of
``sim/data/parameters.csv``), each inside its plausible range ``[lo, hi]`` (the prior box);
``--params`` chooses another set. Against what: every row of ``sim/data/targets.csv``, of the
tables ``yearly``, ``cohorts`` (the cohorts the rows name are followed in the runs) and
``trial`` (the emulated trial, one per population the rows name), with the band loss of
:mod:`sim.analysis.calibrate_loss`.

How a candidate is evaluated: the base scenario with the candidate's values in the warm-up too
(:func:`sim.run.draws.apply_draw`), run for the same replicate seeds as every other candidate
(common random numbers), plus the emulated trial with the same values and seeds; moments are
averaged over the seeds.

Search: the base scenario's values first (the loss before), then a Latin-hypercube design,
then points proposed by a quadratic emulator of the moments (:mod:`sim.analysis.emulator`),
refitted after every evaluation. Every evaluation is appended to ``DIR/evaluations.jsonl``
(:mod:`sim.analysis.calibrate_log`), so a rerun continues and a kill loses at most one. The
search stops at ``budget`` evaluations in all, or when the next one would not end within the
session's ``minutes``.

Identifiability: ``handover_loss`` and ``plan_conflict`` both raise NEET and are not
separately identified by these targets; asking for both is refused. See
``docs/calibration.md``.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis import calibrate_loss as cl
from sim.analysis.calibrate_log import Log, finite, table_of
from sim.analysis.calibrate_loss import check_targets
from sim.analysis.calibrate_search import next_point, objective_of
from sim.analysis.trial import POPULATIONS, TrialConfig, as_trial, summarize_trial, years_needed
from sim.core.params import specs
from sim.core.scenario import Scenario
from sim.errors import InputError
from sim.run.draws import apply_draw
from sim.run.runner import RunSpec

__all__ = ["check_targets", "run_tables", "calibrate", "Problem", "choose_params"]
CONFOUNDED = ("handover_loss", "plan_conflict")
BASE = "calibrate"  # the label of a candidate's baseline runs


def calibrated_names() -> list[str]:
    """The parameters whose role is ``calibrated``, in file order."""
    return [n for n, s in specs().items() if s.role == "calibrated"]


def choose_params(names: list[str] | None, fixed: dict[str, float]) -> list[str]:
    """The free parameters: given names (checked) or the ``calibrated`` ones."""
    chosen = names if names else calibrated_names()
    if not chosen:
        raise InputError("--params: no parameter has role calibrated; name them with --params")
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
    if clash and names:
        raise InputError(f"--fix: {clash[0]}: is also a calibrated parameter")
    return [n for n in chosen if n not in fixed]


def cohort_names(targets: pd.DataFrame) -> list[str]:
    """The cohorts that ``cohorts`` target rows name (``<cohort>:<activity>...``)."""
    rows = targets[targets["table"] == "cohorts"]
    return list(dict.fromkeys(g.split(":", 1)[0] for g in rows["group"]))


def trial_needs(targets: pd.DataFrame) -> dict[str, int]:
    """Trial population → follow-up months the ``trial`` target rows need (InputError: bad row)."""
    rows = targets[targets["table"] == "trial"]
    out: dict[str, int] = {}
    for g, p in zip(rows["group"], rows["period"], strict=True):
        pop = g.split(":", 1)[0]
        if pop not in POPULATIONS or str(p) == "*":
            raise InputError(
                f"targets: trial row {g} {p}: need a population of {POPULATIONS} and a month"
            )
        out[pop] = max(out.get(pop, 1), int(p))
    return out


def cohort_field(names: list[str], start: str, years: int) -> tuple[tuple[str, str, str], ...]:
    """The runs' ``cohorts`` (RunSpec triples: label, name, entry month) for these cohorts.

    Checked as ``--cohort`` is (unknown name, month format, entry inside the run: InputError).
    """
    from sim.run.jobs import RunOptions, parse_cohort

    RunOptions(cohorts=tuple(names), start=start, years=years)  # validates, or InputError
    return tuple(sorted(parse_cohort(text, start) for text in names))


@dataclass
class Problem:
    """What is fitted: the base scenario, the free parameters, targets and the run design."""

    scenario: Scenario
    names: list[str]
    targets: pd.DataFrame
    seeds: list[int]
    years: int = 7
    scale: float = 0.1
    start: str = "2024-01"
    fixed: dict[str, float] = field(default_factory=dict)
    design_seed: int = 1
    notes: list[str] = field(default_factory=list)  # targets left out, and why
    trial_scale: float | None = None  # the trial runs' scale (None: ``scale``)

    def __post_init__(self) -> None:
        if "table" not in self.targets.columns:
            self.targets = self.targets.assign(table="yearly")
        names = cohort_names(self.targets)
        self.cohorts = cohort_field(names, self.start, self.years) if names else ()
        self.trials = trial_needs(self.targets)

    @property
    def lo(self) -> np.ndarray:
        """Lower bounds of the free parameters."""
        return np.array([specs()[n].lo for n in self.names])

    @property
    def hi(self) -> np.ndarray:
        """Upper bounds of the free parameters."""
        return np.array([specs()[n].hi for n in self.names])

    def values(self, u: np.ndarray) -> dict[str, float]:
        """Parameter values of a point of the unit cube (fixed values included).

        Each coordinate is its parameter's prior quantile (:meth:`ParamSpec.from_unit`).
        """
        u = np.clip(u, 0.0, 1.0)
        x = [specs()[n].from_unit(float(ui)) for n, ui in zip(self.names, u, strict=True)]
        return {**self.fixed, **{n: float(v) for n, v in zip(self.names, x, strict=True)}}

    def prior_u(self) -> np.ndarray:
        """The base scenario's values, in unit-cube coordinates (their prior quantiles)."""
        base = self.scenario.params
        return np.array([float(specs()[n].to_unit(base[n])) for n in self.names])

    def priors(self) -> list[str]:
        """The free parameters' prior shapes."""
        return [specs()[n].prior for n in self.names]

    def runs_per_evaluation(self) -> int:
        """Runs of one candidate: the baseline and each trial, per seed."""
        return len(self.seeds) * (1 + len(self.trials))

    def specs(self, u: np.ndarray) -> list[RunSpec]:
        """The runs of one candidate: baseline and trials per seed, the values in the warm-up."""
        sc = apply_draw(self.scenario, self.values(u))
        extra = {"cohorts": self.cohorts} if self.cohorts else {}
        out = [
            RunSpec(sc, r, s, self.years, self.scale, self.start, False, BASE, **extra)
            for r, s in enumerate(self.seeds)
        ]
        tscale = self.trial_scale or self.scale
        for pop, months in self.trials.items():
            tsc = as_trial(sc, TrialConfig(pop, None, months))
            years = years_needed(self.start, months)
            out += [
                RunSpec(tsc, r, s, years, tscale, self.start, False, f"trial-{pop}")
                for r, s in enumerate(self.seeds)
            ]
        return out

    def header(self) -> dict:
        """What the evaluations depend on (the log's first line)."""
        return {
            "params": self.names, "lo": list(self.lo), "hi": list(self.hi), "fixed": self.fixed,
            "scenario": [f.sha256 for f in self.scenario.files],
            "parameters": parameter_hash(), "seeds": self.seeds,
            "years": self.years, "scale": self.scale, "start": self.start,
            **({"trial_scale": self.trial_scale} if self.trial_scale else {}),
            "design_seed": self.design_seed, "cohorts": list(self.cohorts or ()),
            "targets": self.targets[["table", *cl.TARGET_COLUMNS]].astype(str).values.tolist(),
            # the unit cube's meaning (absent when every shape is uniform, as in older logs)
            **({"priors": self.priors()} if set(self.priors()) - {"uniform"} else {}),
        }  # fmt: skip


def parameter_hash() -> str:
    """A hash of every parameter's default value (a change makes earlier evaluations stale)."""
    text = json.dumps({n: s.value for n, s in specs().items()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_tables(specs_: list[RunSpec], pool) -> dict[str, pd.DataFrame]:
    """Run specs on an entered executor; yearly table per label (replicates combined).

    Raises:
        RuntimeError: when a run fails (its traceback in the message).
    """
    results = run_results(specs_, pool)
    return {k: pd.concat([r.yearly for r in v], ignore_index=True) for k, v in results.items()}


def run_results(specs_: list[RunSpec], pool) -> dict[str, list]:
    """Run specs on an entered executor; the run results per label, in replicate order.

    Raises:
        RuntimeError: when a run fails (its traceback in the message).
    """
    from sim.run.execute import run_in_memory

    results, failures = run_in_memory(specs_, pool)
    if failures:
        spec, error = failures[0]
        raise RuntimeError(f"run failed: {spec.name} r{spec.replicate}:\n{error}")
    out: dict[str, list] = {}
    for spec, result in zip(specs_, results, strict=True):
        out.setdefault(spec.name, []).append(result)
    return out


# -- one evaluation -----------------------------------------------------------------------------
def evaluate(problem: Problem, u: np.ndarray, pool) -> pd.DataFrame:
    """The moment table of one candidate (runs in parallel on an entered executor).

    Raises:
        RuntimeError: when a run fails (its traceback in the message).
    """
    by_label = run_results(problem.specs(u), pool)
    base = by_label[BASE]
    yearly = pd.concat([r.yearly for r in base], ignore_index=True)
    parts = [getattr(r, "cohorts", None) for r in base]
    parts = [c for c in parts if c is not None]
    cohorts = pd.concat(parts, ignore_index=True) if parts else None
    trials = {}
    for pop, months in problem.trials.items():
        tables = pd.concat([r.yearly for r in by_label[f"trial-{pop}"]], ignore_index=True)
        config = TrialConfig(pop, None, months)
        trials[pop] = summarize_trial(tables, config, len(problem.seeds))
    return cl.moments(problem.targets, yearly, cohorts, trials)


def entry(problem: Problem, u: np.ndarray, table: pd.DataFrame, stage: str, secs: float) -> dict:
    """One evaluation as a log line."""
    moments = table.astype(object).where(table.notna(), None).to_dict("records")
    return {
        "evaluation": 0, "stage": stage, "u": [float(x) for x in u],
        "values": problem.values(u), "loss": finite(cl.loss(table)),
        "centre": finite(cl.centre(table)), "objective": finite(cl.objective(table)),
        "inside": int(table["inside"].sum()), "rows": len(table), "seconds": secs,
        "moments": moments,
    }  # fmt: skip


# -- the search ---------------------------------------------------------------------------------
@dataclass
class Fit:
    """The result: fitted values, the target table at them, the log, runs and timing."""

    values: dict[str, float]
    loss: float
    centre: float
    table: pd.DataFrame
    history: pd.DataFrame
    seconds: float  # this session
    new: int  # evaluations made in this session
    prior: dict  # the log line of the base scenario's values


def calibrate(
    problem: Problem, pool, log: Log, budget: int, minutes: float, quiet: bool = True
) -> Fit:
    """Evaluate until ``budget`` evaluations are logged or ``minutes`` would be exceeded."""
    t0 = time.perf_counter()
    new = 0
    while len(log.entries) < budget:
        spent = [e["seconds"] for e in log.entries[-5:]]
        per = float(np.median(spent)) if spent else 0.0
        if log.entries and time.perf_counter() - t0 + per > minutes * 60:
            break
        stage, u = next_point(problem, log)
        t1 = time.perf_counter()
        table = evaluate(problem, u, pool)
        line = entry(problem, u, table, stage, time.perf_counter() - t1)
        line["evaluation"] = len(log.entries) + 1
        log.append(line)
        new += 1
        if not quiet:
            print(
                f"[{line['evaluation']}] {stage:8s} loss {line['loss']:.4f} centre "
                f"{line['centre']:.3f} inside {line['inside']}/{line['rows']} "
                f"({line['seconds']:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
    return result(problem, log, time.perf_counter() - t0, new)


def result(problem: Problem, log: Log, seconds: float, new: int) -> Fit:
    """The best logged evaluation, as a :class:`Fit`."""
    best = min(log.entries, key=objective_of)
    history = pd.DataFrame(
        [{k: v for k, v in e.items() if k not in ("moments", "u", "values")} | e["values"]
         for e in log.entries]
    )  # fmt: skip
    prior = next((e for e in log.entries if e["stage"] == "prior"), log.entries[0])
    values = {**problem.fixed, **{n: best["values"][n] for n in problem.names}}
    return Fit(values, best["loss"], best["centre"], table_of(best), history, seconds, new, prior)


def fit_table(fit: Fit, problem: Problem) -> pd.DataFrame:
    """One row per parameter: role, prior value, range and fitted value."""
    prior = problem.scenario.params
    rows = []
    for n in [*problem.names, *problem.fixed]:
        s = specs()[n]
        how = "fixed (--fix)" if n in problem.fixed else s.role
        rows.append({"parameter": n, "role": how, "prior": prior[n], "lo": s.lo, "hi": s.hi,
                     "fitted": fit.values[n]})  # fmt: skip
    return pd.DataFrame(rows)


def estimate_seconds(runs: int, scale: float, years: int, workers: int) -> float:
    """Rough wall time: ~1.5 s per run to start, ~0.27 s per simulated year at scale 1."""
    per_run = 1.5 + 0.27 * scale * (15 + years)
    return runs * per_run / max(workers, 1)
