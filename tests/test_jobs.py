"""The options of a simulating command (sim/run/jobs.py) and the command line around them.

One validator (:class:`sim.run.jobs.RunOptions`) serves the command line, batch files and the
Python API; ``sim run`` takes ``--workers`` like the other simulating commands; building the
parser, ``--help`` and a refused option do not import the model.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from conftest import BASELINE, CLI_OPTIONS, CLI_SEED, ROOT

from sim import api
from sim.cli.main import main
from sim.core.scenario import load_scenario
from sim.errors import InputError
from sim.run.batchfile import load_batch
from sim.run.executors import worker_limit
from sim.run.jobs import RunOptions, load_all, plan

HEAVY = ("mesa", "pandas", "numpy", "pyarrow", "scipy", "matplotlib")


def child(*args: str) -> subprocess.CompletedProcess:
    """``python ARGS`` with this checkout's package first on the path."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def imported_top_levels(importtime: str) -> set[str]:
    """The top-level packages in the output of ``python -X importtime``."""
    names = set()
    for line in importtime.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


# -- the parser does not load the model ------------------------------------------------------
def test_help_does_not_import_the_model():
    done = child("-X", "importtime", "-m", "sim", "--help")
    assert done.returncode == 0, done.stderr[-2000:]
    modules = imported_top_levels(done.stderr)
    assert "sim" in modules  # the parse of importtime's output found something
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


@pytest.mark.parametrize(
    "argv",
    [
        ["run", str(BASELINE), "--workers", "0"],
        ["compare", str(BASELINE), str(BASELINE)],
        ["trial", str(BASELINE), "--reps", "0"],
        ["run", "no-such-file.toml"],
    ],
    ids=["bad-workers", "same-stem-twice", "trial-bad-reps", "missing-file"],
)
def test_a_refused_input_does_not_import_the_model(argv):
    code = (
        "import sys\nfrom sim.cli.main import main\nrc = main(sys.argv[1:])\n"
        f"print(rc, sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = child("-c", code, *argv)
    assert done.stdout.split(None, 1) == ["2", "[]\n"], (done.stdout, done.stderr[-2000:])
    assert done.stderr.startswith("sim: error:")


def test_trial_help_lists_the_populations(capsys):
    assert main(["trial", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "nav_mental_health, young_neet_benefits" in out


# -- one validator ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"seed": -1}, "--seed: must be 0-9223372036854775807 (64 bits), got -1"),
        ({"reps": 0}, "--reps: must be 1-100000, got 0"),
        ({"years": 61}, "--years: must be 1-60, got 61"),
        ({"years": 1.5}, "--years: must be an integer, got 1.5"),
        ({"reps": True}, "--reps: must be an integer, got True"),
        ({"scale": 0}, "--scale: must be in (0, 20], got 0"),
        ({"scale": float("nan")}, "--scale: must be in (0, 20], got nan"),
        ({"scale": "1"}, "--scale: must be a number"),
        ({"start": "2024-13"}, "--start: must be a YYYY-MM string"),
        ({"start": "0000-01"}, "--start: the year must be 1900-2100"),
        ({"monthly": "yes"}, "--monthly: must be true or false"),
        ({"draw_params": 1}, "--draw-params: must be true or false"),
        ({"workers": 0}, "--workers: must be at least 1, got 0"),
        ({"workers": 10**30}, "--workers: at most"),
        ({"scheduler": ""}, "--scheduler: must be a non-empty text"),
        ({"out": 3}, "--out: must be a folder path"),
    ],
)
def test_bad_options_are_refused_by_name(values, message):
    with pytest.raises(InputError) as caught:
        RunOptions(**values)
    assert str(caught.value).startswith(message)


def test_good_options_are_kept_and_normalised(tmp_path):
    opts = RunOptions(seed=0, reps=3, years=60, scale=2, workers=worker_limit(), out=str(tmp_path))
    assert (opts.seed, opts.reps, opts.years, opts.workers) == (0, 3, 60, worker_limit())
    assert opts.scale == 2.0 and isinstance(opts.scale, float)
    assert opts.out == tmp_path
    with pytest.raises(InputError, match="--reps"):
        replace(opts, reps=0)  # a changed copy is checked again


@pytest.mark.parametrize(("key", "value"), [("reps", 0), ("years", 99), ("scale", 0)])
def test_a_batch_file_and_the_command_line_give_the_same_reason(tmp_path, key, value):
    batch = tmp_path / "batch.toml"
    batch.write_text(f'scenarios = ["{BASELINE.as_posix()}"]\n{key} = {value}\n')
    with pytest.raises(InputError) as from_file:
        load_batch(batch)
    with pytest.raises(InputError) as from_options:
        RunOptions(**{key: value})
    reason = str(from_options.value).removeprefix(f"--{key}: ")
    assert str(from_file.value) == f"{batch}: {key}: {reason}"


def test_the_api_checks_its_options_as_the_command_line_does():
    sc = load_scenario(BASELINE)
    with pytest.raises(InputError, match="--reps: must be 1-"):
        api.run(sc, reps=0)
    with pytest.raises(InputError, match="--workers: must be at least 1"):
        api.run(sc, workers=0)
    with pytest.raises(InputError, match="--start"):
        api.build(sc, start="2024-00")


# -- jobs ------------------------------------------------------------------------------------
def test_a_job_has_every_replicate_of_every_scenario_with_common_seeds(tmp_path):
    ips = ROOT / "scenarios" / "coordinated_ips.toml"
    scenarios = load_all([str(BASELINE), str(ips)])
    job = plan(RunOptions(reps=3, seed=5, monthly=False), scenarios, "compare")
    assert [(s.name, s.replicate) for s in job.specs] == [
        (label, r) for r in range(3) for label in ("baseline", "coordinated_ips")
    ]
    assert {s.seed for s in job.specs if s.replicate == 1} == {job.seeds[1]}
    assert not any(s.monthly for s in job.specs)
    assert job.out == Path("results") / "compare-baseline-coordinated_ips"
    assert plan(RunOptions(out=tmp_path), scenarios, "compare").out == tmp_path


def test_the_api_gives_the_tables_of_sim_run(cli_run):
    """``api.run`` and ``sim run`` with the same options: the same yearly table."""
    yearly, monthly = api.run(load_scenario(BASELINE), reps=2, years=2, scale=0.02, seed=CLI_SEED)
    written = pd.read_parquet(cli_run / "yearly.parquet")
    pd.testing.assert_frame_equal(yearly, written, check_dtype=False)
    assert len(monthly) == len(pd.read_parquet(cli_run / "monthly.parquet"))


def test_sim_run_takes_workers(tmp_path, cli_run):
    """``sim run --workers 1`` runs in this process and writes the tables of the default run."""
    out = tmp_path / "run"
    argv = ["run", str(BASELINE), "--seed", str(CLI_SEED), "--out", str(out), "--workers", "1"]
    assert main([*argv, *CLI_OPTIONS]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["executor"], manifest["workers"]) == ("in-process", 1)
    for name in ("yearly.parquet", "monthly.parquet"):
        assert (out / name).read_bytes() == (cli_run / name).read_bytes()
