"""The full model's rate against the naive Mesa toy's, measured side by side in one run.

The toy is ``naive_stdlib`` of ``naive_mesa.py`` (100,000 Mesa agents, a Python ``step()``
each drawing one stdlib ``random.random()``, ``shuffle_do``, a DataCollector): its rate is
agent-steps per second of ``python naive_mesa.py naive_stdlib 100000 12 1``. The model's rate
is youth-months per second of simulation (the manifest's ``simulate_s``) of the baseline
scenario at 1:1 x 15 years with default options (monthly rows on), as ``sim run`` does.

Toy and model alternate, each in a fresh interpreter, ``--rounds`` times; the ratio is of the
best of each (the toy varies about +-15 % between runs, and the machine may be shared).
``--revs`` measures several commits (``tree``: the working tree) in the same rounds.

    .venv/bin/python benchmarks/bench_ratio.py --rounds 5
    .venv/bin/python benchmarks/bench_ratio.py --toy ../shared/benchmarks/naive_mesa.py
    .venv/bin/python benchmarks/bench_ratio.py --revs 17bfa6d tree   # before and after
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from _freeze import ROOT, freeze

TOY = Path("/work/shared/benchmarks/naive_mesa.py")

CHILD = """
import json, sys
from sim.run.runner import RunSpec, run_one
from sim.core.scenario import load_scenario

scenario, scale, years = sys.argv[1:4]
spec = RunSpec(load_scenario(scenario), 0, 1, int(years), float(scale), monthly=True)
result = run_one(spec)
print(json.dumps({**result.timing, "youth_months": result.youth_months}))
"""


def toy_rate(toy: Path, n: int, steps: int) -> float:
    """Agent-steps per second of one run of the naive toy."""
    args = [sys.executable, str(toy), "naive_stdlib", str(n), str(steps), "1"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"agent_steps_per_s=(\S+)", out).group(1))


def model_run(code: Path, baseline: Path, scale: float, years: int) -> dict:
    """build_s, simulate_s and youth-months of one model run of ``code`` in a fresh interpreter."""
    args = [sys.executable, "-c", CHILD, str(baseline), str(scale), str(years)]
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        args, capture_output=True, text=True, check=True, cwd=baseline.parent, env=env
    )
    row = json.loads(done.stdout.strip().splitlines()[-1])
    row["rate"] = row["youth_months"] / row["simulate_s"]
    return row


def frozen(rev: str, folder: Path) -> tuple[Path, Path]:
    """(code folder, baseline scenario) of the working tree (``rev`` "tree") or a commit."""
    if rev == "tree":
        return folder / "code", freeze(folder)
    (folder / "code").mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", rev, "sim", "scenarios"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder / "code")], input=archive, check=True)
    return folder / "code", folder / "code" / "scenarios" / "baseline.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--toy", type=Path, default=TOY, help="naive_mesa.py")
    parser.add_argument("--toy-n", type=int, default=100_000)
    parser.add_argument("--toy-steps", type=int, default=12)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument(
        "--revs", nargs="+", default=["tree"], help='commits to compare ("tree": working tree)'
    )
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="bench-ratio-")
    codes = {rev: frozen(rev, Path(tmp.name) / str(i)) for i, rev in enumerate(args.revs)}
    toys, runs = [], {rev: [] for rev in args.revs}
    print("round  code      toy agent-steps/s  model youth-months/s  build_s  simulate_s")
    for i in range(args.rounds):
        toys.append(toy_rate(args.toy, args.toy_n, args.toy_steps))
        for rev, (code, baseline) in codes.items():
            runs[rev].append(model_run(code, baseline, args.scale, args.years))
            r = runs[rev][-1]
            print(
                f"{i + 1:<6} {rev[:9]:<9} {toys[-1]:>17,.0f} {r['rate']:>21,.0f} "
                f"{r['build_s']:>8.2f} {r['simulate_s']:>11.2f}",
                flush=True,
            )
    best_toy = max(toys)
    print(f"best toy: {best_toy:,.0f} agent-steps/s (of {args.rounds})")
    for rev, rows in runs.items():
        best = max(rows, key=lambda r: r["rate"])
        build = min(r["build_s"] for r in rows)
        print(
            f"{rev}: best simulate_s {best['simulate_s']:.2f} ({best['rate']:,.0f} "
            f"youth-months/s), best build_s {build:.2f}, ratio {best['rate'] / best_toy:.1f} x"
        )
    tmp.cleanup()


if __name__ == "__main__":
    main()
