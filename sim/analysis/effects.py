"""NEET-years averted per scenario as a function of the weakly sourced effects.

Reads the yearly table of a ``sim batch`` with variants (``studies/effect_sweeps.toml``): every
scenario ran under every variant, labelled ``<scenario>@<variant>``, where a variant's name
spells the values it sets (``nav.followup_boost=0.4``) or is ``central`` (every parameter at
its ``parameters.csv`` value). For each variant and replicate the yearly NEET stock (November
stock × 1 year = NEET-years, as the summary's headline counts them) is summed over the
horizon, and each scenario's total is subtracted from the reference scenario's total under the
same variant and replicate (common random numbers). ``tools/effect_curves.py`` writes the
table to ``docs/effect_curves.md``; the report shows it when the results folder holds an
``effects/`` batch (``make run``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from sim.analysis.intervals import interval
from sim.core.params import package_specs
from sim.errors import InputError

CENTRAL = "central"  # a variant without overrides
SETTING = re.compile(r"^([A-Za-z0-9_.]+)=([-+0-9.eE]+)$")


def neet_years(yearly: pd.DataFrame) -> pd.DataFrame:
    """NEET-years per (stem, variant, replicate): the yearly NEET stock summed."""
    rows = yearly[(yearly["metric"] == "neet_count") & (yearly["group"] == "all")]
    totals = rows.groupby(["scenario", "replicate"], as_index=False)["value"].sum()
    label = totals["scenario"].str.split("@", n=1, expand=True)
    if totals.empty or label.shape[1] < 2 or label[1].isna().any():
        raise InputError("every scenario must be labelled <scenario>@<variant> (batch variants)")
    return totals.assign(stem=label[0], variant=label[1])


def averted(totals: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Reference NEET-years minus each scenario's, per (variant, replicate): one column each."""
    wide = totals.pivot_table(index=["variant", "replicate"], columns="stem", values="value")
    if reference not in wide.columns:
        raise InputError(f"no {reference!r} scenario in the effect sweep")
    return wide.rsub(wide[reference], axis=0).drop(columns=reference)


def settings(variant: str) -> dict[str, float]:
    """The values a variant name spells (``a=1,b=2``); the central variant sets none."""
    if variant == CENTRAL:
        return {}
    found = {}
    for part in variant.split(","):
        match = SETTING.match(part)
        if not match:
            return {}
        found[match.group(1)] = float(match.group(2))
    return found


def effect_values(variants: list[str]) -> dict[str, dict[str, float]]:
    """Each variant's value of every swept parameter (the package value where it sets none)."""
    swept = sorted({name for v in variants for name in settings(v)})
    spec = package_specs()
    return {v: {n: settings(v).get(n, spec[n].value) for n in swept} for v in variants}


def effect_table(yearly: pd.DataFrame, reference: str) -> pd.DataFrame:
    """One row per (variant, scenario): the swept values, NEET-years averted over replicates.

    Columns: ``variant``, ``parameter`` (the one parameter the variant moves from its package
    value, or ``""`` for the central variant), ``value`` (that parameter's value), ``scenario``,
    ``median``, ``lo``, ``hi`` (the interval rule of :mod:`sim.analysis.intervals`), ``reps``.
    """
    paired = averted(neet_years(yearly), reference)
    variants = list(dict.fromkeys(paired.index.get_level_values("variant")))
    values = effect_values(variants)
    rows = []
    for v in variants:
        moved = settings(v)
        name, value = next(iter(moved.items()), ("", np.nan))
        block = paired.xs(v, level="variant")
        for stem in paired.columns:
            x = block[stem].to_numpy(dtype=float)
            x = x[~np.isnan(x)]
            median, lo, hi = interval(x) if len(x) else (np.nan, np.nan, np.nan)
            rows.append((v, name, value, stem, median, lo, hi, len(x), values[v]))
    cols = ["variant", "parameter", "value", "scenario", "median", "lo", "hi", "reps", "values"]
    return pd.DataFrame(rows, columns=cols)
