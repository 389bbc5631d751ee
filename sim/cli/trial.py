"""``sim trial [SCENARIO.toml]``: an emulated IPS trial inside the simulation.

Writes ``trial.json`` (arms x outcomes x months with 95 % Wilson intervals over the pooled
replicates), the runs' ``yearly.parquet`` (with the trial rows) and ``manifest.json``, and
prints the trial table. Uses the same replicate seeds and executors as ``sim compare``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli.common import add_common, check_common, default_out
from sim.errors import InputError
from sim.run.resultsdir import ResultsFolder

DEFAULT_SCENARIO = "scenarios/baseline.toml"


def add_parser(sub) -> None:
    """Register ``sim trial``."""
    from sim.analysis.trial import POPULATIONS

    p = sub.add_parser("trial", help="emulated trial: IPS vs usual services")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, help="scenario TOML file")
    p.add_argument(
        "--population", choices=POPULATIONS, default=POPULATIONS[0], help="who is eligible"
    )
    p.add_argument("--n", type=int, default=None, help="most youth per arm (default: all)")
    p.add_argument("--months", type=int, default=18, help="follow-up months (default 18)")
    add_common(p, reps=10)
    for action in p._actions:
        if action.dest == "years":
            action.help = "years simulated (default: enough to cover the follow-up)"
    p.add_argument("--workers", type=int, default=None, help="local worker processes")
    p.set_defaults(func=main, years=None)


def check(args: argparse.Namespace) -> None:
    """Validate the trial options; ``--years`` defaults to what covers the follow-up."""
    from sim.analysis.trial import years_needed

    if args.n is not None and args.n < 1:
        raise InputError(f"--n: must be at least 1, got {args.n}")
    if not 1 <= args.months <= 120:
        raise InputError(f"--months: must be 1-120, got {args.months}")
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers: must be at least 1, got {args.workers}")
    check_common(argparse.Namespace(**{**vars(args), "years": args.years or 1}))
    need = years_needed(args.start, args.months)
    if args.years is None:
        args.years = need
    elif args.years < need:
        raise InputError(f"--years: {args.years} does not cover the follow-up (need {need})")


def main(args: argparse.Namespace) -> int:
    """Run the trial's replicates, pool them, write and print the results."""
    from sim.analysis.trial import TrialConfig, as_trial
    from sim.cli.compare import load_all
    from sim.run.execute import execute
    from sim.run.runner import RunSpec, replicate_seeds

    check(args)
    scenario = next(iter(load_all([args.scenario]).values()))
    config = TrialConfig(args.population, args.n, args.months)
    trial_scenario = as_trial(scenario, config)
    out = Path(args.out) if args.out else default_out("trial", [scenario.stem])
    seeds = replicate_seeds(args.seed, args.reps)
    specs = [
        RunSpec(trial_scenario, r, seeds[r], args.years, args.scale, args.start, monthly=False)
        for r in range(args.reps)
    ]
    with ResultsFolder(out) as folder:
        results, failures = execute(specs, workers=args.workers or 1, quiet=args.quiet)
        for spec, error in failures:
            print(f"run failed: {spec.name} replicate {spec.replicate}\n{error}", file=sys.stderr)
        if failures:
            return 1
        finish(args, scenario, config, seeds, results, folder)
    return 0


def finish(args, scenario, config, seeds: list[int], results: list, folder) -> None:
    """Pool the runs, write ``trial.json``, ``yearly.parquet`` and the manifest; print."""
    from sim.analysis.trial import format_table, summarize_trial
    from sim.run.manifest import build_manifest
    from sim.run.tables import combine

    yearly = combine([r.yearly for r in results], yearly=True)
    trial = summarize_trial(yearly, config, args.reps)
    timing = {k: sum(r.timing.get(k, 0.0) for r in results) for k in ("build_s", "simulate_s")}
    manifest = build_manifest(
        scenarios={scenario.stem: scenario},
        seed=args.seed,
        replicate_seeds=seeds,
        scale=args.scale,
        start=args.start,
        years=args.years,
        timing={**timing, "write_s": 0.0},
        youth_months=sum(r.youth_months for r in results),
        trial={"population": config.population, "n_max": config.n_max, "months": config.months},
    )
    folder.write({"trial.json": trial, "yearly.parquet": yearly, "manifest.json": manifest})
    if not args.quiet:
        print(format_table(trial))
        print(f"results: {folder.out}")
