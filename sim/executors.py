"""Executors: where runs go, in-process, in local processes or on a Dask cluster.

Every executor is a :class:`concurrent.futures.Executor` behind one small wrapper
(:class:`Workers`), so one loop (:func:`sim.execute.run_all`) serves all three:

- ``in-process``: one run after another in this process (one worker, or one run);
- ``local-processes``: a :class:`~concurrent.futures.ProcessPoolExecutor` with the
  ``forkserver`` start method chosen here (never at import), one worker per core by default;
- ``dask``: an existing Dask distributed cluster (``--scheduler`` or
  ``DASK_SCHEDULER_ADDRESS``), through the client's ``concurrent.futures`` executor.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool

from sim.errors import InputError

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
CONNECT_TIMEOUT_S = 10.0


class InProcessExecutor(cf.Executor):
    """Runs each submitted call at once, in this process (a completed future comes back)."""

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        """Call ``fn`` now and return its finished future."""
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller via the future
            future.set_exception(exc)
        return future


class Workers:
    """An executor with its name and worker count; use as a context manager.

    Args:
        kind: ``"in-process"``, ``"local-processes"`` or ``"dask"``.
        workers: the number of local workers (Dask: read from the cluster).
        writes_in_worker: True when workers write the run files themselves.
        client: the Dask client (``"dask"`` only).
        address: the Dask scheduler address, for the manifest.
    """

    def __init__(self, kind: str, workers: int, writes_in_worker: bool, client=None, address=None):
        self.kind, self._workers, self.writes_in_worker = kind, workers, writes_in_worker
        self.executor: cf.Executor | None = None
        self._client, self._address = client, address

    @property
    def workers(self) -> int:
        """Worker count; on Dask the cluster's threads now (workers may join or leave)."""
        if self._client is not None:
            self._workers = sum(self._client.nthreads().values()) or self._workers
        return self._workers

    @property
    def window(self) -> int:
        """How many tasks are submitted ahead (bounded, so memory stays small)."""
        return 1 if self.kind == "in-process" else 2 * self.workers

    def __enter__(self) -> Workers:
        self.executor = self._start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    def _start(self) -> cf.Executor:
        if self.kind == "in-process":
            return InProcessExecutor()
        if self.kind == "local-processes":
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["sim.runner", "sim.execute"])
            return cf.ProcessPoolExecutor(self.workers, mp_context=context)
        return self._client.get_executor(pure=False)

    def submit(self, fn: Callable, task) -> cf.Future:
        """Submit ``fn(task)``; a local pool whose worker died is replaced first."""
        try:
            return self.executor.submit(fn, task)
        except BrokenProcessPool:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self._start()
            return self.executor.submit(fn, task)

    def shutdown(self) -> None:
        """Stop the workers this object started (never a Dask cluster's workers)."""
        if self.kind == "dask" and self.executor is not None:
            self.executor.shutdown(wait=False)  # cancels what is left; the cluster stays up
        elif self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def describe(self) -> dict:
        """Executor, worker count and scheduler address, for the manifest."""
        return {"executor": self.kind, "workers": self.workers, "scheduler": self._address}


def connect_dask(address: str, timeout: float | None = None) -> Workers:
    """Connect to an existing Dask scheduler (exit code 2 when it cannot be reached)."""
    from distributed import Client

    try:
        client = Client(address, timeout=timeout or CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"--scheduler: cannot connect to {address}: {exc}") from None
    return Workers("dask", 1, writes_in_worker=False, client=client, address=address)


def choose(workers: int | None, scheduler: str | None, runs: int) -> Workers:
    """Pick the executor: Dask with a scheduler address, else local processes or in-process.

    Args:
        workers: local worker processes (None: one per core).
        scheduler: a Dask scheduler address; None reads ``DASK_SCHEDULER_ADDRESS``.
        runs: how many runs there are (never more local workers than runs).
    """
    scheduler = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if scheduler:
        return connect_dask(scheduler)
    count = min(workers or os.cpu_count() or 1, max(runs, 1))
    if count <= 1:
        return Workers("in-process", 1, writes_in_worker=True)
    return Workers("local-processes", count, writes_in_worker=True)
