"""``sim compare A.toml B.toml ...``: scenarios with the same replicate seeds, paired."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli.common import add_common, check_common, default_out
from sim.errors import InputError
from sim.run.resultsdir import ResultsFolder


def add_parser(sub) -> None:
    """Register ``sim compare``."""
    p = sub.add_parser("compare", help="compare scenarios with common random numbers")
    p.add_argument("scenarios", nargs="+", help="scenario TOML files (first = reference)")
    add_common(p, reps=10)
    p.add_argument("--no-monthly", action="store_true", help="skip monthly.parquet")
    add_draw_option(p)
    add_executor_options(p)
    p.set_defaults(func=main)


def add_draw_option(p: argparse.ArgumentParser) -> None:
    """``--draw-params`` (shared with ``sim batch``; see :mod:`sim.run.draws`)."""
    p.add_argument(
        "--draw-params",
        action="store_true",
        help="draw every uncertain parameter from its range per replicate (same draw for "
        "every scenario of a replicate), so intervals include parameter uncertainty",
    )


def add_executor_options(p: argparse.ArgumentParser) -> None:
    """``--workers N`` and ``--scheduler ADDRESS`` (shared with ``sim batch``)."""
    p.add_argument(
        "--workers", type=int, default=None, help="local worker processes (default: one per core)"
    )
    p.add_argument(
        "--scheduler",
        default=None,
        help="Dask scheduler address, e.g. tcp://host:8786 (default: $DASK_SCHEDULER_ADDRESS)",
    )


def check_workers(args: argparse.Namespace) -> None:
    """``--workers`` must be at least 1 when given."""
    workers = getattr(args, "workers", None)
    if workers is not None and workers < 1:
        raise InputError(f"--workers: must be at least 1, got {workers}")


def main(args: argparse.Namespace) -> int:
    """Compare scenarios."""
    return run_scenarios(args, command="compare")


def load_all(paths: list[str]) -> dict:
    """Load and validate every scenario (labels = file stems, which must be unique)."""
    from sim.core.scenario import load_scenario

    scenarios = {}
    for path in paths:
        sc = load_scenario(path)
        if sc.stem in scenarios:
            raise InputError(f"{path}: scenario name {sc.stem!r} given twice")
        scenarios[sc.stem] = sc
    return scenarios


def run_scenarios(args: argparse.Namespace, command: str) -> int:
    """Validate, run every (scenario, replicate), summarize and write the results.

    Runs go through the same executors as ``sim batch`` (in-process, local processes or
    Dask) into a hidden scratch folder inside the results folder, which is checked and locked
    before anything runs (:class:`sim.run.resultsdir.ResultsFolder`); the new result is swapped
    in only when every run succeeded, and an earlier result is replaced only then.
    """
    from sim.analysis.costs import discount_rate
    from sim.run.draws import drawn_specs
    from sim.run.execute import run_into
    from sim.run.executors import choose
    from sim.run.progress import Progress
    from sim.run.runner import RunSpec, replicate_seeds

    check_common(args)
    check_workers(args)
    scenarios = load_all(args.scenarios)
    discount_rate(scenarios)  # every scenario must discount at the same rate
    out = Path(args.out) if args.out else default_out(command, list(scenarios))
    seeds = replicate_seeds(args.seed, args.reps)
    specs = [
        RunSpec(sc, r, seeds[r], args.years, args.scale, args.start, monthly=not args.no_monthly)
        for r in range(args.reps)
        for sc in scenarios.values()
    ]
    specs = drawn_specs(specs, getattr(args, "draw_params", False))
    pool = choose(getattr(args, "workers", None), getattr(args, "scheduler", None), len(specs))
    with ResultsFolder(out) as folder:
        runs_dir = folder.scratch("runs")
        with pool:
            failures = run_into(specs, runs_dir, pool, Progress(len(specs), quiet=args.quiet))
        if failures:
            for record in failures:
                print(
                    f"run failed: {record.label} replicate {record.replicate}\n{record.error}",
                    file=sys.stderr,
                )
            return 1
        finish(args, scenarios, seeds, specs, runs_dir, folder, pool.describe())
    return 0


def finish(
    args, scenarios: dict, seeds: list[int], specs: list, runs_dir: Path, folder, executor: dict
) -> None:
    """Combine the run files, summarize, write the results directory, print the summary."""
    from sim.analysis.outputs import build_outputs
    from sim.present.console import print_summary
    from sim.run.draws import manifest_draws
    from sim.run.durable import write_file
    from sim.run.runfiles import write_combined

    draws = manifest_draws(seeds, getattr(args, "draw_params", False))
    tmp = folder.stage()
    result = build_outputs(specs, runs_dir, scenarios, seeds, args, tmp, **executor, **draws)
    if not args.no_monthly:
        write_combined(result.monthly_files, tmp / "monthly.parquet", yearly=False)
    write_file(tmp / "manifest.json", result.manifest)
    result.manifest["files"] = folder.commit(tmp)
    if not args.quiet:
        print_summary(result.headline, result.summary, result.manifest, folder.out)
