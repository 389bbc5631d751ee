"""The panels' data: small wide tables (month x series) from the model's monthly rows.

Every function takes the tidy monthly table of :func:`frame` (columns ``period, metric, group,
value, n``) and returns a DataFrame indexed by month (a ``Timestamp``), one column per series.
They never touch a live model, so they are tested like the plots.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

COLUMNS = ["period", "metric", "group", "value", "n"]
AGE_GROUPS = ["all", "15-19", "20-24", "25-29"]
ACTIVITIES = [
    "lower_secondary",
    "upper_secondary",
    "higher_education",
    "employed",
    "programme",
    "neet",
]
STATUSES = [
    "registered_jobseeker",
    "aap",
    "qualification_programme",
    "social_assistance",
    "disability",
    "unknown",
]
HELPERS = ["helpers_mean", "helpers_3plus_share"]
PAYER_TOTAL = re.compile(r"public:([^:]+):total")
METRICS = {
    "neet_rate",
    "activity_share",
    "neet_status_share",
    "queue_length",
    "wait_days_mean",
    *HELPERS,
    "referrals_lost",
    "cost_nok",
}


def frame(rows: list[tuple]) -> pd.DataFrame:
    """The rows the panels use, as a tidy table (other metrics are left out)."""
    kept = [r for r in rows if r[1] in METRICS]
    return pd.DataFrame(kept, columns=COLUMNS)


def _months(index: pd.Index) -> pd.DatetimeIndex:
    return pd.to_datetime(index, format="%Y-%m")


def _wide(df: pd.DataFrame, metric: str, groups: list[str] | None = None) -> pd.DataFrame:
    """One metric, month x group; ``groups`` fixes the columns and their order."""
    rows = df[df["metric"] == metric]
    wide = rows.pivot_table(index="period", columns="group", values="value", aggfunc="sum")
    if groups is not None:
        wide = wide.reindex(columns=groups)
    wide.index = _months(wide.index)
    wide.columns.name = None
    return wide


def neet_by_age(df: pd.DataFrame) -> pd.DataFrame:
    """NEET rate (share) of all youth 15-29 and of each age band."""
    return _wide(df, "neet_rate", AGE_GROUPS)


def activity_shares(df: pd.DataFrame) -> pd.DataFrame:
    """Share of youth in each main activity (the columns sum to 1)."""
    return _wide(df, "activity_share", ACTIVITIES).fillna(0.0)


def status_mix(df: pd.DataFrame) -> pd.DataFrame:
    """NAV status of NEET youth, as shares of NEET youth (the columns sum to 1)."""
    return _wide(df, "neet_status_share", STATUSES).fillna(0.0)


def service_of(group: str) -> str:
    """The service of a ``service:<name>`` group; NAV offices (``service:nav:x``) are ``nav``."""
    return group.split(":")[1]


def queues(df: pd.DataFrame) -> pd.DataFrame:
    """Youth waiting for each service at the end of the month (NAV offices summed)."""
    rows = df[df["metric"] == "queue_length"]
    rows = rows.assign(group=rows["group"].map(service_of))
    return _wide(rows, "queue_length").fillna(0.0)


def waits(df: pd.DataFrame) -> pd.DataFrame:
    """Mean waiting days of the youth admitted in the month, per service.

    NAV offices are pooled, weighted by the youth each admitted (``n``); a month in which a
    service admitted nobody has no value.
    """
    rows = df[df["metric"] == "wait_days_mean"]
    rows = rows.assign(group=rows["group"].map(service_of), days=rows["value"] * rows["n"])
    sums = rows.groupby(["period", "group"])[["days", "n"]].sum()
    mean = (sums["days"] / sums["n"].replace(0, np.nan)).unstack("group")
    mean.index = _months(mean.index)
    mean.columns.name = None
    return mean


def helpers(df: pd.DataFrame) -> pd.DataFrame:
    """Helpers per youth (mean) and the share with three or more, among youth with any."""
    parts = [_wide(df, metric, ["all"]).rename(columns={"all": metric}) for metric in HELPERS]
    return pd.concat(parts, axis=1)


def referrals_lost(df: pd.DataFrame) -> pd.DataFrame:
    """Referrals lost in the month, per route (``from->to``), months without losses at 0."""
    rows = df[(df["metric"] == "referrals_lost") & (df["group"] != "all")]
    return _wide(rows, "referrals_lost").fillna(0.0)


def costs_by_payer(df: pd.DataFrame) -> pd.DataFrame:
    """Public cost in the month by payer (NOK; empty when the model has no cost ledger)."""
    rows = df[(df["metric"] == "cost_nok") & df["group"].str.fullmatch(PAYER_TOTAL.pattern)]
    rows = rows.assign(group=rows["group"].str.extract(PAYER_TOTAL, expand=False))
    return _wide(rows, "cost_nok").fillna(0.0)


PANELS = {
    "neet_age": neet_by_age,
    "activity": activity_shares,
    "status": status_mix,
    "queues": queues,
    "waits": waits,
    "helpers": helpers,
    "referrals": referrals_lost,
    "costs": costs_by_payer,
}
