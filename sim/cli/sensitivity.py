"""``sim sensitivity [--method morris|sobol] [--params ...] [--outputs ...] [--n N]``.

Global sensitivity analysis with SALib over the parameters' plausible ranges (see
:mod:`sim.analysis.sensitivity`). Prints the expected number of runs and time before starting,
runs the
design through the batch executor (local processes or Dask) and writes ``indices.csv``,
``design.csv`` (inputs and outputs of every design point), ``sensitivity.png`` and
``manifest.json``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sim.cli.common import add_common, add_executor_options, run_options
from sim.errors import InputError
from sim.run.resultsdir import ResultsFolder

SCENARIOS = ["scenarios/baseline.toml", "scenarios/coordinated_ips.toml"]


def add_parser(sub) -> None:
    """Register ``sim sensitivity``."""
    p = sub.add_parser("sensitivity", help="global sensitivity analysis (SALib Morris/Sobol)")
    p.add_argument(
        "--method", choices=["morris", "sobol"], default="morris", help="design and indices"
    )
    p.add_argument("--params", default=None, help="comma-separated parameters (default: 10)")
    p.add_argument(
        "--outputs", default="neet_rate_y10,net_public_cost", help="comma-separated outputs"
    )
    p.add_argument("--n", type=int, default=6, help="Morris trajectories / Sobol base samples")
    p.add_argument(
        "--scenarios", nargs="+", default=SCENARIOS, help="reference, then the paired scenario"
    )
    p.add_argument("--dummy", action="store_true", help="add an unused parameter (a check)")
    p.add_argument(
        "--world", default=None, help="scenario whose own values (e.g. calibrated) apply to all"
    )
    add_common(p, reps=1, out="results/sensitivity-<method>")
    p.set_defaults(years=10, scale=0.25)
    add_executor_options(p)
    p.set_defaults(func=main)


def plan(args: argparse.Namespace):
    """Validate every input and build the study (nothing runs)."""
    from sim.analysis.sensitivity import DEFAULT_PARAMS, Study, check
    from sim.run.jobs import load_all
    from sim.run.runner import replicate_seeds

    run_options(args)  # exit 2 on a bad common option, before anything runs
    if args.n < 2:
        raise InputError(f"--n: must be at least 2, got {args.n}")
    names = _split(args.params) or list(DEFAULT_PARAMS)
    outputs = _split(args.outputs)
    if not outputs:
        raise InputError("--outputs: name at least one output")
    scenarios = with_world(load_all(args.scenarios), args.world)
    check(names, outputs, scenarios)
    seeds = replicate_seeds(args.seed, args.reps)
    return Study(names, outputs, scenarios, seeds, args.years, args.scale, args.start, args.dummy)


def with_world(scenarios: dict, world: str | None) -> dict:
    """Every scenario in the world of ``world``'s own values (warm-up included)."""
    from sim.core.scenario import load_scenario
    from sim.run.draws import apply_draw, levers

    if world is None:
        return scenarios
    values = levers(load_scenario(world))
    return {label: apply_draw(sc, values) for label, sc in scenarios.items()}


def _split(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def main(args: argparse.Namespace) -> int:
    """Sample, run, analyze, write."""
    from sim.analysis.calibrate import estimate_seconds
    from sim.analysis.sensitivity import indices, n_runs, plot, run_design, sample
    from sim.run.executors import choose

    study = plan(args)
    problem = study.problem()
    x = sample(problem, args.method, args.n, args.seed)
    runs = len(x) * study.runs_per_point()
    assert runs == n_runs(args.method, args.n, problem["num_vars"], study.runs_per_point())
    pool = choose(args.workers, args.scheduler, runs)
    est = estimate_seconds(runs, args.scale, args.years, pool.workers)
    out = Path(args.out) if args.out else Path("results") / f"sensitivity-{args.method}"
    with ResultsFolder(out) as folder:
        if not args.quiet:
            print(
                f"sensitivity ({args.method}): {problem['num_vars']} parameters, {len(x)} "
                f"design points x {study.runs_per_point()} runs = {runs} runs at scale "
                f"{args.scale}, {args.years} years; expected about {est / 60:.1f} min on "
                f"{pool.workers} free core(s)",
                file=sys.stderr,
            )
        t0 = time.perf_counter()
        try:
            with pool:
                y = run_design(study, x, pool)
        except RuntimeError as exc:
            print(f"sim: {exc}", file=sys.stderr)
            return 1
        seconds = time.perf_counter() - t0
        table = indices(study, x, y, args.method, args.seed)
        written = files(study, args, x, y, table, seconds, pool.describe())
        written["sensitivity.png"] = figure_bytes(plot(table, args.method))
        folder.write(written)
    print_top(table, out, seconds)
    return 0


def figure_bytes(fig) -> bytes:
    """A figure as PNG bytes (written with the rest of the result)."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    return buffer.getvalue()


def files(study, args, x, y, table, seconds: float, executor: dict) -> dict[str, object]:
    """The design, the indices and the manifest."""
    import pandas as pd

    from sim.run.manifest import build_manifest

    design = pd.DataFrame(x, columns=study.problem()["names"])
    for j, name in enumerate(study.outputs):
        design[name] = y[:, j]
    manifest = build_manifest(
        scenarios=study.scenarios,
        seed=args.seed,
        replicate_seeds=study.seeds,
        scale=args.scale,
        start=args.start,
        years=args.years,
        timing={"total_s": seconds},
        youth_months=0,
        command_name="sensitivity",
        sensitivity={
            "method": args.method,
            "n": args.n,
            "params": study.names,
            "dummy": study.dummy,
            "outputs": study.outputs,
            "runs": int(len(x) * study.runs_per_point()),
            "morris_levels": 4 if args.method == "morris" else None,
        },
        **executor,
    )
    return {
        "indices.csv": table.to_csv(index=False),
        "design.csv": design.to_csv(index=False),
        "manifest.json": manifest,
    }


def print_top(table, out: Path, seconds: float) -> None:
    """The top five parameters per output."""
    for name, part in table.groupby("output", sort=False):
        cols = [
            c for c in ("mu_star", "mu_star_conf", "sigma", "S1", "ST", "ST_conf") if c in part
        ]
        print(f"{name}:")
        print(
            part.head(5)[["parameter", *cols]].to_string(index=False, float_format="{:.4g}".format)
        )
    print(f"{seconds:.0f} s; written to {out}")
