"""Batch files: validation, sweeps, the runs folder, --resume and a killed batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.cli.main import main
from sim.run.batchfile import labelled, load_batch
from sim.run.jobs import load_all
from sim.run.runner import replicate_seeds

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
QUICK = ["--scale", "0.02", "--years", "1", "--quiet", "--workers", "1"]
TABLES = ["yearly.parquet", "paired.parquet", "summary.json"]
HEAD = f'scenarios = ["{BASELINE}"]\n'
ALT = (
    'name = { nb = "Mindre tap", en = "Less loss" }\ndescription = { nb = "T", en = "T" }\n'
    f'extends = "{BASELINE}"\n[params]\nhandover_loss = 0.05\n'
)


def write(tmp_path: Path, text: str, name: str = "batch.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def batch(path: Path, out: Path, *options: str) -> int:
    return main(["batch", str(path), "--out", str(out), *options, *QUICK])


BAD = [
    ("", "file is empty"),
    ("scenarios = [", "TOML syntax error"),
    (HEAD + "repz = 2\n", "repz: unknown key"),
    ("reps = 2\n", "scenarios: required key missing"),
    ('scenarios = "baseline.toml"\n', "scenarios: must be a non-empty list"),
    ('scenarios = ["nowhere.toml"]\n', "scenarios[0]: file not found"),
    (HEAD + 'reps = "2"\n', "reps: must be an integer"),
    (HEAD + "reps = true\n", "reps: must be an integer"),
    (HEAD + "reps = 0\n", "reps: must be 1-"),
    (HEAD + "years = 99\n", "years: must be 1-60"),
    (HEAD + "scale = 0\n", "scale: must be in (0, 20]"),
    (HEAD + 'start = "2024-13"\n', "start: must be a YYYY-MM string"),
    (HEAD + 'monthly = "yes"\n', "monthly: must be true or false"),
    (HEAD + "[[variants]]\nparams = {handover_loss = 0.1}\n", "variants[0].name: required"),
    (HEAD + '[[variants]]\nname = "a/b"\n', "variants[0].name: must be a name"),
    (HEAD + '[[variants]]\nname = "a"\ncolour = 1\n', "variants[0].colour: unknown key"),
    (HEAD + '[[variants]]\nname = "a"\nparams = {nope = 1}\n', "variants[0].params.nope"),
    (HEAD + '[[variants]]\nname = "a"\nparams = {handover_loss = 2}\n', "outside its valid"),
    (HEAD + '[[variants]]\nname = "a"\n[[variants]]\nname = "a"\n', "given twice"),
    (HEAD + "[grid]\nhandover_loss = []\n", "grid.handover_loss: must be a non-empty"),
    (HEAD + "[grid]\nhandover_loss = [0.1, -1]\n", "grid.handover_loss[1]"),
    (HEAD + '[grid]\nhandover_loss = ["x"]\n', "must be a number"),
]


@pytest.mark.parametrize(("text", "problem"), BAD)
def test_bad_batch_files_exit_2_and_write_nothing(
    tmp_path: Path, capsys, text: str, problem: str
) -> None:
    path = write(tmp_path, text)
    out = tmp_path / "out"
    assert batch(path, out) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(path) in err and problem in err
    assert not out.exists()


def test_bad_scenario_and_bad_option_exit_2(tmp_path: Path, capsys) -> None:
    broken = write(tmp_path, 'name = "x"\n', "broken.toml")
    out = tmp_path / "out"
    assert batch(write(tmp_path, 'scenarios = ["broken.toml"]\n'), out) == 2
    assert str(broken) in capsys.readouterr().err
    assert batch(write(tmp_path, HEAD), out, "--reps", "0") == 2
    assert "--reps" in capsys.readouterr().err
    assert not out.exists()


def test_grid_and_variants_label_every_scenario(tmp_path: Path) -> None:
    text = HEAD + (
        '[[variants]]\nname = "base"\n[grid]\nhandover_loss = [0.1, 0.3]\nplan_conflict = [0.2]\n'
    )
    spec = load_batch(write(tmp_path, text))
    scenarios = labelled(load_all([str(p) for p in spec.scenarios]), spec.variants)
    assert list(scenarios) == [
        "baseline@base",
        "baseline@handover_loss=0.1,plan_conflict=0.2",
        "baseline@handover_loss=0.3,plan_conflict=0.2",
    ]
    swept = scenarios["baseline@handover_loss=0.3,plan_conflict=0.2"]
    assert swept.params["handover_loss"] == 0.3 and swept.params["plan_conflict"] == 0.2
    # a variant applies from the start month: the warm-up keeps the chain root's parameters
    assert swept.warmup_params == scenarios["baseline@base"].warmup_params


def test_batch_writes_runs_tables_and_manifest(tmp_path: Path) -> None:
    text = HEAD + 'reps = 2\nseed = 5\n[[variants]]\nname = "a"\n[[variants]]\nname = "b"\n'
    text += "params = { handover_loss = 0.05 }\n"
    out = tmp_path / "out"
    assert batch(write(tmp_path, text), out, "--monthly") == 0
    runs = sorted(p.name for p in (out / "runs").glob("*.parquet"))
    names = [f"baseline@{v}__r{r}{m}.parquet" for v in "ab" for r in (0, 1) for m in ("", ".m")]
    assert runs == sorted(n.replace(".m.", ".monthly.") for n in names)
    yearly = pd.read_parquet(out / "yearly.parquet")
    assert sorted(yearly["seed"].unique()) == sorted(replicate_seeds(5, 2))
    monthly = pd.read_parquet(out / "monthly.parquet")
    assert monthly["scenario"].is_monotonic_increasing and set(monthly["replicate"]) == {0, 1}
    paired = pd.read_parquet(out / "paired.parquet")
    assert set(paired["scenario"]) == {"baseline@b"} and set(paired["reference"]) == {"baseline@a"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["batch"]["text"] == text and manifest["reps"] == 2
    assert manifest["variants"] == {"baseline@a": {}, "baseline@b": {"handover_loss": 0.05}}
    assert manifest["scenarios"]["baseline@b"]["params"] == {"handover_loss": 0.05}
    assert manifest["youth_months"] > 0 and manifest["timing"]["simulate_s"] > 0


def test_command_line_overrides_the_batch_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert batch(write(tmp_path, HEAD + "reps = 5\nyears = 9\n"), out, "--reps", "1") == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["reps"], manifest["years"], manifest["scale"]) == (1, 1, 0.02)


def test_resume_runs_only_what_is_missing(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "reps = 3\n")
    out = tmp_path / "out"
    assert batch(path, out) == 0
    before = (out / "yearly.parquet").read_bytes()
    kept = out / "runs" / "baseline__r0.parquet"
    stamp = kept.stat().st_mtime_ns
    (out / "runs" / "baseline__r1.parquet").unlink()
    assert batch(path, out, "--resume") == 0
    assert kept.stat().st_mtime_ns == stamp  # finished runs are not run again
    assert (out / "yearly.parquet").read_bytes() == before
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["resumed_runs"] == 2


def test_existing_runs_need_resume_and_the_same_settings(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, HEAD)
    out = tmp_path / "out"
    assert batch(path, out) == 0
    assert batch(path, out) == 2
    assert "--resume" in capsys.readouterr().err
    assert batch(path, out, "--resume", "--seed", "2") == 2
    assert "seed" in capsys.readouterr().err


@pytest.mark.slow
def test_killed_batch_resumes_to_the_same_tables(tmp_path: Path) -> None:
    """SIGKILL a running ``sim batch`` (2 worker processes), resume, compare byte for byte."""
    alt = write(tmp_path, ALT, "alt.toml")
    path = write(tmp_path, f'scenarios = ["{BASELINE}", "{alt}"]\nreps = 2\n')
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    assert batch(path, whole) == 0
    command = [sys.executable, "-m", "sim", "batch", str(path), "--out", str(killed)]
    options = [*QUICK[:-2], "--workers", "2"]
    proc = subprocess.Popen([*command, *options], start_new_session=True)
    try:
        wait_for_runs(killed / "runs", at_least=1, proc=proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finished = len(list((killed / "runs").glob("*__r*.parquet")))
    assert 1 <= finished < 4 and not (killed / "yearly.parquet").exists()
    assert subprocess.run([*command, *options, "--resume"], timeout=120).returncode == 0
    assert len(list((killed / "runs").glob("*__r*.parquet"))) == 4
    assert not list((killed / "runs").glob(".*.tmp"))
    for name in TABLES:
        assert (whole / name).read_bytes() == (killed / name).read_bytes(), name


def wait_for_runs(runs: Path, at_least: int, proc: subprocess.Popen, limit: float = 60) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        if len(list(runs.glob("*__r*.parquet"))) >= at_least:
            return
        time.sleep(0.05)
    pytest.fail("the batch finished or stalled before it could be killed")
