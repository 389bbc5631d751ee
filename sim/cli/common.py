"""Options shared by the subcommands that simulate, and running scenarios into a results folder.

Only the command line lives here: each option becomes a field of
:class:`sim.run.jobs.RunOptions`, which checks every value. Nothing heavy is imported at module
level, so ``sim --help`` and a refused option never load the model.
"""

from __future__ import annotations

import argparse
import sys

from sim.run.jobs import OPTIONS, RunOptions


def add_common(
    parser: argparse.ArgumentParser,
    reps: int = 1,
    out: str = "results/<command>-<scenario file stems>",
) -> None:
    """The common options: --seed --reps --years --scale --start --out --quiet.

    Their help states the default in force (``%(default)s``), so a command that changes a
    default with ``set_defaults`` shows its own; ``out`` is the default folder's description.
    """
    parser.add_argument("--seed", type=int, default=1, help="base seed (default: %(default)s)")
    parser.add_argument("--reps", type=int, default=reps, help="replicates (default: %(default)s)")
    parser.add_argument(
        "--years", type=int, default=15, help="years simulated (default: %(default)s)"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="share of the population simulated, 1.0 = the whole county at 1:1 (about 97,000 "
        "youth), 0.05 = one in twenty; counts are always reported for the whole county "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--start", default="2024-01", help="first month, YYYY-MM (default: %(default)s)"
    )
    parser.add_argument("--out", default=None, help=f"results directory (default: {out})")
    parser.add_argument("--quiet", action="store_true", help="print less (default: off)")


def add_executor_options(p: argparse.ArgumentParser) -> None:
    """``--workers N`` and ``--scheduler ADDRESS``."""
    p.add_argument(
        "--workers", type=int, default=None, help="local worker processes (default: one per core)"
    )
    p.add_argument(
        "--scheduler",
        default=None,
        help="Dask scheduler address, e.g. tcp://host:8786 (default: $DASK_SCHEDULER_ADDRESS)",
    )


def add_cohort_option(p: argparse.ArgumentParser) -> None:
    """``--cohort NAME[@YYYY-MM]``, repeatable (``sim run``, ``compare`` and ``batch``)."""
    p.add_argument(
        "--cohort",
        action="append",
        dest="cohorts",
        default=None,
        metavar="NAME[@YYYY-MM]",
        help="follow the youth who meet cohort NAME at the start of month YYYY-MM (default: "
        "--start) and write cohorts.parquet; repeatable; cohorts: neet, nav_jobseekers_u30, "
        "aap_u30, dropouts (docs/cohorts.md)",
    )


def add_draw_option(p: argparse.ArgumentParser) -> None:
    """``--draw-params`` (``sim compare`` and ``sim batch``; see :mod:`sim.run.draws`)."""
    p.add_argument(
        "--draw-params",
        action="store_true",
        help="draw the parameters per replicate from the calibrated posterior and the other "
        "uncertain ones from their priors (same draw for every scenario of a replicate), so "
        "intervals include parameter uncertainty",
    )
    p.add_argument(
        "--reps-per-draw",
        type=int,
        default=None,
        metavar="N",
        help="with --draw-params: N consecutive replicates share one draw, so intervals split "
        "into stochastic and parameter parts (default: 1)",
    )


def run_options(args: argparse.Namespace, **given) -> RunOptions:
    """The parsed common options as validated :class:`~sim.run.jobs.RunOptions`.

    ``--no-monthly`` becomes ``monthly=False``; ``given`` overrides what was parsed.

    Raises:
        InputError: a bad value (exit 2 before anything runs), named as its option.
    """
    values = {name: getattr(args, name) for name in OPTIONS if hasattr(args, name)}
    if hasattr(args, "no_monthly"):
        values["monthly"] = not args.no_monthly
    if values.get("cohorts", ()) is None:  # --cohort not given
        del values["cohorts"]
    if values.get("reps_per_draw", 1) is None:  # --reps-per-draw not given
        del values["reps_per_draw"]
    return RunOptions(**{**values, **given})


def simulate(options: RunOptions, paths: list[str], command: str) -> int:
    """Run scenario files with ``options``, write the results folder, print the summary.

    What ``sim run`` and ``sim compare`` do: every scenario with the same replicate seeds
    (:func:`sim.run.jobs.run_scenarios`), combined by :func:`sim.analysis.outputs.finish`.

    Returns:
        The exit code: 0, or 1 when a run failed (each failure printed with its traceback).
    """
    from sim.run.jobs import load_all

    scenarios = load_all(paths)  # a refused file has not loaded the model yet
    failures = simulate_scenarios(options, scenarios, command)
    for record in failures:
        print(
            f"run failed: {record.label} replicate {record.replicate}\n{record.error}",
            file=sys.stderr,
        )
    return 1 if failures else 0


def simulate_scenarios(options: RunOptions, scenarios: dict, command: str) -> list:
    """Run loaded scenarios (label → Scenario, the reference first) into the results folder.

    Returns:
        The failed runs' records (empty on success; then the folder holds the result).
    """
    from sim.analysis.costs import discount_rate
    from sim.run.jobs import plan, run_scenarios

    discount_rate(scenarios)  # every scenario must discount at the same rate
    job = plan(options, scenarios, command)
    return run_scenarios(job, finish_and_print)


def finish_and_print(job, runs_dir, folder, executor: dict) -> None:
    """Combine the runs of ``sim run``/``compare`` into the results; print their summary."""
    from sim.analysis.outputs import finish
    from sim.present.console import print_summary
    from sim.run.draws import manifest_draws

    o = job.options
    extra = {**executor, **manifest_draws(job.seeds, o.draw_params, o.reps_per_draw)}
    result = finish(job, runs_dir, folder, extra)
    if not job.options.quiet:
        print_summary(result.headline, result.summary, result.manifest, folder.out)
