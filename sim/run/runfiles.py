"""The runs folder: one Parquet file per finished run, and combining them at the end.

A run of label ``L`` and replicate ``r`` is ``L__r<r>.parquet`` (its yearly table; the run's
timing is kept in the file's metadata) plus ``L__r<r>.monthly.parquet`` when monthly tables
were asked for, and ``L__r<r>.cohorts.parquet`` when cohorts are followed. Each file is
written under a temporary name and renamed into place, the yearly file last, so the yearly
file marks a finished run: a batch killed at any moment keeps every finished run and never
leaves a half-written file under a final name.

Combined tables are streamed from these files in (label, replicate) order, which is the
contract's row order, so the same runs give byte-identical files whatever executor made them,
and combining thousands of runs holds one row group in memory, not every run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.run.durable import TMP_SUFFIX, fsync_dir, fsync_file, replacing, temp_name
from sim.run.tables import COHORT_COLUMNS, combine, normalize_cohorts

META_KEY = b"sim_run"
ROW_GROUP = 500_000


def run_stem(label: str, replicate: int) -> str:
    """The file stem of a run: ``<scenario-label>__r<replicate>``."""
    return f"{label}__r{replicate}"


def yearly_path(runs_dir: Path, label: str, replicate: int) -> Path:
    """The yearly table of a run (its presence marks the run as finished)."""
    return Path(runs_dir) / f"{run_stem(label, replicate)}.parquet"


def monthly_path(runs_dir: Path, label: str, replicate: int) -> Path:
    """The monthly table of a run (only when monthly tables were asked for)."""
    return Path(runs_dir) / f"{run_stem(label, replicate)}.monthly.parquet"


def cohorts_path(runs_dir: Path, label: str, replicate: int) -> Path:
    """The cohort table of a run (only when cohorts are followed)."""
    return Path(runs_dir) / f"{run_stem(label, replicate)}.cohorts.parquet"


def is_done(
    runs_dir: Path, label: str, replicate: int, monthly: bool, cohorts: bool = False
) -> bool:
    """True when the run's files exist (the monthly and cohort ones too when asked for)."""
    if not yearly_path(runs_dir, label, replicate).exists():
        return False
    if cohorts and not cohorts_path(runs_dir, label, replicate).exists():
        return False
    return not monthly or monthly_path(runs_dir, label, replicate).exists()


def unfinished(specs: list, runs_dir: Path) -> list:
    """The specs whose run files are not all there (one folder listing, not a stat per run)."""
    names = set(os.listdir(runs_dir)) if Path(runs_dir).is_dir() else set()

    def done(spec) -> bool:
        stem = run_stem(spec.name, spec.replicate)
        return (
            f"{stem}.parquet" in names
            and (not spec.monthly or f"{stem}.monthly.parquet" in names)
            and (not spec.cohorts or f"{stem}.cohorts.parquet" in names)
        )

    return [spec for spec in specs if not done(spec)]


def write_table(df: pd.DataFrame, path: Path, meta: dict | None = None) -> None:
    """Write a tidy table to ``path`` atomically (temporary name, then rename)."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    if meta is not None:
        extra = {META_KEY: json.dumps(meta, sort_keys=True).encode()}
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **extra})
    with replacing(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def write_run(
    runs_dir: Path, label: str, replicate: int, result, identity: dict | None = None
) -> None:
    """Write one run's tables (monthly first, yearly last) with timing and identity metadata.

    ``identity`` is what made the run (:func:`sim.run.identity.identity`); ``--resume`` reuses the
    file only when it matches.
    """
    meta = {"timing": result.timing, "youth_months": int(result.youth_months)}
    if identity is not None:
        meta["identity"] = identity
    if result.monthly is not None:
        write_table(result.monthly, monthly_path(runs_dir, label, replicate), meta)
    if result.cohorts is not None:
        write_table(result.cohorts, cohorts_path(runs_dir, label, replicate), meta)
    write_table(result.yearly, yearly_path(runs_dir, label, replicate), meta)


def read_meta(path: Path) -> dict:
    """The metadata of a run file (empty when absent or not a JSON object)."""
    metadata = pq.read_schema(path).metadata or {}
    try:
        meta = json.loads(metadata.get(META_KEY) or b"{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def clean_temp(runs_dir: Path) -> int:
    """Remove temporary files left by a killed batch; returns how many were removed."""
    removed = 0
    for tmp in Path(runs_dir).glob(f".*{TMP_SUFFIX}"):
        tmp.unlink(missing_ok=True)
        removed += 1
    return removed


def totals(paths: Iterable[Path]) -> tuple[dict[str, float], int]:
    """Sum the timing (build_s, simulate_s) and youth-months recorded in run files.

    The timing is informative only: an entry that is not a number counts as 0.
    """
    timing = {"build_s": 0.0, "simulate_s": 0.0}
    youth_months = 0
    for path in paths:
        meta = read_meta(path)
        recorded = meta.get("timing") if isinstance(meta.get("timing"), dict) else {}
        for key in timing:
            timing[key] += _number(recorded.get(key))
        youth_months += int(_number(meta.get("youth_months")))
    return timing, youth_months


def _number(value: object) -> float:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if is_number and value == value else 0.0


def _run_tables(paths: list[Path]) -> Iterator[pa.Table]:
    """Run tables in order, without metadata, batched into large row groups."""
    batch, rows = [], 0
    for path in paths:
        table = pq.read_table(path).replace_schema_metadata(None)
        batch.append(table)
        rows += table.num_rows
        if rows >= ROW_GROUP:
            yield pa.concat_tables(batch)
            batch, rows = [], 0
    if batch:
        yield pa.concat_tables(batch)


class StreamWriter:
    """One Parquet file written table by table, atomically (temporary name, then rename).

    Use as a context manager: the file appears under its final name only when the block ends
    without an error; an empty stream writes ``empty`` (a table with the right columns).
    """

    def __init__(self, dest: Path, empty: pd.DataFrame):
        self.dest, self.empty = Path(dest), empty
        self.tmp = temp_name(self.dest)
        self._writer: pq.ParquetWriter | None = None

    def write(self, table: pa.Table | pd.DataFrame) -> None:
        """Append a table (or a tidy DataFrame) to the file."""
        if isinstance(table, pd.DataFrame):
            table = pa.Table.from_pandas(table, preserve_index=False)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.tmp, table.schema, compression="zstd")
        self._writer.write_table(table.cast(self._writer.schema), row_group_size=ROW_GROUP)

    def __enter__(self) -> StreamWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self._writer is not None:
                self._writer.close()
            if exc_type is None:
                if self._writer is None:
                    write_table(self.empty, self.tmp)
                fsync_file(self.tmp)
                os.replace(self.tmp, self.dest)
                fsync_dir(self.dest.parent)
        finally:
            self.tmp.unlink(missing_ok=True)


def write_combined(paths: list[Path], dest: Path, yearly: bool | None) -> None:
    """Stream run files into one combined table at ``dest``.

    Each run file is already sorted by period, metric and group (a cohort file by cohort,
    month, activity and NAV status), and ``paths`` come in (label, replicate) order, so the
    concatenation is in the contract's row order without holding every run in memory.
    ``yearly``: True for yearly tables, False for monthly ones, None for cohort tables.
    """
    if yearly is None:
        empty = normalize_cohorts(pd.DataFrame(columns=COHORT_COLUMNS))
    else:
        empty = combine([], yearly=yearly)
    with StreamWriter(dest, empty) as writer:
        for table in _run_tables(paths):
            writer.write(table)


def finished(specs: list, runs_dir: Path) -> list:
    """The specs whose yearly run file exists, in (label, replicate) order: the row order."""
    done = [s for s in specs if yearly_path(runs_dir, s.name, s.replicate).exists()]
    return sorted(done, key=lambda s: (s.name, s.replicate))
