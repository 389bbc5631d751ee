"""Calibration targets (``sim/data/targets.csv``) and the check of results against them.

Each target has a band (lo, hi); period ``*`` means every simulated year (plausibility). The
``table`` column says which result a target is read from: ``yearly`` (the default, and every
line of a file without the column; ``metric, group, period`` as in the tables), ``cohorts`` or
``trial`` (``metric`` = ``trial_<outcome>`` for an arm's share, ``trial_rr_<outcome>`` for a
risk ratio; ``group`` = ``<population>:<arm>`` or ``<population>:<arm>/<reference arm>``;
``period`` = months since randomisation). :func:`load_targets` gives one table's lines.

A ``cohorts`` line (DESIGN.md, "Targets that are not yearly") has ``metric`` =
``cohort_share``, ``group`` = ``<cohort>:<activity>`` or ``<cohort>:<activity>:<nav_status>``
and ``period`` = months since entry; its simulated value is, per replicate, the cohort's
share in that cell (summed over NAV statuses when none is named). :func:`compare`,
:func:`compare_cohorts` and :func:`compare_trial` give one row per line (per period for ``*``)
with the simulated median and interval and whether the median is inside the band; a line
with no simulated value is not inside, and :func:`validate` puts the three together.
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
# the Norwegian IPS trial's risk ratio (employed at 12 months, IPS vs usual), one of the trial
# rows ``ips.job_find_rr`` is fitted to (with both arms' levels; sim/data/calibration.json)
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
        periods = _every(sel["period"]) if t.period == "*" else [int(t.period)]
        for period in periods:
            v = sel[sel["period"] == period]["value"]
            rows.append(_row(t, period, v))
    return pd.DataFrame(rows, columns=ROW_COLUMNS)


def compare_cohorts(cohorts: pd.DataFrame | None, targets: pd.DataFrame) -> pd.DataFrame:
    """Cohort targets against a cohort table (one scenario; any number of replicates).

    Args:
        cohorts: rows of ``cohorts.parquet``, or None when the results have none.
        targets: the ``cohorts`` lines of a targets table.
    """
    rows = []
    for t in targets.itertuples(index=False):
        cells = _cohort_cells(cohorts, t)
        months = _every(cells["month"]) if t.period == "*" else [int(t.period)]
        for month in months:
            at = cells[cells["month"] == month]
            values = at.groupby("replicate")["value"].sum() if len(at) else at["value"]
            rows.append(_row(t, month, values))
    return pd.DataFrame(rows, columns=ROW_COLUMNS)


def _cohort_cells(cohorts: pd.DataFrame | None, t) -> pd.DataFrame:
    """The rows of a target's cohort cell (activity, and NAV status when named); may be empty."""
    empty = pd.DataFrame({"month": [], "replicate": [], "value": []})
    parts = str(t.group).split(":")
    if cohorts is None or t.metric != "cohort_share" or len(parts) not in (2, 3):
        return empty
    sel = (cohorts["cohort"] == parts[0]) & (cohorts["activity"] == parts[1])
    if len(parts) == 3:
        sel &= cohorts["nav_status"] == parts[2]
    return cohorts[sel]


def compare_trial(trial: dict | None, targets: pd.DataFrame) -> pd.DataFrame:
    """Trial targets against ``trial.json`` (None when the results have no trial).

    ``trial_<outcome>`` with group ``<population>:<arm>`` reads the arm's pooled share (its
    interval is the trial's 95 % Wilson interval); ``trial_rr_<outcome>`` with group
    ``<population>:<arm>/<reference arm>`` reads the risk ratio (no interval). A line for
    another population than the trial's has no value.
    """
    rows = []
    for t in targets.itertuples(index=False):
        found = _trial_cells(trial, t)
        every = pd.Series([int(m) for m in found], dtype="int64")
        months = _every(every) if t.period == "*" else [int(t.period)]
        for month in months:
            rows.append(_trial_row(t, month, found.get(str(month))))
    return pd.DataFrame(rows, columns=ROW_COLUMNS)


def _trial_cells(trial: dict | None, t) -> dict:
    """Month (text) -> (value, lo, hi) of a trial target; empty when the trial has none."""
    population, _, arm = str(t.group).partition(":")
    if not trial or trial.get("population") != population:
        return {}
    metric = str(t.metric)
    if metric.startswith("trial_rr_"):
        ratios = trial.get("risk_ratio", {}).get(arm, {}).get(metric[len("trial_rr_") :], {})
        return {m: (r, r, r) for m, r in ratios.items() if r is not None}
    cells = trial.get("arms", {}).get(arm, {}).get(metric[len("trial_") :], {})
    return {m: (c["share"], c["lo"], c["hi"]) for m, c in cells.items() if c["share"] is not None}


def _trial_row(t, month: int | str, found: tuple | None) -> dict:
    row = _row(t, month, pd.Series([], dtype=float))
    if found is not None:
        value, lo, hi = (float("nan") if x is None else float(x) for x in found)
        row.update(simulated=value, sim_lo=lo, sim_hi=hi, inside=bool(t.lo <= value <= t.hi))
    return row


def validate(
    yearly: pd.DataFrame,
    cohorts: pd.DataFrame | None,
    trial: dict | None,
    targets: dict[str, pd.DataFrame],
) -> pd.DataFrame:
    """Every target line of every table against the results; one row each (``table`` first).

    Args:
        yearly: one scenario's yearly rows.
        cohorts: the same scenario's cohort rows, or None.
        trial: ``trial.json``, or None.
        targets: table name -> its target lines (:func:`load_targets`).

    Returns:
        The rows of :func:`compare`, :func:`compare_cohorts` and :func:`compare_trial`, with
        ``table`` and ``status``: ``inside``, ``OUTSIDE`` or ``no value``.
    """
    parts = {
        "yearly": compare(yearly, targets["yearly"]),
        "cohorts": compare_cohorts(cohorts, targets["cohorts"]),
        "trial": compare_trial(trial, targets["trial"]),
    }
    frames = [df.assign(table=name) for name, df in parts.items() if len(df)]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=ROW_COLUMNS)
    table = table.reindex(columns=["table", *ROW_COLUMNS])
    table["inside"] = table["inside"].astype(bool)
    table["status"] = "OUTSIDE"
    table.loc[table["inside"], "status"] = "inside"
    table.loc[table["simulated"].isna(), "status"] = "no value"
    return table


ROW_COLUMNS = [
    "metric",
    "group",
    "period",
    "target",
    "lo",
    "hi",
    "simulated",
    "sim_lo",
    "sim_hi",
    "inside",
    "weight",
    "source",
]


def _every(periods: pd.Series) -> list:
    """The periods a ``*`` line covers: every one simulated, or ``["*"]`` (no value) if none."""
    found = sorted(int(p) for p in periods.unique())
    return found or ["*"]


def _row(t, period: int | str, values: pd.Series) -> dict:
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
        "source": getattr(t, "source", ""),
    }
