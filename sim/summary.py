"""``summary.json`` and ``paired.parquet``: medians and 95 % intervals over replicates.

``lo``/``hi`` are the 2.5 % and 97.5 % quantiles over replicates. Paired differences are
scenario minus reference (the first scenario) for the same replicate, so common random numbers
cancel most of the noise. Values without a year (NPVs, ratios) live only in ``headline``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.costs import headline_extras
from sim.tables import SORT

NEET_KEY = ("neet_count", "all")


def _stats(values: pd.Series) -> dict:
    v = values.to_numpy(dtype=float)
    v = v[~np.isnan(v)]
    if not len(v):
        return {"median": None, "lo": None, "hi": None}
    q = np.quantile(v, [0.5, 0.025, 0.975])
    return {"median": float(q[0]), "lo": float(q[1]), "hi": float(q[2])}


def _nest(df: pd.DataFrame) -> dict:
    out: dict = {}
    for (scen, metric, group, period), values in df.groupby(
        ["scenario", "metric", "group", "period"], sort=True
    )["value"]:
        node = out.setdefault(scen, {}).setdefault(metric, {}).setdefault(group, {})
        node[str(period)] = _stats(values)
    return out


def paired(yearly: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Scenario minus reference per replicate, every metric and group (reference excluded)."""
    ref = yearly[yearly["scenario"] == reference]
    other = yearly[yearly["scenario"] != reference]
    keys = ["replicate", "period", "metric", "group"]
    merged = other.merge(ref[[*keys, "value", "n"]], on=keys, suffixes=("", "_ref"))
    merged["value"] = merged["value"] - merged["value_ref"]
    merged["n"] = np.minimum(merged["n"], merged["n_ref"]).astype("int64")
    merged["reference"] = reference
    cols = [
        "scenario",
        "replicate",
        "seed",
        "period",
        "metric",
        "group",
        "value",
        "n",
        "reference",
    ]
    return merged[cols].sort_values(SORT, kind="stable").reset_index(drop=True)


def _total(df: pd.DataFrame, metric: str, group: str) -> pd.Series:
    sel = df[(df["metric"] == metric) & (df["group"] == group)]
    return sel.groupby(["scenario", "replicate"])["value"].sum()


def headline(pair: pd.DataFrame) -> dict:
    """NEET-years averted, NPVs of the cost differences and cost per NEET-year averted."""
    out = {}
    neet = -_total(pair, "neet_count", "all")  # November stock x 1 year = NEET-years
    public = _total(pair, "cost_nok_discounted", "public:total")
    societal = _total(pair, "cost_nok_discounted", "societal:total")
    for scen in sorted(pair["scenario"].unique()):
        entry = {"neet_years_averted": _stats(neet.get(scen, pd.Series(dtype=float)))}
        entry["npv_public_nok"] = _stats(public.get(scen, pd.Series(dtype=float)))
        entry["npv_societal_nok"] = _stats(societal.get(scen, pd.Series(dtype=float)))
        averted, cost = entry["neet_years_averted"]["median"], entry["npv_public_nok"]["median"]
        ratio = None
        if averted is not None and cost is not None and averted > 0:
            ratio = cost / averted
        entry["cost_per_neet_year_averted_nok"] = ratio
        out[scen] = entry
    for scen, more in headline_extras(pair).items():  # by payer; the ratio's interval
        out[scen].update(more)
    return out


def summarize(yearly: pd.DataFrame, reference: str | None) -> tuple[dict, pd.DataFrame | None]:
    """Build ``summary.json`` content and the paired table (None with one scenario)."""
    summary = {"scenarios": _nest(yearly)}
    pair = None
    if reference is not None and yearly["scenario"].nunique() > 1:
        pair = paired(yearly, reference)
        summary["paired"] = _nest(pair)
        summary["headline"] = headline(pair)
    summary["npv"] = npv_totals(yearly)
    for scen, entry in summary.get("headline", {}).items():
        entry["npv_public_nok_total"] = summary["npv"].get(scen, {}).get("public_nok")
        entry["npv_societal_nok_total"] = summary["npv"].get(scen, {}).get("societal_nok")
    return _clean(summary), pair


def npv_totals(yearly: pd.DataFrame) -> dict:
    """Each scenario's own NPV over the horizon (public and societal), reference included."""
    public = _total(yearly, "cost_nok_discounted", "public:total")
    societal = _total(yearly, "cost_nok_discounted", "societal:total")
    out = {}
    for scen in sorted(yearly["scenario"].unique()):
        if scen in public.index.get_level_values(0):
            out[scen] = {
                "public_nok": _stats(public[scen]),
                "societal_nok": _stats(societal[scen]),
            }
    return out


def _clean(obj):
    """Replace NaN with None so the JSON is valid."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj
