"""The report's tables: NEET and costs per year, NEET by group with small-cell suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.present.i18n import DASH, Lang
from sim.present.report.html import table
from sim.present.report.results import Results
from sim.present.suppression import MIN_N

GROUP_ORDER = ["all", "15-19", "20-24", "25-29", "female", "male", "immigrant", "non_immigrant"]


def quantiles(df: pd.DataFrame, keys=("scenario", "period", "group")) -> pd.DataFrame:
    """Median, 2.5 % and 97.5 % quantiles over replicates, and the smallest ``n``."""
    g = df.groupby(list(keys))
    out = g["value"].quantile([0.5, 0.025, 0.975]).unstack()
    out = out.rename(columns={0.5: "median", 0.025: "lo", 0.975: "hi"})[["median", "lo", "hi"]]
    return out.join(g["n"].min().rename("n_min")).reset_index()


def cell(lang: Lang, row: pd.Series | None, fmt) -> str:
    """Format ``median (lo–hi)``; ``–`` when suppressed (n < 20) or missing."""
    if row is None or row["n_min"] < MIN_N:
        return DASH
    return lang.interval(row["median"], row["lo"], row["hi"], fmt)


def _lookup(q: pd.DataFrame, **keys) -> pd.Series | None:
    mask = np.ones(len(q), dtype=bool)
    for k, v in keys.items():
        mask &= (q[k] == v).to_numpy()
    return q[mask].iloc[0] if mask.any() else None


def neet_per_year(res: Results, lang: Lang) -> str:
    """NEET rate (all 15–29) per year and scenario."""
    df = res.yearly[(res.yearly["metric"] == "neet_rate") & (res.yearly["group"] == "all")]
    q = quantiles(df)
    years = sorted(q["period"].unique())
    rows = [
        [str(y)] + [cell(lang, _lookup(q, scenario=s, period=y), lang.pct) for s in res.stems]
        for y in years
    ]
    return table([lang.t("col.year")] + _names(res, lang), rows, lang.t("tables.neet"), "num")


def neet_by_group(res: Results, lang: Lang) -> str:
    """NEET rate by group in the last year; cells with fewer than 20 simulated youth show –."""
    df = res.yearly[res.yearly["metric"] == "neet_rate"]
    if df.empty:
        return ""
    year = int(df["period"].max())
    q = quantiles(df[df["period"] == year])
    present = set(q["group"])
    groups = [g for g in GROUP_ORDER if g in present]
    groups += sorted(g for g in present if g.startswith("kommune:"))
    rows = [
        [lang.group(g)]
        + [cell(lang, _lookup(q, scenario=s, group=g), lang.pct) for s in res.stems]
        for g in groups
    ]
    caption = lang.t("tables.groups", year=year)
    return table([lang.t("col.group")] + _names(res, lang), rows, caption, "num", row_keys=groups)


def costs_per_year(res: Results, lang: Lang) -> str:
    """Public and societal cost per year and scenario (undiscounted, median over replicates)."""
    df = res.yearly[
        (res.yearly["metric"] == "cost_nok")
        & res.yearly["group"].isin(["public:total", "societal:total"])
    ]
    if df.empty:
        return ""
    med = df.groupby(["period", "scenario", "group"])["value"].median()
    headers = [lang.t("col.year")]
    columns = []
    for s in res.stems:
        for g in ("public:total", "societal:total"):
            headers.append(f"{_name(res, lang, s)}: {lang.t('col.' + g.split(':')[0])}")
            columns.append((s, g))
    rows = [
        [str(y)] + [lang.mnok(med.get((y, s, g))) for s, g in columns]
        for y in sorted(df["period"].unique())
    ]
    return table(headers, rows, lang.t("tables.costs"), "num")


def _name(res: Results, lang: Lang, stem: str) -> str:
    return (res.manifest.get("scenarios", {}).get(stem, {}).get("name") or {}).get(lang.code, stem)


def _names(res: Results, lang: Lang) -> list[str]:
    return [_name(res, lang, s) for s in res.stems]
