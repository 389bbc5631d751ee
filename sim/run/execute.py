"""Running many :class:`~sim.run.runner.RunSpec`: tasks, the worker's side, and the one loop.

One loop (:func:`run_all`) serves every executor of :mod:`sim.run.executors` (in-process, local
processes, Dask); :func:`run_into` is what ``sim run``, ``compare`` and ``batch`` call, and
:func:`run_in_memory` the one path that keeps tables in memory (the API, ``sim trial``,
calibration and sensitivity designs).

A task (:class:`RunTask`) carries a few run specs and, for local executors, the runs folder:
the worker writes each run's Parquet files itself as soon as the run ends (temporary name, then
rename), so finished runs survive a crash of the parent. The specs of one task share a warm-up
(the scenarios of one replicate, see :func:`tasks_for`): the worker builds and warms up the
model once and reuses it for the other scenarios (:func:`sim.run.runner.build_model`), which saves
about an eighth of the time of a two-scenario batch at 1:1. Dask workers need not share a file
system: they send a task's tables back and the client writes them with the same function.
Tables therefore never depend on the executor, the worker count or the grouping: seeds come
with the spec, a reused warm-up is identical to a fresh one, and rows are sorted in each file.

A run that raises becomes a failed :class:`RunRecord` with its traceback; the others go on.
A task whose worker died is rerun once, run by run and alone, for the runs it had not
written. A file system that refuses to write (full, read-only, no permission) is not a failed
run: every later run would fail the same way, so the error ends the loop (``sim`` exits 2).
"""

from __future__ import annotations

import concurrent.futures as cf
import errno
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sim.run import plugins, runner
from sim.run.executors import Workers, choose
from sim.run.identity import identity
from sim.run.runfiles import is_done, write_run
from sim.run.runner import RunResult, RunSpec

MAX_GROUP = 10  # runs in one task at most (progress is reported when a task ends)
STORAGE_ERRORS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM}
)


def refused_by_storage(exc: BaseException) -> bool:
    """True for a file system that refuses writes (full disk, read-only, no permission)."""
    return isinstance(exc, OSError) and exc.errno in STORAGE_ERRORS


@dataclass(frozen=True)
class RunTask:
    """What a worker needs: the specs, where to write, and plugin modules to import first.

    ``specs`` is one :class:`~sim.run.runner.RunSpec` or a tuple of specs run one after another
    in the same worker (specs sharing a warm-up).
    """

    specs: tuple[RunSpec, ...] | RunSpec
    runs_dir: str | None = None  # None: return the tables instead of writing them
    plugins: tuple[str, ...] = ()
    retried: bool = False  # a rerun of a task whose worker died

    def __post_init__(self) -> None:
        if isinstance(self.specs, RunSpec):
            object.__setattr__(self, "specs", (self.specs,))


@dataclass
class RunRecord:
    """The outcome of one run: ok with timing, or failed with a traceback."""

    label: str
    replicate: int
    seed: int
    ok: bool
    error: str | None = None
    timing: dict = field(default_factory=dict)
    youth_months: int = 0
    result: RunResult | None = None  # the tables, when the worker did not write them
    identity: dict | None = None  # what made the run (written into its files)

    def failure(self) -> dict:
        """The failure as written to ``failures.json`` and the manifest."""
        return {
            "scenario": self.label,
            "replicate": self.replicate,
            "seed": self.seed,
            "traceback": self.error,
        }


def _record(spec: RunSpec, **kwargs) -> RunRecord:
    return RunRecord(spec.name, spec.replicate, spec.seed, **kwargs)


def run_task(task: RunTask) -> list[RunRecord]:
    """Run a task's specs in order (in a worker); each run's files are written as it ends."""
    try:
        for ref in task.plugins:  # module names, or .py paths of plugins loaded from a file
            plugins.load(ref)
    except Exception:
        return [_record(spec, ok=False, error=traceback.format_exc()) for spec in task.specs]
    keys = [runner.warmup_key(spec) for spec in task.specs]
    try:
        return [
            _run_spec(spec, task, keep=key is not None and key in keys[i + 1 :])
            for i, (spec, key) in enumerate(zip(task.specs, keys, strict=True))
        ]
    finally:
        runner._WARM.clear()  # a worker keeps no warm-up between tasks


def _run_spec(spec: RunSpec, task: RunTask, keep: bool) -> RunRecord:
    """One run: write its files when the task has a runs folder, else keep its tables.

    ``keep``: a later run of the task shares this run's warm-up, so keep it.
    """
    made_by = identity(spec, task.plugins)
    try:
        result = runner.run_one(spec, keep_warmup=keep)
        if task.runs_dir is not None:
            write_run(Path(task.runs_dir), spec.name, spec.replicate, result, made_by)
    except Exception as exc:  # a failed run is reported, the others go on
        if refused_by_storage(exc):
            raise
        return _record(spec, ok=False, error=traceback.format_exc())
    tables = None if task.runs_dir is not None else result
    return _record(
        spec,
        ok=True,
        timing=result.timing,
        youth_months=result.youth_months,
        result=tables,
        identity=made_by,
    )


def tasks_for(
    specs: list[RunSpec], workers: int, runs_dir: str | None, plugins: tuple[str, ...]
) -> list[RunTask]:
    """Tasks of consecutive specs that share a warm-up (one replicate's scenarios).

    A task holds at most ``MAX_GROUP`` runs, and never so many that some of ``workers``
    would be left without work: with few replicates and many sweep variants, the variants of
    a replicate are split over several tasks (each warms up once).
    """
    size = max(1, min(MAX_GROUP, -(-len(specs) // max(workers, 1))))
    groups: list[list[RunSpec]] = []
    last = None
    for spec in specs:
        key = runner.warmup_key(spec)
        if not groups or key is None or key != last or len(groups[-1]) >= size:
            groups.append([])
        groups[-1].append(spec)
        last = key
    return [RunTask(tuple(group), runs_dir, plugins) for group in groups]


def plugin_modules() -> tuple[str, ...]:
    """Plugins registered here (module names or file paths); workers load them before a run."""
    return plugins.worker_refs()


# -- the loop -----------------------------------------------------------------------------
def _written(task: RunTask, spec: RunSpec) -> bool:
    """True when the worker wrote the run's files before it died."""
    if task.runs_dir is None:
        return False
    return is_done(
        Path(task.runs_dir), spec.name, spec.replicate, spec.monthly, bool(spec.cohorts)
    )


def _outcome(future: cf.Future, task: RunTask) -> tuple[list[RunRecord], list[RunTask]]:
    """The task's records, and the tasks to run again.

    When the worker died (a killed process, which also fails the other runs in flight on a
    local pool, or a task Dask gave up on), the runs it had written are done, and each other
    run is retried once as a task of its own before it is recorded as failed.
    """
    try:
        return future.result(), []
    except BaseException as exc:  # noqa: BLE001 - a dead worker or a lost Dask task
        if isinstance(exc, KeyboardInterrupt) or refused_by_storage(exc):
            raise
        text = "".join(traceback.format_exception(exc))
        records, again = [], []
        for spec in task.specs:
            if _written(task, spec):
                records.append(_record(spec, ok=True))
            elif not task.retried:
                again.append(RunTask(spec, task.runs_dir, task.plugins, retried=True))
            else:
                records.append(_record(spec, ok=False, error=text))
        return records, again


def run_all(
    tasks: Iterable[RunTask], workers: Workers, on_done: Callable[[RunRecord], None]
) -> None:
    """Run every task on ``workers``, calling ``on_done`` with each record as it finishes.

    At most ``workers.window`` tasks are in flight, so thousands of runs need no more memory
    than a few; a rerun of a task whose worker died runs alone. Records arrive in completion
    order; tables never depend on that order.
    """
    queue = iter(tasks)
    again: list[RunTask] = []
    pending: dict[cf.Future, RunTask] = {}

    def next_task(limit: int) -> RunTask | None:
        """The next task to submit now, or None.

        A rerun goes alone, once nothing else runs, so a run that kills its worker harms
        no other.
        """
        if any(t.retried for t in pending.values()):
            return None
        if again:
            return None if pending else again.pop(0)
        return next(queue, None) if len(pending) < limit else None

    def fill() -> None:
        limit = workers.window
        while (task := next_task(limit)) is not None:
            pending[workers.submit(run_task, task)] = task

    fill()
    while pending:
        done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
        for future in done:
            records, retry = _outcome(future, pending.pop(future))
            again.extend(retry)
            for record in records:
                on_done(record)
        fill()


def run_in_memory(
    specs: list[RunSpec], pool: Workers, on_done: Callable[[RunRecord], None] | None = None
) -> tuple[list[RunResult], list[tuple[RunSpec, str]]]:
    """Run specs on an entered executor and keep their tables in memory.

    The one in-memory path: :func:`execute` (``sim trial``, :mod:`sim.api`) and calibration
    and sensitivity designs (:func:`sim.analysis.calibrate.run_tables`) use it; batches write
    run files instead (:func:`run_into`).

    Args:
        specs: the runs (labels and replicates unique).
        pool: the executor (entered); its workers send the tables back.
        on_done: called with each record as it finishes (progress).

    Returns:
        The results of the runs that succeeded, in spec order, and the failures as
        (spec, traceback), in spec order.
    """
    by_key: dict[tuple[str, int], RunRecord] = {}
    pool.writes_in_worker = False

    def keep(record: RunRecord) -> None:
        by_key[(record.label, record.replicate)] = record
        if on_done is not None:
            on_done(record)

    run_all(tasks_for(specs, pool.workers, None, plugin_modules()), pool, keep)
    records = [by_key[(s.name, s.replicate)] for s in specs]
    results = [r.result for r in records if r.ok]
    failures = [(s, r.error) for s, r in zip(specs, records, strict=True) if not r.ok]
    return results, failures


def execute(
    specs: list[RunSpec], workers: int = 1, quiet: bool = False
) -> tuple[list[RunResult], list[tuple[RunSpec, str]]]:
    """Run specs on ``workers`` local processes (1: in this process), tables in memory.

    For small jobs; batches use :func:`run_into`. Unless ``quiet``, each finished run is
    counted on stderr.

    Returns:
        The results in spec order, and the failures as (spec, traceback).
    """
    done = 0

    def count(record: RunRecord) -> None:
        nonlocal done
        done += 1
        if not quiet:
            print(f"[{done}/{len(specs)}] {record.label} r{record.replicate}", file=sys.stderr)

    with choose(workers, None, len(specs)) as pool:
        return run_in_memory(specs, pool, count)


def run_into(
    specs: list[RunSpec],
    runs_dir: Path,
    pool: Workers,
    progress=None,
    on_failure: Callable[[list[RunRecord]], None] | None = None,
) -> list[RunRecord]:
    """Run specs on ``pool``, each finished run written at once to ``runs_dir``.

    Args:
        specs: the runs to do.
        runs_dir: the runs folder (created by the caller).
        pool: the executor (entered).
        progress: a :class:`sim.run.progress.Progress`, or None.
        on_failure: called with every failure so far, each time a run fails.

    Returns:
        The failed runs' records (empty when every run succeeded).
    """
    target = str(runs_dir) if pool.writes_in_worker else None
    plugins = plugin_modules()
    tasks = tasks_for(specs, pool.workers, target, plugins)
    failures: list[RunRecord] = []

    def done(record: RunRecord) -> None:
        if record.ok and record.result is not None:
            record = _write_here(record, runs_dir)
        if not record.ok:
            failures.append(record)
            if on_failure is not None:
                on_failure(failures)
        if progress is not None:
            progress.update(record.label, record.replicate, record.ok)

    run_all(tasks, pool, done)
    # a run reported with a dead worker may still have been written just before it died
    asked = {(spec.name, spec.replicate): (spec.monthly, bool(spec.cohorts)) for spec in specs}
    return [
        f
        for f in failures
        if not is_done(runs_dir, f.label, f.replicate, *asked[f.label, f.replicate])
    ]


def _write_here(record: RunRecord, runs_dir: Path) -> RunRecord:
    """Write tables a Dask worker sent back; a write error fails the run."""
    try:
        write_run(runs_dir, record.label, record.replicate, record.result, record.identity)
    except Exception as exc:
        if refused_by_storage(exc):
            raise
        record.ok, record.error = False, traceback.format_exc()
    record.result = None
    return record
