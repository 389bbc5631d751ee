"""The calibration log: every evaluation appended to ``DIR/evaluations.jsonl``, for resuming.

Line 1 is the header: what the evaluations depend on (free parameters and their ranges, fixed
values, base scenario text, targets, seeds, scale, years, start, design seed). Every further
line is one evaluation: its unit-cube point, parameter values, loss, centre distance, seconds
and the simulated moment of every target row. Each line is flushed and fsynced when written,
so a killed calibration loses at most the evaluation it was running; a line cut short by the
kill is dropped when the log is opened again. A rerun with the same header continues from the
evaluations in the log; a different header is refused (exit 2), since its evaluations would
belong to another problem.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd

from sim.errors import InputError

LOG = "evaluations.jsonl"


class Log:
    """The append-only evaluations file of one calibration problem."""

    def __init__(self, path: Path, header: dict):
        self.path, self.header = Path(path), header
        self.entries: list[dict] = []
        if self.path.exists():
            self._read()
        else:
            self._append(header)

    def _read(self) -> None:
        raw = self.path.read_bytes()
        good = raw[: raw.rfind(b"\n") + 1]  # a last line without its newline was cut short
        lines = good.decode("utf-8").splitlines()
        if not lines:
            self.path.write_bytes(b"")
            self._append(self.header)
            return
        try:
            head, rows = json.loads(lines[0]), [json.loads(x) for x in lines[1:] if x.strip()]
        except ValueError:
            raise InputError(f"{self.path}: not a calibration log; use another --out") from None
        want = _plain(self.header)
        if head != want:
            diff = sorted(k for k in {*head, *want} if head.get(k) != want.get(k))
            raise InputError(
                f"{self.path}: made for another calibration (differs in {', '.join(diff)}); "
                "use another --out, or the same options to continue it"
            )
        if len(good) < len(raw):
            with open(self.path, "r+b") as f:
                f.truncate(len(good))
        self.entries = rows

    def append(self, entry: dict) -> None:
        """Write one evaluation (flushed and fsynced) and keep it."""
        self._append(entry)
        self.entries.append(_plain(entry))

    def _append(self, obj: dict) -> None:
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(_plain(obj), ensure_ascii=False, allow_nan=False) + "\n")
            f.flush()
            os.fsync(f.fileno())


def _plain(obj):
    """JSON round trip (tuples become lists, NaN and inf become None) for comparisons."""
    return json.loads(json.dumps(obj, default=_number, allow_nan=True), parse_constant=_none)


def _number(x):
    return float(x)


def _none(_text: str):
    return None


def finite(x: float) -> float | None:
    """A number for the log (None for NaN or inf)."""
    return float(x) if x is not None and math.isfinite(x) else None


def table_of(e: dict) -> pd.DataFrame:
    """The moment table of a log line."""
    t = pd.DataFrame(e["moments"])
    for c in ("simulated", "excess", "z", "w", "lo", "hi", "target"):
        t[c] = pd.to_numeric(t[c], errors="coerce").astype(float)
    return t
