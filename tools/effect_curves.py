"""NEET-years averted per scenario against the size of a weakly sourced effect (a markdown table).

Reads a ``sim batch`` results folder made from a batch file with variants (e.g.
``studies/effect_sweeps.toml``): every scenario ran under every variant, labelled
``<scenario>@<variant>``. For each variant and replicate it sums the yearly NEET count
(November stock x 1 year = NEET-years, as the summary's headline does) over the horizon and
subtracts each scenario's total from the reference scenario's total under the same variant and
replicate (common random numbers). The table gives the median and the interval over replicates
(the range below 5 replicates, a 95 % interval from 5 on: :mod:`sim.analysis.intervals`), with
the git commit, scale, replicates and horizon recorded in the results' manifest.

    sim batch studies/effect_sweeps.toml --out results/effect_sweeps
    python tools/effect_curves.py results/effect_sweeps --out docs/effect_curves.md
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import effects
from sim.analysis.intervals import MIN_REPS, interval
from sim.errors import InputError

REFERENCE = "baseline"


def averted(totals: pd.DataFrame, reference: str = REFERENCE) -> pd.DataFrame:
    """NEET-years averted per scenario, and the reference's own NEET-years (last column)."""
    out = effects.averted(totals, reference)
    wide = totals.pivot_table(index=["variant", "replicate"], columns="stem", values="value")
    out[f"{reference} NEET-years"] = wide[reference]
    return out


def cell(values: np.ndarray) -> str:
    """``median [lo, hi]`` of one column's replicates, rounded to whole NEET-years."""
    values = values[~np.isnan(values)]
    if not len(values):
        return "n/a"
    median, lo, hi = interval(values)
    return f"{median:,.0f} [{lo:,.0f}, {hi:,.0f}]"


def table(paired: pd.DataFrame, sets: dict[str, dict[str, float]]) -> str:
    """The markdown table: one row per variant, effect sizes, then one column per scenario."""
    variants = list(dict.fromkeys(paired.index.get_level_values("variant")))
    values = effects.effect_values(sets)
    swept = list(next(iter(values.values()), {}))
    order = sorted(variants, key=lambda v: (tuple(values[v][n] for n in swept), v))
    scenarios = list(paired.columns)
    head = ["variant", *swept, *scenarios]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for v in order:
        block = paired.xs(v, level="variant")
        cells = [f"{values[v][n]:g}" for n in swept]
        cells += [cell(block[s].to_numpy(dtype=float)) for s in scenarios]
        lines.append("| " + " | ".join([v, *cells]) + " |")
    return "\n".join(lines)


def document(results: Path, reference: str = REFERENCE) -> str:
    """The markdown page: provenance from the manifest, the rule, the table."""
    yearly = pd.read_parquet(results / "yearly.parquet")
    manifest = json.loads((results / "manifest.json").read_text(encoding="utf-8"))
    paired = averted(effects.neet_years(yearly), reference)
    reps = paired.groupby(level="variant").size().min()
    periods = sorted(yearly["period"].unique())
    rule = "range of the replicates" if reps < MIN_REPS else "95 % interval over replicates"
    dirty = " (with uncommitted changes)" if manifest.get("git_dirty") else ""
    return "\n".join(
        [
            "# NEET-years averted against the size of the weak effects",
            "",
            "Written by `tools/effect_curves.py` from a `sim batch` of "
            "`studies/effect_sweeps.toml` (see docs/evidence.md for the evidence behind each "
            "range).",
            "",
            f"- commit: `{manifest.get('git_commit')}`{dirty}",
            f"- results: `{results}`; scale {manifest.get('scale')}, {reps} replicates, "
            f"years {periods[0]}-{periods[-1]}, seed {manifest.get('seed')}",
            f"- each cell: NEET-years averted vs `{reference}` under the same variant, summed "
            f"over the years (November stock x 1 year), median [{rule}]; the last column is the "
            f"reference's own NEET-years. Effect columns show the value in force (`central`: "
            "every parameter at its parameters.csv value).",
            "",
            table(paired, effects.settings(manifest.get("variants") or {})),
            "",
        ]
    )


def main() -> None:
    """Parse the arguments, write (or print) the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", type=Path, help="a sim batch results folder")
    ap.add_argument("--out", type=Path, help="markdown file to write (default: print)")
    ap.add_argument("--reference", default=REFERENCE, help="reference scenario stem")
    a = ap.parse_args()
    try:
        text = document(a.results, a.reference)
    except InputError as exc:
        sys.exit(f"effect_curves: {exc}")
    if a.out:
        a.out.write_text(text, encoding="utf-8")
        print(f"wrote {a.out}")
    else:
        print(text)


if __name__ == "__main__":
    main()
