"""Calibration targets (``sim/data/targets.csv``) and the check of results against them.

Each target has a band (lo, hi); period ``*`` means every simulated year (plausibility). The
``table`` column says which result a target is read from: ``yearly`` (the default, and every
line of a file without the column; ``metric, group, period`` as in the tables), ``cohorts`` or
``trial`` (``metric`` = ``trial_<outcome>`` for an arm's share, ``trial_rr_<outcome>`` for a
risk ratio; ``group`` = ``<population>:<arm>`` or ``<population>:<arm>/<reference arm>``;
``period`` = months since randomisation). :func:`load_targets` gives one table's lines.
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

import pandas as pd

from sim.errors import InputError

TEXT = {"table": str, "metric": str, "group": str, "period": str}
NUMBERS = ("value", "lo", "hi", "weight")
TABLES = ("yearly", "cohorts", "trial")
MAX_BYTES = 10_000_000
# the Norwegian IPS trial's risk ratio (employed at 12 months, IPS vs usual), which
# ``ips.job_find_rr`` is set to reproduce (``benchmarks/calibrate_ips.py``)
IPS_TRIAL_RR = ("trial", "trial_rr_employed_at", "nav_mental_health:ips/usual", "12")


def load_targets(path=None, table: str = "yearly") -> pd.DataFrame:
    """The targets of one table (the packaged file unless a path is given).

    Args:
        path: a targets CSV; None for the packaged ``sim/data/targets.csv``.
        table: which lines: ``yearly`` (default), ``cohorts`` or ``trial``.

    Returns:
        Those lines, without the ``table`` column, numbered from 0.

    Raises:
        InputError: the file is missing, not a regular file, larger than 10 MB, not a CSV,
            or has a number column that holds text, a period that is neither a year nor
            ``*`` or a table not in :data:`TABLES` (the message names the file, the column
            and the row).
    """
    if path is None:
        text = resources.files("sim").joinpath("data/targets.csv").read_text("utf-8")
        return _one_table(pd.read_csv(io.StringIO(text), dtype=TEXT), table)
    return _one_table(_read(Path(path)), table)


def _one_table(targets: pd.DataFrame, table: str) -> pd.DataFrame:
    """The lines of ``table`` (a file without the column is all ``yearly``)."""
    if "table" not in targets.columns:
        return targets if table == "yearly" else targets.iloc[:0]
    chosen = targets[targets.pop("table") == table]
    return chosen.reset_index(drop=True)


def target_value(table: str, metric: str, group: str, period: str) -> float:
    """The value of one packaged target, e.g. the IPS trial's risk ratio.

    Raises:
        KeyError: no such line in ``sim/data/targets.csv``.
    """
    t = load_targets(table=table)
    hit = t[(t["metric"] == metric) & (t["group"] == group) & (t["period"] == str(period))]
    if hit.empty:
        raise KeyError(f"no {table} target {metric} {group} {period}")
    return float(hit["value"].iloc[0])


def _read(path: Path) -> pd.DataFrame:
    """A targets CSV from a path, checked (every table's lines)."""
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
    """Number columns hold numbers, periods are years or ``*``, tables known (file's rows)."""
    if "table" in targets.columns:
        tables = targets["table"].fillna("yearly").str.strip()
        _refuse(~tables.isin(TABLES), targets["table"], path, f"is not one of {TABLES}")
        targets["table"] = tables
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
