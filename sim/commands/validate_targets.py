"""``sim validate-targets RESULTS_DIR``: every target against the simulated results.

For one scenario of a results folder (the reference, i.e. the first, unless ``--scenario``):
each target with its source, the simulated median and 95 % interval over replicates, and
whether the median is inside the target's band. The manifest says whether the interval
includes parameter uncertainty (``--draw-params``) or replicate variation only. Writes
``RESULTS_DIR/targets.csv`` (or ``--csv FILE``) and prints the table; exit 0 in both cases,
the count of targets outside their band is printed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from sim.errors import InputError

SHOW = ["metric", "group", "period", "target", "lo", "hi", "simulated", "sim_lo", "sim_hi"]


def add_parser(sub) -> None:
    """Register ``sim validate-targets``."""
    p = sub.add_parser("validate-targets", help="check a results folder against the targets")
    p.add_argument("results", help="results folder (yearly.parquet, manifest.json)")
    p.add_argument("--scenario", default=None, help="scenario label (default: the first)")
    p.add_argument("--targets", default=None, help="targets CSV (default: the packaged one)")
    p.add_argument("--csv", default=None, help="where to write the table")
    p.add_argument("--quiet", action="store_true", help="print only the summary line")
    p.set_defaults(func=main)


def load(results: Path, scenario: str | None) -> tuple[pd.DataFrame, str, dict]:
    """The yearly rows of one scenario, its label and the manifest (empty when missing)."""
    path = results / "yearly.parquet"
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    yearly = pd.read_parquet(path)
    labels = list(dict.fromkeys(yearly["scenario"]))
    manifest_path = results / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.is_file() else {}
    label = scenario or next(iter(manifest.get("scenarios", {})), None) or labels[0]
    if label not in labels:
        raise InputError(f"{path}: --scenario: {label!r} not in results ({', '.join(labels)})")
    return yearly[yearly["scenario"] == label], label, manifest


def validation_table(yearly: pd.DataFrame, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every target with its source, simulated median and 95 % interval, and ``inside``.

    A target whose year was not simulated gets ``inside = False`` and NaN values.
    """
    from sim.targets import compare

    table = compare(yearly, targets)
    table["status"] = table["inside"].map({True: "inside", False: "OUTSIDE"})
    return table


def interval_note(manifest: dict) -> str:
    """What the simulated interval means, from the manifest."""
    kind = "replicate variation and parameter uncertainty"
    if not manifest.get("draw_params"):
        kind = "replicate variation only (parameters fixed)"
    reps = manifest.get("reps", "?")
    return f"95 % interval over {reps} replicates: {kind}; scale {manifest.get('scale', '?')}"


def main(args: argparse.Namespace) -> int:
    """Print and write the validation table."""
    from sim.calibrate import check_targets
    from sim.targets import load_targets

    results = Path(args.results)
    targets = None
    if args.targets:
        if not Path(args.targets).is_file():
            raise InputError(f"{args.targets}: file not found")
        targets = check_targets(load_targets(args.targets), args.targets)
    yearly, label, manifest = load(results, args.scenario)
    table = validation_table(yearly, targets)
    out = Path(args.csv) if args.csv else results / "targets.csv"
    table.to_csv(out, index=False)
    if not args.quiet:
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(table[[*SHOW, "status"]].to_string(index=False, float_format="{:.4g}".format))
        print(interval_note(manifest))
    outside = int((~table["inside"]).sum())
    print(f"{label}: {len(table) - outside}/{len(table)} targets inside their band; {out}")
    return 0
