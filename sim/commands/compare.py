"""``sim compare A.toml B.toml ...``: scenarios with the same replicate seeds, paired."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sim.commands.common import add_common, check_common, default_out, write_results
from sim.errors import InputError


def add_parser(sub) -> None:
    """Register ``sim compare``."""
    p = sub.add_parser("compare", help="compare scenarios with common random numbers")
    p.add_argument("scenarios", nargs="+", help="scenario TOML files (first = reference)")
    add_common(p, reps=10)
    p.add_argument("--no-monthly", action="store_true", help="skip monthly.parquet")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Compare scenarios."""
    return run_scenarios(args, command="compare")


def load_all(paths: list[str]) -> dict:
    """Load and validate every scenario (labels = file stems, which must be unique)."""
    from sim.scenario import load_scenario

    scenarios = {}
    for path in paths:
        sc = load_scenario(path)
        if sc.stem in scenarios:
            raise InputError(f"{path}: scenario name {sc.stem!r} given twice")
        scenarios[sc.stem] = sc
    return scenarios


def run_scenarios(args: argparse.Namespace, command: str) -> int:
    """Validate, run every (scenario, replicate), summarize and write the results."""
    from sim.execute import execute
    from sim.runner import RunSpec, replicate_seeds

    check_common(args)
    scenarios = load_all(args.scenarios)
    out = Path(args.out) if args.out else default_out(command, list(scenarios))
    seeds = replicate_seeds(args.seed, args.reps)
    specs = [
        RunSpec(sc, r, seeds[r], args.years, args.scale, args.start, monthly=not args.no_monthly)
        for r in range(args.reps)
        for sc in scenarios.values()
    ]
    results, failures = execute(specs, workers=getattr(args, "workers", 1), quiet=args.quiet)
    if failures:
        for spec, tb in failures:
            print(f"run failed: {spec.name} replicate {spec.replicate}\n{tb}", file=sys.stderr)
        return 1
    finish(args, scenarios, seeds, results, out)
    return 0


def finish(args, scenarios: dict, seeds: list[int], results: list, out: Path) -> None:
    """Combine tables, summarize, write the results directory, print the summary."""
    from sim.manifest import build_manifest
    from sim.report_text import print_summary
    from sim.summary import summarize
    from sim.tables import combine

    t0 = time.perf_counter()
    yearly = combine([r.yearly for r in results], yearly=True)
    reference = next(iter(scenarios)) if len(scenarios) > 1 else None
    summary, pair = summarize(yearly, reference)
    files: dict[str, object] = {"yearly.parquet": yearly, "summary.json": summary}
    if not args.no_monthly:
        files["monthly.parquet"] = combine([r.monthly for r in results], yearly=False)
    if pair is not None:
        files["paired.parquet"] = pair
    timing = {k: sum(r.timing[k] for r in results) for k in ("build_s", "simulate_s")}
    youth_months = sum(r.youth_months for r in results)
    timing["write_s"] = time.perf_counter() - t0
    files["manifest.json"] = build_manifest(
        scenarios=scenarios,
        seed=args.seed,
        replicate_seeds=seeds,
        scale=args.scale,
        start=args.start,
        years=args.years,
        timing=timing,
        youth_months=youth_months,
    )
    write_results(out, files)
    if not args.quiet:
        print_summary(yearly, summary, files["manifest.json"], out)
