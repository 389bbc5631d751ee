"""Adopting a calibration: fitted values into the parameter file, provenance beside it.

``sim calibrate --apply DIR`` reads ``DIR/fit.json`` (written by ``sim calibrate``) and
rewrites only the ``value`` cell of each fitted parameter whose role is ``calibrated`` in the
parameter file (every other byte of the file stays as it was: ranges, roles, sources, other
rows), then writes ``calibration.json`` next to it: the calibration command, its commit, the
date, the targets, the fitted and previous values, the loss before and after, evaluations,
runs and minutes. The baseline that every command runs is then the calibrated world.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from pathlib import Path

from sim.errors import InputError
from sim.run.durable import write_file

SIDECAR = "calibration.json"
DIGITS = 4  # significant digits written (the fit is not more precise than that)


def read_fit(folder: Path) -> dict:
    """``fit.json`` of a calibration results folder (InputError when missing or damaged)."""
    path = Path(folder) / "fit.json"
    if not path.is_file():
        raise InputError(f"--apply {folder}: no fit.json (not a sim calibrate result?)")
    try:
        fit = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(f"{path}: not a readable JSON file") from None
    values = fit.get("fitted") if isinstance(fit, dict) else None
    if not isinstance(values, dict) or not values:
        raise InputError(f"{path}: fitted: missing or empty")
    for name, v in values.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise InputError(f"{path}: fitted: {name}: not a finite number")
    return fit


def rows_by_name(text: str) -> dict[str, dict]:
    """The parameter file's rows by name."""
    return {r["name"]: r for r in csv.DictReader(io.StringIO(text))}


def check_fit(fit: dict, rows: dict[str, dict], where: str) -> dict[str, float]:
    """The values to write: every fitted parameter must be a calibrated row, inside its domain."""
    out = {}
    for name, value in fit["fitted"].items():
        row = rows.get(name)
        if row is None:
            raise InputError(f"{where}: {name}: no such parameter row")
        if (row.get("role") or "").strip() != "calibrated":
            raise InputError(
                f"{where}: {name}: its role is {row.get('role')!r}, not calibrated; only "
                "calibrated rows take fitted values (set the role first, or fit without --params)"
            )
        v = float(f"{value:.{DIGITS}g}")
        lo, hi = float(row["min"]), float(row["max"])
        if not lo <= v <= hi:
            raise InputError(f"{where}: {name}: fitted {v} outside its domain [{lo}, {hi}]")
        out[name] = v
    return out


def set_values(text: str, values: dict[str, float]) -> str:
    """``text`` with the value cell (second column) of the named rows replaced, nothing else."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        name = line.split(",", 1)[0]
        if name in values:
            text = f"{values[name]:g}"
            lines[i] = re.sub(r"^([^,]+),([^,]*),", lambda m, v=text: f"{m[1]},{v},", line)
    return "".join(lines)


def apply(fit: dict, params_path: Path, folder: Path) -> dict:
    """Write the fit into ``params_path`` and ``calibration.json`` beside it; the record.

    Raises:
        InputError: a fitted parameter that is no calibrated row, or outside its domain.
    """
    params_path = Path(params_path)
    if not params_path.is_file():
        raise InputError(f"--parameters {params_path}: file not found")
    text = params_path.read_text(encoding="utf-8")
    rows = rows_by_name(text)
    values = check_fit(fit, rows, str(Path(folder) / "fit.json"))
    before = {n: float(rows[n]["value"]) for n in values}
    new_text = set_values(text, values)
    assert rows_by_name(new_text).keys() == rows.keys()
    record = {
        "applied": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "results": str(Path(folder).resolve()),
        **{k: fit.get(k) for k in ("command", "commit", "created", "loss_before", "loss",
                                   "centre", "evaluations", "runs", "minutes", "scale",
                                   "seeds", "years", "targets")},
        "fitted": values,
        "previous": before,
        "not_fitted_calibrated": sorted(
            n for n, r in rows.items() if r.get("role") == "calibrated" and n not in values
        ),
    }  # fmt: skip
    write_file(params_path, new_text)  # atomic: temporary name, fsync, rename
    sidecar = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    write_file(params_path.parent / SIDECAR, sidecar)
    return record
