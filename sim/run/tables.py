"""Tidy tables: columns, types and row order fixed by the design contract.

Columns: scenario, replicate, seed, period, metric, group, value, n. Rows are sorted by
scenario, replicate, period, metric, group, so the same inputs give byte-identical Parquet
files whatever the worker count. ``cohorts.parquet`` has its own columns (scenario, replicate,
seed, cohort, month, activity, nav_status, value, n), sorted by scenario, replicate, cohort,
month, activity, nav_status.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

COLUMNS = ["scenario", "replicate", "seed", "period", "metric", "group", "value", "n"]
SORT = ["scenario", "replicate", "period", "metric", "group"]
COHORT_COLUMNS = [
    "scenario",
    "replicate",
    "seed",
    "cohort",
    "month",
    "activity",
    "nav_status",
    "value",
    "n",
]
COHORT_SORT = ["scenario", "replicate", "cohort", "month", "activity", "nav_status"]
COHORT_TYPES = {
    "scenario": "str",
    "replicate": "int64",
    "seed": "int64",
    "cohort": "str",
    "month": "int64",
    "activity": "str",
    "nav_status": "str",
    "value": "float64",
    "n": "int64",
}


def tidy(rows: list[tuple], keys: dict, yearly: bool) -> pd.DataFrame:
    """Rows ``(period, metric, group, value, n)`` plus run keys → a sorted tidy table."""
    df = pd.DataFrame(rows, columns=["period", "metric", "group", "value", "n"])
    df.insert(0, "seed", keys["seed"])
    df.insert(0, "replicate", keys["replicate"])
    df.insert(0, "scenario", keys["scenario"])
    return normalize(df, yearly)


def normalize(df: pd.DataFrame, yearly: bool) -> pd.DataFrame:
    """Enforce column order, dtypes and row order."""
    df = df[COLUMNS].astype(
        {
            "scenario": "str",
            "replicate": "int64",
            "seed": "int64",
            "period": "int64" if yearly else "str",
            "metric": "str",
            "group": "str",
            "value": "float64",
            "n": "int64",
        }
    )
    return df.sort_values(SORT, kind="stable").reset_index(drop=True)


def combine(frames: list[pd.DataFrame], yearly: bool) -> pd.DataFrame:
    """Concatenate run tables into one sorted table."""
    if not frames:
        return normalize(pd.DataFrame(columns=COLUMNS), yearly)
    return normalize(pd.concat(frames, ignore_index=True), yearly)


def tidy_cohorts(rows: list[tuple], keys: dict) -> pd.DataFrame:
    """Rows ``(cohort, month, activity, nav_status, value, n)`` plus run keys → sorted table."""
    df = pd.DataFrame(rows, columns=COHORT_COLUMNS[3:])
    for i, key in enumerate(("scenario", "replicate", "seed")):
        df.insert(i, key, keys[key])
    return normalize_cohorts(df)


def normalize_cohorts(df: pd.DataFrame) -> pd.DataFrame:
    """Enforce the cohort table's column order, dtypes and row order."""
    df = df[COHORT_COLUMNS].astype(COHORT_TYPES)
    return df.sort_values(COHORT_SORT, kind="stable").reset_index(drop=True)


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Write a table deterministically (no index)."""
    df.to_parquet(path, index=False, engine="pyarrow", compression="zstd")
