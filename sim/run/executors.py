"""Executors: where runs go, in-process, in local processes or on a Dask cluster.

Every executor is a :class:`concurrent.futures.Executor` behind one small wrapper
(:class:`Workers`), so one loop (:func:`sim.run.execute.run_all`) serves all three:

- ``in-process``: one run after another in this process (one worker, or one run);
- ``local-processes``: a :class:`~concurrent.futures.ProcessPoolExecutor` with the
  ``forkserver`` start method chosen here (never at import), one worker per core by default;
  its workers hold a :class:`~sim.run.lifeline.Lifeline`, so they (and with them the forkserver
  and multiprocessing's resource tracker) exit as soon as this process ends, however it ends,
  or when it stops them early (an error or Ctrl-C: :meth:`Workers.shutdown` does not wait for
  the runs in flight). They ignore Ctrl-C: the ``sim`` process handles it and stops them;
- ``dask``: an existing Dask distributed cluster (``--scheduler`` or
  ``DASK_SCHEDULER_ADDRESS``), through the client's ``concurrent.futures`` executor.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
import socket
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing import forkserver, resource_tracker
from multiprocessing.connection import Connection

from sim.errors import InputError
from sim.run import lifeline

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
CONNECT_TIMEOUT_S = 10.0
WORKERS_PER_CORE = 4  # --workers above this many per core (and above MIN_WORKER_LIMIT) is refused
MIN_WORKER_LIMIT = 8
PRELOAD = ["sim.run.runner", "sim.run.execute"]


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
        self._lifeline: lifeline.Lifeline | None = None

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

    def __exit__(self, kind, *exc) -> None:
        self.shutdown(wait=kind is None)  # after an error or Ctrl-C, stop the runs in flight

    def _start(self) -> cf.Executor:
        if self.kind == "in-process":
            return InProcessExecutor()
        if self.kind == "local-processes":
            self._lifeline = lifeline.Lifeline()
            return cf.ProcessPoolExecutor(
                self.workers,
                mp_context=forkserver_context(),
                initializer=worker_init,
                initargs=(self._lifeline.reader,),
            )
        return self._client.get_executor(pure=False)

    def submit(self, fn: Callable, task) -> cf.Future:
        """Submit ``fn(task)``; a local pool whose worker died is replaced first."""
        try:
            return self.executor.submit(fn, task)
        except BrokenProcessPool:
            self._stop_local(wait=False)
            self.executor = self._start()
            return self.executor.submit(fn, task)

    def shutdown(self, wait: bool = True) -> None:
        """Stop the workers this object started (never a Dask cluster's workers).

        Args:
            wait: let local workers finish the runs in flight; False stops them at once.
        """
        if self.kind == "dask" and self.executor is not None:
            self.executor.shutdown(wait=False)  # cancels what is left; the cluster stays up
        elif self.executor is not None:
            self._stop_local(wait)
        self.executor = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def _stop_local(self, wait: bool) -> None:
        """Shut the local executor down; without ``wait``, cut its workers' lifeline first."""
        line, self._lifeline = self._lifeline, None
        if line is not None and not wait:
            line.cut()
        try:
            self.executor.shutdown(wait=True, cancel_futures=True)
        finally:
            if line is not None:
                line.close()

    def describe(self) -> dict:
        """Executor, worker count and scheduler address, for the manifest."""
        return {"executor": self.kind, "workers": self.workers, "scheduler": self._address}


def forkserver_context() -> multiprocessing.context.BaseContext:
    """The ``forkserver`` start method, its server started now with Ctrl-C blocked.

    Workers are forked by the forkserver and inherit its signal mask, so a Ctrl-C at the
    terminal (sent to the whole process group) reaches only ``sim``, which stops them; this
    also covers the second or so while the forkserver imports :data:`PRELOAD`.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    resource_tracker.ensure_running()  # it unblocks SIGINT after it starts, so start it first
    with _blocked(signal.SIGINT):
        forkserver.ensure_running()
    return context


@contextmanager
def _blocked(signum: int) -> Iterator[None]:
    """Block ``signum`` in this thread (children started meanwhile inherit the mask)."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signum})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def worker_init(line: Connection) -> None:
    """A pool worker's initializer: ignore Ctrl-C and exit when ``sim``'s lifeline is cut."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lifeline.watch(line)


def connect_dask(address: str, timeout: float | None = None, option="--scheduler") -> Workers:
    """Connect to an existing Dask scheduler (exit code 2 when it cannot be reached).

    ``option`` names where the address came from in error messages.
    """
    check_address(address, option)
    from distributed import Client

    try:
        client = Client(address, timeout=timeout or CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"{option}: cannot connect to {address}: {exc}") from None
    return Workers("dask", 1, writes_in_worker=False, client=client, address=address)


def check_address(address: str, option: str = "--scheduler") -> None:
    """Refuse a scheduler address that is malformed or whose host does not resolve, at once.

    (Dask would retry until its timeout, or fail in a way that leaves a half-made client
    behind.) A scheduler that does not answer yet is still waited for: it may be starting.
    """
    try:
        from distributed.comm import registry
        from distributed.comm.addressing import parse_address, parse_host_port
    except ImportError as exc:
        raise InputError(f"{option}: needs Dask distributed ({exc})") from None
    where = f"{option} {address}"
    try:
        scheme, location = parse_address(address)
        registry.get_backend(scheme)
        if scheme in ("tcp", "tls"):
            host, port = parse_host_port(location)
            if not 0 < port < 65536:
                raise ValueError(f"port {port} is not 1-65535")
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{where}: not a scheduler address ({exc})") from None
    except OSError as exc:
        raise InputError(f"{where}: cannot resolve the host ({exc})") from None


def worker_limit() -> int:
    """The most local workers ``--workers`` accepts: a few per core (each holds a model)."""
    return max(MIN_WORKER_LIMIT, WORKERS_PER_CORE * (os.cpu_count() or 1))


def choose(workers: int | None, scheduler: str | None, runs: int) -> Workers:
    """Pick the executor: Dask with a scheduler address, else local processes or in-process.

    Args:
        workers: local worker processes (None: one per core), checked by the caller
            (:class:`sim.run.jobs.RunOptions`).
        scheduler: a Dask scheduler address; None reads ``DASK_SCHEDULER_ADDRESS``.
        runs: how many runs there are (never more local workers than runs).

    Raises:
        InputError: an unusable scheduler address.
    """
    if scheduler:
        return connect_dask(scheduler)
    if os.environ.get(SCHEDULER_ENV):
        return connect_dask(os.environ[SCHEDULER_ENV], option=SCHEDULER_ENV)
    count = min(workers or os.cpu_count() or 1, max(runs, 1))
    if count <= 1:
        return Workers("in-process", 1, writes_in_worker=True)
    return Workers("local-processes", count, writes_in_worker=True)
