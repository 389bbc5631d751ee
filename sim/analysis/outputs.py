"""From a runs folder to results: combined tables, paired differences, summary, manifest.

Shared by ``sim run``, ``sim compare`` and ``sim batch`` (:func:`finish`, the last step of a
:class:`sim.run.jobs.Job`). Nothing here holds every run: the
combined ``yearly.parquet`` (and ``monthly.parquet`` when asked for) is streamed from the run
files, and the summary and ``paired.parquet`` are built one scenario label at a time
(:class:`sim.analysis.summary.Summarizer`), so memory depends on the replicates of two
labels, not on the number of runs.
"""

from __future__ import annotations

import contextlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.analysis.summary import Summarizer, empty_paired, stack_of
from sim.run.durable import write_file
from sim.run.jobs import Job
from sim.run.resultsdir import ResultsFolder
from sim.run.runfiles import (
    StreamWriter,
    cohorts_path,
    finished,
    monthly_path,
    totals,
    write_combined,
    yearly_path,
)
from sim.run.runner import RunSpec

PAIRED = "paired.parquet"
COHORTS = "cohorts.parquet"


@dataclass
class Outputs:
    """What was written: the summary, the manifest, and the small tables for printing."""

    summary: dict
    manifest: dict
    headline: pd.DataFrame  # NEET and cost totals of every run (tidy rows)
    monthly_files: list[Path] = field(default_factory=list)


def build_outputs(
    specs: list[RunSpec],
    runs_dir: Path,
    scenarios: dict,
    seeds: list[int],
    opts,
    dest: Path,
    **extra,
) -> Outputs:
    """Write ``yearly.parquet``, ``paired.parquet`` and ``summary.json`` of the finished runs.

    Each file is written atomically into ``dest``; the manifest is returned, not written
    (callers add to it).

    Args:
        specs: every run of the job (unfinished ones are left out).
        runs_dir: the runs folder.
        scenarios: label → Scenario, the reference (first) label first.
        seeds: the replicate seeds.
        opts: anything with ``seed``, ``scale``, ``start``, ``years`` attributes.
        dest: the results folder to write into.
        **extra: more manifest entries (executor, workers, batch file, failures, ...).
    """
    from sim.run.manifest import build_manifest

    t0 = time.perf_counter()
    done = finished(specs, runs_dir)
    paths = [yearly_path(runs_dir, s.name, s.replicate) for s in done]
    write_combined(paths, dest / "yearly.parquet", yearly=True)
    labels = [label for label in scenarios if any(s.name == label for s in done)]
    reference = _reference(scenarios, labels)
    rates = {label: sc.params["cost.discount_rate"] for label, sc in scenarios.items()}
    draws = {s.replicate: s.draws for s in done if s.draws}
    summarizer = summarize_runs(done, runs_dir, labels, reference, dest / PAIRED, rates, draws)
    summary = summarizer.finish()
    write_file(dest / "summary.json", summary)
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
    return Outputs(summary, manifest, summarizer.headline_table(), monthly)


def finish(
    job: Job, runs_dir: Path, folder: ResultsFolder, extra: dict, keep=(), more=None
) -> Outputs:
    """Combine a job's finished runs and commit them as the results folder's new result.

    Writes ``yearly.parquet``, ``paired.parquet``, ``summary.json``, ``monthly.parquet`` (with
    the ``monthly`` option), ``cohorts.parquet`` (with ``--cohort``, whether or not monthly
    tables are written) and ``manifest.json`` beside the folder, then swaps them in: an
    earlier result stays until the new one is complete.

    Args:
        job: the job (runs that did not finish are left out).
        runs_dir: where its run files are.
        folder: the locked results folder.
        extra: more manifest entries, in order (draws, executor, batch file, failures, ...).
        keep: entries of the folder written in place, which the swap keeps (``runs/``).
        more: called with the staging folder to write further files (a sweep's
            ``variants.csv``), or None.

    Returns:
        What was written; ``manifest["files"]`` lists the folder's files.
    """
    tmp = folder.stage()
    result = build_outputs(
        job.specs, runs_dir, job.scenarios, job.seeds, job.options, tmp, **extra
    )
    if job.options.monthly:
        monthly = [p for p in result.monthly_files if p.exists()]
        write_combined(monthly, tmp / "monthly.parquet", yearly=False)
    if job.options.cohorts:
        write_cohorts(job, runs_dir, tmp)
        result.manifest["cohorts"] = cohort_entries(job)
    if more is not None:
        more(tmp)
    write_file(tmp / "manifest.json", result.manifest)
    result.manifest["files"] = folder.commit(tmp, keep=keep)
    return result


def write_cohorts(job: Job, runs_dir: Path, dest: Path) -> None:
    """``cohorts.parquet``: every finished run's cohort table, in the contract's row order."""
    done = finished(job.specs, runs_dir)
    paths = [cohorts_path(runs_dir, s.name, s.replicate) for s in done]
    write_combined([p for p in paths if p.exists()], dest / COHORTS, yearly=None)


def cohort_entries(job: Job) -> list[dict]:
    """The manifest's ``cohorts``: label, definition name and entry month of each cohort."""
    cohorts = job.specs[0].cohorts if job.specs else ()
    return [{"label": lab, "cohort": name, "entry": month} for lab, name, month in cohorts]


def _reference(scenarios: dict, labels: list[str]) -> str | None:
    """The first scenario, when it and another label have finished runs (else no pairing)."""
    first = next(iter(scenarios))
    if len(scenarios) > 1 and first not in labels:
        print(f"no finished run of the reference {first}: no paired differences", file=sys.stderr)
    return first if first in labels and len(labels) > 1 else None


def summarize_runs(
    done: list[RunSpec],
    runs_dir: Path,
    labels: list[str],
    reference: str | None,
    paired: Path,
    rate=None,
    draws=None,
) -> Summarizer:
    """Summarize label by label (the reference first); stream the paired rows to ``paired``.

    ``rate`` (label → discount rate) and ``draws`` (replicate → drawn values) as in
    :class:`~sim.analysis.summary.Summarizer`.
    """
    order = ([reference] if reference else []) + sorted(x for x in labels if x != reference)
    with contextlib.ExitStack() as stack:
        writer = stack.enter_context(StreamWriter(paired, empty_paired())) if reference else None
        summarizer = Summarizer(reference, writer.write if writer else None, rate, draws)
        for label in order:
            runs = (
                pd.read_parquet(yearly_path(runs_dir, s.name, s.replicate))
                for s in done
                if s.name == label
            )
            summarizer.add(stack_of(runs, label))
    return summarizer
