"""The end of a big batch: combine N yearly run files, summarize, pair; time and peak memory.

Copies one real run's yearly table (made here at a quick scale, or ``--from FILE``: any
``runs/*.parquet`` of a 15-year batch) to N run files (2 scenarios x N/2 replicates) and times
``sim.analysis.outputs.build_outputs`` on them in a fresh subprocess (streamed
``yearly.parquet``, then ``paired.parquet`` and ``summary.json`` one label at a time),
reporting its peak RSS. This is the only step of ``sim batch`` whose memory can grow with
the number of runs.

    .venv/bin/python benchmarks/bench_combine.py --runs 200 2000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"

CHILD = """
import argparse, json, resource, sys, time
import pyarrow.parquet as pq
from pathlib import Path
from sim.analysis.outputs import build_outputs
from sim.run.runner import RunSpec, replicate_seeds
from sim.core.scenario import load_scenario

runs_dir, baseline, reps = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
sc = load_scenario(baseline)
seeds = replicate_seeds(1, reps)
specs = [RunSpec(sc, r, seeds[r], 15, 1.0, monthly=False, label=label)
         for r in range(reps) for label in ("a", "b")]
opts = argparse.Namespace(seed=1, scale=1.0, start="2024-01", years=15)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
dest = runs_dir.parent / (runs_dir.name + "-out")
dest.mkdir()
build_outputs(specs, runs_dir, {"a": sc, "b": sc}, seeds, opts, dest)
rows = pq.read_metadata(dest / "yearly.parquet").num_rows
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": rows,
                  "rss_before_mb": before / 1024,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def one_run(folder: Path) -> Path:
    """A real yearly run file (quick scale, 15 years) to copy."""
    from sim.core.scenario import load_scenario
    from sim.run.runfiles import write_run, yearly_path
    from sim.run.runner import RunSpec, run_one

    result = run_one(RunSpec(load_scenario(BASELINE), 0, 1, 15, 0.05, monthly=False))
    write_run(folder, "source", 0, result)
    return yearly_path(folder, "source", 0)


def make_runs(source: Path, runs_dir: Path, reps: int) -> None:
    """2 x ``reps`` run files with the right labels, replicates and seeds."""
    import pandas as pd

    from sim.run.runfiles import write_table, yearly_path
    from sim.run.runner import replicate_seeds

    table = pd.read_parquet(source)
    meta = {"timing": {"build_s": 1.0, "simulate_s": 1.0}, "youth_months": 1}
    for r, seed in enumerate(replicate_seeds(1, reps)):
        for label in ("a", "b"):
            df = table.assign(scenario=label, replicate=r, seed=seed)
            write_table(df, yearly_path(runs_dir, label, r), meta)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--from", dest="source", type=Path, help="a yearly run file to copy")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-combine-") as tmp:
        source = args.source or one_run(Path(tmp))
        print(f"source run: {source.name}")
        print("runs   rows        seconds  peak RSS MB")
        for runs in args.runs:
            runs_dir = Path(tmp) / f"runs{runs}"
            runs_dir.mkdir()
            make_runs(source, runs_dir, runs // 2)
            child = [sys.executable, "-c", CHILD, str(runs_dir), str(BASELINE), str(runs // 2)]
            done = subprocess.run(child, capture_output=True, text=True, check=True)
            row = json.loads(done.stdout.strip().splitlines()[-1])
            rows, seconds, peak = row["rows"], row["seconds"], row["peak_rss_mb"]
            print(f"{runs:<6} {rows:<11,} {seconds:>7.1f} {peak:>12,.0f}")


if __name__ == "__main__":
    main()
