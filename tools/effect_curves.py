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
import re
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.intervals import MIN_REPS, interval
from sim.core.params import package_specs

REFERENCE = "baseline"
CENTRAL = "central"  # a variant without overrides: every parameter at its parameters.csv value
SETTING = re.compile(r"^([A-Za-z0-9_.]+)=([-+0-9.eE]+)$")


def neet_years(yearly: pd.DataFrame) -> pd.DataFrame:
    """NEET-years per (scenario, variant, replicate): the yearly NEET stock summed."""
    rows = yearly[(yearly["metric"] == "neet_count") & (yearly["group"] == "all")]
    totals = rows.groupby(["scenario", "replicate"], as_index=False)["value"].sum()
    label = totals["scenario"].str.split("@", n=1, expand=True)
    if label.shape[1] < 2 or label[1].isna().any():
        raise SystemExit(
            "every scenario label must be <scenario>@<variant> (a batch with variants)"
        )
    return totals.assign(stem=label[0], variant=label[1])


def averted(totals: pd.DataFrame, reference: str = REFERENCE) -> pd.DataFrame:
    """Reference NEET-years minus each scenario's, per variant and replicate (paired)."""
    wide = totals.pivot_table(index=["variant", "replicate"], columns="stem", values="value")
    if reference not in wide.columns:
        raise SystemExit(f"no {reference!r} scenario in the results")
    out = wide.rsub(wide[reference], axis=0).drop(columns=reference)
    out[f"{reference} NEET-years"] = wide[reference]
    return out


def settings(variant: str) -> dict[str, float]:
    """The overrides a variant name spells (``a=1,b=2``); the central variant has none."""
    if variant == CENTRAL:
        return {}
    found = {}
    for part in variant.split(","):
        match = SETTING.match(part)
        if not match:
            return {}
        found[match.group(1)] = float(match.group(2))
    return found


def effect_columns(variants: list[str]) -> dict[str, dict[str, float]]:
    """Each variant's value of every swept parameter (defaults where it does not set one)."""
    swept = sorted({name for v in variants for name in settings(v)})
    spec = package_specs()
    return {v: {n: settings(v).get(n, spec[n].value) for n in swept} for v in variants}


def cell(values: np.ndarray) -> str:
    """``median [lo, hi]`` of one column's replicates, rounded to whole NEET-years."""
    values = values[~np.isnan(values)]
    if not len(values):
        return "n/a"
    median, lo, hi = interval(values)
    return f"{median:,.0f} [{lo:,.0f}, {hi:,.0f}]"


def table(paired: pd.DataFrame) -> str:
    """The markdown table: one row per variant, effect sizes, then one column per scenario."""
    variants = list(dict.fromkeys(paired.index.get_level_values("variant")))
    effects = effect_columns(variants)
    swept = list(next(iter(effects.values()), {}))
    order = sorted(variants, key=lambda v: (tuple(effects[v][n] for n in swept), v))
    scenarios = list(paired.columns)
    head = ["variant", *swept, *scenarios]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for v in order:
        block = paired.xs(v, level="variant")
        cells = [f"{effects[v][n]:g}" for n in swept]
        cells += [cell(block[s].to_numpy(dtype=float)) for s in scenarios]
        lines.append("| " + " | ".join([v, *cells]) + " |")
    return "\n".join(lines)


def document(results: Path, reference: str = REFERENCE) -> str:
    """The markdown page: provenance from the manifest, the rule, the table."""
    yearly = pd.read_parquet(results / "yearly.parquet")
    manifest = json.loads((results / "manifest.json").read_text(encoding="utf-8"))
    paired = averted(neet_years(yearly), reference)
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
            table(paired),
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
    text = document(a.results, a.reference)
    if a.out:
        a.out.write_text(text, encoding="utf-8")
        print(f"wrote {a.out}")
    else:
        print(text)


if __name__ == "__main__":
    main()
