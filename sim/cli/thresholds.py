"""``sim thresholds RESULTS_DIR``: where each scenario's sign or rank changes.

Reads a comparison's results folder (``yearly.parquet``, ``manifest.json``) for the discount
rate and the horizon, and a sweep (``RESULTS_DIR/effects``, as ``make run`` writes it, or
``--effects DIR``) for each parameter a variant varies alone (:mod:`sim.analysis.thresholds`).
Writes ``RESULTS_DIR/thresholds.csv`` (or ``--csv FILE``, never over a file of another kind)
and prints, for each factor, the values at which a scenario's NEET-years averted or net public
or societal cost changes sign, or its order against another scenario changes.

Exit 0; 2 for a missing or damaged results file, with nothing written.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from sim.errors import InputError

OUTCOME_TEXT = {
    "neet_years_averted": "fewer NEET person-years",
    "net_public_nok": "net public cost",
    "net_societal_nok": "net societal cost",
}


def add_parser(sub) -> None:
    """Register ``sim thresholds``."""
    p = sub.add_parser(
        "thresholds",
        help="the values of discount rate, horizon and swept effects that change a result",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("results", help="results folder of sim compare (yearly.parquet, manifest.json)")
    p.add_argument(
        "--effects",
        default=None,
        help="results folder of a sweep (sim batch with variants); default: RESULTS/effects "
        "when it exists",
    )
    p.add_argument(
        "--csv", default=None, help="where to write the table (default: RESULTS/thresholds.csv)"
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Compute, write and print the threshold table."""
    from sim.cli.validate_targets import write_csv
    from sim.run.resultsdir import held, record_inside

    results = Path(args.results)
    out = Path(args.csv) if args.csv else results / "thresholds.csv"
    with held(results, "RESULTS_DIR"):
        check_csv(out)
        table = compute(results, Path(args.effects) if args.effects else None)
        write_csv(table, out)
        record_inside(results, [out])
    print(render(table))
    print(f"\nwritten: {out}")
    return 0


def compute(results: Path, effects: Path | None = None):
    """The threshold table of a results folder (and its sweep)."""
    import pandas as pd

    from sim.analysis import thresholds as th
    from sim.present.report.checks import MANIFEST
    from sim.present.report.results import read_json, read_table

    if not results.is_dir():
        what = "is a file" if results.exists() else "no such folder"
        raise InputError(f"{results}: not a results directory ({what})")
    manifest = read_json(results / "manifest.json", MANIFEST)
    yearly = read_table(results / "yearly.parquet")
    reference = manifest.get("reference") or next(iter(manifest.get("scenarios", {})))
    if reference not in set(yearly["scenario"].astype(str)):
        raise InputError(
            f"{results / 'manifest.json'}: reference {reference!r} not in the results"
        )
    rate = float(manifest.get("discount_rate", 0.04))
    curves = [th.discount_curve(yearly, reference, rate), th.horizon_curve(yearly, reference)]
    sweep = effects or results / "effects"
    if effects is not None or (sweep / "manifest.json").is_file():
        curves += _sweep(sweep)
    return pd.DataFrame(th.table(curves))


def _sweep(folder: Path) -> list:
    from sim.analysis import thresholds as th
    from sim.core.params import specs
    from sim.present.report.checks import MANIFEST
    from sim.present.report.results import read_json, read_table

    manifest = read_json(folder / "manifest.json", MANIFEST)
    variants = manifest.get("variants") or {}
    if not variants:
        raise InputError(f"{folder / 'manifest.json'}: not a sweep (no variants)")
    yearly = read_table(folder / "yearly.parquet")
    first = next(iter(manifest.get("scenarios", {})), "")
    own = (manifest.get("scenarios", {}).get(first) or {}).get("params", {})
    defaults = {name: spec.value for name, spec in specs().items()} | own
    return th.sweep_curves(yearly, variants, defaults)


def check_csv(path: Path) -> None:
    """Refuse a ``--csv`` that is a folder or a file that is not an earlier threshold table."""
    from sim.analysis.thresholds import COLUMNS
    from sim.present.report.output import existing_ancestor

    if path.is_dir():
        raise InputError(f"{path}: --csv: is a folder (give the CSV file)")
    if path.exists():
        try:
            head = path.open("rb").read(200).decode("utf-8", "replace") if path.is_file() else ""
        except OSError:
            head = ""
        if not head.startswith(",".join(COLUMNS)):
            raise InputError(
                f"{path}: --csv: exists and is not a threshold table; not overwritten"
            )
    existing_ancestor(path)


def _value(factor: str, x: float) -> str:
    if math.isinf(x):
        return "lifetime"
    if factor == "cost.discount_rate":
        return f"{100 * x:.2f} %"
    if factor == "horizon":
        return f"{x:.1f} years"
    return f"{x:.3g}"


def _line(r) -> str:
    what, at = OUTCOME_TEXT[r["outcome"]], _value(r["factor"], r["threshold"])
    if r["kind"] == "sign":
        return f"  {r['scenario']:<22} {what} changes sign at {at}"
    return f"  {r['scenario']:<22} {what}: order against {r['other']} changes at {at}"


def render(table) -> str:
    """The table as text, factor by factor: the changes, then what does not change."""
    lines = []
    for factor, rows in table.groupby("factor", sort=False):
        first = rows.iloc[0]
        span = f"{_value(factor, first['lo'])} to {_value(factor, first['hi'])}"
        lines += ["", f"{factor} (central {_value(factor, first['central'])}; run {span})"]
        changes = rows[rows["kind"] != "none"]
        lines += [_line(r) for _, r in changes.iterrows()]
        steady = rows[rows["kind"] == "none"].groupby("outcome", sort=False)["scenario"]
        for outcome, scenarios in steady:
            names = ", ".join(scenarios)
            lines.append(f"  no change of sign or order in {OUTCOME_TEXT[outcome]}: {names}")
    return "\n".join(lines).lstrip("\n")
