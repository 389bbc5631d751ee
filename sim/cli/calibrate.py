"""``sim calibrate [SCENARIO] [--targets FILE] [--params NAMES] [--budget N]``.

Fits uncertain parameters to the targets by the simulated method of moments (see
:mod:`sim.analysis.calibrate`) and writes ``DIR/calibrated.toml`` (a scenario that
``extends`` the base scenario, path relative to DIR), ``fit.csv``, ``targets_fit.csv``,
``evaluations.csv`` and ``manifest.json``. Updating ``scenarios/baseline.toml`` from it is a
deliberate, reviewed step.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from sim.cli.common import add_common, add_executor_options, run_options
from sim.errors import InputError
from sim.run.resultsdir import ResultsFolder

DEFAULT_BASE = "scenarios/baseline.toml"


def add_parser(sub) -> None:
    """Register ``sim calibrate``."""
    p = sub.add_parser("calibrate", help="fit uncertain parameters to the targets (SMM)")
    p.add_argument("scenario", nargs="?", default=DEFAULT_BASE, help="base scenario TOML")
    add_common(p, reps=3)
    p.set_defaults(years=7, scale=0.25)
    p.add_argument("--targets", default=None, help="targets CSV (default: the packaged one)")
    p.add_argument("--params", default=None, help="comma-separated parameters to fit")
    p.add_argument("--budget", type=int, default=40, help="candidate evaluations (default 40)")
    p.add_argument(
        "--fix", action="append", default=[], metavar="NAME=VALUE", help="hold a parameter"
    )
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
    from sim.analysis.calibrate import Problem, check_targets, choose_params
    from sim.analysis.targets import load_targets
    from sim.core.scenario import load_scenario
    from sim.run.runner import replicate_seeds

    run_options(args)  # exit 2 on a bad common option, before anything runs
    if args.budget < 2:
        raise InputError(f"--budget: must be at least 2, got {args.budget}")
    fixed = parse_fix(args.fix)
    names = [n.strip() for n in args.params.split(",") if n.strip()] if args.params else None
    names = choose_params(names, fixed)
    where = args.targets or "targets.csv"
    if args.targets and not Path(args.targets).is_file():
        raise InputError(f"{args.targets}: file not found")
    targets = check_targets(load_targets(args.targets), where)
    seeds = replicate_seeds(args.seed, args.reps)
    sc = load_scenario(args.scenario)
    return Problem(sc, names, targets, seeds, args.years, args.scale, args.start, fixed)


def main(args: argparse.Namespace) -> int:
    """Fit, write the calibrated scenario and the tables; exit 1 when a run fails."""
    from sim.analysis.calibrate import calibrate, estimate_seconds
    from sim.run.executors import choose

    problem = plan(args)
    out = Path(args.out) if args.out else Path("results") / f"calibrate-{problem.scenario.stem}"
    pool = choose(args.workers, args.scheduler, args.reps)
    runs = (args.budget + 1) * args.reps
    est = estimate_seconds(runs, args.scale, args.years, pool.workers)
    with ResultsFolder(out) as folder:
        if not args.quiet:
            print(
                f"calibrate: {len(problem.names)} parameters ({', '.join(problem.names)}), "
                f"budget {args.budget} evaluations x {args.reps} seeds = {runs} runs at scale "
                f"{args.scale}, {args.years} years; expected about {est / 60:.1f} min on "
                f"{pool.workers} free core(s)",
                file=sys.stderr,
            )
        try:
            with pool:
                fit = calibrate(problem, pool, args.budget, args.seed, quiet=args.quiet)
        except RuntimeError as exc:
            print(f"sim: {exc}", file=sys.stderr)
            return 1
        folder.write(outputs(fit, problem, args, out, pool.describe()))
    print_fit(fit, problem, out)
    return 0


def outputs(fit, problem, args, out: Path, executor: dict) -> dict[str, object]:
    """The files of the results folder."""
    from sim.analysis.calibrate import fit_table
    from sim.run.manifest import build_manifest

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
            "method": "simulated method of moments; Latin hypercube then bounded Nelder-Mead",
            "budget": args.budget,
            "evaluations": len(fit.history),
            "params": problem.names,
            "fixed": problem.fixed,
            "distance": fit.distance,
            "values": fit.values,
        },
        **executor,
    )
    files: dict[str, object] = {
        "calibrated.toml": scenario_text(fit.values, Path(args.scenario), out, fit.distance),
        "fit.csv": fit_table(fit, problem).to_csv(index=False),
        "targets_fit.csv": fit.table.to_csv(index=False),
        "evaluations.csv": fit.history.to_csv(index=False),
        "manifest.json": manifest,
    }
    if len(problem.scenario.files) == 1:  # a chain root: propose its replacement for review
        files["proposed_root.toml"] = root_text(problem.scenario, fit.values)
    return files


def root_text(base, values: dict[str, float]) -> str:
    """The base (root) scenario with the fitted values in its own ``[params]``.

    Unlike ``calibrated.toml`` (whose warm-up runs under its root's values), this file puts
    the fitted values in the warm-up as well, as during calibration; copying it over
    ``scenarios/baseline.toml`` is the reviewed update step.
    """

    def text(d: dict[str, str]) -> str:
        return (
            "{ "
            + ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in d.items())
            + " }"
        )

    params = {**base.root_overrides, **{n: float(f"{v:.4g}") for n, v in values.items()}}
    lines = [
        f"name = {text(base.name)}",
        f"description = {text(base.description)}",
        "",
        "[params]",
    ]
    lines += [f'"{n}" = {v!r}' + ("  # sim calibrate" * (n in values)) for n, v in params.items()]
    return "\n".join(lines) + "\n"


def scenario_text(values: dict[str, float], base: Path, out: Path, dist: float) -> str:
    """A scenario file that extends the base scenario with the fitted values."""
    extends = os.path.relpath(base.resolve(), out.resolve())
    lines = [
        'name = { nb = "Kalibrert referanse", en = "Calibrated baseline" }',
        'description = { nb = "Referansen med parametere tilpasset målene (sim calibrate).", '
        'en = "The baseline with parameters fitted to the targets (sim calibrate)." }',
        f'extends = "{extends}"',
        "",
        f"[params]  # fitted by sim calibrate, distance {dist:.4f}",
    ]
    lines += [f'"{n}" = {float(f"{v:.4g}")!r}' for n, v in values.items()]
    return "\n".join(lines) + "\n"


def print_fit(fit, problem, out: Path) -> None:
    """Fitted values and the targets at them."""
    print(f"fitted (distance {fit.distance:.4f}, {fit.seconds:.0f} s):")
    for n in problem.names:
        print(f"  {n:32s} {problem.scenario.params[n]:10.4g} -> {fit.values[n]:.4g}")
    inside = int(fit.table["inside"].sum())
    print(f"targets inside their band: {inside}/{len(fit.table)}; written to {out}")
