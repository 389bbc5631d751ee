"""``sim trial [SCENARIO.toml]``: an emulated IPS trial inside the simulation.

Writes ``trial.json`` (arms x outcomes x months with 95 % Wilson intervals over the pooled
replicates), the runs' ``yearly.parquet`` (with the trial rows) and ``manifest.json``, and
prints the trial table. Uses the same replicate seeds and executors as ``sim compare``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from sim.cli.common import add_common, run_options
from sim.errors import InputError
from sim.run.jobs import RunOptions

DEFAULT_SCENARIO = "scenarios/baseline.toml"


class Populations:
    """The trial populations (:data:`sim.analysis.trial.POPULATIONS`), read when first needed.

    argparse asks only when it checks a value or formats ``sim trial --help``, so building
    the parser does not import the model.
    """

    def _names(self) -> tuple[str, ...]:
        from sim.analysis.trial import POPULATIONS

        return POPULATIONS

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self):
        return iter(self._names())


def add_parser(sub) -> None:
    """Register ``sim trial``."""
    p = sub.add_parser("trial", help="emulated trial: IPS vs usual services")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, help="scenario TOML file")
    p.add_argument(
        "--population",
        choices=Populations(),
        default=None,
        metavar="NAME",
        help="who is eligible: %(choices)s (default: the first)",
    )
    p.add_argument("--n", type=int, default=None, help="most youth per arm (default: all)")
    p.add_argument("--months", type=int, default=18, help="follow-up months (default 18)")
    p.add_argument(
        "--window",
        type=int,
        default=12,
        help="enrolment months: youth newly eligible each month are randomised (default 12)",
    )
    add_common(p, reps=10)
    for action in p._actions:
        if action.dest == "years":
            action.help = "years simulated (default: the enrolment window and the follow-up)"
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="local worker processes (default: 1, this process)",
    )
    p.set_defaults(func=main, years=None)


def check(args: argparse.Namespace) -> RunOptions:
    """Validate the trial options; ``--years`` defaults to what covers the follow-up."""
    if args.n is not None and args.n < 1:
        raise InputError(f"--n: must be at least 1, got {args.n}")
    if not 1 <= args.months <= 120:
        raise InputError(f"--months: must be 1-120, got {args.months}")
    if not 1 <= args.window <= 120:
        raise InputError(f"--window: must be 1-120, got {args.window}")
    opts = run_options(args, years=args.years or 1, monthly=False)
    from sim.analysis.trial import POPULATIONS, years_needed  # the model, once options are fine

    args.population = args.population or POPULATIONS[0]
    need = years_needed(opts.start, args.months, args.window)
    if args.years is None:
        return replace(opts, years=need)
    if args.years < need:
        raise InputError(
            f"--years: {args.years} does not cover enrolment and follow-up (need {need})"
        )
    return opts


def main(args: argparse.Namespace) -> int:
    """Run the trial's replicates, pool them, write and print the results."""
    opts = check(args)
    from sim.analysis.trial import TrialConfig, as_trial
    from sim.run.execute import execute
    from sim.run.jobs import load_all, plan
    from sim.run.resultsdir import ResultsFolder

    scenario = next(iter(load_all([args.scenario]).values()))
    config = TrialConfig(args.population, args.n, args.months, window=args.window)
    job = plan(opts, {scenario.stem: as_trial(scenario, config)}, "trial")
    with ResultsFolder(job.out) as folder:
        results, failures = execute(job.specs, workers=opts.workers or 1, quiet=opts.quiet)
        for spec, error in failures:
            print(f"run failed: {spec.name} replicate {spec.replicate}\n{error}", file=sys.stderr)
        if failures:
            return 1
        finish(opts, scenario, config, job.seeds, results, folder)
    return 0


def finish(opts: RunOptions, scenario, config, seeds: list[int], results: list, folder) -> None:
    """Pool the runs, write ``trial.json``, ``yearly.parquet`` and the manifest; print."""
    from sim.analysis.trial import format_table, format_targets, summarize_trial, trial_targets
    from sim.run.manifest import build_manifest
    from sim.run.tables import combine

    yearly = combine([r.yearly for r in results], yearly=True)
    trial = summarize_trial(yearly, config, opts.reps)
    timing = {k: sum(r.timing.get(k, 0.0) for r in results) for k in ("build_s", "simulate_s")}
    manifest = build_manifest(
        scenarios={scenario.stem: scenario},
        seed=opts.seed,
        replicate_seeds=seeds,
        scale=opts.scale,
        start=opts.start,
        years=opts.years,
        timing={**timing, "write_s": 0.0},
        youth_months=sum(r.youth_months for r in results),
        trial={
            "population": config.population,
            "n_max": config.n_max,
            "months": config.months,
            "window": config.window,
        },
    )
    folder.write({"trial.json": trial, "yearly.parquet": yearly, "manifest.json": manifest})
    if not opts.quiet:
        print(format_table(trial))
        print(format_targets(trial_targets(trial)))
        print(f"results: {folder.out}")
