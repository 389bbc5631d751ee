"""``sim validate-targets RESULTS_DIR``: every target against the simulated results.

For one scenario of a results folder (the reference, i.e. the first, unless ``--scenario``):
each target with its source, the simulated median and 95 % interval over replicates (a range
of n replicates with fewer than five), and whether the median is inside the target's band.
The manifest says whether the interval includes parameter uncertainty (``--draw-params``) or
replicate variation only. Writes ``RESULTS_DIR/targets.csv`` (or ``--csv FILE``, never over a
file of another kind) and prints the table; exit 0 in both cases, the count of targets
outside their band is printed. A missing or damaged results file or targets CSV exits 2
naming it, with nothing written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

HEADER = "metric,group,period,target,lo,hi,simulated,sim_lo,sim_hi,inside"
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
    """The yearly rows of one scenario, its label and the manifest (empty when missing).

    Raises:
        InputError: the folder or its ``yearly.parquet`` is missing or damaged, the manifest
            is damaged, or ``--scenario`` names no scenario of the results.
    """
    from sim.present.report.checks import MANIFEST
    from sim.present.report.results import read_json, read_table

    if not results.is_dir():
        what = "is a file" if results.exists() else "no such folder"
        raise InputError(f"{results}: not a results directory ({what})")
    path = results / "yearly.parquet"
    yearly = read_table(path)
    labels = list(dict.fromkeys(yearly["scenario"]))
    manifest = read_json(results / "manifest.json", MANIFEST, required=False) or {}
    label = scenario or next(iter(manifest.get("scenarios", {})), None) or labels[0]
    if label not in labels:
        raise InputError(f"{path}: --scenario: {label!r} not in results ({', '.join(labels)})")
    return yearly[yearly["scenario"] == label], label, manifest


def validation_table(yearly: pd.DataFrame, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every target with its source, simulated median and 95 % interval, and ``inside``.

    A target whose year was not simulated gets ``inside = False`` and NaN values.
    """
    from sim.analysis.targets import compare

    table = compare(yearly, targets)
    table["status"] = table["inside"].map({True: "inside", False: "OUTSIDE"})
    return table


def interval_note(manifest: dict, reps: int) -> str:
    """What the simulated interval means: the manifest's kind, over ``reps`` replicates."""
    from sim.analysis.intervals import MIN_REPS
    from sim.present.console import interval_label

    kind = "replicate variation and parameter uncertainty"
    if not manifest.get("draw_params"):
        kind = "replicate variation only (parameters fixed)"
    label = interval_label([reps])
    over = f"{label} over {reps} replicates" if reps >= MIN_REPS else label
    return f"{over}: {kind}; scale {manifest.get('scale', '?')}"


def check_csv(path: Path, targets: str | None) -> None:
    """Refuse a ``--csv`` that is a folder, the targets file, or a file of another kind."""
    from sim.present.report.output import existing_ancestor

    if path.is_dir():
        raise InputError(f"{path}: --csv: is a folder (give the CSV file)")
    if targets and path.exists() and path.resolve() == Path(targets).resolve():
        raise InputError(f"{path}: --csv: is the --targets file; not overwritten")
    if path.exists() and not _is_table(path):
        raise InputError(f"{path}: --csv: exists and is not a validation table; not overwritten")
    existing_ancestor(path)


def _is_table(path: Path) -> bool:
    """Whether ``path`` starts with the header of an earlier validation table."""
    if not path.is_file():  # a pipe or device is never opened
        return False
    try:
        with open(path, "rb") as fh:
            return fh.read(len(HEADER)).decode("utf-8", "replace") == HEADER
    except OSError:
        return False


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write the table beside (a temporary name), then rename; InputError when it cannot."""
    from sim.run.durable import replacing

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with replacing(path) as tmp:
            table.to_csv(tmp, index=False)
    except OSError as exc:
        raise InputError(f"{path}: --csv: cannot write: {exc.strerror}") from None


def main(args: argparse.Namespace) -> int:
    """Print and write the validation table."""
    from sim.analysis.calibrate import check_targets
    from sim.analysis.targets import load_targets
    from sim.run.resultsdir import held, record_inside

    results = Path(args.results)
    targets = None
    if args.targets:
        targets = check_targets(load_targets(args.targets), args.targets)
    with held(results, "RESULTS_DIR"):
        yearly, label, manifest = load(results, args.scenario)
        out = Path(args.csv) if args.csv else results / "targets.csv"
        check_csv(out, args.targets)
        table = validation_table(yearly, targets)
        write_csv(table, out)
        record_inside(results, [out])
    if not args.quiet:
        import pandas as pd

        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(table[[*SHOW, "status"]].to_string(index=False, float_format="{:.4g}".format))
        print(interval_note(manifest, int(yearly["replicate"].nunique())))
    outside = int((~table["inside"]).sum())
    print(f"{label}: {len(table) - outside}/{len(table)} targets inside their band; {out}")
    return 0
