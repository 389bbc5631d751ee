"""From a runs folder to results: combined tables, paired differences, summary, manifest.

Shared by ``sim run``, ``sim compare`` and ``sim batch``. The parent never holds every run's
tables: the yearly run files are read back and combined at the end (monthly ones only when
asked for, streamed by ``sim batch``), and the summary is computed from the combined yearly
table.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.runfiles import combine_yearly, monthly_path, temp_name, totals, yearly_path
from sim.runner import RunSpec
from sim.tables import combine, write_parquet


@dataclass
class Outputs:
    """The combined results of a set of runs (monthly run files are listed, not loaded)."""

    yearly: pd.DataFrame
    summary: dict
    paired: pd.DataFrame | None
    manifest: dict
    monthly_files: list[Path] = field(default_factory=list)

    def monthly_frame(self) -> pd.DataFrame:
        """The combined monthly table in memory (for small jobs such as ``sim compare``)."""
        return combine([pd.read_parquet(p) for p in self.monthly_files], yearly=False)


def finished(specs: list[RunSpec], runs_dir: Path) -> list[RunSpec]:
    """The specs whose yearly run file exists, in (label, replicate) order: the row order."""
    done = [s for s in specs if yearly_path(runs_dir, s.name, s.replicate).exists()]
    return sorted(done, key=lambda s: (s.name, s.replicate))


def build_outputs(
    specs: list[RunSpec], runs_dir: Path, scenarios: dict, seeds: list[int], opts, **extra
) -> Outputs:
    """Combine the finished runs of ``specs`` and build summary and manifest.

    Args:
        specs: every run of the job (unfinished ones are left out).
        runs_dir: the runs folder.
        scenarios: label → Scenario, the reference (first) label first.
        seeds: the replicate seeds.
        opts: anything with ``seed``, ``scale``, ``start``, ``years`` attributes.
        **extra: more manifest entries (executor, workers, batch file, failures, ...).
    """
    from sim.manifest import build_manifest
    from sim.summary import summarize

    t0 = time.perf_counter()
    done = finished(specs, runs_dir)
    paths = [yearly_path(runs_dir, s.name, s.replicate) for s in done]
    yearly = combine_yearly(paths)
    reference = next(iter(scenarios)) if len(scenarios) > 1 else None
    summary, pair = summarize(yearly, reference)
    timing, youth_months = totals(paths)
    timing["write_s"] = time.perf_counter() - t0
    manifest = build_manifest(
        scenarios=scenarios,
        seed=opts.seed,
        replicate_seeds=seeds,
        scale=opts.scale,
        start=opts.start,
        years=opts.years,
        timing=timing,
        youth_months=youth_months,
        **extra,
    )
    monthly = [monthly_path(runs_dir, s.name, s.replicate) for s in done if s.monthly]
    return Outputs(yearly, summary, pair, manifest, monthly)


def write_file(path: Path, content: object) -> None:
    """Write a DataFrame (Parquet), dict (JSON) or str atomically: temporary name, rename."""
    tmp = temp_name(path)
    try:
        if isinstance(content, dict):
            text = json.dumps(content, indent=1, ensure_ascii=False, allow_nan=False)
            tmp.write_text(text + "\n", encoding="utf-8")
        elif isinstance(content, str):
            tmp.write_text(content, encoding="utf-8")
        else:
            write_parquet(content, tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
