"""NEET-years averted per scenario as a function of the weakly sourced effects.

Reads the yearly table of a ``sim batch`` with variants (``studies/effect_sweeps.toml``): every
scenario ran under every variant, labelled ``<scenario>@<variant>``; the values each variant set
are the batch manifest's ``variants`` (label → overrides; none for a variant that keeps every
parameter at its ``parameters.csv`` value). For each variant and replicate the yearly NEET
stock (November stock × 1 year = NEET-years, as the summary's headline counts them) is summed
over the horizon, and each scenario's total is subtracted from the reference scenario's total
under the same variant and replicate (common random numbers). ``tools/effect_curves.py``
writes the table to ``docs/effect_curves.md``; the report shows it when the results folder
holds an ``effects/`` batch (``make run``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.intervals import interval
from sim.core.params import package_specs
from sim.errors import InputError


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


def settings(variants: dict[str, dict | None]) -> dict[str, dict[str, float]]:
    """Variant name → the values it sets, from the manifest's label → overrides."""
    return {label.split("@", 1)[1]: dict(p or {}) for label, p in variants.items() if "@" in label}


def effect_values(sets: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Each variant's value of every swept parameter (the package value where it sets none)."""
    swept = sorted({name for values in sets.values() for name in values})
    spec = package_specs()
    return {v: {n: values.get(n, spec[n].value) for n in swept} for v, values in sets.items()}


def effect_table(yearly: pd.DataFrame, reference: str, variants: dict) -> pd.DataFrame:
    """One row per (variant, scenario): the swept values, NEET-years averted over replicates.

    ``variants``: the batch manifest's label → overrides. Columns: ``variant``, ``parameter``
    (the parameter the variant sets, ``""`` for one that sets none, the settings joined when it
    sets several), ``value`` (the value set, NaN unless one), ``scenario``, ``median``, ``lo``,
    ``hi`` (the interval rule of :mod:`sim.analysis.intervals`), ``reps``, ``values`` (every
    swept parameter's value in force).
    """
    paired = averted(neet_years(yearly), reference)
    sets = settings(variants)
    missing = set(paired.index.get_level_values("variant")) - set(sets)
    if missing:
        raise InputError(f"variants without recorded values: {', '.join(sorted(missing))}")
    values = effect_values(sets)
    rows = []
    for v in dict.fromkeys(paired.index.get_level_values("variant")):
        moved = sets[v]
        name, value = next(iter(moved.items())) if len(moved) == 1 else ("", np.nan)
        if len(moved) > 1:
            name = ", ".join(f"{k}={x:g}" for k, x in moved.items())
        block = paired.xs(v, level="variant")
        for stem in paired.columns:
            x = block[stem].to_numpy(dtype=float)
            x = x[~np.isnan(x)]
            median, lo, hi = interval(x) if len(x) else (np.nan, np.nan, np.nan)
            rows.append((v, name, value, stem, median, lo, hi, len(x), values[v]))
    cols = ["variant", "parameter", "value", "scenario", "median", "lo", "hi", "reps", "values"]
    return pd.DataFrame(rows, columns=cols)
