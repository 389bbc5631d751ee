"""The emulated trial: IPS vs usual services inside the simulation, as in an RCT.

``sim trial`` runs a scenario (default baseline) as a :class:`TrialScenario`, which makes the
model create the trial's agents (:mod:`sim.services.trial_team`): in January of the run's
second year the eligible youth are randomised in equal thirds to ``ips``, ``usual`` and
``ips_6m`` (IPS that ends after 6 months), with dedicated trial places, and followed inside
the same run. Replicates use the same replicate seeds as every other command.

Outcomes per arm and follow-up month, pooled over replicates (counts summed), with 95 %
Wilson intervals: ``employed_at`` (share in competitive employment at that month) and
``any_job_by`` (share with any competitive job by that month). Youth who leave during
follow-up (age 30) are censored: each month's share is over those still present (``n``).
The published outcome the mechanism is calibrated to is the risk ratio of ``employed_at`` 12
months, IPS vs usual, in ``nav_mental_health`` (``trial_rr_employed_at`` in ``targets.csv``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from sim.core.scenario import Scenario
from sim.services.trial_team import ARMS

POPULATIONS = ("nav_mental_health", "young_neet_benefits")
OUTCOMES = {"trial_employed_at": "employed_at", "trial_any_job_by": "any_job_by"}
REPORT_MONTHS = (6, 12, 18)
Z95 = 1.959963984540054


@dataclass(frozen=True)
class TrialConfig:
    """What the trial does: population, most youth per arm, follow-up, IPS time limit."""

    population: str = "nav_mental_health"
    n_max: int | None = None  # most youth per arm (None: all eligible)
    months: int = 18
    short_months: int = 6  # the ips_6m arm's support ends after this many months


@dataclass(frozen=True)
class TrialScenario(Scenario):
    """A scenario run as an emulated trial (the model reads ``trial``)."""

    trial: TrialConfig = TrialConfig()


def as_trial(scenario: Scenario, config: TrialConfig) -> TrialScenario:
    """The same scenario, run as a trial."""
    values = {f.name: getattr(scenario, f.name) for f in fields(Scenario)}
    return TrialScenario(**values, trial=config)


def years_needed(start: str, months: int) -> int:
    """Years of simulation that cover randomisation (next January) plus the follow-up."""
    start_month = int(start.split("-")[1])
    offset = 12 - (start_month - 1)  # months from the start to January of the second year
    return math.ceil((offset + months) / 12)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95 % Wilson score interval for k successes out of n."""
    if n <= 0:
        return float("nan"), float("nan")
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _cell(k: int, n: int) -> dict:
    lo, hi = wilson(k, n)
    share = k / n if n else None
    return {"share": share, "lo": None if n == 0 else lo, "hi": None if n == 0 else hi, "n": n}


def counts(yearly: pd.DataFrame) -> pd.DataFrame:
    """Pooled counts per (outcome, arm, month): k (youth with the outcome) and n (present)."""
    rows = yearly[yearly["metric"].isin(OUTCOMES)].copy()
    rows[["arm", "month"]] = rows["group"].str.rsplit(":", n=1, expand=True)
    rows["month"] = rows["month"].astype(int)
    rows["k"] = np.rint(rows["value"].fillna(0.0) * rows["n"]).astype(int)
    rows["outcome"] = rows["metric"].map(OUTCOMES)
    return rows.groupby(["outcome", "arm", "month"], sort=True)[["k", "n"]].sum().reset_index()


def report_months(months: int) -> list[int]:
    """The follow-up months written to ``trial.json`` (6, 12, 18 within the follow-up)."""
    chosen = [m for m in REPORT_MONTHS if m <= months]
    return chosen if months in chosen else [*chosen, months]


def balance(yearly: pd.DataFrame) -> dict:
    """Arm characteristics at randomisation, averaged over replicates (weighted by size)."""
    rows = yearly[yearly["metric"] == "trial_balance"].copy()
    rows[["arm", "var"]] = rows["group"].str.split(":", n=1, expand=True)
    out: dict = {}
    for (arm, var), g in rows.groupby(["arm", "var"], sort=True):
        w = g["n"].to_numpy(dtype=float)
        value = float(g["value"].sum()) if var == "size" else _weighted(g["value"], w)
        out.setdefault(arm, {})[var] = value
    return out


def _weighted(values: pd.Series, w: np.ndarray) -> float | None:
    v = values.to_numpy(dtype=float)
    ok = ~np.isnan(v) & (w > 0)
    return float(np.average(v[ok], weights=w[ok])) if ok.any() else None


def summarize_trial(yearly: pd.DataFrame, config: TrialConfig, reps: int) -> dict:
    """Build ``trial.json`` from the runs' yearly tables."""
    table = counts(yearly)
    sizes = yearly[(yearly["metric"] == "trial_balance") & (yearly["group"] == "ips:size")]
    per_rep = [int(v) for v in sizes.sort_values("replicate")["value"]]
    arms: dict = {}
    for arm in ARMS:
        arms[arm] = {}
        for outcome in OUTCOMES.values():
            cells = {}
            for month in report_months(config.months):
                hit = table[
                    (table["outcome"] == outcome)
                    & (table["arm"] == arm)
                    & (table["month"] == month)
                ]
                k, n = (int(hit["k"].sum()), int(hit["n"].sum())) if len(hit) else (0, 0)
                cells[str(month)] = _cell(k, n)
            arms[arm][outcome] = cells
    return {
        "population": config.population,
        "n_per_arm": int(round(float(np.mean(per_rep)))) if per_rep else 0,
        "n_per_arm_by_replicate": per_rep,
        "reps": reps,
        "months": config.months,
        "arms": arms,
        "risk_ratio": risk_ratios(arms),
        "balance": balance(yearly),
    }


def risk_ratios(arms: dict) -> dict:
    """IPS arms vs usual: ratio of the pooled shares per outcome and month (no interval)."""
    out: dict = {}
    for arm in ("ips", "ips_6m"):
        for outcome, cells in arms.get(arm, {}).items():
            for month, cell in cells.items():
                ref = arms["usual"][outcome][month]["share"]
                ratio = cell["share"] / ref if cell["share"] is not None and ref else None
                out.setdefault(f"{arm}/usual", {}).setdefault(outcome, {})[month] = ratio
    return out


def format_table(trial: dict) -> str:
    """The trial table as text: arm x month, share [95 % interval] (n)."""
    lines = [
        f"Emulated trial: {trial['population']}, {trial['n_per_arm']} per arm and replicate, "
        f"{trial['reps']} replicates (pooled; 95 % Wilson intervals; n = youth still present)"
    ]
    for outcome in OUTCOMES.values():
        lines.append(f"{outcome}:")
        for arm, outcomes in trial["arms"].items():
            cells = [_fmt_cell(month, c) for month, c in outcomes[outcome].items()]
            lines.append(f"  {arm:<7}" + "  ".join(cells))
    for pair, by_outcome in trial.get("risk_ratio", {}).items():
        ratios = by_outcome.get("employed_at", {})
        text = ", ".join(f"{m} m {r:.2f}" for m, r in ratios.items() if r is not None)
        lines.append(f"risk ratio {pair}, employed_at: {text}")
    return "\n".join(lines)


def _fmt_cell(month: str, c: dict) -> str:
    if c["share"] is None:
        return f"{month:>2} m: n/a"
    return f"{month:>2} m: {c['share']:.1%} [{c['lo']:.1%}, {c['hi']:.1%}] (n={c['n']})"
