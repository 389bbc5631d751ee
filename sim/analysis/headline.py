"""The headline of ``summary.json``: per scenario, paired totals over replicates.

Per scenario (vs the reference, same replicate): ``neet_years_averted`` (undiscounted),
``npv_public_nok`` and ``npv_societal_nok`` over the run, each ``{median, lo, hi}`` (with
``parts`` when replicates carry parameter draws); ``cost_per_neet_year_averted_nok``, the
run's ratio of means (:func:`sim.analysis.horizons.icer`) and the interval of the
per-replicate ratio; ``by_horizon`` (:mod:`sim.analysis.horizons`); the net cost by payer
(:func:`sim.analysis.costs.headline_extras`). :func:`npv_totals` gives each scenario's own NPVs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.costs import headline_extras
from sim.analysis.horizons import columns, dominant, horizon_values, icer, interval_entry
from sim.analysis.horizons import entry as horizon_entry
from sim.analysis.intervals import stats
from sim.core.params import package_specs

HEADLINE_KEYS = ("neet_years_averted", "npv_public_nok", "npv_societal_nok")


def _total(df: pd.DataFrame, metric: str, group: str) -> pd.Series:
    sel = df[(df["metric"] == metric) & (df["group"] == group)]
    return sel.groupby(["scenario", "replicate"])["value"].sum()


def headline(
    pair: pd.DataFrame,
    rate: float | dict[str, float] | None = None,
    draws: dict[int, dict[str, float]] | None = None,
    values: dict[str, dict[str, pd.DataFrame]] | None = None,
) -> dict:
    """NEET-years averted, NPVs of the cost differences, cost per NEET-year, ``by_horizon``.

    Args:
        pair: paired rows (scenario − reference) of ``neet_count``/``all`` and the
            ``cost_nok_discounted`` groups.
        rate: the discount rate (or label → rate); default: the package's
            ``cost.discount_rate``.
        draws: replicate → drawn parameter values (``--draw-params``), for the intervals'
            ``parts``; None without draws.
        values: :func:`horizon_values_of` of ``pair`` when already computed.
    """
    out = {}
    values = horizon_values_of(pair, rate) if values is None else values
    for scen, horizons in values.items():
        run = horizons["run"]
        keys = _draw_keys(run.index, draws)
        entry = {k: interval_entry(run[k].to_numpy(float), keys) for k in HEADLINE_KEYS}
        entry["cost_per_neet_year_averted_nok"] = icer(
            run["npv_public_nok"], run["neet_years_averted_discounted"]
        )
        entry["dominant"] = dominant(run["npv_public_nok"], run["neet_years_averted_discounted"])
        entry["cost_per_neet_year_averted_interval_nok"] = _ratio_interval(run)
        entry["by_horizon"] = {h: horizon_entry(v, keys) for h, v in horizons.items()}
        out[scen] = entry
    for scen, more in headline_extras(pair).items():  # by payer
        out[scen].update(more)
    return out


def horizon_values_of(pair: pd.DataFrame, rate=None) -> dict[str, dict[str, pd.DataFrame]]:
    """Scenario → horizon → per-replicate values (:func:`sim.analysis.horizons.horizon_values`)."""
    cols = columns(pair, _rate(rate))
    return {scen: horizon_values(cols, scen) for scen in sorted(pair["scenario"].unique())}


def _rate(rate):
    if rate is None:
        return package_specs()["cost.discount_rate"].value
    return rate


def _draw_keys(replicates, draws) -> list | None:
    """Each replicate's draw as a hashable key (None: no draw); None without any draw."""
    if not draws:
        return None
    return [tuple(sorted(draws[r].items())) if draws.get(r) else None for r in replicates]


def _ratio_interval(run: pd.DataFrame) -> dict | None:
    """2.5 and 97.5 % quantiles of the per-replicate cost / discounted NEET-years averted.

    None unless NEET-years are averted in every replicate.
    """
    a = run["neet_years_averted_discounted"].to_numpy(float)
    c = run["npv_public_nok"].to_numpy(float)
    if not len(a) or not (a > 0).all():
        return None
    q = stats(c / a)
    return {"lo": q["lo"], "hi": q["hi"]}


def _values(series: pd.Series, scen: str) -> np.ndarray:
    if scen not in series.index.get_level_values(0):
        return np.empty(0)
    return series.loc[scen].to_numpy(dtype=float)


def npv_totals(yearly: pd.DataFrame) -> dict:
    """Each scenario's own NPV over the horizon (public and societal), reference included."""
    public = _total(yearly, "cost_nok_discounted", "public:total")
    societal = _total(yearly, "cost_nok_discounted", "societal:total")
    out = {}
    for scen in sorted(yearly["scenario"].unique()):
        if scen in public.index.get_level_values(0):
            out[scen] = {
                "public_nok": stats(_values(public, scen)),
                "societal_nok": stats(_values(societal, scen)),
            }
    return out
