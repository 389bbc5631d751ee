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

from sim.cli.common import add_common, check_common, default_out
from sim.cli.compare import add_draw_option, add_executor_options, check_workers, load_all
from sim.errors import InputError
from sim.run.batchfile import BatchFile, labelled, load_batch, variant_params
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
    add_executor_options(p)
    p.add_argument("--resume", action="store_true", help="run only the runs not yet finished")
    p.set_defaults(func=main)


@dataclass
class Job:
    """A validated batch: options, labelled scenarios, seeds, runs and the results folder."""

    batch: BatchFile
    opts: argparse.Namespace
    scenarios: dict
    seeds: list[int]
    specs: list
    out: Path

    @property
    def runs_dir(self) -> Path:
        """Where each finished run is written."""
        return self.out / "runs"


def options(args: argparse.Namespace, batch: BatchFile) -> argparse.Namespace:
    """Defaults, then the batch file, then options given on the command line."""
    merged = {**DEFAULTS, **batch.options}
    merged.update({k: getattr(args, k) for k in DEFAULTS if getattr(args, k) is not None})
    opts = argparse.Namespace(**merged, quiet=args.quiet)
    check_common(opts)
    return opts


def plan(args: argparse.Namespace) -> Job:
    """Validate everything (batch file, scenarios, options, runs folder); write nothing."""
    from sim.run.draws import drawn_specs
    from sim.run.runner import RunSpec, replicate_seeds

    check_workers(args)
    batch = load_batch(args.batch)
    opts = options(args, batch)
    opts.draw_params = bool(getattr(args, "draw_params", False))
    announce(batch, opts)
    base = load_all([str(p) for p in batch.scenarios])
    scenarios = labelled(base, batch.variants)
    seeds = replicate_seeds(opts.seed, opts.reps)
    specs = [
        RunSpec(sc, r, seeds[r], opts.years, opts.scale, opts.start, opts.monthly, label)
        for r in range(opts.reps)
        for label, sc in scenarios.items()
    ]
    specs = drawn_specs(specs, opts.draw_params)
    out = Path(args.out) if args.out else default_out("batch", list(base))
    return Job(batch, opts, scenarios, seeds, specs, out)


def announce(batch: BatchFile, opts: argparse.Namespace) -> None:
    """Say how many runs the batch plans (before anything slow); refuse an absurd number."""
    labels = len(batch.scenarios) * max(1, len(batch.variants))
    runs = labels * opts.reps
    if runs > MAX_RUNS:
        raise InputError(
            f"{batch.path}: {runs:,} runs ({labels:,} scenario labels x {opts.reps:,} "
            f"replicates) is more than {MAX_RUNS:,}; split it into several batches"
        )
    if not opts.quiet:
        print(
            f"batch: {runs:,} runs ({labels:,} labels x {opts.reps:,} replicates)", file=sys.stderr
        )


def check_runs_folder(job: Job, resume: bool) -> list[Path]:
    """Refuse finished runs without ``--resume``; with it, check that each one belongs.

    Returns:
        The unreadable run files moved aside (they are run again).
    """
    from sim.run.execute import plugin_modules
    from sim.run.identity import check_runs

    if not job.runs_dir.is_dir():
        return []
    if not resume:
        if any(job.runs_dir.glob("*.parquet")):
            raise InputError(
                f"{job.runs_dir}: holds finished runs; use --resume to continue, or another --out"
            )
        return []
    return check_runs(job.specs, job.runs_dir, plugin_modules())


def main(args: argparse.Namespace) -> int:
    """Run a batch file; exit 0 when every run succeeded, 1 when any failed."""
    from sim.run.executors import choose
    from sim.run.runfiles import unfinished

    job = plan(args)
    with ResultsFolder(job.out) as folder:
        for path in check_runs_folder(job, args.resume):
            print(f"unreadable run file moved aside, to run again: {path}", file=sys.stderr)
        todo = unfinished(job.specs, job.runs_dir)
        pool = choose(args.workers, args.scheduler, len(todo))
        with pool:
            failures = run_batch(job, folder, todo, pool)
            pool.shutdown()  # free the workers' memory before combining
            finish(job, folder, pool.describe(), failures, skipped=len(job.specs) - len(todo))
    return report_failures(job, failures)


def run_batch(job: Job, folder: ResultsFolder, todo: list, pool) -> list:
    """Prepare the runs folder and run what is missing; returns the failed runs' records."""
    from sim.run.execute import run_into
    from sim.run.progress import Progress
    from sim.run.runfiles import clean_temp

    job.runs_dir.mkdir(parents=True, exist_ok=True)
    clean_temp(job.runs_dir)
    folder.record(list(IN_PLACE), status="running")
    write_failures(job, [])
    progress = Progress(len(todo), len(job.specs) - len(todo), quiet=job.opts.quiet)
    progress.start()
    try:
        failures = run_into(todo, job.runs_dir, pool, progress, lambda f: write_failures(job, f))
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: sim.cli.main prints this after one line
        exc.add_note(f"finished runs kept in {job.runs_dir} for --resume")
        raise
    finally:
        progress.close()
    write_failures(job, failures)
    return failures


def write_failures(job: Job, failures: list) -> None:
    """``DIR/failures.json``: scenario, replicate, seed and traceback of each failed run."""
    from sim.run.durable import write_file

    write_file(job.out / "failures.json", {"failures": [f.failure() for f in failures]})


def finish(job: Job, folder: ResultsFolder, executor: dict, failures: list, skipped: int) -> None:
    """Combine every finished run of the batch and swap the results in next to ``runs/``.

    An earlier finish's tables stay until the new ones are complete.
    """
    from sim.analysis.outputs import build_outputs
    from sim.present.console import print_summary
    from sim.run.durable import write_file
    from sim.run.runfiles import finished, write_combined

    if not finished(job.specs, job.runs_dir):
        folder.record([], status="no finished run")
        return
    tmp = folder.stage()
    more = extras(job, executor)
    result = build_outputs(
        job.specs, job.runs_dir, job.scenarios, job.seeds, job.opts, tmp, **more
    )
    result.manifest["failures"] = [f.failure() for f in failures]
    result.manifest["resumed_runs"] = skipped
    if job.opts.monthly:
        monthly = [p for p in result.monthly_files if p.exists()]
        write_combined(monthly, tmp / "monthly.parquet", yearly=False)
    write_file(tmp / "manifest.json", result.manifest)
    result.manifest["files"] = folder.commit(tmp, keep=IN_PLACE)
    if not job.opts.quiet:
        print_summary(result.headline, result.summary, result.manifest, job.out)


def extras(job: Job, executor: dict) -> dict:
    """Manifest entries a batch adds to the run manifest."""
    from sim.run.draws import manifest_draws

    return {
        **manifest_draws(job.seeds, job.opts.draw_params),
        "command_name": "batch",
        "batch": job.batch.manifest_entry(),
        "monthly": job.opts.monthly,
        "variants": {label: variant_params(label, job.batch.variants) for label in job.scenarios},
        **executor,
    }


def report_failures(job: Job, failures: list) -> int:
    """List the failed runs (tracebacks are in failures.json); the exit code."""
    if not failures:
        return 0
    where = job.out / "failures.json"
    print(f"{len(failures)} run(s) failed (tracebacks in {where}):", file=sys.stderr)
    for f in sorted(failures, key=lambda r: (r.label, r.replicate)):
        last = (f.error or "").strip().splitlines()[-1:] or ["?"]
        print(f"  {f.label} r{f.replicate} (seed {f.seed}): {last[0]}", file=sys.stderr)
    return 1
