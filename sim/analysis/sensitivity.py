"""Global sensitivity analysis with SALib (``sim sensitivity``) and paired design runs.

A design point is a world: its parameter values drive the warm-up and the horizon of every
scenario (:func:`sim.run.draws.apply_draw`; each scenario's own levers stay on top). Every design
point uses the same replicate seeds (common random numbers), so differences between points
come from the parameters, not from noise; with two scenarios the paired output is the
difference of the same replicate.

Outputs (means over replicates):

- ``neet_rate_y10``: the NEET rate 15-29 (all) of the reference scenario in year 10 of the
  horizon (the last year when the horizon is shorter);
- ``net_public_cost``: the NPV of public costs, second scenario minus reference, i.e. the sum
  over the horizon of ``cost_nok_discounted`` ``public:total`` (as in the summary headline).

Methods: Morris elementary effects (``n`` trajectories, k + 1 runs each, 4 levels) giving
μ*, μ, σ and a bootstrap interval of μ*; Sobol (Saltelli sampling, first-order and total
indices, ``n`` base samples, n (k + 2) runs) giving S1 and ST with 95 % intervals. A ``dummy``
parameter that the model never reads can be added to the design as a check of the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.core.params import specs
from sim.core.scenario import Scenario
from sim.errors import InputError
from sim.run.draws import apply_draw
from sim.run.runner import RunSpec

DEFAULT_PARAMS = [
    "handover_loss",
    "plan_conflict",
    "labour.job_find_monthly",
    "labour.job_loss_monthly",
    "nav.chance_contact_monthly",
    "nav.followup_boost",
    "health.onset_monthly",
    "mental_health.treatment_recovery_rr",
    "school.return_neet_yearly",
    "ips.job_find_rr",
]
OUTPUTS = ("neet_rate_y10", "net_public_cost")
PAIRED = {"net_public_cost"}
DUMMY = "dummy"
MORRIS_LEVELS = 4


@dataclass
class Study:
    """A sensitivity design: parameters, outputs, scenarios (reference first) and runs."""

    names: list[str]
    outputs: list[str]
    scenarios: dict[str, Scenario]
    seeds: list[int]
    years: int = 10
    scale: float = 0.25
    start: str = "2024-01"
    dummy: bool = False
    bounds: dict[str, tuple[float, float]] = field(default_factory=dict)

    def problem(self) -> dict:
        """The SALib problem (the dummy last, on [0, 1])."""
        names = [*self.names, DUMMY] if self.dummy else list(self.names)
        bounds = [list(self.bounds.get(n) or (specs()[n].lo, specs()[n].hi)) for n in self.names]
        bounds += [[0.0, 1.0]] if self.dummy else []
        return {"num_vars": len(names), "names": names, "bounds": bounds}

    def values(self, x: np.ndarray) -> dict[str, float]:
        """Parameter values of a design row (the dummy is left out: the model never sees it)."""
        return {n: float(v) for n, v in zip(self.names, x, strict=False)}

    def runs_per_point(self) -> int:
        """Runs per design point: replicates x scenarios needed by the outputs."""
        return len(self.seeds) * (2 if PAIRED & set(self.outputs) else 1)

    def specs(self, x: np.ndarray, i: int) -> list[RunSpec]:
        """The runs of design point ``i`` (labels ``<scenario>#<i>``)."""
        labels = list(self.scenarios)[: 2 if PAIRED & set(self.outputs) else 1]
        return [
            RunSpec(apply_draw(self.scenarios[lb], self.values(x)), r, seed, self.years,
                    self.scale, self.start, monthly=False, label=f"{lb}#{i}")
            for r, seed in enumerate(self.seeds)
            for lb in labels
        ]  # fmt: skip


def check(names: list[str], outputs: list[str], scenarios: dict) -> None:
    """Known parameters with a range, known outputs, two scenarios for a paired output."""
    for n in names:
        if n not in specs():
            raise InputError(f"--params: {n}: unknown parameter")
        if specs()[n].hi <= specs()[n].lo:
            raise InputError(f"--params: {n}: its range is empty")
    for o in outputs:
        if o not in OUTPUTS:
            raise InputError(f"--outputs: {o}: unknown output (valid: {', '.join(OUTPUTS)})")
    if PAIRED & set(outputs) and len(scenarios) < 2:
        raise InputError("--scenarios: net_public_cost needs two scenarios (reference first)")


# -- sampling and analysis --------------------------------------------------------------------
def sample(problem: dict, method: str, n: int, seed: int) -> np.ndarray:
    """The design: Morris trajectories or Saltelli samples (no second-order terms)."""
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, N=n, num_levels=MORRIS_LEVELS, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(problem, n, calc_second_order=False, seed=seed)


def n_runs(method: str, n: int, k: int, per_point: int) -> int:
    """Expected runs: Morris n (k + 1), Sobol n (k + 2) design points, times runs per point."""
    return n * (k + 1 if method == "morris" else k + 2) * per_point


def analyze(problem: dict, x: np.ndarray, y: np.ndarray, method: str, seed: int) -> pd.DataFrame:
    """Indices of one output: a row per parameter (Morris μ*, μ, σ; Sobol S1, ST), 95 % CIs."""
    if method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem, x, y, num_levels=MORRIS_LEVELS, seed=seed)
        cols = {"mu_star": "mu_star", "mu_star_conf": "mu_star_conf", "mu": "mu", "sigma": "sigma"}
    else:
        from SALib.analyze import sobol

        res = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
        cols = {"S1": "S1", "S1_conf": "S1_conf", "ST": "ST", "ST_conf": "ST_conf"}
    table = pd.DataFrame({new: np.asarray(res[old], dtype=float) for old, new in cols.items()})
    table.insert(0, "parameter", problem["names"])
    rank_by = "mu_star" if method == "morris" else "ST"
    table["rank"] = table[rank_by].rank(ascending=False, method="min").astype(int)
    return table.sort_values("rank", kind="stable").reset_index(drop=True)


# -- running the design -----------------------------------------------------------------------
def outputs_of(study: Study, tables: dict[str, pd.DataFrame], i: int) -> list[float]:
    """The outputs of design point ``i`` from its runs' yearly tables."""
    labels = list(study.scenarios)
    ref = tables[f"{labels[0]}#{i}"]
    out = []
    for name in study.outputs:
        if name == "neet_rate_y10":
            out.append(neet_rate_year(ref, study.start, min(10, study.years)))
        else:
            out.append(net_cost(tables[f"{labels[1]}#{i}"], ref))
    return out


def neet_rate_year(yearly: pd.DataFrame, start: str, year: int) -> float:
    """Mean over replicates of the NEET rate (all) in year ``year`` of the horizon."""
    period = int(start[:4]) + year - 1
    sel = yearly[
        (yearly["metric"] == "neet_rate")
        & (yearly["group"] == "all")
        & (yearly["period"] == period)
    ]
    return float(sel["value"].mean())


def net_cost(scenario: pd.DataFrame, reference: pd.DataFrame) -> float:
    """Mean over replicates of the paired NPV of public costs, scenario minus reference."""

    def npv(df: pd.DataFrame) -> pd.Series:
        sel = df[(df["metric"] == "cost_nok_discounted") & (df["group"] == "public:total")]
        return sel.groupby("replicate")["value"].sum()

    return float((npv(scenario) - npv(reference)).mean())


def run_design(study: Study, x: np.ndarray, pool, chunk: int = 64) -> np.ndarray:
    """Outputs of every design row (rows x outputs), run on an entered executor in chunks."""
    from sim.analysis.calibrate import run_tables

    y = np.empty((len(x), len(study.outputs)))
    for lo in range(0, len(x), chunk):
        rows = range(lo, min(lo + chunk, len(x)))
        tables = run_tables([s for i in rows for s in study.specs(x[i], i)], pool)
        for i in rows:
            y[i] = outputs_of(study, tables, i)
    return y


def indices(study: Study, x: np.ndarray, y: np.ndarray, method: str, seed: int) -> pd.DataFrame:
    """Every output's indices in one long table (column ``output``)."""
    problem = study.problem()
    parts = []
    for j, name in enumerate(study.outputs):
        table = analyze(problem, x, y[:, j], method, seed)
        table.insert(0, "output", name)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def plot(table: pd.DataFrame, method: str):
    """Bars of μ* (Morris) or S1 and ST (Sobol) with 95 % intervals, one panel per output."""
    from matplotlib.figure import Figure

    outputs = list(dict.fromkeys(table["output"]))
    fig = Figure(figsize=(6 * len(outputs), 0.45 * table["parameter"].nunique() + 1.5))
    for j, name in enumerate(outputs):
        ax = fig.add_subplot(1, len(outputs), j + 1)
        part = table[table["output"] == name].iloc[::-1]
        pos = np.arange(len(part))
        if method == "morris":
            ax.barh(pos, part["mu_star"], xerr=part["mu_star_conf"], color="#4c72b0")
            ax.set_xlabel("μ* (mean |elementary effect|)")
        else:
            ax.barh(pos - 0.2, part["S1"], 0.4, xerr=part["S1_conf"], label="S1")
            ax.barh(pos + 0.2, part["ST"], 0.4, xerr=part["ST_conf"], label="ST")
            ax.set_xlabel("Sobol index")
            ax.legend()
        ax.set_yticks(pos, part["parameter"])
        ax.set_title(name)
    fig.tight_layout()
    return fig
