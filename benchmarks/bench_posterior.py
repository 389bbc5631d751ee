"""Do drawn worlds reproduce the targets? The share of (draw x start-year target) checks inside.

Runs ``sim compare scenarios/baseline.toml --draw-params`` (a subprocess) with ``--reps``
draws at ``--scale`` for ``--years`` years, then checks every yearly target of the start year
(``sim/data/targets.csv``, table ``yearly``, period = the start year or ``*``) in every
replicate (draw) on its own: a check is inside when that draw's value lies in the target's
band. Prints the share inside overall, by target, and the draws' spread; with the package's
posterior the share should be at least 90 % (replicate noise alone misses a few), without it
(every uncertain parameter from its prior) it is much lower.

    .venv/bin/python benchmarks/bench_posterior.py --reps 20 --scale 0.5
    .venv/bin/python benchmarks/bench_posterior.py --reps 10 --scale 1.0
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
    """One row per (replicate, target) of the start year: value, band, inside."""
    rows = []
    for t in targets.itertuples(index=False):
        if str(t.period) not in (str(year), "*"):
            continue
        sel = yearly[(yearly.metric == t.metric) & (yearly.group == t.group)
                     & (yearly.period == year)]  # fmt: skip
        for rep, value in sel.groupby("replicate")["value"].mean().items():
            inside = bool(t.lo <= value <= t.hi)
            rows.append({"target": f"{t.metric} {t.group}", "replicate": rep, "value": value,
                         "lo": t.lo, "hi": t.hi, "inside": inside})  # fmt: skip
    return pd.DataFrame(rows)


def main() -> None:
    from sim.analysis.targets import load_targets

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20, help="draws")
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--start", default="2024-01")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "draws"
        cmd = [sys.executable, "-m", "sim", "compare", "scenarios/baseline.toml", "--draw-params",
               "--reps", str(args.reps), "--scale", str(args.scale), "--years", str(args.years),
               "--workers", str(args.workers), "--start", args.start, "--no-monthly", "--quiet",
               "--out", str(out)]  # fmt: skip
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        yearly = pd.read_parquet(out / "yearly.parquet")
    table = checks(yearly, load_targets(), int(args.start[:4]))
    share = table["inside"].mean()
    print(f"{args.reps} draws at scale {args.scale}, {args.years} year(s), {wall:.0f} s")
    print(f"checks inside their band: {int(table['inside'].sum())}/{len(table)} = {share:.1%}")
    by = table.groupby("target").agg(inside=("inside", "mean"), lo=("lo", "first"),
                                     hi=("hi", "first"), min=("value", "min"),
                                     max=("value", "max"))  # fmt: skip
    print(by.sort_values("inside").to_string(float_format=lambda x: f"{x:.4g}"))


if __name__ == "__main__":
    main()
