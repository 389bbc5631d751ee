"""A small synthetic results directory that follows the results contract (DESIGN.md).

It is made of invented numbers with the right shape: three scenarios (the first is the
reference), a few replicates and years, costs, referrals, service indicators, municipality groups
(two of them with fewer than 20 simulated youth, to exercise suppression) and a trial.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = ["scenario", "replicate", "seed", "period", "metric", "group", "value", "n"]
SCENARIOS = {
    "baseline": ({"nb": "Dagens praksis", "en": "Current practice"}, {}, 0.0),
    "coordinated_ips": (
        {"nb": "Koordinert IPS-oppfølging", "en": "Coordinated IPS follow-up"},
        {"handover_loss": 0.05, "ips.fte": 40},
        0.012,
    ),
    "coordinator": (
        {"nb": "Fast koordinator", "en": "Named coordinator"},
        {"handover_loss": 0.1},
        0.006,
    ),
}
# group -> (share of the population, NEET multiplier, simulated youth at scale 0.05)
GROUPS = {
    "all": (1.0, 1.0, 4800),
    "15-19": (0.3, 0.2, 1450),
    "20-24": (0.35, 1.2, 1680),
    "25-29": (0.35, 1.5, 1670),
    "female": (0.49, 0.95, 2350),
    "male": (0.51, 1.05, 2450),
    "immigrant": (0.18, 1.6, 860),
    "non_immigrant": (0.82, 0.87, 3940),
    "kommune:5001": (0.52, 0.95, 2500),
    "kommune:5006": (0.05, 1.1, 240),
    "kommune:5026": (0.003, 1.3, 14),
    "kommune:5061": (0.002, 1.2, 9),
}
EDGES = {  # referral -> (yearly volume, share lost at baseline)
    "school->followup": (900, 0.10),
    "followup->nav": (500, 0.20),
    "nav->mental_health": (400, 0.25),
    "gp->mental_health": (700, 0.08),
    "mental_health->nav": (250, 0.30),
    "nav->ips": (150, 0.15),
}
SERVICES = ["followup", "nav", "gp", "mental_health", "ips"]
NAV_OFFICES = {"trondheim": (30.0, 60), "leka": (90.0, 5)}  # office -> (wait days, admitted)
COSTS = {  # group -> NOK per year at baseline
    "public:state:benefits": 2.1e9,
    "public:state:ips_specialists": 0.0,  # a staffing line: the programme's gross cost
    "public:municipality:services": 6.0e8,
    "public:county:followup": 1.2e8,
    "public:health_trust:treatment": 4.0e8,
    "societal:production": -5.5e9,
}
PARAMETERS_CSV = """name,value,unit,lo,hi,source,calibrate
handover_loss,0.2,share,0.05,0.4,assumption,true
plan_conflict,0.3,share,0.1,0.5,assumption,false
ips.fte,8,FTE,4,12,assumption,false
ips.effect_rr,1.63,ratio,1.46,1.82,Frederick & VanderWeele 2019,false
discount_rate,0.04,per year,0.04,0.04,Finansdepartementet R-109/2021,false
"""


def _metric_rows(rng: np.random.Generator, effect: float, year_i: int) -> list[tuple]:
    ramp = effect * min(1.0, (year_i + 1) / 3)
    rate = 0.095 - 0.001 * year_i - ramp
    rows = [("population", "all", 97000.0, 4800)]
    for group, (share, mult, n) in GROUPS.items():
        r = max(0.0, rate * mult + rng.normal(0, 0.004 if n > 100 else 0.03))
        rows.append(("neet_rate", group, r, n))
        rows.append(("neet_count", group, r * share * 97000, int(r * n)))
    rows += _service_rows(rng, effect, ramp)
    return rows


def _service_rows(rng: np.random.Generator, effect: float, ramp: float) -> list[tuple]:
    rows, made_all, lost_all = [], 0.0, 0.0
    for edge, (volume, loss) in EDGES.items():
        made = volume * (1 + 3 * effect) * rng.uniform(0.95, 1.05)
        lost = made * max(0.0, loss - 8 * ramp)
        made_all, lost_all = made_all + made, lost_all + lost
        rows += [("referrals_made", edge, made, int(made / 20)), ("referrals_lost", edge, lost, 0)]
    rows += [("referrals_made", "all", made_all, 0), ("referrals_lost", "all", lost_all, 0)]
    for i, svc in enumerate(SERVICES):
        if svc == "nav":  # per office, as the model writes it; the plots pool them into NAV
            for office, (wait, n) in NAV_OFFICES.items():
                group = f"service:nav:{office}"
                rows.append(("wait_days_mean", group, wait * rng.uniform(0.9, 1.1), n))
                rows.append(("queue_length", group, float(n), n))
                rows.append(("caseload_per_worker", group, 30 + 50 * effect, n))
            rows.append(("caseload_per_worker", "service:nav", 30 + 50 * effect, 65))
            continue
        group = f"service:{svc}"
        rows.append(("wait_days_mean", group, (20 + 10 * i) * rng.uniform(0.9, 1.1), 50))
        rows.append(("queue_length", group, (30 + 15 * i) * rng.uniform(0.9, 1.1), 50))
        rows.append(("caseload_per_worker", group, 15 + 2 * i + 50 * effect, 50))
    rows.append(("helpers_mean", "all", 2.4 - 30 * ramp, 900))
    rows.append(("helpers_3plus_share", "all", 0.35 - 5 * ramp, 900))
    return rows


def _cost_rows(effect: float, year_i: int, discount: float, costs: bool) -> list[tuple]:
    if not costs:
        return []
    rows, factor = [], (1 + discount) ** -year_i
    totals: dict[str, float] = {}
    for group, base in COSTS.items():
        value = base * (1 - 4 * effect * min(1.0, year_i / 3))
        if group == "public:state:ips_specialists":
            value += 1.5e8 * effect / 0.012  # programme cost
        prefix = group.rsplit(":", 1)[0]
        totals[prefix] = totals.get(prefix, 0.0) + value
        rows.append((group, value))
    for prefix, value in totals.items():
        rows.append((f"{prefix}:total", value))
    public = sum(v for k, v in totals.items() if k.startswith("public"))
    rows += [("public:total", public), ("societal:total", public + totals["societal"])]
    return [
        (m, g, v * f, 4800)
        for g, v in rows
        for m, f in (("cost_nok", 1), ("cost_nok_discounted", factor))
    ]


def yearly_table(reps: int, years: int, start: int, costs: bool = True) -> pd.DataFrame:
    """Return a synthetic yearly table (sorted as the contract requires)."""
    rows = []
    for stem, (_, _, effect) in SCENARIOS.items():
        for r in range(reps):
            rng = np.random.default_rng([r, len(stem)])
            for i in range(years):
                items = _metric_rows(rng, effect, i) + _cost_rows(effect, i, 0.04, costs)
                rows += [
                    (stem, r, 1000 + r, start + i, m, g, float(v), int(n)) for m, g, v, n in items
                ]
    df = pd.DataFrame(rows, columns=COLUMNS).astype({"seed": "int64", "n": "int64"})
    return df.sort_values(["scenario", "replicate", "period", "metric", "group"]).reset_index(
        drop=True
    )


def paired_table(yearly: pd.DataFrame, reference: str = "baseline") -> pd.DataFrame:
    """Return scenario − reference for the same replicate, as ``paired.parquet``."""
    keys = ["replicate", "period", "metric", "group"]
    ref = yearly[yearly.scenario == reference][keys + ["value", "n"]]
    other = yearly[yearly.scenario != reference].merge(ref, on=keys, suffixes=("", "_ref"))
    other["value"] = other["value"] - other["value_ref"]
    other["n"] = np.minimum(other["n"], other["n_ref"])
    other["reference"] = reference
    return other[COLUMNS + ["reference"]].reset_index(drop=True)


def _quantiles(df: pd.DataFrame) -> dict:
    out: dict = {}
    grouped = df.groupby(["scenario", "metric", "group", "period"])["value"]
    for (s, m, g, p), v in grouped:
        q = np.quantile(v, [0.5, 0.025, 0.975])
        out.setdefault(s, {}).setdefault(m, {}).setdefault(g, {})[str(p)] = {
            "median": float(q[0]),
            "lo": float(q[1]),
            "hi": float(q[2]),
        }
    return out


def _stats(values: np.ndarray) -> dict:
    q = np.quantile(values, [0.5, 0.025, 0.975])
    return {"median": float(q[0]), "lo": float(q[1]), "hi": float(q[2])}


def by_horizon(df: pd.DataFrame) -> dict:
    """A headline's ``by_horizon`` (DESIGN.md) from one scenario's paired rows.

    The fixture has no lifetime tail, so ``lifetime`` holds the run's values (``tail`` false).
    """
    cost = df[df["metric"] == "cost_nok_discounted"]
    first = int(df["period"].min())
    out = {}
    for key, keep in (("5y", cost["period"] < first + 5), ("run", cost["period"] >= first)):
        sums = cost[keep].groupby(["group", "replicate"])["value"].sum()
        public, societal = sums["public:total"].to_numpy(), sums["societal:total"].to_numpy()
        gross = sums.get("public:state:ips_specialists", pd.Series(0.0)).to_numpy()
        out[key] = {
            "npv_public_nok": _stats(public),
            "npv_societal_nok": _stats(societal),
            "gross_cost_public_nok": _stats(gross),
            "savings_public_nok": _stats(gross - public),
            "p_public_saving": float((public < 0).mean()),
            "p_societal_saving": float((societal < 0).mean()),
            "years": int(cost[keep]["period"].nunique()),
        }
    out["lifetime"] = {**out["run"], "tail": False}
    return out


def summary(yearly: pd.DataFrame, paired: pd.DataFrame, horizons: bool = True) -> dict:
    """Return ``summary.json`` with scenarios, paired and headline, as DESIGN.md describes.

    ``horizons=False`` leaves out ``by_horizon``, as in results of earlier versions.
    """
    out = {"scenarios": _quantiles(yearly), "paired": _quantiles(paired), "headline": {}}
    for stem, df in paired.groupby("scenario"):
        per_rep = df.groupby(["replicate", "metric", "group"])["value"].sum()
        averted = -per_rep.xs(("neet_count", "all"), level=["metric", "group"]).to_numpy()
        head = {"neet_years_averted": _stats(averted)}
        ratio = None
        if "cost_nok_discounted" in df.metric.values:
            for key, group in (
                ("npv_public_nok", "public:total"),
                ("npv_societal_nok", "societal:total"),
            ):
                head[key] = _stats(
                    per_rep.xs(
                        ("cost_nok_discounted", group), level=["metric", "group"]
                    ).to_numpy()
                )
            if head["neet_years_averted"]["median"] > 0:
                ratio = head["npv_public_nok"]["median"] / head["neet_years_averted"]["median"]
            head["npv_public_by_payer_nok"] = {
                payer: _stats(
                    per_rep.xs(
                        ("cost_nok_discounted", f"public:{payer}:total"),
                        level=["metric", "group"],
                    ).to_numpy()
                )
                for payer in ("state", "municipality", "county", "health_trust")
            }
        head["cost_per_neet_year_averted_nok"] = ratio
        if horizons and "cost_nok_discounted" in df.metric.values:
            head["by_horizon"] = by_horizon(df)
        out["headline"][stem] = head
    curve = ceac(paired)
    if curve is not None:
        out["ceac"] = curve
    return out


def ceac(paired: pd.DataFrame, reference: str = "baseline") -> dict | None:
    """``summary.json``'s ``ceac`` by :func:`sim.analysis.decision.ceac` from the paired rows.

    NEET-years averted are the paired NEET counts summed over the years (the fixture has no
    discounted counts); the cost is the discounted net public cost. None without costs.
    """
    from sim.analysis.decision import ceac as curve

    if paired.empty or "cost_nok_discounted" not in paired.metric.values:
        return None
    values = {}
    for stem, df in paired.groupby("scenario"):
        per_rep = df.groupby(["metric", "group", "replicate"])["value"].sum()
        values[stem] = pd.DataFrame(
            {
                "neet_years_averted_discounted": -per_rep.loc[("neet_count", "all")],
                "npv_public_nok": per_rep.loc[("cost_nok_discounted", "public:total")],
            }
        )
    return curve(reference, values)


def manifest(reps: int, years: int, start: int, draw_params: bool) -> dict:
    """Return a ``manifest.json`` with every key of the contract."""
    scenarios = {}
    for stem, (name, params, _) in SCENARIOS.items():
        text = f'name = {{ nb = "{name["nb"]}", en = "{name["en"]}" }}\n'
        desc = {"nb": f"{name['nb']}: testscenario.", "en": f"{name['en']}: test scenario."}
        files = [{"path": f"scenarios/{stem}.toml", "sha256": "0" * 64, "text": text}]
        scenarios[stem] = {"name": name, "description": desc, "files": files, "params": params}
    return {
        "package_version": "0.1.0",
        "git_commit": "abc1234",
        "git_dirty": False,
        "created": "2025-01-01T12:00:00+00:00",
        "python": "3.12.3",
        "packages": {"mesa": "3.5.1", "numpy": "2.5.5"},
        "command": ["sim", "compare", "scenarios/baseline.toml"],
        "scenarios": scenarios,
        "reference": "baseline",
        "seed": 1,
        "replicate_seeds": [1000 + r for r in range(reps)],
        "reps": reps,
        "scale": 0.05,
        "start": f"{start}-01",
        "years": years,
        "draw_params": draw_params,
        "discount_rate": 0.04,
        "intervention_start": f"{start}-01",
        "timing": {"build_s": 1.0, "simulate_s": 10.0, "write_s": 0.5},
        "youth_months": 123456,
    }


def trial() -> dict:
    """Return a ``trial.json``."""

    def arm(base: float) -> dict:
        at = {
            str(m): {
                "share": base * m / 12,
                "lo": base * m / 12 - 0.05,
                "hi": base * m / 12 + 0.05,
                "n": 200,
            }
            for m in (6, 12, 18)
        }
        by = {k: {**v, "share": v["share"] * 1.3, "hi": v["hi"] * 1.3} for k, v in at.items()}
        return {"employed_at": at, "any_job_by": by}

    return {
        "population": "NAV 18-29, mental health",
        "n_per_arm": 200,
        "reps": 4,
        "arms": {"ips": arm(0.35), "usual": arm(0.2), "ips_6m": arm(0.3)},
    }


def make_results(
    out: Path,
    *,
    reps: int = 4,
    years: int = 6,
    start: int = 2024,
    costs: bool = True,
    with_trial: bool = True,
    draw_params: bool = False,
    scenarios: int = 3,
    horizons: bool = True,
) -> Path:
    """Write a synthetic results directory to ``out`` (and ``out/parameters.csv``)."""
    out.mkdir(parents=True, exist_ok=True)
    yearly = yearly_table(reps, years, start, costs)
    stems = list(SCENARIOS)[:scenarios]
    yearly = yearly[yearly.scenario.isin(stems)].reset_index(drop=True)
    yearly.to_parquet(out / "yearly.parquet", index=False)
    paired = paired_table(yearly) if scenarios > 1 else yearly.iloc[:0].assign(reference="")
    if scenarios > 1:
        paired.to_parquet(out / "paired.parquet", index=False)
    man = manifest(reps, years, start, draw_params)
    man["scenarios"] = {k: v for k, v in man["scenarios"].items() if k in stems}
    (out / "manifest.json").write_text(json.dumps(man, indent=1), encoding="utf-8")
    (out / "summary.json").write_text(
        json.dumps(summary(yearly, paired, horizons)), encoding="utf-8"
    )
    if with_trial:
        (out / "trial.json").write_text(json.dumps(trial()), encoding="utf-8")
    (out / "parameters.csv").write_text(PARAMETERS_CSV, encoding="utf-8")
    return out


_BUILT: dict[str, Path] = {}


def built_report(tmp_path_factory, lang: str) -> Path:
    """Build (once per test session) the report of the standard synthetic results."""
    from sim.present.report.builder import build_report

    if lang not in _BUILT:
        if "results" not in _BUILT:
            _BUILT["results"] = make_results(tmp_path_factory.mktemp("results") / "compare")
        res = _BUILT["results"]
        _BUILT[lang] = build_report(res, lang, parameters_csv=res / "parameters.csv")
    return _BUILT[lang]
