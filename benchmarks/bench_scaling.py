"""Scaling with population: build_s, simulate_s, youth-months/s, peak RSS, memory per youth.

Each scale runs in a fresh subprocess (so its RSS is its own), through ``sim.run.runner.run_one``
exactly as ``sim run`` does (``simulate_s`` is the manifest's number). Memory per youth is the
difference in peak RSS between two scales divided by the difference in simulated youth.

    .venv/bin/python benchmarks/bench_scaling.py                       # 0.1, 1, 10 x 15 years
    .venv/bin/python benchmarks/bench_scaling.py --scales 1 --profile cumulative  # where
    .venv/bin/python benchmarks/bench_scaling.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _freeze import freeze

CHILD = """
import cProfile, io, json, pstats, resource, sys, time
from sim.run.runner import RunSpec, run_one
from sim.core.scenario import load_scenario

scenario, scale, years, monthly, profile = sys.argv[1:6]
sort = sys.argv[6] if len(sys.argv) > 6 else "tottime"
spec = RunSpec(load_scenario(scenario), 0, 1, int(years), float(scale), monthly=monthly == "1")
base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
profiler = cProfile.Profile() if profile == "1" else None
t0 = time.perf_counter()
if profiler:
    profiler.enable()
result = run_one(spec)
if profiler:
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats(sort).print_stats(30)
    print(text.getvalue(), file=sys.stderr)
months = int(years) * 12
print(json.dumps({
    "scale": float(scale),
    "years": int(years),
    "wall_s": time.perf_counter() - t0,
    "build_s": result.timing["build_s"],
    "simulate_s": result.timing["simulate_s"],
    "youth_months": result.youth_months,
    "mean_youth": result.youth_months / months,
    "import_rss_mb": base_kb / 1024,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def measure(baseline: Path, scale: float, years: int, monthly: bool, profile: str | None) -> dict:
    """Run one scale in a fresh interpreter and return its measurements."""
    flags = ["1" if monthly else "0", "1" if profile else "0", profile or "tottime"]
    args = [sys.executable, "-c", CHILD, str(baseline), str(scale), str(years), *flags]
    done = subprocess.run(args, capture_output=True, text=True, check=True, cwd=baseline.parent)
    if profile:
        print(done.stderr, file=sys.stderr)
    row = json.loads(done.stdout.strip().splitlines()[-1])
    row["youth_months_per_s"] = row["youth_months"] / row["simulate_s"]
    return row


def per_youth(rows: list[dict]) -> list[str]:
    """Added peak RSS per youth between consecutive scales."""
    lines = []
    for a, b in zip(rows, rows[1:], strict=False):
        extra = (b["peak_rss_mb"] - a["peak_rss_mb"]) * 1024 * 1024
        youth = b["mean_youth"] - a["mean_youth"]
        lines.append(
            f"scale {a['scale']:g} -> {b['scale']:g}: "
            f"{extra / youth / 1024:.2f} KB per youth (peak RSS)"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0, 10.0])
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--no-monthly", action="store_true", help="as sim batch's default")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="tottime",
        choices=["tottime", "cumulative"],
        help="cProfile the run; print the top 30 functions by this key",
    )
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    rows = []
    tmp = tempfile.TemporaryDirectory(prefix="bench-scaling-")
    baseline = freeze(Path(tmp.name))
    print("scale  youth     build_s  simulate_s  youth-months/s  peak RSS MB")
    for scale in args.scales:
        row = measure(baseline, scale, args.years, not args.no_monthly, args.profile)
        rows.append(row)
        print(
            f"{scale:<6g} {row['mean_youth']:>9,.0f} {row['build_s']:>8.1f} "
            f"{row['simulate_s']:>11.1f} {row['youth_months_per_s']:>15,.0f} "
            f"{row['peak_rss_mb']:>12,.0f}",
            flush=True,
        )
    for line in per_youth(rows):
        print(line)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    tmp.cleanup()


if __name__ == "__main__":
    main()
