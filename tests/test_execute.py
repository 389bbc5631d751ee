"""Executors: in-process, a local process pool and Dask give byte-identical tables."""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.core.scenario import load_scenario
from sim.run import runner
from sim.run.execute import RunTask, run_task, tasks_for
from sim.run.executors import Workers, choose
from sim.run.progress import Progress
from sim.run.runfiles import read_meta, yearly_path
from sim.run.runner import RunSpec, replicate_seeds

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
QUICK = ["--scale", "0.02", "--years", "1", "--quiet"]
TABLES = ["yearly.parquet", "paired.parquet", "summary.json"]


@pytest.fixture
def batch_file(tmp_path: Path) -> Path:
    """Two scenarios (baseline and less handover loss), two replicates."""
    (tmp_path / "less_loss.toml").write_text(
        'name = { nb = "Mindre tap", en = "Less loss" }\n'
        'description = { nb = "Test", en = "Test" }\n'
        f'extends = "{BASELINE}"\n[params]\nhandover_loss = 0.05\n',
        encoding="utf-8",
    )
    path = tmp_path / "two.toml"
    path.write_text(
        f'scenarios = ["{BASELINE}", "less_loss.toml"]\nreps = 2\nseed = 7\n', encoding="utf-8"
    )
    return path


def same_files(a: Path, b: Path, names: list[str]) -> None:
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def batch(path: Path, out: Path, *options: str) -> int:
    return main(["batch", str(path), "--out", str(out), *options, *QUICK])


def test_local_pool_and_dask_give_identical_tables(batch_file: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    # 2 scenarios x 2 replicates: every executor runs each replicate's pair as one task,
    # sharing its warm-up (test_compare_on_two_workers_matches_batch_on_one: ungrouped)
    assert batch(batch_file, tmp_path / "w1", "--workers", "1") == 0
    assert batch(batch_file, tmp_path / "w2", "--workers", "2") == 0
    with LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        dashboard_address="127.0.0.1:0",  # loopback only
        worker_dashboard_address="127.0.0.1:0",
    ) as cluster:
        address = cluster.scheduler_address
        assert batch(batch_file, tmp_path / "dask", "--scheduler", address) == 0
    same_files(tmp_path / "w1", tmp_path / "w2", TABLES)
    same_files(tmp_path / "w1", tmp_path / "dask", TABLES)
    manifests = [json.loads((tmp_path / d / "manifest.json").read_text()) for d in ("w2", "dask")]
    assert [(m["executor"], m["workers"]) for m in manifests] == [
        ("local-processes", 2),
        ("dask", 2),
    ]


def test_compare_on_two_workers_matches_batch_on_one(batch_file: Path, tmp_path: Path) -> None:
    scenarios = [str(BASELINE), str(batch_file.parent / "less_loss.toml")]
    out = tmp_path / "compare"
    common = ["--reps", "1", "--seed", "7", "--no-monthly", "--workers", "2", *QUICK]
    assert main(["compare", *scenarios, *common, "--out", str(out)]) == 0
    assert batch(batch_file, tmp_path / "batch", "--workers", "1", "--reps", "1") == 0
    same_files(out, tmp_path / "batch", TABLES)  # the same executors and seeds everywhere
    assert json.loads((out / "manifest.json").read_text())["executor"] == "local-processes"
    assert not list(tmp_path.glob(".compare*"))  # the temporary runs folder is gone


def test_seed_column_follows_the_design_contract(tmp_path: Path) -> None:
    import pandas as pd

    out = tmp_path / "run"
    args = ["run", str(BASELINE), "--reps", "2", "--seed", "3", "--out", str(out)]
    assert main([*args, *QUICK]) == 0
    yearly = pd.read_parquet(out / "yearly.parquet")
    assert sorted(yearly["seed"].unique().tolist()) == sorted(replicate_seeds(3, 2))


def test_run_task_writes_or_returns_tables(tmp_path: Path) -> None:
    spec = RunSpec(load_scenario(BASELINE), 0, 11, years=1, scale=0.02, monthly=False)
    [kept] = run_task(RunTask(spec))
    assert kept.ok and kept.result is not None and not list(tmp_path.iterdir())
    [written] = run_task(RunTask(spec, str(tmp_path)))
    assert written.ok and written.result is None
    meta = read_meta(yearly_path(tmp_path, "baseline", 0))
    assert meta["youth_months"] == written.youth_months > 0
    assert set(meta["timing"]) == {"build_s", "simulate_s"}


def test_a_run_that_raises_is_recorded_and_the_others_finish(
    batch_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    real = runner.run_one

    def flaky(spec: RunSpec, **options):
        if spec.name == "less_loss" and spec.replicate == 1:
            raise RuntimeError("boom in the model")
        return real(spec, **options)

    monkeypatch.setattr(runner, "run_one", flaky)
    out = tmp_path / "out"
    assert batch(batch_file, out, "--workers", "1") == 1
    failures = json.loads((out / "failures.json").read_text())["failures"]
    assert [(f["scenario"], f["replicate"]) for f in failures] == [("less_loss", 1)]
    assert "boom in the model" in failures[0]["traceback"]
    assert failures[0]["seed"] == replicate_seeds(7, 2)[1]
    assert len(list((out / "runs").glob("*__r*.parquet"))) == 3
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["failures"][0]["scenario"] == "less_loss"
    assert "less_loss r1" in capsys.readouterr().err
    # --resume reruns only the failed run, now that it works
    monkeypatch.setattr(runner, "run_one", real)
    assert batch(batch_file, out, "--resume", "--workers", "1") == 0
    assert json.loads((out / "failures.json").read_text()) == {"failures": []}


def test_choose_picks_the_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    assert choose(1, None, 10).kind == "in-process"
    assert choose(4, None, 1).kind == "in-process"  # never more workers than runs
    pool = choose(2, None, 10)
    assert (pool.kind, pool.workers, pool.window) == ("local-processes", 2, 4)
    assert choose(None, None, 100).workers == min(os.cpu_count() or 1, 100)


def test_unreachable_scheduler_is_bad_input(
    batch_file: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sim.run.executors.CONNECT_TIMEOUT_S", 1.0)
    out = tmp_path / "out"
    args = ["batch", str(batch_file), "--scheduler", "tcp://127.0.0.1:1", "--out", str(out)]
    assert main([*args, *QUICK]) == 2
    assert "--scheduler" in capsys.readouterr().err
    assert not out.exists()


def test_progress_prints_plain_lines_when_not_a_terminal(capsys) -> None:
    import sys

    progress = Progress(2, skipped=1, stream=sys.stdout)
    progress.start()
    progress.update("baseline", 0, True)
    progress.update("baseline", 1, False)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2 runs to do (1 already finished)"
    assert lines[1].startswith("[1/2] baseline r0 ok; elapsed")
    assert "FAILED" in lines[2] and "1 failed" in lines[2]


def test_in_process_executor_hands_back_exceptions() -> None:
    with Workers("in-process", 1, writes_in_worker=True) as pool:
        future = pool.executor.submit(int, "not a number")
        assert isinstance(future.exception(), ValueError)


def test_a_pool_whose_worker_was_killed_is_replaced(tmp_path: Path) -> None:
    spec = RunSpec(load_scenario(BASELINE), 0, 11, years=1, scale=0.02, monthly=False)
    with Workers("local-processes", 2, writes_in_worker=True) as pool:
        dead = pool.executor.submit(os._exit, 1)  # the worker process dies
        with pytest.raises(Exception, match="terminated abruptly"):
            dead.result()
        [record] = pool.submit(run_task, RunTask(spec, str(tmp_path))).result()
    assert record.ok and yearly_path(tmp_path, "baseline", 0).exists()


def test_a_replicates_scenarios_share_one_task() -> None:
    """Scenarios of one replicate share a warm-up, so they go to one worker together."""
    base = load_scenario(BASELINE)
    alt = replace(base, overrides={**base.overrides, "handover_loss": 0.05})
    seeds = replicate_seeds(1, 3)
    specs = [
        RunSpec(sc, r, seeds[r], 1, 0.02, label=lab)
        for r in range(3)
        for lab, sc in (("a", base), ("b", alt))
    ]
    tasks = tasks_for(specs, workers=2, runs_dir=None, plugins=())
    assert [[(s.name, s.replicate) for s in t.specs] for t in tasks] == [
        [("a", r), ("b", r)] for r in range(3)
    ]
    # one replicate, many variants: split so that both workers get work
    many = [RunSpec(alt, 0, seeds[0], 1, 0.02, label=f"v{i}") for i in range(8)]
    assert [len(t.specs) for t in tasks_for(many, workers=2, runs_dir=None, plugins=())] == [4, 4]


def test_a_dead_worker_s_unwritten_runs_are_retried_once(tmp_path: Path) -> None:
    from sim.run.execute import _outcome
    from sim.run.runfiles import write_run

    specs = tuple(
        RunSpec(load_scenario(BASELINE), r, 11 + r, years=1, scale=0.02, monthly=False)
        for r in range(2)
    )
    write_run(tmp_path, "baseline", 0, runner.run_one(specs[0]))  # written before the crash
    dead: cf.Future = cf.Future()
    dead.set_exception(RuntimeError("worker died"))
    records, again = _outcome(dead, RunTask(specs, str(tmp_path)))
    assert [(r.replicate, r.ok) for r in records] == [(0, True)]
    assert [(t.specs, t.retried) for t in again] == [((specs[1],), True)]
    records, again = _outcome(dead, again[0])  # died again: now it is a failure
    assert [(r.replicate, r.ok) for r in records] == [(1, False)] and not again
    assert "worker died" in records[0].error


def test_a_run_that_kills_its_worker_fails_alone() -> None:
    """A crash fails every task in flight; reruns go alone, so only the culprit fails.

    The pool here imitates a local process pool: a task fails if any task crashed the
    pool while it ran (as ``BrokenProcessPool`` fails every future in flight).
    """
    import threading
    import time

    from sim.run.execute import _record, run_all

    sc = load_scenario(BASELINE)
    specs = [RunSpec(sc, r, 100 + r, 1, 0.02, label=lab) for r in range(4) for lab in "ab"]
    culprit = specs[3]
    lock, state = threading.Lock(), {"crashes": 0}

    def run(task: RunTask) -> list:
        with lock:
            seen = state["crashes"]
        time.sleep(0.05)
        if culprit in task.specs:
            with lock:
                state["crashes"] += 1
            raise RuntimeError("worker process died")
        time.sleep(0.05)
        with lock:
            if state["crashes"] != seen:
                raise RuntimeError("pool broken by another run")
        return [_record(spec, ok=True) for spec in task.specs]

    class Pool:
        window = 4

        def __init__(self) -> None:
            self.executor = cf.ThreadPoolExecutor(4)

        def submit(self, fn, task: RunTask) -> cf.Future:
            return self.executor.submit(run, task)  # ``run`` stands in for ``fn``

    records: list = []
    tasks = tasks_for(specs, workers=2, runs_dir=None, plugins=())
    run_all(tasks, Pool(), records.append)
    assert sorted((r.label, r.replicate) for r in records) == sorted(
        (s.name, s.replicate) for s in specs
    )
    assert [(r.label, r.replicate) for r in records if not r.ok] == [("b", 1)]
