"""``sim calibrate [SCENARIO] [--minutes M] [--budget N] ...`` and ``sim calibrate --apply DIR``.

Fits the parameters whose role is ``calibrated`` (or ``--params``) to every target row
(yearly, cohorts, trial) with the band loss (see :mod:`sim.analysis.calibrate`). Every
evaluation is appended to ``DIR/evaluations.jsonl`` as it ends; running the same command
again continues from it. At the end of each session ``fit.json``, ``fit.csv``,
``targets_fit.csv``, ``evaluations.csv``, ``calibrated.toml`` (a scenario that ``extends`` the
base scenario with the fitted values, for inspection) and ``manifest.json`` are written.

``--apply DIR`` writes DIR's fitted values into the parameter file (value cells of the
calibrated rows only) and ``calibration.json`` beside it (:mod:`sim.analysis.calibrate_apply`);
nothing is simulated.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
from pathlib import Path

from sim.cli.common import add_common, add_executor_options, run_options
from sim.errors import InputError
from sim.run.resultsdir import ResultsFolder

DEFAULT_BASE = "scenarios/baseline.toml"
TRIAL_SCALE = 0.5  # the trial's default scale (docs/calibration.md: proof runs)
IN_PLACE = ("evaluations.jsonl",)  # written as the calibration goes (kept for the next session)


def add_parser(sub) -> None:
    """Register ``sim calibrate``."""
    p = sub.add_parser("calibrate", help="fit the calibrated parameters to every target")
    p.add_argument("scenario", nargs="?", default=DEFAULT_BASE, help="base scenario TOML")
    add_common(p, reps=2)
    p.set_defaults(years=7, scale=0.1)
    p.add_argument("--targets", default=None, help="targets CSV (default: the packaged one)")
    p.add_argument("--params", default=None, help="comma-separated parameters to fit")
    p.add_argument("--budget", type=int, default=200, help="most evaluations in all")
    p.add_argument("--minutes", type=float, default=20.0, help="minutes for this session")
    p.add_argument(
        "--fix", action="append", default=[], metavar="NAME=VALUE", help="hold a parameter"
    )
    p.add_argument(
        "--trial-scale",
        type=float,
        default=None,
        help=f"scale of the emulated trial's runs (default {TRIAL_SCALE}, or --scale when "
        "larger: at a low scale the trial's arms are small and its risk ratio biased low)",
    )
    p.add_argument("--apply", default=None, metavar="DIR", help="adopt DIR's fit (no runs)")
    p.add_argument("--parameters", default=None, help="with --apply: the parameter file to update")
    add_executor_options(p)
    p.set_defaults(func=main)


def parse_fix(items: list[str]) -> dict[str, float]:
    """``NAME=VALUE`` pairs, each checked against the parameter's domain."""
    from sim.core.params import check_value

    fixed = {}
    for item in items:
        name, sep, text = item.partition("=")
        try:
            value = float(text)
        except ValueError:
            value = None
        problem = "expected NAME=VALUE" if not sep or value is None else check_value(name, value)
        if problem:
            raise InputError(f"--fix: {item}: {problem}")
        fixed[name] = value
    return fixed


def plan(args: argparse.Namespace):
    """Validate every input and build the problem (nothing runs, nothing is written)."""
    from sim.analysis.calibrate import Problem, choose_params
    from sim.analysis.calibrate_loss import all_targets, check_targets
    from sim.core.scenario import load_scenario
    from sim.run.runner import replicate_seeds

    run_options(args)  # exit 2 on a bad common option, before anything runs
    if args.budget < 2:
        raise InputError(f"--budget: must be at least 2, got {args.budget}")
    if not args.minutes > 0:
        raise InputError(f"--minutes: must be positive, got {args.minutes}")
    fixed = parse_fix(args.fix)
    names = [n.strip() for n in args.params.split(",") if n.strip()] if args.params else None
    names = choose_params(names, fixed)
    if args.targets and not Path(args.targets).is_file():
        raise InputError(f"{args.targets}: file not found")
    targets = check_targets(all_targets(args.targets), args.targets or "targets.csv")
    if targets.empty:
        raise InputError(f"{args.targets or 'targets.csv'}: no target rows")
    seeds = replicate_seeds(args.seed, args.reps)
    sc = load_scenario(args.scenario)
    if args.trial_scale is not None:
        run_options(args, scale=args.trial_scale)  # the same limits as --scale
    trial_scale = args.trial_scale or max(args.scale, TRIAL_SCALE)
    return Problem(
        sc,
        names,
        targets,
        seeds,
        args.years,
        args.scale,
        args.start,
        fixed,
        args.seed,
        trial_scale=trial_scale,
    )


def main(args: argparse.Namespace) -> int:
    """Calibrate (or ``--apply``); exit 1 when a run fails, 2 on bad input."""
    if args.apply:
        return apply_main(args)
    from sim.analysis.calibrate import calibrate, estimate_seconds
    from sim.analysis.calibrate_log import LOG, Log
    from sim.run.executors import choose

    problem = plan(args)
    out = Path(args.out) if args.out else Path("results") / f"calibrate-{problem.scenario.stem}"
    pool = choose(args.workers, args.scheduler, problem.runs_per_evaluation())
    with ResultsFolder(out) as folder:
        folder.record(list(IN_PLACE), status="running")
        log = Log(out / LOG, problem.header())
        if not args.quiet:
            per = estimate_seconds(
                problem.runs_per_evaluation(), args.scale, args.years, pool.workers
            )
            print(
                f"calibrate: {len(problem.names)} parameters ({', '.join(problem.names)}); "
                f"{len(problem.targets)} target rows; {problem.runs_per_evaluation()} runs per "
                f"evaluation (about {per:.0f} s on free cores); {len(log.entries)} evaluations "
                f"logged, budget {args.budget}, {args.minutes:g} min this session",
                file=sys.stderr,
            )
            for note in problem.notes:
                print(f"calibrate: {note}", file=sys.stderr)
        try:
            with pool:
                fit = calibrate(problem, pool, log, args.budget, args.minutes, args.quiet)
        except RuntimeError as exc:
            print(f"sim: {exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt as exc:
            exc.add_note(f"evaluations kept in {out / LOG}; run the same command to continue")
            raise
        write_outputs(folder, fit, problem, args, out, pool.describe())
    print_fit(fit, problem, out)
    return 0


def write_outputs(folder, fit, problem, args, out: Path, executor: dict) -> None:
    """Stage the session's files and swap them in beside the log."""
    from sim.run.durable import write_file

    tmp = folder.stage()
    for name, content in outputs(fit, problem, args, out, executor).items():
        write_file(tmp / name, content)
    folder.commit(tmp, keep=IN_PLACE)


def fit_record(fit, problem, args) -> dict:
    """``fit.json``: what ``--apply`` adopts and records."""
    from sim.run.manifest import _git

    runs = len(fit.history) * problem.runs_per_evaluation()
    minutes = float(fit.history["seconds"].sum()) / 60 if len(fit.history) else 0.0
    return {
        "command": "sim " + shlex.join(sys.argv[1:]) if sys.argv[1:] else "sim calibrate",
        "commit": _git()[0],
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "fitted": {n: fit.values[n] for n in problem.names},
        "fixed": problem.fixed,
        "loss": fit.loss,
        "centre": fit.centre,
        "loss_before": fit.prior["loss"],
        "centre_before": fit.prior["centre"],
        "evaluations": len(fit.history),
        "runs": runs,
        "minutes": round(minutes, 2),
        "scale": args.scale,
        "years": args.years,
        "seeds": problem.seeds,
        "targets": [
            f"{t.table} {t.metric} {t.group} {t.period}" for t in problem.targets.itertuples()
        ],
        "left_out": problem.notes,
    }


def outputs(fit, problem, args, out: Path, executor: dict) -> dict[str, object]:
    """The files of the results folder (besides the log)."""
    from sim.analysis.calibrate import fit_table
    from sim.run.manifest import build_manifest

    record = fit_record(fit, problem, args)
    manifest = build_manifest(
        scenarios={problem.scenario.stem: problem.scenario},
        seed=args.seed,
        replicate_seeds=problem.seeds,
        scale=args.scale,
        start=args.start,
        years=args.years,
        timing={"total_s": fit.seconds},
        youth_months=0,
        command_name="calibrate",
        calibration={
            "method": "band loss over every target row; prior point, Latin hypercube, then "
            "points proposed by a quadratic emulator of the moments",
            "budget": args.budget,
            "minutes": args.minutes,
            "new_evaluations": fit.new,
            **{k: record[k] for k in ("evaluations", "runs", "loss", "loss_before", "fitted")},
        },
        **executor,
    )
    return {
        "fit.json": record,
        "calibrated.toml": scenario_text(fit.values, Path(args.scenario), out, fit.loss),
        "fit.csv": fit_table(fit, problem).to_csv(index=False),
        "targets_fit.csv": fit.table.to_csv(index=False),
        "evaluations.csv": fit.history.to_csv(index=False),
        "manifest.json": manifest,
    }


def scenario_text(values: dict[str, float], base: Path, out: Path, loss: float) -> str:
    """A scenario file that extends the base scenario with the fitted values."""
    extends = os.path.relpath(base.resolve(), out.resolve())
    lines = [
        'name = { nb = "Kalibrert referanse", en = "Calibrated baseline" }',
        'description = { nb = "Referansen med parametere tilpasset målene (sim calibrate).", '
        'en = "The baseline with parameters fitted to the targets (sim calibrate)." }',
        f'extends = "{extends}"',
        "",
        f"[params]  # fitted by sim calibrate, loss {loss:.4f}",
    ]
    lines += [f'"{n}" = {float(f"{v:.4g}")!r}' for n, v in values.items()]
    return "\n".join(lines) + "\n"


def print_fit(fit, problem, out: Path) -> None:
    """Fitted values, the loss before and after, and the targets at the fit."""
    before = fit.prior["loss"]
    print(
        f"fitted: loss {before:.4f} at the prior values -> {fit.loss:.4f} "
        f"({len(fit.history)} evaluations, {fit.new} this session, {fit.seconds:.0f} s)"
    )
    for n in problem.names:
        print(f"  {n:34s} {problem.scenario.params[n]:10.4g} -> {fit.values[n]:.4g}")
    t = fit.table
    for r in t.itertuples():
        mark = "inside " if r.inside else "no value" if r.simulated != r.simulated else "OUTSIDE"
        print(
            f"  {mark} {r.table:7s} {r.metric} {r.group} {r.period}: "
            f"{r.simulated:.4g} [{r.lo:.4g}, {r.hi:.4g}]"
        )
    print(f"targets inside their band: {int(t['inside'].sum())}/{len(t)}; written to {out}")


def apply_main(args: argparse.Namespace) -> int:
    """``--apply DIR``: the fitted values into the parameter file, provenance beside it."""
    from importlib import resources

    from sim.analysis.calibrate_apply import SIDECAR, apply, read_fit

    fit = read_fit(Path(args.apply))
    default = Path(str(resources.files("sim").joinpath("data/parameters.csv")))
    path = Path(args.parameters) if args.parameters else default
    record = apply(fit, path, Path(args.apply))
    for n, v in record["fitted"].items():
        print(f"  {n:34s} {record['previous'][n]:10.4g} -> {v:.4g}")
    print(f"wrote {len(record['fitted'])} values to {path}; provenance in {path.parent / SIDECAR}")
    return 0
