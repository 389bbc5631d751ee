"""Batch throughput: 2 scenarios x N replicates on 1 and 2 local workers, and on Dask.

Runs ``sim batch`` as a subprocess (start-up included) for each executor on the same work,
and reports wall time, the manifest's build/simulate totals, the speed-up over the first
executor, the peak RSS of the parent process (it must stay small however many runs), and
checks that every executor wrote byte-identical tables. The Dask executor is a
``LocalCluster`` of single-threaded worker processes on 127.0.0.1 started here.

    .venv/bin/python benchmarks/bench_batch.py --reps 20 --executors pool:1 pool:2
    .venv/bin/python benchmarks/bench_batch.py --reps 20 --executors pool:2 dask:2
    .venv/bin/python benchmarks/bench_batch.py --reps 100 --executors pool:2   # the 10-min goal
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import psutil
from _freeze import freeze

SIM = [sys.executable, "-m", "sim"]
LESS_LOSS = """name = { nb = "Mindre tap", en = "Less handover loss" }
description = { nb = "Benchmark", en = "Benchmark" }
extends = "%s"
[params]
handover_loss = 0.05
"""


def write_batch(folder: Path, baseline: Path, reps: int, scale: float, years: int) -> Path:
    """Baseline and one other scenario, as a batch file."""
    (folder / "less_loss.toml").write_text(LESS_LOSS % baseline, encoding="utf-8")
    path = folder / "bench.toml"
    path.write_text(
        f'scenarios = ["{baseline}", "less_loss.toml"]\n'
        f"reps = {reps}\nseed = 1\nyears = {years}\nscale = {scale}\n",
        encoding="utf-8",
    )
    return path


def watch(proc: subprocess.Popen) -> tuple[float, float]:
    """Wait for ``proc``; returns its peak RSS and the peak RSS of its whole tree (MB)."""
    parent = psutil.Process(proc.pid)
    peak = tree = 0.0
    while proc.poll() is None:
        try:
            rss = parent.memory_info().rss
            kids = sum(c.memory_info().rss for c in parent.children(recursive=True))
        except psutil.Error:
            continue
        peak, tree = max(peak, rss), max(tree, rss + kids)
        time.sleep(0.25)
    return peak / 2**20, tree / 2**20


def run(batch: Path, out: Path, options: list[str]) -> dict:
    """One ``sim batch`` subprocess; wall time, memory and the manifest's timing."""
    t0 = time.perf_counter()
    command = [*SIM, "batch", str(batch), "--out", str(out), "--quiet", *options]
    proc = subprocess.Popen(command, cwd=batch.parent)
    peak, tree = watch(proc)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"sim batch failed with exit code {proc.returncode}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {"wall_s": wall, "parent_rss_mb": peak, "tree_rss_mb": tree, **manifest["timing"]}


def dask_cluster(stack: ExitStack, workers: int) -> str:
    """A local Dask cluster on the loopback interface; returns the scheduler address."""
    from distributed import LocalCluster

    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        worker_dashboard_address="127.0.0.1:0",
        silence_logs=40,
    )
    stack.enter_context(cluster)
    return cluster.scheduler_address


def options_for(executor: str, stack: ExitStack) -> list[str]:
    """``pool:N`` → ``--workers N``; ``dask:N`` → a cluster of N workers, ``--scheduler``."""
    kind, _, count = executor.partition(":")
    if kind == "pool":
        return ["--workers", count or "2"]
    if kind == "dask":
        return ["--scheduler", dask_cluster(stack, int(count or 2))]
    raise SystemExit(f"unknown executor {executor!r} (pool:N or dask:N)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--executors", nargs="+", default=["pool:1", "pool:2"])
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        baseline = freeze(Path(tmp))
        batch = write_batch(Path(tmp), baseline, args.reps, args.scale, args.years)
        print(f"2 scenarios x {args.reps} reps, scale {args.scale:g}, {args.years} years")
        print("executor  wall_s  simulate_s  build_s  speed-up  parent RSS MB  tree RSS MB")
        for executor in args.executors:
            with ExitStack() as stack:
                row = run(batch, Path(tmp) / executor, options_for(executor, stack))
            row["executor"] = executor
            row["speedup"] = rows[0]["wall_s"] / row["wall_s"] if rows else 1.0
            rows.append(row)
            print(
                f"{executor:<9} {row['wall_s']:>6.1f} {row['simulate_s']:>11.1f} "
                f"{row['build_s']:>8.1f} {row['speedup']:>9.2f} "
                f"{row['parent_rss_mb']:>14,.0f} {row['tree_rss_mb']:>12,.0f}",
                flush=True,
            )
        first = (Path(tmp) / args.executors[0] / "yearly.parquet").read_bytes()
        for executor in args.executors[1:]:
            same = (Path(tmp) / executor / "yearly.parquet").read_bytes() == first
            print(f"yearly.parquet of {executor} identical to {args.executors[0]}: {same}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
