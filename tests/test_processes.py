"""Every process a command starts ends with it: SIGKILL, SIGTERM and Ctrl-C of ``sim``.

The slow tests start ``python -m sim`` in a child process, wait until its descendants exist
(the forkserver, multiprocessing's resource tracker and the pool workers, or the dashboard's
server), signal the ``sim`` process alone (a SIGKILL reaches no one else), then check that
every one of those descendants is gone within 5 s. Survivors are killed at the end of each
test, so a failing test leaves nothing running. The quick ones check the pieces: the
lifeline, the worker initializer, storage errors in the loop.
"""

from __future__ import annotations

import concurrent.futures as cf
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from conftest import BASELINE, SCENARIOS
from hostile import env

from sim.run.executors import Workers
from sim.run.lifeline import GONE_EXIT_CODE, Lifeline

GRACE_S = 5.0  # the contract: descendants exit within 5 s of the command's end
START_S = 120.0  # how long a child may take to import and start its workers (a busy machine)
MID_FLIGHT = ["--years", "5", "--scale", "0.3", "--reps", "2", "--workers", "2", "--quiet"]


class Sim:
    """A ``python -m sim`` child process with its output in files (never a full pipe)."""

    def __init__(self, tmp_path: Path, *args: str | Path) -> None:
        self.out_path, self.err_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
        with open(self.out_path, "w") as out, open(self.err_path, "w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "sim", *map(str, args)],
                cwd=tmp_path,
                env=env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        self.process = psutil.Process(self.proc.pid)
        self.seen: dict[int, psutil.Process] = {}

    def descendants(self) -> list[psutil.Process]:
        """Every descendant now; each one ever seen is remembered for :meth:`survivors`."""
        try:
            found = self.process.children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        self.seen.update({p.pid: p for p in found})
        return found

    def wait_for(self, ready, what: str) -> None:
        """Poll until ``ready()`` is true while ``sim`` still runs."""
        deadline = time.monotonic() + START_S
        while not ready():
            assert self.proc.poll() is None, f"sim ended before {what}: {self.stderr}"
            assert time.monotonic() < deadline, f"no {what} after {START_S} s"
            time.sleep(0.1)

    def wait_for_workers(self, count: int = 2) -> None:
        """Wait until ``count`` pool workers (children of the forkserver) exist."""
        self.wait_for(lambda: len(self.workers()) >= count, f"{count} workers")

    def workers(self) -> list[psutil.Process]:
        """The pool workers: descendants whose parent is not ``sim`` itself."""
        return [p for p in self.descendants() if _parent(p) not in (None, self.proc.pid)]

    def signal(self, signum: int) -> int:
        """Send ``signum`` to ``sim`` alone and return its exit code."""
        self.descendants()  # the last look before the signal
        assert self.seen, "sim started no process"
        self.proc.send_signal(signum)
        return self.proc.wait(timeout=60)

    def survivors(self, within: float = GRACE_S) -> list[psutil.Process]:
        """The descendants ever seen that still run ``within`` seconds from now."""
        deadline = time.monotonic() + within
        while (alive := [p for p in self.seen.values() if _alive(p)]) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.1)
        return alive

    @property
    def stderr(self) -> str:
        """What ``sim`` wrote on stderr so far."""
        return self.err_path.read_text()

    def stop_everything(self) -> None:
        """Kill ``sim`` and whatever it left (only processes this test started)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for p in self.seen.values():
            if _alive(p):
                p.kill()


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _parent(process: psutil.Process) -> int | None:
    try:
        return process.ppid()
    except psutil.NoSuchProcess:
        return None


@pytest.fixture
def start(tmp_path: Path):
    """Start ``sim ARGS`` in ``tmp_path``; everything it started is killed afterwards."""
    started: list[Sim] = []

    def _start(*args: str | Path) -> Sim:
        started.append(Sim(tmp_path, *args))
        return started[-1]

    yield _start
    for sim in started:
        sim.stop_everything()


def compare_args(out: Path) -> list[str | Path]:
    """A two-scenario comparison long enough to be killed mid-flight (~15 s on 2 cores)."""
    return ["compare", BASELINE, SCENARIOS / "coordinated_ips.toml", *MID_FLIGHT, "--out", out]


@pytest.mark.slow
def test_sigkill_of_compare_leaves_no_process(start, tmp_path: Path) -> None:
    sim = start(*compare_args(tmp_path / "out"))
    sim.wait_for_workers()
    time.sleep(1.0)  # the runs are under way
    assert sim.signal(signal.SIGKILL) == -signal.SIGKILL
    assert sim.survivors() == []
    # a SIGKILL leaves only the tool's hidden scratch, which the next command removes
    from sim.run.ownership import TOOL_NAME, unrecorded

    out = tmp_path / "out"
    assert all(TOOL_NAME.match(p.name) for p in out.iterdir()) and unrecorded(out) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_interrupted_compare_stops_its_workers(start, tmp_path: Path, signum, code) -> None:
    sim = start(*compare_args(tmp_path / "out"))
    sim.wait_for_workers()
    time.sleep(1.0)
    started = time.monotonic()
    assert sim.signal(signum) == code
    assert time.monotonic() - started < GRACE_S  # it does not wait for the runs in flight
    assert sim.survivors() == []
    assert sim.stderr.splitlines() == ["sim: interrupted"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stderr.txt", "stdout.txt"]


@pytest.fixture
def batch_file(tmp_path: Path) -> Path:
    """Six short runs: the first ones finish while the later ones still run."""
    path = tmp_path / "batch.toml"
    path.write_text(f'scenarios = ["{BASELINE}"]\nreps = 6\nyears = 2\nscale = 0.1\n')
    return path


def _run_files(out: Path) -> list[Path]:
    return sorted((out / "runs").glob("*__r*.parquet"))


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_batch_keeps_its_finished_runs(start, tmp_path, batch_file, signum) -> None:
    out = tmp_path / "out"
    sim = start("batch", batch_file, "--workers", "2", "--quiet", "--out", out)
    sim.wait_for_workers()
    sim.wait_for(lambda: _run_files(out), "finished run")
    code = sim.signal(signum)
    assert sim.survivors() == []
    kept = _run_files(out)
    assert 1 <= len(kept) < 6
    if signum == signal.SIGINT:
        assert code == 130
        runs = out / "runs"
        assert sim.stderr.splitlines() == [
            f"sim: interrupted; finished runs kept in {runs} for --resume"
        ]
    resumed = start("batch", batch_file, "--workers", "2", "--quiet", "--out", out, "--resume")
    assert resumed.proc.wait(timeout=300) == 0, resumed.stderr
    assert [p for p in kept if p.exists()] == kept  # the finished runs were used, not redone
    assert len(_run_files(out)) == 6


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "code"),
    [(signal.SIGKILL, -signal.SIGKILL), (signal.SIGTERM, 0)],
    ids=["SIGKILL", "SIGTERM"],
)
def test_dashboard_server_ends_with_the_command(start, tmp_path: Path, signum, code) -> None:
    pytest.importorskip("solara", reason="the dashboard extra is not installed")
    sim = start("dashboard", BASELINE, "--port", "0")
    out = tmp_path / "stdout.txt"
    sim.wait_for(lambda: "http://" in out.read_text(), "address printed")
    port = int(out.read_text().split(":")[-1].split("/")[0])
    sim.wait_for(lambda: _listening(port), "server listening")
    assert sim.signal(signum) == code
    assert sim.survivors() == []
    deadline = time.monotonic() + GRACE_S  # the socket closes as the last thread of it ends
    while _listening(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _listening(port)


@pytest.mark.slow
def test_a_finished_command_leaves_no_process(start, tmp_path: Path) -> None:
    args = ["compare", BASELINE, SCENARIOS / "coordinated_ips.toml", "--reps", "2"]
    sim = start(*args, "--workers", "2", "--years", "1", "--scale", "0.05", "--quiet")
    sim.wait_for_workers()
    assert sim.proc.wait(timeout=300) == 0, sim.stderr
    assert sim.survivors() == []


@pytest.mark.slow
def test_workers_ignore_ctrl_c_at_the_terminal(start, tmp_path: Path) -> None:
    """Ctrl-C at a terminal goes to the whole process group: only ``sim`` acts on it."""
    sim = start(*compare_args(tmp_path / "out"))
    sim.wait_for_workers()
    for worker in sim.workers():
        os.kill(worker.pid, signal.SIGINT)
    time.sleep(1.0)
    assert all(_alive(w) for w in sim.workers())
    assert sim.signal(signal.SIGINT) == 130
    assert sim.survivors() == []
    assert sim.stderr.splitlines() == ["sim: interrupted"]


# -- the pieces, quickly ------------------------------------------------------------------
def _sleeper(tmp_path: Path, line: Lifeline) -> subprocess.Popen:
    """``python -m sim.run.lifeline FD sleeper``: a module that would sleep for a minute."""
    (tmp_path / "sleeper.py").write_text("import time\ntime.sleep(60)\n")
    cmd = [sys.executable, "-m", "sim.run.lifeline", str(line.fd), "sleeper"]
    return subprocess.Popen(cmd, cwd=tmp_path, env=env(), pass_fds=(line.fd,))


def test_a_child_on_a_lifeline_exits_when_it_is_cut(tmp_path: Path) -> None:
    line = Lifeline()
    child = _sleeper(tmp_path, line)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(timeout=1.0)  # running (the module sleeps)
        line.cut()
        assert child.wait(timeout=GRACE_S) == GONE_EXIT_CODE
    finally:
        line.close()
        child.kill()
        child.wait()


def test_a_lifeline_cut_before_the_child_starts_ends_it_at_once(tmp_path: Path) -> None:
    """The parent may die before the child watches: the pipe is then already at its end."""
    line = Lifeline()
    child = _sleeper(tmp_path, line)
    line.close()
    try:
        assert child.wait(timeout=30) == GONE_EXIT_CODE
    finally:
        child.kill()
        child.wait()


BUSY_S = 120.0  # how long a busy worker sleeps: leaving the pool must not wait for it


def _busy(folder: str) -> None:
    """In a pool worker: note this process's id and its Ctrl-C handler, then sleep."""
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    Path(folder, str(os.getpid())).write_text("ignored" if ignored else "handled")
    time.sleep(BUSY_S)


def test_leaving_the_pool_on_an_error_stops_busy_workers_at_once(tmp_path: Path) -> None:
    """An error (or Ctrl-C) in the loop: the workers go now, not after the runs in flight."""
    started = time.monotonic()
    with (
        pytest.raises(RuntimeError, match="in the loop"),
        Workers("local-processes", 2, True) as pool,
    ):
        for _ in range(2):
            pool.executor.submit(_busy, str(tmp_path))
        while len(list(tmp_path.iterdir())) < 2:
            time.sleep(0.05)
        workers = [psutil.Process(int(p.name)) for p in tmp_path.iterdir()]
        raise RuntimeError("in the loop")
    assert time.monotonic() - started < BUSY_S  # it did not wait for the sleeps to end
    assert [p.read_text() for p in tmp_path.iterdir()] == ["ignored", "ignored"]
    deadline = time.monotonic() + GRACE_S
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers)


def test_a_refusing_file_system_ends_the_loop_instead_of_failing_a_run(tmp_path: Path) -> None:
    from sim.core.scenario import load_scenario
    from sim.run.execute import RunTask, _outcome, refused_by_storage
    from sim.run.runner import RunSpec

    spec = RunSpec(load_scenario(BASELINE), 0, 11, years=1, scale=0.02, monthly=False)
    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.parquet"))
    assert refused_by_storage(full) and not refused_by_storage(OSError(errno.EPIPE, "pipe"))
    dead: cf.Future = cf.Future()
    dead.set_exception(full)
    with pytest.raises(OSError, match="No space left"):
        _outcome(dead, RunTask(spec, str(tmp_path)))


def test_sigterm_during_a_command_is_one_line_and_handlers_come_back(monkeypatch, capsys):
    from sim.cli.main import main

    def terminated(args) -> int:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises before this ends
        return 0

    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    monkeypatch.setattr("sim.cli.run.main", terminated)
    assert main(["run", str(BASELINE)]) == 143
    assert capsys.readouterr().err == "sim: interrupted\n"
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
