"""Hostile inputs and faults at the top of the command line: plugins, executors, the dashboard's
address, option syntax, a full or refusing file system, and interrupts.

Each case runs ``sim`` in a child process (see ``hostile.py``) and asserts its exit code, one
line on stderr on exit 2 (130/143 when interrupted), no traceback, and that nothing was
written below the case's folder.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BASELINE, SCENARIOS
from hostile import QUICK, Outcome, assert_clean, assert_refused, env, sim, snapshot

IPS = SCENARIOS / "coordinated_ips.toml"


def compare(tmp_path: Path, *options: str) -> list[str | Path]:
    """``compare BASELINE IPS`` into ``tmp_path/out``, quick, with ``options``."""
    return ["compare", BASELINE, IPS, *QUICK, "--out", tmp_path / "out", *options]


def refused_with_nothing_written(tmp_path: Path, *args, mentions: str, **kw) -> Outcome:
    """Run ``sim ARGS`` in ``tmp_path``: exit 2, one line naming ``mentions``, no new file."""
    before = files(tmp_path)
    outcome = sim(*args, cwd=tmp_path, **kw)
    assert_refused(outcome, mentions=mentions)
    assert files(tmp_path) == before
    return outcome


def files(folder: Path) -> dict:
    """:func:`hostile.snapshot` without Python's bytecode cache of a plugin file."""
    return {k: v for k, v in snapshot(folder).items() if "__pycache__" not in k}


# -- plugins ------------------------------------------------------------------------------
PLUGINS = {
    "plugin-raises": ('raise RuntimeError("capacity table missing")\n', "RuntimeError"),
    "plugin-syntax-error": ("def broken(:\n    pass\n", "SyntaxError"),
    "plugin-calls-exit": ("import sys\nsys.exit(3)\n", "SystemExit"),
    "plugin-null-bytes": ("x = 1\0\n", "null bytes"),
    "plugin-imports-missing-module": ("import no_such_dependency_xyz\n", "no_such_dependency"),
    # the message's newline is shown escaped (sim.errors.InputError), so it stays one line
    "plugin-raises-multiline": ('raise ValueError("first\\nsecond")\n', r"first\nsecond"),
}


@pytest.mark.parametrize("case", PLUGINS, ids=list(PLUGINS))
def test_broken_plugin_file_is_named(tmp_path: Path, case: str) -> None:
    text, what = PLUGINS[case]
    plugin = tmp_path / "clubhouse.py"
    plugin.write_text(text)
    outcome = refused_with_nothing_written(
        tmp_path, "--plugin", plugin, *compare(tmp_path), mentions=str(plugin)
    )
    assert what in outcome.lines[0]


@pytest.mark.parametrize(
    ("ref", "mentions"),
    [
        ("missing.py", "no such file"),
        ("plugins/", "a folder"),
        ("..bad..name", "not a module name"),
        ("no_such_plugin_module_xyz", "No module named"),
    ],
    ids=[
        "plugin-file-missing",
        "plugin-is-a-folder",
        "plugin-bad-module-name",
        "plugin-not-found",
    ],
)
def test_unusable_plugin_reference(tmp_path: Path, ref: str, mentions: str) -> None:
    (tmp_path / "plugins").mkdir()
    refused_with_nothing_written(tmp_path, "--plugin", ref, *compare(tmp_path), mentions=mentions)


def test_entry_point_plugin_that_raises_is_named(tmp_path: Path) -> None:
    """An installed package's ``sim.services`` entry point that fails at import (case
    ``entry-point-raises``): found through a ``.dist-info`` folder on the path (the child's
    working folder is on ``sys.path`` under ``python -m``)."""
    dist = tmp_path / "brokenplug-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: brokenplug\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[sim.services]\nbroken = brokenplug_mod\n")
    (tmp_path / "brokenplug_mod.py").write_text('raise ImportError("needs libfoo")\n')
    outcome = refused_with_nothing_written(
        tmp_path, *compare(tmp_path), mentions="broken = brokenplug_mod"
    )
    assert "needs libfoo" in outcome.lines[0]


# -- executors ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("options", "mentions"),
    [
        (["--workers", "0"], "--workers"),
        (["--workers", "-3"], "--workers"),
        (["--workers", "100000"], "--workers: at most"),
        (["--workers", str(10**30)], "--workers: at most"),
        (["--scheduler", "garbage"], "--scheduler garbage"),
        (["--scheduler", "foo://host:8786"], "--scheduler foo://host:8786"),
        (["--scheduler", "tcp://127.0.0.1:99999"], "port 99999"),
        (["--scheduler", "tcp://no.such.host.invalid:8786"], "cannot resolve"),
    ],
    ids=[
        "workers-zero",
        "workers-negative",
        "workers-huge",
        "workers-beyond-64-bits",
        "scheduler-garbage",
        "scheduler-unknown-scheme",
        "scheduler-port-out-of-range",
        "scheduler-host-unresolvable",
    ],
)
def test_bad_executor_option(tmp_path: Path, options: list[str], mentions: str) -> None:
    outcome = refused_with_nothing_written(
        tmp_path, *compare(tmp_path, *options), mentions=mentions
    )
    assert "cannot connect" not in outcome.stderr  # refused by the check, not a connect timeout


def test_bad_scheduler_address_in_the_environment_is_named(tmp_path: Path) -> None:
    """Case ``scheduler-env-garbage``: ``DASK_SCHEDULER_ADDRESS`` is named, not --scheduler."""
    before = files(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "sim", *map(str, compare(tmp_path))],
        cwd=tmp_path,
        env={**env(), "DASK_SCHEDULER_ADDRESS": "not an address"},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert_refused(Outcome(proc.returncode, proc.stdout, proc.stderr), mentions="DASK_SCHEDULER")
    assert files(tmp_path) == before


# -- the dashboard's address --------------------------------------------------------------
@pytest.fixture
def busy_port():
    """A port something else listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


@pytest.mark.parametrize(
    ("host", "mentions"),
    [
        ("no.such.host.invalid", "--host 'no.such.host.invalid': cannot resolve"),
        ("203.0.113.7", "--host '203.0.113.7': cannot serve there"),  # TEST-NET-3, not here
        ("", "--host '': cannot resolve"),
        ("a" * 300, "cannot resolve"),
    ],
    ids=["host-unresolvable", "host-not-here", "host-empty", "host-too-long"],
)
def test_dashboard_bad_host_exits_before_serving(tmp_path: Path, host: str, mentions: str) -> None:
    pytest.importorskip("solara", reason="the dashboard extra is not installed")
    refused_with_nothing_written(
        tmp_path, "dashboard", BASELINE, "--host", host, "--port", "0", mentions=mentions
    )


def test_dashboard_port_in_use(tmp_path: Path, busy_port: int) -> None:
    """Case ``port-in-use``."""
    pytest.importorskip("solara", reason="the dashboard extra is not installed")
    refused_with_nothing_written(
        tmp_path, "dashboard", BASELINE, "--port", str(busy_port), mentions=f"--port {busy_port}"
    )


# -- option syntax ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        ([], "required: command"),
        (["simulate"], "invalid choice: 'simulate'"),
        (["run", BASELINE, "--bogus"], "unrecognized arguments: --bogus"),
        (["run", BASELINE, "--years", "many"], "--years: invalid int value"),
        (["compare"], "required: scenarios"),
        (["--plugin"], "--plugin: expected one argument"),
    ],
    ids=[
        "no-subcommand",
        "unknown-subcommand",
        "unknown-option",
        "not-an-integer",
        "missing-argument",
        "option-without-value",
    ],
)
def test_bad_command_line_is_one_line(tmp_path: Path, args: list, mentions: str) -> None:
    outcome = refused_with_nothing_written(tmp_path, *args, mentions=mentions)
    assert "--help" in outcome.lines[0]  # where to look next


def test_help_is_clean(tmp_path: Path) -> None:
    """Case ``help``: exit 0, the usage on stdout, nothing on stderr."""
    outcome = sim("run", "--help", cwd=tmp_path)
    assert_clean(outcome, codes=(0,))
    assert outcome.stdout.startswith("usage: sim run") and not outcome.stderr


# -- a file system that refuses -----------------------------------------------------------
FULL_DISK = f"""
import errno, os
import pyarrow.parquet as pq

def write_table(table, where, *args, **kwargs):
    raise OSError({errno.ENOSPC}, os.strerror({errno.ENOSPC}), str(where))

pq.write_table = write_table
"""


@pytest.mark.parametrize("command", ["run", "compare"], ids=["disk-full-run", "disk-full-compare"])
def test_full_disk_is_one_line_naming_the_file(tmp_path: Path, command: str) -> None:
    """Every Parquet write fails with ENOSPC (a plugin injects it): exit 2, no partial result."""
    fault = tmp_path / "full_disk.py"
    fault.write_text(FULL_DISK)
    args = [command, BASELINE] if command == "run" else [command, BASELINE, IPS, "--workers", "1"]
    outcome = refused_with_nothing_written(
        tmp_path,
        "--plugin",
        fault,
        *args,
        *QUICK,
        "--out",
        tmp_path / "out",
        mentions="No space left on device",
    )
    assert str(tmp_path) in outcome.lines[0]  # the file it could not write


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux sysfs")
def test_out_where_nothing_may_be_written(tmp_path: Path) -> None:
    """Case ``out-in-sysfs``: sysfs refuses new folders even to root."""
    out = Path("/sys/kernel/sim-results")
    outcome = sim("run", BASELINE, *QUICK, "--out", out, cwd=tmp_path)
    assert_refused(outcome, mentions="/sys/kernel")
    assert not out.exists()


# -- interrupts ---------------------------------------------------------------------------
def interrupted(tmp_path: Path, signum: int, *args, after: float = 3.0) -> Outcome:
    """Start ``sim ARGS``, send ``signum`` to it ``after`` seconds later, wait for its end."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *map(str, args)],
        cwd=tmp_path,
        env=env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(after)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    return Outcome(proc.returncode, out, err)


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"]
)
def test_interrupted_run_is_one_line(tmp_path: Path, signum: int, code: int) -> None:
    """A run long enough to be mid-simulation: exit 130/143, one line, nothing written."""
    args = [
        "run",
        BASELINE,
        "--years",
        "15",
        "--scale",
        "0.5",
        "--quiet",
        "--out",
        tmp_path / "out",
    ]
    outcome = interrupted(tmp_path, signum, *args)
    assert outcome.code == code, outcome.stderr[-2000:]
    assert "Traceback" not in outcome.stderr
    assert outcome.lines == ["sim: interrupted"]
    assert os.listdir(tmp_path) == []


def test_stdout_closed_before_the_summary(tmp_path: Path) -> None:
    """Case ``stdout-closed`` (``sim run ... | head -0``): exit 141 quietly, results kept."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "run", str(BASELINE), *QUICK[:4], "--out", "out"],
        cwd=tmp_path,
        env=env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    proc.stdout.close()  # nobody reads the summary
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err and "Exception ignored" not in err and "error" not in err
    assert (tmp_path / "out" / "manifest.json").exists()


def test_dashboard_start_year_zero_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("solara", reason="the dashboard extra is not installed")
    refused_with_nothing_written(
        tmp_path, "dashboard", BASELINE, "--start", "0000-01", mentions="--start: the year"
    )
