"""Do drawn worlds reproduce the targets? The share of (draw x start-year target) checks inside.

Runs ``sim compare scenarios/baseline.toml --draw-params`` (a subprocess) with ``--reps``
draws at ``--scale`` for ``--years`` years, then checks every yearly target of the start year
(``sim/data/targets.csv``, table ``yearly``, period = the start year or ``*``) in every
replicate (draw) on its own: a check is inside when that draw's value lies in the target's
band. The same replicates without draws (the package's values: replicate noise only) are the
reference measured in the same run. Prints the share inside overall and by target for both,
and the draws' spread; with the package's posterior the drawn share should be at least 90 %
and near the reference (replicate noise alone misses a few); without a posterior (every
uncertain parameter from its prior) it is much lower.

    .venv/bin/python benchmarks/bench_posterior.py --reps 20 --scale 0.5
    .venv/bin/python benchmarks/bench_posterior.py --reps 10 --scale 1.0

Two years by default: the start year's school-year targets (dropout, Vg2 transitions) are
counted at the end of the school year, in the next calendar year's run, so a one-year run has
no value for them and would leave them out of the count.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def checks(yearly: pd.DataFrame, targets: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per (replicate, target) of the start year: value, band, inside.

    Each replicate is checked as ``sim posterior --verify`` checks a world
    (:func:`sim.analysis.verify.checks`: a target without a value counts as outside).
    """
    from sim.analysis.verify import checks as world_checks

    parts = [world_checks(run, targets, year).assign(replicate=rep)
             for rep, run in yearly.groupby("replicate")]  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    from sim.analysis.targets import load_targets

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20, help="draws")
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument(
        "--years", type=int, default=2, help="2: school-year targets of the start year end later"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--start", default="2024-01")
    parser.add_argument(
        "--seed",
        type=int,
        default=2,
        help="replicate seeds (2: not those `sim posterior --verify --seed 1` chose worlds on)",
    )
    parser.add_argument("--out", default=None, help="also write every check to this CSV")
    args = parser.parse_args()
    targets, year = load_targets(), int(args.start[:4])
    tables = {}
    for kind, flags in (("drawn", ["--draw-params"]), ("point", [])):
        yearly, wall = simulate(args, flags)
        tables[kind] = checks(yearly, targets, year)
        inside = tables[kind]["inside"]
        lo, hi = bootstrap(tables[kind])
        print(f"{kind:5s}: {args.reps} replicates at scale {args.scale}, {args.years} year(s), "
              f"{wall:.0f} s; checks inside their band: {int(inside.sum())}/{len(inside)} = "
              f"{inside.mean():.1%} (95 % interval over the draws {lo:.1%}-{hi:.1%})")  # fmt: skip
    by = {k: t.groupby("target")["inside"].mean() for k, t in tables.items()}
    spread = (
        tables["drawn"]
        .groupby("target")
        .agg(lo=("lo", "first"), hi=("hi", "first"), min=("value", "min"), max=("value", "max"))
    )
    if args.out:
        both = pd.concat([t.assign(kind=k) for k, t in tables.items()], ignore_index=True)
        both.to_csv(args.out, index=False)
    out = spread.assign(drawn=by["drawn"], point=by["point"])
    print("share inside by target (drawn worlds; the package's values, replicate noise only):")
    print(out.sort_values("drawn").to_string(float_format=lambda x: f"{x:.4g}"))


def bootstrap(table: pd.DataFrame, n: int = 2000) -> tuple[float, float]:
    """95 % interval of the share inside, resampling whole replicates (a draw's checks move
    together), from a fixed stream."""
    import numpy as np

    by = table.groupby("replicate")["inside"].agg(["sum", "count"]).to_numpy(float)
    rng = np.random.default_rng(20261208)
    pick = rng.integers(len(by), size=(n, len(by)))
    shares = by[pick, 0].sum(axis=1) / by[pick, 1].sum(axis=1)
    return float(np.quantile(shares, 0.025)), float(np.quantile(shares, 0.975))


def simulate(args, flags: list[str]) -> tuple[pd.DataFrame, float]:
    """The yearly table of ``sim compare scenarios/baseline.toml`` with ``flags``; seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "runs"
        cmd = [sys.executable, "-m", "sim", "compare", "scenarios/baseline.toml", *flags,
               "--reps", str(args.reps), "--scale", str(args.scale), "--years", str(args.years),
               "--workers", str(args.workers), "--start", args.start, "--no-monthly", "--quiet",
               "--seed", str(args.seed),
               "--out", str(out)]  # fmt: skip
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        return pd.read_parquet(out / "yearly.parquet"), time.perf_counter() - t0


if __name__ == "__main__":
    main()
