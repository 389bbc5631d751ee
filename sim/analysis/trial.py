"""The emulated trial: IPS vs usual services inside the simulation, enrolled as an RCT is.

``sim trial`` runs a scenario (default baseline) as a :class:`TrialScenario`, which makes the
model create the trial's agents (:mod:`sim.services.trial_team`): over an enrolment window
(``window`` months from January of the run's second year) the youth who newly become
eligible each month (from what services can see: mental-health need recorded by the GP,
specialist treatment or NAV; wanting work; not in work or education) are randomised at
enrolment to ``ips``, ``usual`` and ``ips_6m`` (IPS that ends after 6 months), up to
``n_max`` per arm, and each is followed from its own randomisation inside the same run.
Replicates use the same replicate seeds as every other command.

Outcomes per arm and follow-up month, pooled over replicates (counts summed), with 95 %
Wilson intervals: ``employed_at`` (share in competitive employment at that month) and
``any_job_by`` (share with any competitive job by that month). Youth who leave during
follow-up (age 30) are censored: each month's share is over those still present (``n``).
Balance (``balance``) is the arms' covariates at randomisation, before that month's step.
Targets (``targets.csv``, table ``trial``): the usual arm's ``employed_at`` at 12 and 18
months and the risk ratio at 12 months, IPS vs usual, in ``nav_mental_health`` (Reme et al.
2019).
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
    """What the trial does: population, most youth per arm, follow-up, IPS time limit, window."""

    population: str = "nav_mental_health"
    n_max: int | None = None  # most youth per arm (None: all who become eligible)
    months: int = 18
    short_months: int = 6  # the ips_6m arm's support ends after this many months
    window: int = 12  # enrolment months, from January of the run's second year


@dataclass(frozen=True)
class TrialScenario(Scenario):
    """A scenario run as an emulated trial (the model reads ``trial``)."""

    trial: TrialConfig = TrialConfig()


def as_trial(scenario: Scenario, config: TrialConfig) -> TrialScenario:
    """The same scenario, run as a trial."""
    values = {f.name: getattr(scenario, f.name) for f in fields(Scenario)}
    return TrialScenario(**values, trial=config)


def years_needed(start: str, months: int, window: int = 12) -> int:
    """Years of simulation that cover enrolment (from next January) and the last follow-up."""
    start_month = int(start.split("-")[1])
    offset = 12 - (start_month - 1)  # months from the start to January of the second year
    return math.ceil((offset + window - 1 + months) / 12)


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


def arm_sizes(yearly: pd.DataFrame) -> list[int]:
    """The smallest arm of each replicate (arms differ by at most one), in replicate order."""
    rows = yearly[(yearly["metric"] == "trial_balance") & yearly["group"].str.endswith(":size")]
    return [int(v) for v in rows.groupby("replicate", sort=True)["value"].min()]


def summarize_trial(yearly: pd.DataFrame, config: TrialConfig, reps: int) -> dict:
    """Build ``trial.json`` from the runs' yearly tables."""
    table = counts(yearly)
    per_rep = arm_sizes(yearly)
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
        "enrolment": enrolment(yearly, config, reps),
        "protocol": PROTOCOL,
        "arms": arms,
        "risk_ratio": risk_ratios(arms),
        "balance": balance(yearly),
    }


PROTOCOL = {
    "eligibility": "aged 18-29, NEET or in a NAV programme, wants ordinary work; "
    "nav_mental_health: in BUP/DPS treatment, or a NAV client on AAP or with a GP-detected "
    "mental-health problem; young_neet_benefits: on AAP or in the qualification programme",
    "ips": "dedicated IPS places without a time limit; integrated specialist: one shared plan "
    "(no plan_conflict penalty) for the share ips.integrated, as part of IPS",
    "ips_6m": "as ips, support ends after 6 months",
    "usual": "the scenario's services, except IPS (the regular IPS team takes no participant); "
    "no trial-given plan",
}


def enrolment(yearly: pd.DataFrame, config: TrialConfig, reps: int) -> dict:
    """How the trial enrolled: window, cap, newly eligible youth and how services knew them.

    Counts are simulated youth per replicate (per month for the newly eligible, screened
    until the trial is full); shares are of the newly eligible.
    """
    rows = yearly[yearly["metric"] == "trial_eligible_new"]
    per_group = rows.groupby("group")["n"].sum()
    new = float(per_group.get("all", 0))
    prevalent = yearly[yearly["metric"] == "trial_eligible_prevalent"]["n"].sum()
    known = {g: float(per_group[g]) / new for g in per_group.index if g != "all" and new}
    return {
        "window_months": config.window,
        "n_max": config.n_max,
        "incident": True,
        "newly_eligible_per_month": new / (reps * config.window) if reps else 0.0,
        "prevalent_at_opening": float(prevalent) / reps if reps else 0.0,
        "newly_eligible_shares": known,
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


def trial_targets(trial: dict, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``trial`` lines of the targets against a ``trial.json`` of the same population.

    An arm's share (``trial_<outcome>``, group ``<population>:<arm>``) is compared with its
    pooled share and Wilson interval; a risk ratio (``trial_rr_<outcome>``, group
    ``<population>:<arm>/<reference>``) with the ratio of the pooled shares (no interval).

    Returns:
        One row per target line of the trial's population: metric, group, period, target,
        lo, hi, simulated, sim_lo, sim_hi, inside (False where the trial has no value).
    """
    from sim.analysis.targets import load_targets

    targets = load_targets(table="trial") if targets is None else targets
    rows = []
    for t in targets.itertuples(index=False):
        population, _, arm = t.group.partition(":")
        if population != trial["population"]:
            continue
        sim, lo, hi = _simulated(trial, t.metric, arm, str(t.period))
        inside = sim is not None and t.lo <= sim <= t.hi
        rows.append((t.metric, t.group, t.period, t.value, t.lo, t.hi, sim, lo, hi, inside))
    columns = ["metric", "group", "period", "target", "lo", "hi", "simulated", "sim_lo"]
    return pd.DataFrame(rows, columns=[*columns, "sim_hi", "inside"])


def _simulated(trial: dict, metric: str, arm: str, month: str) -> tuple:
    """(value, lo, hi) of one target's quantity in ``trial.json`` (Nones when absent)."""
    if metric.startswith("trial_rr_"):
        ratio = trial.get("risk_ratio", {}).get(arm, {})
        return ratio.get(metric.removeprefix("trial_rr_"), {}).get(month), None, None
    cell = trial["arms"].get(arm, {}).get(metric.removeprefix("trial_"), {}).get(month)
    if not cell:
        return None, None, None
    return cell["share"], cell["lo"], cell["hi"]


def format_targets(table: pd.DataFrame) -> str:
    """The trial targets as text lines: simulated vs target [band], inside or OUTSIDE."""
    lines = []
    for r in table.itertuples(index=False):
        sim = "n/a" if r.simulated is None else f"{r.simulated:.3f}"
        where = "inside" if r.inside else "OUTSIDE"
        lines.append(
            f"target {r.metric} {r.group} {r.period} m: {sim} vs {r.target:.3f} "
            f"[{r.lo:.3f}, {r.hi:.3f}] {where}"
        )
    return "\n".join(lines)
