"""Numbers in the docs are generated, never copied by hand: ``make docs-results``.

Every model result in ``docs/*.md`` and ``README.md`` sits between markers::

    <!-- generated:NAME (make docs-results; do not edit) -->
    ...table...
    <!-- /generated -->

and this script rewrites each block from a fresh run of the shipped model (``python -m sim``
and the studies in ``benchmarks/``, at the sizes in :data:`BLOCKS`, chosen so that all of them
take about 10 minutes on 2 cores). Under each table it writes the command that made it, the
commit it ran on, and the sha256 of a quick reference run's ``yearly.parquet``
(:data:`REFERENCE`: baseline, scale 0.05, 2 years, seed 1). ``tests/test_docs_results.py``
recomputes that hash, so the docs are reported stale exactly when the model's outputs change.

    .venv/bin/python tools/docs_results.py              # every block
    .venv/bin/python tools/docs_results.py --only threshold_grid validation
    .venv/bin/python tools/docs_results.py --list       # blocks and where they are
    .venv/bin/python tools/docs_results.py --hash       # the reference hash only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.core.params import package_specs

ROOT = Path(__file__).resolve().parent.parent
SEED = "1"
REFERENCE = ["scenarios/baseline.toml", "--scale", "0.05", "--years", "2", "--seed", SEED]
REFERENCE_RUN = ["run", *REFERENCE, "--reps", "1", "--workers", "1", "--no-monthly", "--quiet"]
REFERENCE_TEXT = "baseline, scale 0.05, 2 years, seed 1, 1 replicate"
BEGIN = re.compile(r"<!-- generated:(?P<name>[a-z0-9_]+)[^>]*-->\n")
END = "<!-- /generated -->"
HASH = re.compile(r"reference run sha256 `(?P<hash>[0-9a-f]{64})`")
MINUS = "\u2212"
NDASH = "\u2013"


# -- running the shipped model ----------------------------------------------------------------
def python(*args: str) -> None:
    """Run this checkout's Python (``sys.executable``) in the repository; stop on failure."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True)


def sim(*args: str) -> None:
    """Run ``sim ARGS`` of this checkout."""
    python("-m", "sim", *args)


def reference_hash() -> str:
    """sha256 of ``yearly.parquet`` of the quick reference run (:data:`REFERENCE_RUN`)."""
    with tempfile.TemporaryDirectory(prefix="docs-ref-") as tmp:
        sim(*REFERENCE_RUN, "--out", f"{tmp}/ref")
        return hashlib.sha256(Path(f"{tmp}/ref/yearly.parquet").read_bytes()).hexdigest()


def commit() -> str:
    """The commit the model ran on, ``+uncommitted`` when sim/ or scenarios/ differ from it."""
    head = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "sim", "scenarios", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{head or 'unknown'}{' +uncommitted changes' if dirty else ''}"


# -- formatting -------------------------------------------------------------------------------
def num(x: float, decimals: int = 0) -> str:
    """``1,234.5`` with a true minus sign; ``–`` when missing; never ``-0``."""
    if x is None or pd.isna(x):
        return NDASH
    text = f"{abs(x):,.{decimals}f}"
    return (MINUS if round(x, decimals) < 0 else "") + text


def pct(x: float, decimals: int = 1) -> str:
    """A share as a percentage (``9.5 %``)."""
    return f"{num(100 * x, decimals)} %" if not pd.isna(x) else NDASH


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


# -- the blocks -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    """One generated block: the page it is on, what it runs, and how it renders."""

    doc: str
    command: str
    make: Callable[[Path], str]


SHARE_METRICS = ("rate", "share", "completion", "employed_at")
RATIO_METRICS = ("_rr_",)  # risk ratios (trial_rr_employed_at)


def _value(metric: str, x: float) -> str:
    if any(w in metric for w in RATIO_METRICS):
        return num(x, 2)
    if any(w in metric for w in SHARE_METRICS):
        return pct(x, 1)
    return num(x, 1 if "wait" in metric else 0)


# Full scale: a clinic that runs full has longer waits at small scales (BUP at 340 places: about
# 80 days at scale 0.25, 48 at 1:1; relatively larger swings in referrals are the likely
# reason), so the wait targets are judged at 1:1.
VALIDATION = ["--scale", "1.0", "--years", "7", "--reps", "3", "--seed", SEED]
COHORTS = ["--cohort", "neet@2024-11"]  # the cohorts the targets name
TRIAL = ["--scale", "1.0", "--reps", "2", "--seed", SEED]


def _span(metric: str, lo: float, hi: float) -> str:
    return f"{_value(metric, lo)}{NDASH}{_value(metric, hi)}"


def _validation_row(metric: str, group: str, g: pd.DataFrame) -> list[str]:
    """One target: a single year, or every year (``*``) summarised by its range of medians."""
    first = g.iloc[0]
    band = f"{_value(metric, first['target'])} ({_span(metric, first['lo'], first['hi'])})"
    month = first.get("table", "yearly") != "yearly"  # cohorts, trial: months since entry
    if len(g) == 1:
        period = f"month {first['period']}" if month else str(first["period"])
        simulated = _value(metric, first["simulated"])
        if first["sim_hi"] > first["sim_lo"]:  # the trial's risk ratio has no interval
            simulated += f" [{_span(metric, first['sim_lo'], first['sim_hi'])}]"
        inside = "yes" if first["inside"] else "**no**"
    else:
        unit = "months" if month else "every year"
        period = f"{unit} {g['period'].min()}{NDASH}{g['period'].max()}"
        simulated = f"medians {_span(metric, g['simulated'].min(), g['simulated'].max())}"
        inside = f"{int(g['inside'].sum())} of {len(g)}"
    return [f"`{metric}` {group}", period, band, simulated, inside]


def validation(tmp: Path) -> str:
    """The baseline against every target line: yearly, cohorts and the emulated trial."""
    from sim.analysis.targets import TABLES, load_targets, validate

    out = tmp / "v"
    run = ["scenarios/baseline.toml", *VALIDATION, "--quiet"]
    sim("run", *run, "--no-monthly", *COHORTS, "--out", str(out))
    sim("trial", *run[:1], *TRIAL, "--quiet", "--out", str(tmp / "t"))
    trial = json.loads((tmp / "t" / "trial.json").read_text("utf-8"))
    cohorts = pd.read_parquet(out / "cohorts.parquet")
    lines = {name: load_targets(table=name) for name in TABLES}
    t = validate(pd.read_parquet(out / "yearly.parquet"), cohorts, trial, lines)
    # one row per target line; yearly lines of every period (*) share their value and band
    t["line"] = t["period"].astype(str).where(t["table"] != "yearly", "")
    keys = ["metric", "group", "target", "lo", "hi", "line"]
    groups = t.groupby(keys, sort=False, dropna=False)
    rows = [_validation_row(metric, group, g) for (metric, group, *_), g in groups]
    head = ["target", "year or month", "value (band)", "simulated median [range]", "inside"]
    n_in, n = int(t["inside"].sum()), len(t)
    note = (
        f"\n\n{n_in} of {n} target rows inside their band. Yearly and cohort rows: median "
        "[range] over the replicates; trial rows: the share pooled over the replicates with its "
        "95 % Wilson interval, and the risk ratio of the pooled shares."
    )
    return table(head, rows) + note


TRIAL_FIT = ["--scale", "1.0", "--reps", "6", "--seed", SEED, "--workers", "2"]
POPULATIONS = ("nav_mental_health", "young_neet_benefits")
REME = {  # Reme et al. 2019, competitive employment (sim/data/targets.csv's trial rows)
    ("usual", "12"): 0.271,
    ("usual", "18"): 0.271,
    ("ips", "12"): 0.366,
    ("ips", "18"): 0.374,
}


def _share(cell: dict) -> str:
    return f"{pct(cell['share'])} [{pct(cell['lo'])}, {pct(cell['hi'])}]"


def trial_fit(tmp: Path) -> str:
    """The emulated trial of each population at 1:1, both arms against Reme et al. 2019."""
    rows = []
    for population in POPULATIONS:
        out = tmp / population
        sim(
            "trial",
            "scenarios/baseline.toml",
            "--population",
            population,
            *TRIAL_FIT,
            "--quiet",
            "--out",
            str(out),
        )
        trial = json.loads((out / "trial.json").read_text("utf-8"))
        for arm in ("ips", "usual", "ips_6m"):
            cells = trial["arms"][arm]["employed_at"]
            row = [f"`{population}`", arm, str(cells["6"]["n"])]
            for month in ("6", "12", "18"):
                target = REME.get((arm, month)) if population == POPULATIONS[0] else None
                mark = f" (Reme: {pct(target)})" if target is not None else ""
                row.append(_share(cells[month]) + mark)
            rows.append(row)
        ratio = trial["risk_ratio"]["ips/usual"]["employed_at"]
        ref = " (Reme: 1.35 at 12, 1.38 at 18)" if population == POPULATIONS[0] else ""
        rows.append(
            [
                f"`{population}`",
                "risk ratio ips/usual",
                "",
                *(f"{ratio[m]:.2f}" + (ref if m == "18" else "") for m in ("6", "12", "18")),
            ]
        )
    head = ["population", "arm", "n at 6 months", "employed 6 months", "12 months", "18 months"]
    note = (
        "\n\nThe baseline's emulated trial (`sim trial`, each population), enrolled as the "
        "Norwegian trial was (section `sim trial` of docs/interventions.md): the share in "
        "competitive employment pooled over the replicates [95 % Wilson interval]; n is the "
        "youth present summed over replicates. Reme et al. 2019 enrolled "
        "`nav_mental_health`'s kind of participants; `young_neet_benefits` (on AAP or in the "
        "qualification programme, the SEED trial's kind) has no fitted target: SEED's control "
        "arm was sheltered work, not usual services. `ips_6m`: support ends after 6 months."
    )
    return table(head, rows) + note


CALIBRATION = ROOT / "sim" / "data" / "calibration.json"


def calibration_fit(tmp: Path) -> str:
    """The shipped fit (``sim/data/calibration.json``, written by ``sim calibrate --apply``)."""
    if not CALIBRATION.exists():
        return "No fit has been applied: `sim/data/calibration.json` is absent."
    rec = json.loads(CALIBRATION.read_text("utf-8"))
    specs = package_specs()
    before = rec["previous"]
    rows = [
        [
            f"`{n}`",
            f"{before[n]:.4g}",
            f"{specs[n].lo:g}{NDASH}{specs[n].hi:g}",
            f"{v:.4g}",
            f"{specs[n].value:.4g}",
        ]
        for n, v in rec["fitted"].items()
    ]
    note = (
        f"\n\nLoss {rec['loss_before']:.3g} at the earlier values, {rec['loss']:.3g} at the fit; "
        f"{rec['evaluations']} evaluations, {rec['runs']} runs, {rec['minutes']:.0f} minutes. "
        f"Fitted by `{rec['command']}` at commit `{str(rec['commit'])[:7]}`."
    )
    for n, adj in rec.get("adjusted_after", {}).items():
        note += (
            f"\n\nAfter the fit, `{n}` was set from {adj['from']:.4g} to {adj['value']:.4g} "
            f"by `{adj['command']}`"
            + (f" at commit `{str(adj['commit'])[:7]}`" if adj.get("commit") else "")
            + f": {adj['reason']}."
        )
    head = ["parameter", "before", "range today", "fitted", "shipped (parameters.csv)"]
    return table(head, rows) + note


POSTERIOR = Path(__file__).resolve().parent.parent / "sim" / "data" / "posterior.json"
POSTERIOR_CHECK = ["--reps", "20", "--scale", "0.5", "--years", "2", "--seed", "2"]


def posterior_fit(tmp: Path) -> str:
    """The shipped posterior's record and a check of drawn worlds against the start-year bands."""
    if not POSTERIOR.exists():
        return "No posterior has been applied: `sim/data/posterior.json` is absent."
    rec = json.loads(POSTERIOR.read_text("utf-8"))
    out = tmp / "checks.csv"
    python("benchmarks/bench_posterior.py", *POSTERIOR_CHECK, "--workers", "2", "--out", str(out))
    checks = pd.read_csv(out)
    share = checks.groupby("kind")["inside"].agg(["sum", "count", "mean"])
    by = checks.pivot_table(index="target", columns="kind", values="inside", aggfunc="mean")
    by = by.sort_values("drawn").head(8)
    rows = [[f"`{t}`", f"{r.drawn:.0%}", f"{r.point:.0%}"] for t, r in by.iterrows()]
    lines = [
        f"Fit: {rec['evaluations']} evaluations ({rec['runs']} runs, {rec['minutes']} minutes "
        f"of evaluation) by `{rec['command']}`; {len(rec['fitted'])} parameters fitted, "
        f"{len(rec['prior_drawn'])} drawn from their priors, {len(rec['inert'])} inert."
    ]
    if rec.get("refinement"):
        r = rec["refinement"]
        lines.append(
            f"Clinic places refined (ABC-Gibbs) in {r['candidates']} worlds at scale {r['scale']} "
            f"({r['runs']} runs, {r['minutes']} minutes); {r['dropped']} dropped because no "
            "number of places fits their clinics' targets."
        )
    if rec.get("verification"):
        v = rec["verification"]
        lines.append(
            f"Verified: {v['kept']} of {v['candidates']} worlds kept at scale {v['scale']} "
            f"({v['rule']}; {v['minutes']} minutes) by `{v['command']}` at commit "
            f"`{str(v['commit'])[:7]}`. Effective sample size {rec['ess']} (Kish's; the source "
            f"posterior's: {v['ess_before']})."
        )
    steps = [rec["minutes"], (rec.get("refinement") or {}).get("minutes", 0),
             (rec.get("verification") or {}).get("minutes", 0)]  # fmt: skip
    lines.append(
        f"Minutes in all: {' + '.join(f'{m:g}' for m in steps)} = {sum(steps):.0f} (the fit's "
        "evaluations, the refinement, the verification; the fit's screening checks and ABC "
        "add a few minutes), against a budget of 120."
    )
    d, p = share.loc["drawn"], share.loc["point"]
    lo, hi = _bootstrap(checks[checks["kind"] == "drawn"])
    lines.append(
        f"Checks inside their band (`bench_posterior.py {' '.join(POSTERIOR_CHECK)}`): drawn "
        f"worlds {int(d['sum'])}/{int(d['count'])} = **{d['mean']:.1%}** (95 % interval over "
        f"the draws {lo:.1%}–{hi:.1%}); the package's values (replicate noise only) "
        f"{int(p['sum'])}/{int(p['count'])} = {p['mean']:.1%}. The targets drawn worlds miss "
        "most often:"
    )
    return "\n\n".join(lines) + "\n\n" + table(["target", "drawn", "point values"], rows)


def _bootstrap(checks: pd.DataFrame) -> tuple[float, float]:
    """The benchmark's interval of the share inside (whole draws resampled)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_posterior import bootstrap

    return bootstrap(checks)


MORRIS = [
    "--method",
    "morris",
    "--n",
    "3",
    "--scale",
    "0.1",
    "--years",
    "10",
    "--reps",
    "1",
    "--seed",
    SEED,
]
OUTPUT_NAMES = {
    "neet_rate_y10": "NEET rate, year 10 (baseline)",
    "net_public_cost": "net public cost, coordinated IPS − baseline, NOK million",
}
FRAGMENTATION = ("handover_loss", "plan_conflict")  # always shown: the policy question's own


def morris(tmp: Path) -> str:
    """``sim sensitivity --method morris``: the five largest μ* of each output.

    The two fragmentation parameters are shown wherever they rank.
    """
    sim("sensitivity", *MORRIS, "--workers", "2", "--quiet", "--out", f"{tmp}/m")
    ind = pd.read_csv(tmp / "m" / "indices.csv")
    rows = []
    for output, g in ind.groupby("output", sort=False):
        scale, decimals = (1e6, 0) if output == "net_public_cost" else (1.0, 4)
        g = g.sort_values("rank")
        shown = g[(g["rank"] <= 5) | g["parameter"].isin(FRAGMENTATION)]
        for r in shown.itertuples():
            sign = "+" if r.mu > 0 else MINUS
            interval = (
                f"{num(r.mu_star / scale, decimals)} ± {num(r.mu_star_conf / scale, decimals)}"
            )
            name = OUTPUT_NAMES.get(output, output)
            rows.append([name, str(r.rank), f"`{r.parameter}` ({sign})", interval])
    k = ind["parameter"].nunique()
    note = f"\n\nRanks among {k} parameters; μ gives the sign."
    return table(["output", "rank", "parameter (sign of μ)", "μ* (± 95 % CI)"], rows) + note


THRESHOLD = ["--scale", "0.1", "--years", "10", "--reps", "2", "--seed", SEED]
CONFLICTS = ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]


def threshold_grid(tmp: Path) -> str:
    """``benchmarks/threshold_grid.py``: paired net public cost over the fragmentation grid."""
    out = tmp / "t"
    python(
        "benchmarks/threshold_grid.py",
        *THRESHOLD,
        "--conflict",
        *CONFLICTS,
        "--workers",
        "2",
        "--out",
        str(out),
    )
    df = pd.read_csv(out / "grid.csv")
    pivot = df.pivot(index="handover_loss", columns="plan_conflict", values="net_public_cost_mnok")
    rows = [
        [f"{h:g}"] + [f"**{num(v)}**" if v <= 0 else num(v) for v in row]
        for h, row in pivot.iterrows()
    ]
    years, reps = (THRESHOLD[THRESHOLD.index(o) + 1] for o in ("--years", "--reps"))
    note = (
        f"\n\nNet public cost (NPV over {years} years, NOK million), coordinated IPS minus "
        f"baseline, mean of {reps} replicates with the same seeds in every cell; bold: pays off "
        "(≤ 0)."
    )
    return (
        table(["handover_loss \\ plan_conflict", *(f"{c:g}" for c in pivot.columns)], rows) + note
    )


SERVICE = {"ips.fte": ("IPS", "service:ips"), "coord.fte": ("coordinator", "service:coordinator")}
VARIANT = """name = {{ nb = "{param} = {value}", en = "{param} = {value}" }}
description = {{ nb = "Dose: {param} = {value}", en = "Dose: {param} = {value}" }}
extends = "{base}"

[params]
"{param}" = {value}
"""


def _variants(tmp: Path, param: str, scenario: str, doses: str) -> list[str]:
    """One scenario file per dose: ``scenario`` with ``param`` set to it."""
    base = ROOT / "scenarios" / f"{scenario}.toml"
    paths = []
    for value in doses.split(","):
        path = tmp / f"{param.replace('.', '_')}_{value}.toml"
        path.write_text(VARIANT.format(param=param, value=value, base=base), encoding="utf-8")
        paths.append(str(path))
    return paths


def _cmd(*parts: str) -> str:
    return " ".join(parts)


# -- docs/scenarios.md: what each scenario changes, and its own dose-response --------------------
MAKEFILE = ROOT / "Makefile"
PARAM_LINE = re.compile(r'^"(?P<name>[^"]+)"\s*=\s*(?P<value>[^#]+?)\s*(?:#\s*(?P<note>.*))?$')


def make_scenarios() -> list[Path]:
    """The scenario files of ``make run`` (the Makefile's ``SCENARIOS``), in its order."""
    text = MAKEFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(x for x in text.splitlines() if x.startswith("SCENARIOS :="))
    return [ROOT / p for p in re.findall(r"scenarios/[A-Za-z0-9_]+\.toml", line)]


def _overrides(path: Path) -> list[tuple[str, str, str]]:
    """``(parameter, value, note)`` of a file's ``[params]``, in order, with its comments.

    The note is the comment on the parameter's line, after the comment lines just above it.
    """
    out, above, inside = [], [], False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("["):
            inside, above = line == "[params]", []
        elif inside and line.startswith("#"):
            above.append(line.lstrip("#").strip())
        elif inside and (m := PARAM_LINE.match(line)):
            note = " ".join([*above, m.group("note") or ""]).strip()
            out.append((m.group("name"), m.group("value").strip(), note))
            above = []
        else:
            above = []
    return out


def scenario_changes(tmp: Path) -> str:
    """Every scenario of ``make run``: each parameter it sets, the default, the range, why."""
    from sim.core.scenario import load_scenario

    specs = package_specs()
    rows = []
    for path in make_scenarios():
        sc = load_scenario(path)
        stem = f"[`{sc.stem}`](#{sc.stem})"  # the section's anchor
        own = _overrides(path)
        if not own:
            rows.append([stem, "none: every parameter at its default", "", "", "", ""])
        for name, value, note in own:
            spec = specs[name]
            span = f"{spec.lo:g}{NDASH}{spec.hi:g}"
            rows.append(
                [stem, f"`{name}`", value, f"{spec.value:g}", span, note.replace("|", "\\|")]
            )
    head = [
        "scenario",
        "parameter",
        "value",
        "default",
        "plausible range",
        "why (the file's comment)",
    ]
    note = (
        "\n\nRead from the scenario files of `make run` (the Makefile's `SCENARIOS`); default and "
        "range from `sim/data/parameters.csv` (its `source` column, in the parameter table of "
        "[docs/model.md](model.md#8-parameters), gives each default's source)."
    )
    return table(head, rows) + note


SCENARIO_DOSE = ["--reps", "3", "--scale", "0.5", "--years", "15", "--seed", SEED]
# param -> (scenario swept, doses): from few places to more than the demand
# block -> (scenario, the lever it sizes, doses): from few places to more than the demand
SCENARIO_DOSES = {
    "dose_coordinated_ips": ("coordinated_ips", "ips.fte", "100,125,150,175,200"),
    "dose_coordinated_coord": ("coordinated_ips", "coord.fte", "60,90,120,150"),
    "dose_integrated_ips": ("integrated_ips", "ips.fte", "50,75,100,125,150"),
    "dose_ips_only": ("ips_only", "ips.fte", "50,75,100,125,150"),
    "dose_coordination_only": ("coordination_only", "coord.fte", "30,60,90,120,150"),
}
PLACES = {"ips.fte": "ips", "coord.fte": "coordinator"}


def scenario_dose(block: str) -> Callable[[Path], str]:
    """A dose-response of one scenario over the lever it sizes (``SCENARIO_DOSES[block]``)."""
    scenario, param, doses = SCENARIO_DOSES[block]

    def make(tmp: Path) -> str:
        stems = {Path(p).stem: p for p in _variants(tmp, param, scenario, doses)}
        out = tmp / "d"
        options = [*SCENARIO_DOSE, "--no-monthly", "--workers", "2", "--quiet", "--out", str(out)]
        sim("compare", "scenarios/baseline.toml", *stems.values(), *options)
        return _scenario_dose_table(param, scenario, stems, out)

    return make


def _scenario_dose_table(param: str, scenario: str, stems: dict[str, str], out: Path) -> str:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    yearly = pd.read_parquet(out / "yearly.parquet")
    name, group = SERVICE[param]
    rows = yearly[(yearly["group"] == group) & (yearly["metric"] == "wait_days_mean")]
    wait = rows.groupby("scenario")["value"].mean()
    own = dict((n, v) for n, v, _ in _overrides(ROOT / "scenarios" / f"{scenario}.toml"))
    specs = package_specs()
    body = []
    for stem in stems:
        value = stem.rsplit("_", 1)[-1]
        head = summary["headline"][stem]
        a = head["neet_years_averted"]
        places = (head.get("places") or {}).get(PLACES[param]) or {}
        used = (places.get("used_share") or {}).get("median")
        mark = (
            " (the scenario's)"
            if float(value) == float(own.get(param, specs[param].value))
            else ""
        )
        body.append(
            [
                f"{value}{mark}",
                num((places.get("mean") or {}).get("median")),
                f"{num(a['median'])} [{num(a['lo'])}, {num(a['hi'])}]",
                num(wait.get(stem, float("nan"))),
                pct(used if used is not None else float("nan"), 0),
                num(head["npv_public_nok"]["median"] / 1e6),
                num(head.get("cost_per_neet_year_averted_nok")),
            ]
        )
    head = [f"`{param}`", f"{name} places", "NEET-years averted [range]", f"{name} wait, days"]
    head += ["places in use", "net public cost, NOK million", "NOK per NEET-year averted"]
    reps = SCENARIO_DOSE[SCENARIO_DOSE.index("--reps") + 1]
    note = (
        f"\n\n`{scenario}.toml` with `{param}` set to each dose, against the baseline with common "
        f"random numbers. NEET-years averted over the horizon: median [range of {reps} "
        "replicates]. Places (whole population) and the share in use: mean over the horizon's "
        "Novembers, median over replicates (`summary.json` `places`); wait: mean over years and "
        "replicates of those admitted. Net public cost: NPV of the paired difference, median; "
        "per NEET-year averted: the mean net public cost over the mean NEET-years averted, both "
        "discounted (`summary.json` `cost_per_neet_year_averted_nok`; – when nothing is averted "
        "or when the dose saves money as it averts: then no cost per NEET-year applies)."
    )
    return table(head, body) + note


def _scenario_dose_command(block: str) -> str:
    scenario, param, doses = SCENARIO_DOSES[block]
    variants = f"<{scenario}.toml with {param} = v, v in {doses}>"
    return _cmd("sim compare scenarios/baseline.toml", variants, *SCENARIO_DOSE, "--no-monthly")


BLOCKS: dict[str, Block] = {
    "validation": Block(
        "docs/calibration.md",
        _cmd(
            "sim run scenarios/baseline.toml",
            *VALIDATION,
            "--no-monthly",
            *COHORTS,
            "+ sim trial",
            *TRIAL,
            "+ targets.validate",
        ),
        validation,
    ),
    "trial_fit": Block(
        "docs/interventions.md",
        _cmd("sim trial scenarios/baseline.toml --population P", *TRIAL_FIT, "for each P"),
        trial_fit,
    ),
    "calibration_fit": Block(
        "docs/calibration.md",
        "sim calibrate --apply (the record in sim/data/calibration.json)",
        calibration_fit,
    ),
    "posterior_fit": Block(
        "docs/calibration.md",
        _cmd("sim posterior --verify; python benchmarks/bench_posterior.py", *POSTERIOR_CHECK),
        posterior_fit,
    ),
    "morris": Block("docs/calibration.md", _cmd("sim sensitivity", *MORRIS), morris),
    "threshold_grid": Block(
        "docs/calibration.md",
        _cmd("python benchmarks/threshold_grid.py", *THRESHOLD, "--conflict", *CONFLICTS),
        threshold_grid,
    ),
    "scenario_changes": Block(
        "docs/scenarios.md",
        "the [params] of the Makefile's SCENARIOS and sim/data/parameters.csv",
        scenario_changes,
    ),
    **{
        name: Block("docs/scenarios.md", _scenario_dose_command(name), scenario_dose(name))
        for name in SCENARIO_DOSES
    },
}


# -- writing the docs -------------------------------------------------------------------------
def stamp(block: Block, rev: str, ref: str, seconds: float) -> str:
    """The provenance line under a generated table."""
    return (
        f"<sub>Generated by `make docs-results` from `{block.command}` ({seconds:.0f} s) at "
        f"commit `{rev}`; reference run sha256 `{ref}` ({REFERENCE_TEXT}, `yearly.parquet`)."
        "</sub>"
    )


def replace_block(text: str, name: str, body: str) -> str:
    """``text`` with the block ``name`` holding ``body``; KeyError when it has no such block."""
    for m in BEGIN.finditer(text):
        if m.group("name") == name:
            end = text.index(END, m.end())
            return text[: m.end()] + body.rstrip("\n") + "\n" + text[end:]
    raise KeyError(name)


def blocks_in(text: str) -> list[str]:
    """Names of the generated blocks of a page, in order."""
    return [m.group("name") for m in BEGIN.finditer(text)]


def recorded_hashes(paths: list[Path] | None = None) -> dict[str, set[str]]:
    """Reference hashes written in each page that has generated blocks."""
    paths = paths or sorted(ROOT.glob("docs/*.md")) + [ROOT / "README.md"]
    found = {}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if blocks_in(text):
            found[str(path.relative_to(ROOT))] = set(HASH.findall(text))
    return found


def main(argv: list[str] | None = None) -> int:
    """Regenerate the blocks asked for (all by default)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="+", choices=sorted(BLOCKS), default=None)
    p.add_argument("--list", action="store_true", help="list the blocks and stop")
    p.add_argument("--hash", action="store_true", help="print the reference hash and stop")
    args = p.parse_args(argv)
    if args.list:
        for name, block in BLOCKS.items():
            print(f"{name:16} {block.doc:24} {block.command}")
        return 0
    ref = reference_hash()
    if args.hash:
        print(ref)
        return 0
    rev, t_all = commit(), time.perf_counter()
    for name in args.only or BLOCKS:
        block, t0 = BLOCKS[name], time.perf_counter()
        print(f"docs-results: {name} ({block.command})", flush=True)
        with tempfile.TemporaryDirectory(prefix=f"docs-{name}-") as tmp:
            body = block.make(Path(tmp))
        seconds = time.perf_counter() - t0
        doc = ROOT / block.doc
        text = doc.read_text(encoding="utf-8")
        doc.write_text(
            replace_block(text, name, f"{body}\n\n{stamp(block, rev, ref, seconds)}"),
            encoding="utf-8",
        )
        print(f"docs-results: {name} written to {block.doc} in {seconds:.0f} s", flush=True)
    print(f"docs-results: done in {time.perf_counter() - t_all:.0f} s; reference {ref}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
