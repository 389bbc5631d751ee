"""A results folder is the user's data (DESIGN.md, common options; sim/run/resultsdir.py).

A command writes into ``--out`` only when it does not exist, is empty, or holds only what an
earlier result recorded; it checks that before simulating, holds a lock while it runs, swaps
the new result in only when complete, and removes only recorded entries.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BASELINE, write_scenario
from hostile import QUICK, assert_refused, sim, snapshot

from sim.cli.main import main
from sim.run import runner
from sim.run.resultsdir import ResultsFolder, check_out, unrecorded

ROOT = Path(__file__).resolve().parent.parent
RUN = ["run", str(BASELINE), *QUICK]
TRIAL = ["trial", str(BASELINE), "--years", "2", "--months", "6", "--window", "6"]
TRIAL += ["--scale", "0.02", "--quiet"]


def run_into(out: Path) -> int:
    return main([*RUN, "--out", str(out)])


@pytest.fixture(scope="module")
def earlier(tmp_path_factory) -> Path:
    """One finished ``sim run`` result, copied by the tests that change it."""
    out = tmp_path_factory.mktemp("earlier") / "result"
    assert run_into(out) == 0
    return out


def copy_of(earlier: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "result"
    shutil.copytree(earlier, dest)
    return dest


# -- what may be written --------------------------------------------------------------------
def test_out_in_a_checkout_is_refused_and_nothing_is_touched(tmp_path: Path) -> None:
    """``--out .`` inside a clone used to empty the checkout, .git included."""
    checkout = tmp_path / "clone"
    (checkout / ".git").mkdir(parents=True)
    (checkout / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (checkout / "Makefile").write_text("run:\n")
    before = snapshot(checkout)
    outcome = sim(*RUN, "--out", ".", cwd=checkout)
    assert_refused(outcome, mentions="no sim result recorded")
    assert ".git/" in outcome.lines[0] and "Makefile" in outcome.lines[0]
    assert snapshot(checkout) == before


@pytest.mark.parametrize(
    "command",
    [
        ["compare", str(BASELINE), *QUICK],
        ["batch", str(ROOT / "batches" / "example.toml"), *QUICK],
        [*TRIAL],
        ["calibrate", str(BASELINE), "--budget", "2", *QUICK],
        ["sensitivity", "--n", "2", *QUICK],
    ],
    ids=["compare", "batch", "trial", "calibrate", "sensitivity"],
)
def test_every_simulating_command_refuses_a_user_folder(tmp_path, command) -> None:
    (tmp_path / "mine.txt").write_text("mine\n")
    before = snapshot(tmp_path)
    assert_refused(sim(*command, "--out", tmp_path), mentions="mine.txt")
    assert snapshot(tmp_path) == before


def test_a_folder_of_earlier_results_and_user_files_is_refused(earlier, tmp_path) -> None:
    """``--out results`` used to delete every earlier result in it."""
    results = tmp_path / "results"
    shutil.copytree(earlier, results / "old-run")  # a result inside, not recorded here
    (results / "notes.txt").write_text("mine\n")
    before = snapshot(results)
    outcome = sim(*RUN, "--out", results)
    assert_refused(outcome)
    assert "notes.txt" in outcome.lines[0] and "old-run/" in outcome.lines[0]
    assert snapshot(results) == before


def test_an_earlier_result_is_replaced_and_only_its_files_go(earlier, tmp_path) -> None:
    out = copy_of(earlier, tmp_path)
    (out / "stale.parquet").write_text("x")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"].append("stale.parquet")  # recorded by the earlier result
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert run_into(out) == 0
    assert not (out / "stale.parquet").exists()
    files = json.loads((out / "manifest.json").read_text())["files"]
    assert files == ["manifest.json", "monthly.parquet", "summary.json", "yearly.parquet"]
    assert unrecorded(out) == []


@pytest.mark.slow
def test_twice_in_a_row_works_with_a_report_and_a_sub_result(earlier, tmp_path) -> None:
    """``make run`` twice: a result with files added by report and a sub-result is replaced."""
    out = copy_of(earlier, tmp_path)
    assert main(["report", str(out), "--lang", "en"]) == 0
    assert main(["validate-targets", str(out), "--quiet"]) in (0, 1)
    assert main([*TRIAL, "--out", str(out / "trial")]) == 0
    files = json.loads((out / "manifest.json").read_text())["files"]
    assert {"report-en.html", "report-en-figures/", "targets.csv", "trial/"} <= set(files)
    assert unrecorded(out) == []
    assert run_into(out) == 0
    assert not (out / "trial").exists()  # it belonged to the replaced result
    assert not (out / "report-en.html").exists()
    assert run_into(out) == 0


def test_a_sub_result_stopped_half_way_does_not_block_the_next_run(earlier, tmp_path) -> None:
    """A batch into ``effects/`` that dies after its first run file: ``make run`` still works."""
    out = copy_of(earlier, tmp_path)
    with ResultsFolder(out / "effects") as sub:
        (out / "effects" / "runs").mkdir()
        sub.record(["runs/"], status="running")  # what sim batch does before its first run
        (out / "effects" / "runs" / "baseline__r0.parquet").write_bytes(b"PAR1")
    # ... and the process ends here, without committing
    assert "effects/" in json.loads((out / "manifest.json").read_text())["files"]
    assert unrecorded(out) == []
    assert run_into(out) == 0
    assert not (out / "effects").exists()  # it belonged to the replaced result


def test_a_user_file_inside_a_recorded_sub_result_protects_it(earlier, tmp_path) -> None:
    out = copy_of(earlier, tmp_path)
    assert main([*TRIAL, "--out", str(out / "trial")]) == 0
    (out / "trial" / "my-notes.md").write_text("keep me\n")
    with pytest.raises(Exception, match="trial/my-notes.md"):
        check_out(out)
    assert run_into(out) == 2
    assert (out / "trial" / "my-notes.md").read_text() == "keep me\n"


def test_out_that_is_a_file_or_the_scenario_itself_is_refused(tmp_path) -> None:
    scenario = write_scenario(tmp_path / "s.toml")
    text = scenario.read_text()
    assert_refused(sim("run", scenario, *QUICK, "--out", scenario), mentions="is a file")
    assert scenario.read_text() == text
    assert_refused(sim("run", scenario, *QUICK, "--out", scenario / "sub"), mentions="is a file")


def test_an_unwritable_parent_is_refused_before_simulating(tmp_path, monkeypatch) -> None:
    """Injected: the parent reports itself not writable (root ignores permission bits)."""
    import sim.run.ownership as ownership

    monkeypatch.setattr(ownership, "_writable", lambda folder: False)
    monkeypatch.setattr(runner, "run_one", pytest.fail)  # must not simulate
    assert run_into(tmp_path / "new") == 2
    assert not (tmp_path / "new").exists()


def test_a_read_only_mount_is_refused_before_simulating(tmp_path) -> None:
    """A real read-only file system (tmpfs mounted read-only; needs root, as in CI)."""
    mount = tmp_path / "ro"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(mount)])
    if made.returncode != 0:
        pytest.skip("mounting needs root")  # CI runs as root, so this runs there
    try:
        assert_refused(sim(*RUN, "--out", mount / "out"), mentions="not writable")
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_manifest_of_another_tool_does_not_make_its_files_ours(tmp_path) -> None:
    """A folder whose manifest.json lists files, written by another program, is the user's."""
    folder = tmp_path / "dataset"
    (folder / "photos").mkdir(parents=True)
    (folder / "photos" / "1.jpg").write_text("jpg")
    (folder / "data.csv").write_text("a,b\n")
    (folder / "manifest.json").write_text(json.dumps({"files": ["data.csv", "photos/"]}))
    before = snapshot(folder)
    assert_refused(sim(*RUN, "--out", folder), mentions="data.csv")
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    "inside", [pytest.param("report-en-figures", marks=pytest.mark.slow), "runs"]
)  # the first builds a report
def test_a_user_file_inside_a_recorded_folder_is_refused(earlier, tmp_path, inside) -> None:
    out = copy_of(earlier, tmp_path)
    if inside == "runs":
        (out / "runs").mkdir()
        (out / "runs" / "baseline__r0.parquet").write_text("run")
        manifest = json.loads((out / "manifest.json").read_text())
        (out / "manifest.json").write_text(
            json.dumps({**manifest, "files": [*manifest["files"], "runs/"]})
        )
    else:
        assert main(["report", str(out), "--lang", "en"]) == 0
    (out / inside / "mynotes.txt").write_text("keep\n")
    assert_refused(sim(*RUN, "--out", out), mentions=f"{inside}/mynotes.txt")
    assert (out / inside / "mynotes.txt").read_text() == "keep\n"


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "dot-dot-entry"])
def test_a_manifest_that_is_no_file_or_names_no_entry_is_refused(tmp_path, kind) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "yearly.parquet").write_text("x")
    manifest = folder / "manifest.json"
    if kind == "fifo":
        os.mkfifo(manifest)
    elif kind == "dev-zero":
        manifest.symlink_to("/dev/zero")
    else:
        manifest.write_text(json.dumps({"generator": "trondelag-neet-sim", "files": ["..", "./"]}))
    outcome = sim(*RUN, "--out", folder, timeout=60)
    assert_refused(outcome, mentions="no sim result recorded")
    assert "yearly.parquet" in outcome.lines[0]


def test_a_result_of_an_earlier_version_is_replaced(earlier, tmp_path) -> None:
    """Results made before ``files`` and ``generator`` existed are still the tool's own."""
    out = copy_of(earlier, tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("files", "generator"):
        manifest.pop(key)
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "report-nb.html").write_text("<!DOCTYPE html>")
    assert unrecorded(out) == []
    assert run_into(out) == 0
    assert not (out / "report-nb.html").exists()


def test_a_live_commands_hidden_folder_is_left_alone(earlier, tmp_path) -> None:
    """Only hidden entries of processes that are gone are stale (a live report's stay)."""
    out = copy_of(earlier, tmp_path)
    live = out / f".sim-report-{os.getppid()}-abcdefgh"  # pytest's parent is alive
    live.mkdir()
    assert run_into(out) == 0
    assert live.is_dir()


# -- replacing only when complete ------------------------------------------------------------
def test_a_failed_run_leaves_the_earlier_result_as_it_was(earlier, tmp_path, monkeypatch):
    out = copy_of(earlier, tmp_path)
    before = snapshot(out)

    def broken(*args, **kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(runner, "run_one", broken)
    assert main([*RUN, "--out", str(out)]) == 1
    assert snapshot(out) == before  # nothing replaced, no staging or scratch left


def test_a_failed_run_into_a_new_folder_leaves_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(runner, "run_one", lambda *a, **k: 1 / 0)
    assert main([*RUN, "--out", str(tmp_path / "new")]) == 1
    assert not (tmp_path / "new").exists()


def dead_pid() -> int:
    """The pid of a process that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_staging_of_a_killed_command_is_cleaned(earlier, tmp_path) -> None:
    out = copy_of(earlier, tmp_path)
    gone = dead_pid()
    for name in (f".staging-{gone}-deadbeef", f".runs-{gone}-0badf00d", f".trash-{gone}-01234567"):
        (out / name).mkdir()
        (out / name / "half.parquet").write_text("x")
    (out / f".yearly.parquet.{gone}.abcdef01.tmp").write_text("x")
    assert unrecorded(out) == []  # the tool's own leftovers never block
    assert run_into(out) == 0
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


# -- the lock ----------------------------------------------------------------------------------
def hold_lock(folder: Path) -> subprocess.Popen:
    """Another process that holds the folder's lock until it is killed."""
    code = (
        "import fcntl, os, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(120)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"held"
    return proc


def test_a_folder_being_written_is_refused(earlier, tmp_path) -> None:
    """``--out`` at a running command's folder used to delete its runs while it wrote."""
    out = copy_of(earlier, tmp_path)
    holder = hold_lock(out)
    try:
        before = snapshot(out)
        assert_refused(sim(*RUN, "--out", out), mentions="another sim command")
        assert_refused(sim("report", out), mentions="another sim command")
        assert snapshot(out) == before
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_whose_holder_was_killed_is_taken_over(earlier, tmp_path) -> None:
    out = copy_of(earlier, tmp_path)
    holder = hold_lock(out)
    holder.kill()  # SIGKILL: the kernel releases the lock with the process
    holder.wait()
    assert run_into(out) == 0


# -- permissions -------------------------------------------------------------------------------
def test_results_get_the_users_normal_permissions(tmp_path) -> None:
    old = os.umask(0o022)
    try:
        with ResultsFolder(tmp_path / "new") as folder:
            folder.write({"manifest.json": {"package_version": "x"}, "a.json": {"x": 1}})
    finally:
        os.umask(old)
    for path in (tmp_path / "new", tmp_path / "new" / "a.json"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o044 == 0o044, oct(mode)  # readable by group and others, as umask says


def test_where_a_folder_cannot_be_locked_a_lock_file_is_used(tmp_path, monkeypatch) -> None:
    """NFS emulates flock with byte-range locks, which a folder opened read-only cannot take."""
    import errno

    import sim.run.resultsdir as resultsdir

    real = resultsdir.fcntl.flock

    def no_folder_locks(fd, op):
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOLCK, "No locks available")
        return real(fd, op)

    monkeypatch.setattr(resultsdir.fcntl, "flock", no_folder_locks)
    first = resultsdir.lock(tmp_path)
    assert (tmp_path / ".sim.lock").exists()
    with pytest.raises(Exception, match="another sim command"):
        resultsdir.lock(tmp_path)
    first.close()
    resultsdir.lock(tmp_path).close()
    assert unrecorded(tmp_path) == []  # the lock file is the tool's own


def test_a_half_replaced_result_is_not_read(earlier, tmp_path) -> None:
    out = copy_of(earlier, tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "status": "being replaced"}))
    assert_refused(sim("report", out), mentions="did not finish")
    assert_refused(sim("validate-targets", out), mentions="did not finish")
    assert run_into(out) == 0  # a new result replaces it


@pytest.mark.slow
def test_a_user_figure_in_the_report_folder_stays_the_users(earlier, tmp_path) -> None:
    out = copy_of(earlier, tmp_path)
    (out / "report-en-figures").mkdir()
    (out / "report-en-figures" / "my-chart.png").write_text("mine")
    assert main(["report", str(out), "--lang", "en"]) == 0
    files = json.loads((out / "manifest.json").read_text())["files"]
    assert "report-en-figures/my-chart.png" not in files
    assert any(f.startswith("report-en-figures/") for f in files)
    assert unrecorded(out) == ["report-en-figures/my-chart.png"]
