"""Threshold analysis: how large must fragmentation be for coordination to pay off?

A grid over ``handover_loss`` x ``plan_conflict``: at every grid point both scenarios (the
reference and the coordinated one) run in a world with those values, warm-up included, with
the same replicate seeds at every point (common random numbers). The output is the paired net
public cost (NPV over the horizon of ``cost_nok_discounted`` ``public:total``, coordinated
minus reference, mean over replicates); coordination pays off where it is <= 0.

    .venv/bin/python benchmarks/threshold_grid.py --scale 0.25 --years 15 --reps 2
    .venv/bin/python benchmarks/threshold_grid.py \
        --world results/calibrate-baseline/calibrated.toml

``--world FILE`` applies a scenario's own values (e.g. the calibrated ones) to both scenarios
first. Writes ``results/threshold/grid.csv``, ``grid.md`` and ``grid.png`` (``--out``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.sensitivity import Study, run_design
from sim.core.scenario import load_scenario
from sim.run.draws import apply_draw, levers
from sim.run.executors import choose
from sim.run.runner import replicate_seeds

ROOT = Path(__file__).resolve().parent.parent
HANDOVER = [0.05, 0.15, 0.25, 0.4]
CONFLICT = [0.0, 0.2, 0.4, 0.6]


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reference", default=str(ROOT / "scenarios/baseline.toml"))
    p.add_argument("--scenario", default=str(ROOT / "scenarios/coordinated_ips.toml"))
    p.add_argument("--world", default=None, help="scenario whose own values apply to both")
    p.add_argument("--handover", type=float, nargs="+", default=HANDOVER)
    p.add_argument("--conflict", type=float, nargs="+", default=CONFLICT)
    p.add_argument("--scale", type=float, default=0.25)
    p.add_argument("--years", type=int, default=15)
    p.add_argument("--reps", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--out", default=str(ROOT / "results/threshold"))
    return p.parse_args(argv)


def build(args: argparse.Namespace) -> tuple[Study, np.ndarray]:
    """The study (two scenarios, paired net cost and NEET in year 10) and the grid rows."""
    world = levers(load_scenario(args.world)) if args.world else {}
    scenarios = {}
    for path in (args.reference, args.scenario):
        sc = load_scenario(path)
        scenarios[sc.stem] = apply_draw(sc, world) if world else sc
    names = ["handover_loss", "plan_conflict"]
    seeds = replicate_seeds(args.seed, args.reps)
    study = Study(names, ["net_public_cost", "neet_rate_y10"], scenarios, seeds)
    study.years, study.scale = args.years, args.scale
    grid = np.array([(h, c) for h in args.handover for c in args.conflict])
    return study, grid


def table(grid: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """One row per grid point: the values, net public cost (NOK million) and pays-off flag."""
    out = pd.DataFrame(grid, columns=["handover_loss", "plan_conflict"])
    out["net_public_cost_mnok"] = y[:, 0] / 1e6
    out["neet_rate_y10_reference"] = y[:, 1]
    out["pays_off"] = out["net_public_cost_mnok"] <= 0
    return out


def markdown(df: pd.DataFrame, args: argparse.Namespace) -> str:
    """The grid as a small table: rows handover_loss, columns plan_conflict."""
    pivot = df.pivot(index="handover_loss", columns="plan_conflict", values="net_public_cost_mnok")
    head = "| handover_loss \\ plan_conflict | " + " | ".join(f"{c:g}" for c in pivot.columns)
    lines = [head + " |", "|---" * (len(pivot.columns) + 1) + "|"]
    for h, row in pivot.iterrows():
        cells = [f"**{v:,.0f}**" if v <= 0 else f"{v:,.0f}" for v in row]
        lines.append(f"| {h:g} | " + " | ".join(cells) + " |")
    note = (
        f"\nNet public cost (NPV, NOK million, {args.years} years, scale {args.scale}, "
        f"{args.reps} replicates, mean), coordinated minus reference; bold: pays off (<= 0).\n"
    )
    return "\n".join(lines) + "\n" + note


def plot(df: pd.DataFrame, path: Path) -> None:
    """A heat map of the net public cost with the break-even contour."""
    from matplotlib.figure import Figure

    pivot = df.pivot(index="handover_loss", columns="plan_conflict", values="net_public_cost_mnok")
    fig = Figure(figsize=(6, 4.5))
    ax = fig.add_subplot()
    lim = float(np.nanmax(np.abs(pivot.to_numpy())))
    im = ax.imshow(pivot.to_numpy(), origin="lower", cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.set_xticks(range(len(pivot.columns)), [f"{c:g}" for c in pivot.columns])
    ax.set_yticks(range(len(pivot.index)), [f"{h:g}" for h in pivot.index])
    if pivot.shape[0] > 1 and pivot.shape[1] > 1:
        ax.contour(pivot.to_numpy(), levels=[0.0], colors="k")
    ax.set_xlabel("plan_conflict")
    ax.set_ylabel("handover_loss")
    ax.set_title("Net public cost of coordination (NOK million; blue pays off)")
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> int:
    """Run the grid and write the tables and the figure."""
    args = parse(argv)
    study, grid = build(args)
    runs = len(grid) * study.runs_per_point()
    print(f"threshold grid: {len(grid)} points x {study.runs_per_point()} runs = {runs} runs")
    t0 = time.perf_counter()
    with choose(args.workers, None, runs) as pool:
        y = run_design(study, grid, pool)
    df = table(grid, y)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / "grid.csv", index=False)
    (out / "grid.md").write_text(markdown(df, args), encoding="utf-8")
    plot(df, out / "grid.png")
    meta = {**vars(args), "runs": runs, "seconds": round(time.perf_counter() - t0, 1)}
    (out / "grid.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(markdown(df, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
