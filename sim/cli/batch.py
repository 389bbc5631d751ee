"""``sim batch BATCH.toml``: many runs and sweeps, on every local core or a Dask cluster.

Each finished run is written at once to ``DIR/runs/`` (so a killed batch keeps every finished
run and ``--resume`` does only what is missing); failures go to ``DIR/failures.json``; at the
end the combined tables, ``paired.parquet``, ``summary.json`` and ``manifest.json`` are written
as for ``sim compare``. Options given on the command line override the batch file.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from sim.cli.common import add_cohort_option, add_common, add_draw_option, add_executor_options
from sim.errors import InputError
from sim.run.batchfile import BatchFile, labelled, load_batch, variant_params
from sim.run.jobs import Job, RunOptions, load_all, plan
from sim.run.resultsdir import ResultsFolder

DEFAULTS = {"seed": 1, "reps": 1, "years": 15, "scale": 1.0, "start": "2024-01", "monthly": False}
# written in place while the batch runs (the rest of the result is staged and swapped in)
IN_PLACE = ("runs/", "failures.json")
MAX_RUNS = 1_000_000  # a larger batch is refused at once (split it into several batches)


def add_parser(sub) -> None:
    """Register ``sim batch``."""
    p = sub.add_parser(
        "batch",
        help="run a batch file: replicates and sweeps, resumable",
        description="Run a batch file on every local core or a Dask cluster. Options given "
        "here override the batch file; the defaults shown apply when neither sets a value. "
        "See docs/cluster.md.",
    )
    p.add_argument("batch", help="batch TOML file")
    add_common(p)
    p.set_defaults(**dict.fromkeys(DEFAULTS))  # None: not given, the batch file decides
    p.add_argument(
        "--monthly",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also combine the monthly tables (default: the batch file's monthly, else no)",
    )
    add_draw_option(p)
    add_cohort_option(p)
    add_executor_options(p)
    p.add_argument("--resume", action="store_true", help="run only the runs not yet finished")
    p.set_defaults(func=main)


@dataclass(frozen=True)
class Batch:
    """A validated batch: the batch file and its job (options, labels, seeds, runs, out)."""

    file: BatchFile
    job: Job

    @property
    def options(self) -> RunOptions:
        """Defaults, then the batch file, then the command line."""
        return self.job.options

    @property
    def out(self) -> Path:
        """The results folder."""
        return self.job.out

    @property
    def specs(self) -> list:
        """Every run of the batch."""
        return self.job.specs

    @property
    def runs_dir(self) -> Path:
        """Where each finished run is written (in place, kept for ``--resume``)."""
        return self.out / "runs"


def options(args: argparse.Namespace, batch: BatchFile) -> RunOptions:
    """Defaults, then the batch file, then options given on the command line (validated)."""
    merged = {**DEFAULTS, **batch.options}
    merged.update({k: getattr(args, k) for k in DEFAULTS if getattr(args, k) is not None})
    if getattr(args, "cohorts", None) is not None:
        merged["cohorts"] = tuple(args.cohorts)  # the command line's cohorts replace the file's
    given = {k: getattr(args, k) for k in ("out", "quiet", "workers", "scheduler")}
    if getattr(args, "reps_per_draw", None) is not None:
        merged["reps_per_draw"] = args.reps_per_draw
    return RunOptions(**merged, **given, draw_params=bool(getattr(args, "draw_params", False)))


def plan_batch(args: argparse.Namespace, file: BatchFile | None = None) -> Batch:
    """Validate the batch file, the options and the scenarios; nothing runs or is written.

    ``file``: an already validated batch (:func:`sim.api.batch`); default ``args.batch``.
    """
    file = file or load_batch(args.batch)
    opts = options(args, file)
    announce(file, opts)
    base = load_all([str(p) for p in file.scenarios])
    return Batch(file, plan(opts, labelled(base, file.variants), "batch"))


def announce(file: BatchFile, opts: RunOptions) -> None:
    """Say how many runs the batch plans (before anything slow); refuse an absurd number."""
    labels = len(file.scenarios) * max(1, len(file.variants))
    runs = labels * opts.reps
    if runs > MAX_RUNS:
        raise InputError(
            f"{file.path}: {runs:,} runs ({labels:,} scenario labels x {opts.reps:,} "
            f"replicates) is more than {MAX_RUNS:,}; split it into several batches"
        )
    if not opts.quiet:
        print(
            f"batch: {runs:,} runs ({labels:,} labels x {opts.reps:,} replicates)", file=sys.stderr
        )


def check_runs_folder(batch: Batch, resume: bool) -> list[Path]:
    """Refuse finished runs without ``--resume``; with it, check that each one belongs.

    Returns:
        The unreadable run files moved aside (they are run again).
    """
    from sim.run.execute import plugin_modules
    from sim.run.identity import check_runs

    if not batch.runs_dir.is_dir():
        return []
    if not resume:
        if any(batch.runs_dir.glob("*.parquet")):
            where = batch.runs_dir
            raise InputError(
                f"{where}: holds finished runs; use --resume to continue, or another --out"
            )
        return []
    return check_runs(batch.specs, batch.runs_dir, plugin_modules())


def main(args: argparse.Namespace) -> int:
    """Run a batch file; exit 0 when every run succeeded, 1 when any failed."""
    return run_planned(plan_batch(args), args.resume)


def run_planned(batch: Batch, resume: bool = False) -> int:
    """Run a planned batch into its results folder (what ``sim batch`` does); the exit code."""
    from sim.run.executors import choose
    from sim.run.runfiles import unfinished

    with ResultsFolder(batch.out) as folder:
        for path in check_runs_folder(batch, resume):
            print(f"unreadable run file moved aside, to run again: {path}", file=sys.stderr)
        todo = unfinished(batch.specs, batch.runs_dir)
        pool = choose(batch.options.workers, batch.options.scheduler, len(todo))
        with pool:
            failures = run_batch(batch, folder, todo, pool)
            pool.shutdown()  # free the workers' memory before combining
            finish(batch, folder, pool.describe(), failures, skipped=len(batch.specs) - len(todo))
    return report_failures(batch, failures)


def run_batch(batch: Batch, folder: ResultsFolder, todo: list, pool) -> list:
    """Prepare the runs folder and run what is missing; returns the failed runs' records."""
    from sim.run.execute import run_into
    from sim.run.progress import Progress
    from sim.run.runfiles import clean_temp

    batch.runs_dir.mkdir(parents=True, exist_ok=True)
    clean_temp(batch.runs_dir)
    folder.record(list(IN_PLACE), status="running")
    write_failures(batch, [])
    progress = Progress(len(todo), len(batch.specs) - len(todo), quiet=batch.options.quiet)
    progress.start()
    try:
        failures = run_into(
            todo, batch.runs_dir, pool, progress, lambda f: write_failures(batch, f)
        )
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: sim.cli.main prints this after one line
        exc.add_note(f"finished runs kept in {batch.runs_dir} for --resume")
        raise
    finally:
        progress.close()
    write_failures(batch, failures)
    return failures


def write_failures(batch: Batch, failures: list) -> None:
    """``DIR/failures.json``: scenario, replicate, seed and traceback of each failed run."""
    from sim.run.durable import write_file

    write_file(batch.out / "failures.json", {"failures": [f.failure() for f in failures]})


def finish(
    batch: Batch, folder: ResultsFolder, executor: dict, failures: list, skipped: int
) -> None:
    """Combine every finished run of the batch and swap the results in next to ``runs/``.

    An earlier finish's tables stay until the new ones are complete.
    """
    from sim.analysis.outputs import finish as combine
    from sim.present.console import print_summary
    from sim.run.runfiles import finished

    if not finished(batch.specs, batch.runs_dir):
        folder.record([], status="no finished run")
        return
    more = {
        **extras(batch, executor),
        "failures": [f.failure() for f in failures],
        "resumed_runs": skipped,
    }
    result = combine(
        batch.job, batch.runs_dir, folder, more, keep=IN_PLACE, more=variants_writer(batch)
    )
    if not batch.options.quiet:
        print_summary(result.headline, result.summary, result.manifest, batch.out)


def variant_sets(batch: Batch) -> dict:
    """Label → the overrides its variant sets (None for a label without a variant)."""
    return {label: variant_params(label, batch.file.variants) for label in batch.job.scenarios}


def variants_writer(batch: Batch):
    """Writes a sweep's ``variants.csv`` into the staged result (None without variants)."""
    from sim.analysis.variants import FILE, variants_table
    from sim.run.durable import write_file

    if not batch.file.variants:
        return None
    table = variants_table(batch.job.scenarios, variant_sets(batch))
    return lambda dest: write_file(dest / FILE, table.to_csv(index=False))


def extras(batch: Batch, executor: dict) -> dict:
    """Manifest entries a batch adds to the run manifest."""
    from sim.run.draws import manifest_draws

    return {
        **manifest_draws(batch.job.seeds, batch.options.draw_params, batch.options.reps_per_draw),
        "command_name": "batch",
        "batch": batch.file.manifest_entry(),
        "monthly": batch.options.monthly,
        "variants": variant_sets(batch),
        **executor,
    }


def report_failures(batch: Batch, failures: list) -> int:
    """List the failed runs (tracebacks are in failures.json); the exit code."""
    if not failures:
        return 0
    where = batch.out / "failures.json"
    print(f"{len(failures)} run(s) failed (tracebacks in {where}):", file=sys.stderr)
    for f in sorted(failures, key=lambda r: (r.label, r.replicate)):
        last = (f.error or "").strip().splitlines()[-1:] or ["?"]
        print(f"  {f.label} r{f.replicate} (seed {f.seed}): {last[0]}", file=sys.stderr)
    return 1
