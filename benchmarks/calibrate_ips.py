"""Calibrate ``ips.job_find_rr`` so the emulated trial reproduces its target.

The published IPS effect is a risk ratio of competitive employment at 12-18 months (IPS vs
usual services), not a hazard multiplier. This script runs the emulated trial
(``nav_mental_health``, baseline scenario, the same replicate seeds for every candidate, so
the risk ratio moves smoothly with the multiplier) and bisects the job-finding multiplier
until the risk ratio of ``employed_at`` 12 months matches the target (the ``trial`` line
``trial_rr_employed_at`` of ``sim/data/targets.csv``). Rerun it whenever the
baseline's labour-market or IPS parameters change, and copy the value into
``sim/data/parameters.csv``.

Usage: python benchmarks/calibrate_ips.py [--scale 1.0] [--reps 6] [--workers 2] [--steps 7]
Writes ``results/calibrate_ips.csv`` (one row per candidate).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import pandas as pd

from sim.analysis.targets import IPS_TRIAL_RR, target_value
from sim.analysis.trial import TrialConfig, as_trial, summarize_trial, years_needed
from sim.core.scenario import load_scenario
from sim.run.execute import execute
from sim.run.runner import RunSpec, replicate_seeds
from sim.run.tables import combine

ROOT = Path(__file__).resolve().parent.parent


def trial_rr(value: float, args) -> dict:
    """Run the trial with ``ips.job_find_rr`` = value; risk ratios and shares at 12 months."""
    base = load_scenario(ROOT / "scenarios" / "baseline.toml")
    over = {**base.overrides, "ips.job_find_rr": value}
    root = {**base.root_overrides, "ips.job_find_rr": value}
    scenario = dataclasses.replace(base, overrides=over, root_overrides=root)
    config = TrialConfig("nav_mental_health", None, 18)
    trial_scenario = as_trial(scenario, config)
    years = years_needed("2024-01", 18)
    seeds = replicate_seeds(args.seed, args.reps)
    specs = [
        RunSpec(trial_scenario, r, seeds[r], years, args.scale, monthly=False)
        for r in range(args.reps)
    ]
    results, failures = execute(specs, workers=args.workers, quiet=True)
    if failures:
        raise RuntimeError(failures[0][1])
    trial = summarize_trial(combine([r.yearly for r in results], yearly=True), config, args.reps)
    at12 = {arm: trial["arms"][arm]["employed_at"]["12"] for arm in ("ips", "usual")}
    return {
        "ips.job_find_rr": value,
        "rr_12": trial["risk_ratio"]["ips/usual"]["employed_at"]["12"],
        "rr_18": trial["risk_ratio"]["ips/usual"]["employed_at"]["18"],
        "ips_12": at12["ips"]["share"],
        "usual_12": at12["usual"]["share"],
        "n_per_arm": trial["n_per_arm"],
    }


def main() -> None:
    """Bisect the multiplier; print and save every candidate."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--reps", type=int, default=6)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--steps", type=int, default=7)
    p.add_argument("--lo", type=float, default=1.0)
    p.add_argument("--hi", type=float, default=4.0)
    args = p.parse_args()
    target = target_value(*IPS_TRIAL_RR)
    lo, hi, rows = args.lo, args.hi, []
    t0 = time.perf_counter()
    for _ in range(args.steps):
        mid = round((lo + hi) / 2, 3)
        row = trial_rr(mid, args)
        rows.append(row)
        print({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}, flush=True)
        lo, hi = (mid, hi) if row["rr_12"] < target else (lo, mid)
    best = min(rows, key=lambda r: abs(r["rr_12"] - target))
    out = ROOT / "results" / "calibrate_ips.csv"
    out.parent.mkdir(exist_ok=True)
    pd.DataFrame(rows).to_csv(out, index=False)
    print(
        f"target RR {target}: ips.job_find_rr = {best['ips.job_find_rr']} gives RR "
        f"{best['rr_12']:.3f} at 12 months ({time.perf_counter() - t0:.0f} s); {out}"
    )


if __name__ == "__main__":
    main()
