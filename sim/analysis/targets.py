"""Calibration targets (``sim/data/targets.csv``) and the check of results against them.

Each target has a band (lo, hi); period ``*`` means every simulated year (plausibility).
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

import pandas as pd

from sim.errors import InputError

TEXT = {"metric": str, "group": str, "period": str}
NUMBERS = ("value", "lo", "hi", "weight")
MAX_BYTES = 10_000_000


def load_targets(path=None) -> pd.DataFrame:
    """The targets table (the packaged file unless a path is given).

    Raises:
        InputError: the file is missing, not a regular file, larger than 10 MB, not a CSV,
            or has a number column that holds text or a period that is neither a year nor
            ``*`` (the message names the file, the column and the row).
    """
    if path is None:
        text = resources.files("sim").joinpath("data/targets.csv").read_text("utf-8")
        return pd.read_csv(io.StringIO(text), dtype=TEXT)
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: {'not a regular file' if path.exists() else 'file not found'}")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"{path}: larger than {MAX_BYTES // 1_000_000} MB (not a targets file?)")
    try:
        targets = pd.read_csv(path, dtype=TEXT, encoding="utf-8-sig")
    except (ValueError, OSError, pd.errors.ParserError) as exc:  # EmptyData, Unicode: ValueError
        raise InputError(
            f"{path}: not a readable CSV file: {' '.join(str(exc).split())}"
        ) from None
    return _check_types(targets, path)


def _check_types(targets: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Number columns hold numbers, periods are years or ``*`` (row numbers as in the file)."""
    for col in [c for c in NUMBERS if c in targets.columns]:
        values = pd.to_numeric(targets[col], errors="coerce")
        _refuse(values.isna() & targets[col].notna(), targets[col], path, "is not a number")
        targets[col] = values.astype(float)
    if "period" in targets.columns:
        periods = targets["period"].fillna("").str.strip()
        bad = ~(periods.eq("*") | periods.str.fullmatch(r"\d{1,4}"))
        _refuse(bad, targets["period"], path, "is not a year or *")
        targets["period"] = periods
    return targets


def _refuse(bad: pd.Series, column: pd.Series, path: Path, what: str) -> None:
    """InputError naming the first row where ``bad`` holds (the file's line number)."""
    if bad.any():
        row = int(bad.to_numpy().argmax())
        value = column.iloc[row]
        raise InputError(f"{path}: row {row + 2}: {column.name}: {value!r} {what}")


def compare(yearly: pd.DataFrame, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Simulated median and 95 % interval per target, and whether the median is in its band.

    Args:
        yearly: a yearly tidy table (one scenario; any number of replicates).
        targets: the targets table (default: the packaged one).

    Returns:
        One row per target (and per year for ``*`` targets).
    """
    targets = load_targets() if targets is None else targets
    rows = []
    for t in targets.itertuples(index=False):
        sel = yearly[(yearly["metric"] == t.metric) & (yearly["group"] == t.group)]
        periods = sorted(sel["period"].unique()) if t.period == "*" else [int(t.period)]
        for period in periods:
            v = sel[sel["period"] == period]["value"]
            rows.append(_row(t, period, v))
    return pd.DataFrame(rows)


def _row(t, period: int, values: pd.Series) -> dict:
    med = float(values.median()) if len(values) else float("nan")
    return {
        "metric": t.metric,
        "group": t.group,
        "period": period,
        "target": t.value,
        "lo": t.lo,
        "hi": t.hi,
        "simulated": med,
        "sim_lo": float(values.quantile(0.025)) if len(values) else float("nan"),
        "sim_hi": float(values.quantile(0.975)) if len(values) else float("nan"),
        "inside": bool(t.lo <= med <= t.hi) if len(values) else False,
        "weight": t.weight,
        "source": t.source,
    }
