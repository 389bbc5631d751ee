"""The command line and the results folder: the contract everything downstream reads.

``sim run`` and ``sim compare`` write manifest.json, yearly.parquet, monthly.parquet,
summary.json (and paired.parquet when comparing) with the columns, dtypes, row order, seeds
and manifest fields of DESIGN.md; bad options exit 2, a failed simulation exits 1.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import BASELINE, CLI_SEED, write_scenario

from sim.cli.main import main
from sim.run.runner import replicate_seeds
from sim.run.tables import COLUMNS, SORT

QUICK = ["--years", "1", "--scale", "0.02", "--quiet"]
ARROW_TYPES = {
    "scenario": "string",
    "replicate": "int64",
    "seed": "int64",
    "metric": "string",
    "group": "string",
    "value": "double",
    "n": "int64",
}


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    """``sim compare baseline same low_loss``: ``same`` is a renamed copy of the baseline."""
    tmp = tmp_path_factory.mktemp("compare")
    same = tmp / "same.toml"
    same.write_text(BASELINE.read_text(encoding="utf-8"), encoding="utf-8")
    low = write_scenario(tmp / "low_loss.toml", {"handover_loss": 0.0})
    out = tmp / "out"
    argv = ["compare", str(BASELINE), str(same), str(low), "--reps", "2", "--seed", "3"]
    assert main([*argv, "--out", str(out), *QUICK]) == 0
    return out


# -- sim run ------------------------------------------------------------------------------------
def test_run_writes_exactly_the_results_files(cli_run):
    names = {p.name for p in cli_run.iterdir()}
    assert names == {"manifest.json", "yearly.parquet", "monthly.parquet", "summary.json"}


@pytest.mark.parametrize(("name", "period_type"), [("yearly", "int64"), ("monthly", "string")])
def test_table_columns_and_types(cli_run, name, period_type):
    schema = pq.read_schema(cli_run / f"{name}.parquet")
    assert schema.names == COLUMNS
    types = {f.name: str(f.type).replace("large_string", "string") for f in schema}
    assert types == {**ARROW_TYPES, "period": period_type}


def test_tables_sorted_and_periods_in_the_horizon(cli_run):
    yearly = pd.read_parquet(cli_run / "yearly.parquet")
    monthly = pd.read_parquet(cli_run / "monthly.parquet")
    for df in (yearly, monthly):
        resorted = df.sort_values(SORT, kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(df, resorted)
    assert sorted(yearly["period"].unique()) == [2024, 2025]
    months = sorted(monthly["period"].unique())
    assert months == [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]


def test_seed_column_is_the_replicate_seed(cli_run):
    """``seed`` = SeedSequence(seed).spawn(reps)[r].generate_state(1, uint32)[0], per replicate."""
    expected = dict(enumerate(replicate_seeds(CLI_SEED, 2)))
    children = np.random.SeedSequence(CLI_SEED).spawn(2)
    assert list(expected.values()) == [int(c.generate_state(1, np.uint32)[0]) for c in children]
    for name in ("yearly", "monthly"):
        df = pd.read_parquet(cli_run / f"{name}.parquet")
        seeds = df.groupby("replicate")["seed"].unique()
        assert {r: list(s) for r, s in seeds.items()} == {r: [s] for r, s in expected.items()}


def test_counts_are_for_the_represented_population(cli_run):
    """A count's value is the simulated count (``n``) divided by the scale."""
    yearly = pd.read_parquet(cli_run / "yearly.parquet")
    counts = yearly[yearly["metric"].isin(["population", "neet_count", "entries"])]
    assert len(counts) > 50
    np.testing.assert_allclose(counts["value"], counts["n"] / 0.02, rtol=1e-12)


def test_manifest_fields(cli_run):
    manifest = json.loads((cli_run / "manifest.json").read_text(encoding="utf-8"))
    for key in ["package_version", "git_commit", "git_dirty", "python", "packages", "command"]:
        assert key in manifest, key
    assert datetime.fromisoformat(manifest["created"])
    assert manifest["git_commit"] is None or re.fullmatch(r"[0-9a-f]{40}", manifest["git_commit"])
    assert {"mesa", "numpy", "pandas"} <= set(manifest["packages"])
    assert manifest["seed"] == CLI_SEED
    assert manifest["replicate_seeds"] == replicate_seeds(CLI_SEED, 2)
    assert (manifest["scale"], manifest["start"], manifest["years"]) == (0.02, "2024-01", 2)
    assert manifest["draw_params"] is False
    files = manifest["scenarios"]["baseline"]["files"]
    text = BASELINE.read_text(encoding="utf-8")
    assert [f["text"] for f in files] == [text]
    assert files[0]["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    timing = manifest["timing"]
    assert set(timing) >= {"build_s", "simulate_s", "write_s"}
    assert all(v >= 0 for v in timing.values())
    assert timing["simulate_s"] > 0


def test_manifest_youth_months_counts_every_simulated_month(cli_run):
    """youth_months = simulated youth present, summed over every month of every run."""
    manifest = json.loads((cli_run / "manifest.json").read_text(encoding="utf-8"))
    monthly = pd.read_parquet(cli_run / "monthly.parquet")
    population = monthly[(monthly["metric"] == "population") & (monthly["group"] == "all")]
    assert manifest["youth_months"] == population["n"].sum()


def test_summary_is_median_and_interval_over_replicates(cli_run):
    summary = json.loads((cli_run / "summary.json").read_text(encoding="utf-8"))
    assert set(summary) <= {"scenarios", "npv", "places"}  # one scenario: no paired, no headline
    yearly = pd.read_parquet(cli_run / "yearly.parquet")
    sel = yearly[(yearly["metric"] == "neet_rate") & (yearly["group"] == "all")]
    for period, values in sel.groupby("period")["value"]:
        cell = summary["scenarios"]["baseline"]["neet_rate"]["all"][str(period)]
        assert cell["median"] == pytest.approx(np.median(values), rel=1e-12)
        assert cell["lo"] <= cell["median"] <= cell["hi"]
        if len(values) < 5:  # the range of the replicates (sim/intervals.py)
            assert (cell["lo"], cell["hi"]) == (values.min(), values.max())
        else:
            assert cell["lo"] == pytest.approx(np.quantile(values, 0.025), rel=1e-12)


def test_default_out_folder(tmp_path, monkeypatch):
    """Without ``--out`` the results go to ``results/<command>-<scenario stems>``."""
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(BASELINE), "--reps", "1", *QUICK]) == 0
    assert (tmp_path / "results" / "run-baseline" / "yearly.parquet").is_file()


# -- sim compare ----------------------------------------------------------------------------------
def test_compare_writes_paired_table(compared):
    paired = pd.read_parquet(compared / "paired.parquet")
    assert list(paired.columns) == [*COLUMNS, "reference"]
    assert set(paired["reference"]) == {"baseline"}
    assert set(paired["scenario"]) == {"same", "low_loss"}  # the reference is not paired
    manifest = json.loads((compared / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reference"] == "baseline"
    assert list(manifest["scenarios"]) == ["baseline", "same", "low_loss"]
    summary = json.loads((compared / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["paired"]) == set(summary["headline"]) == {"same", "low_loss"}


def test_paired_value_is_scenario_minus_reference(compared):
    """``value`` = scenario - reference for the same replicate; ``n`` = the smaller ``n``."""
    yearly = pd.read_parquet(compared / "yearly.parquet")
    paired = pd.read_parquet(compared / "paired.parquet")
    keys = ["replicate", "period", "metric", "group"]
    ref = yearly[yearly["scenario"] == "baseline"]
    low = yearly[yearly["scenario"] == "low_loss"]
    expect = low.merge(ref, on=keys, suffixes=("", "_ref"))
    got = expect.merge(paired[paired["scenario"] == "low_loss"], on=[*keys, "seed"])
    assert len(got) == len(expect) > 100
    # after the merges: *_x the scenario, *_ref the reference, *_y the paired table
    np.testing.assert_allclose(got["value_y"], got["value_x"] - got["value_ref"], equal_nan=True)
    assert (got["n_y"] == np.minimum(got["n_x"], got["n_ref"])).all()


def test_compare_uses_common_random_numbers(compared):
    """A renamed copy of the reference gives paired differences of exactly zero.

    Both scenarios of a replicate run with the same seed, so every difference is the
    scenario's doing; and the seed is the same in every scenario of a replicate.
    """
    paired = pd.read_parquet(compared / "paired.parquet")
    values = paired[paired["scenario"] == "same"]["value"].dropna()
    assert len(values) > 100 and (values == 0).all()
    yearly = pd.read_parquet(compared / "yearly.parquet")
    assert (yearly.groupby("replicate")["seed"].nunique() == 1).all()
    assert sorted(yearly["seed"].unique()) == sorted(replicate_seeds(3, 2))


def test_paired_table_has_one_row_per_key(compared):
    paired = pd.read_parquet(compared / "paired.parquet")
    assert not paired.duplicated(["scenario", "replicate", "period", "metric", "group"]).any()


# -- exit codes -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--scale", "0"),
        ("--years", "0"),
        ("--start", "2024-13"),
        ("--reps", "0"),
        ("--seed", "-1"),
    ],
)
def test_bad_option_exits_2_and_writes_nothing(tmp_path, capsys, option, value):
    out = tmp_path / "out"
    args = {"--years": "1", "--scale": "0.02", option: value}
    argv = ["run", str(BASELINE), "--out", str(out), "--quiet"]
    rc = main([*argv, *[x for kv in args.items() for x in kv]])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.count("\n") == 1 and option in err and "Traceback" not in err
    assert not out.exists()


def test_failed_simulation_exits_1(tmp_path, capsys, monkeypatch):
    """A run that raises is reported (with its traceback) and the command exits 1."""

    def broken(spec, **options):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr("sim.run.runner.run_one", broken)
    rc = main(["run", str(BASELINE), "--out", str(tmp_path / "out"), *QUICK])
    err = capsys.readouterr().err
    assert rc == 1
    assert "run failed" in err and "simulated failure" in err


def test_the_commit_is_read_once_at_the_commands_start(monkeypatch):
    """A checkout that changes while a long command runs does not change what it records."""
    from types import SimpleNamespace

    from sim.run import manifest

    answers = iter(["a" * 40, "", "b" * 40, " M sim/x.py"])
    monkeypatch.setattr(
        manifest.subprocess, "run", lambda *a, **k: SimpleNamespace(stdout=next(answers))
    )
    manifest._git.cache_clear()
    try:
        first = manifest._git()
        assert first == ("a" * 40, False)
        assert manifest._git() == first  # the checkout "moved" to b...; still a
        assert manifest.build_manifest(
            scenarios={}, seed=1, replicate_seeds=[1], scale=0.1, start="2024-01", years=1,
            timing={}, youth_months=0,
        )["git_commit"] == "a" * 40  # fmt: skip
    finally:
        manifest._git.cache_clear()
