"""A probabilistic comparison on a few draws, extrapolated to 1,000 draws of 5 scenarios.

Runs ``sim compare`` of the scenario files in ``scenarios/`` (the baseline first) with
``--draw-params`` at 1:1 x 15 years, ``--reps`` draws, on ``--workers`` local workers (a
subprocess; start-up, writing and combining included), and prints the measured numbers:
wall time, the manifest's summed ``build_s`` and ``simulate_s``, and per run. Then two
extrapolations to 1,000 draws x 5 scenarios on the same workers:

- by the issue's formula, 1,000 x (build + 5 x simulate) / workers, from the measured mean
  build per draw (the scenarios of a draw share one warm-up) and mean simulate per run;
- by wall time, the measured wall per draw x 5 / (scenarios run) x 1,000 (start-up, writing
  and combining included; the scenarios of a draw run in the same worker).

    .venv/bin/python benchmarks/bench_probabilistic.py --reps 4
    .venv/bin/python benchmarks/bench_probabilistic.py --reps 4 --no-monthly
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _freeze import freeze

DRAWS, SCENARIOS = 1_000, 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=4, help="draws measured")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--no-monthly", action="store_true", help="skip monthly tables")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-prob-") as tmp:
        baseline = freeze(Path(tmp))
        others = sorted(p for p in baseline.parent.glob("*.toml") if p != baseline)
        files = [baseline, *others]
        out = Path(tmp) / "out"
        command = [sys.executable, "-m", "sim", "compare", *map(str, files), "--draw-params"]
        command += ["--reps", str(args.reps), "--workers", str(args.workers), "--quiet"]
        command += ["--scale", str(args.scale), "--years", str(args.years), "--out", str(out)]
        command += ["--no-monthly"] if args.no_monthly else []
        t0 = time.perf_counter()
        subprocess.run(command, check=True, cwd=baseline.parent)
        wall = time.perf_counter() - t0
        timing = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["timing"]
    runs = args.reps * len(files)
    build, simulate = timing["build_s"] / args.reps, timing["simulate_s"] / runs
    formula = DRAWS * (build + SCENARIOS * simulate) / args.workers
    by_wall = wall / args.reps * SCENARIOS / len(files) * DRAWS
    print(
        f"measured: {len(files)} scenarios x {args.reps} draws, scale {args.scale:g}, "
        f"{args.years} years, {args.workers} workers, monthly {'off' if args.no_monthly else 'on'}"
    )
    print(
        f"  wall {wall:.1f} s; sum build_s {timing['build_s']:.1f}, sum simulate_s "
        f"{timing['simulate_s']:.1f}, write_s {timing.get('write_s', float('nan')):.1f}"
    )
    print(f"  per draw: build {build:.2f} s (one warm-up); per run: simulate {simulate:.2f} s")
    print(f"extrapolated to {DRAWS:,} draws x {SCENARIOS} scenarios on {args.workers} workers:")
    print(f"  1,000 x (build + 5 x simulate) / workers = {formula / 60:.1f} min")
    print(f"  by measured wall per draw = {by_wall / 60:.1f} min")


if __name__ == "__main__":
    main()
