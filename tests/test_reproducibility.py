"""Same seed, same bytes; another seed, other numbers.

A result is reproducible when the same inputs give byte-identical tables, whatever else ran
before in the process, however many replicates were asked for, and whether or not the monthly
table was kept.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from conftest import BASELINE, CLI_SEED, sim_run

from sim.core.scenario import load_scenario
from sim.run.runner import RunSpec, replicate_seeds, run_one

TABLES = ["yearly.parquet", "monthly.parquet"]


def test_same_seed_gives_byte_identical_tables(cli_run, tmp_path):
    again = sim_run(tmp_path / "again")
    for name in [*TABLES, "summary.json"]:
        assert (cli_run / name).read_bytes() == (again / name).read_bytes(), name


def test_different_seed_gives_different_tables(cli_run, tmp_path):
    """Another seed changes the numbers, not the shape (same metrics, groups and periods)."""
    other = sim_run(tmp_path / "other", seed=CLI_SEED + 1)
    for name in TABLES:
        a, b = pd.read_parquet(cli_run / name), pd.read_parquet(other / name)
        assert (cli_run / name).read_bytes() != (other / name).read_bytes()
        assert set(a["seed"]).isdisjoint(b["seed"])
        keys = ["replicate", "period", "metric", "group"]
        merged = a.merge(b, on=keys, suffixes=("_a", "_b"))
        neet = merged[merged["metric"] == "neet_count"]
        assert len(neet) > 100
        # Youth counts of ~5,000 simulated youth: a second seed changes most NEET cells
        assert (neet["value_a"] != neet["value_b"]).mean() > 0.5
        pop = merged[(merged["metric"] == "population")]
        assert len(pop) == len(a[a["metric"] == "population"])  # same periods in both


def test_replicate_does_not_depend_on_other_replicates(cli_run):
    """Replicate 1 of a 2-replicate run equals that replicate run alone (its seed, its tables)."""
    yearly = pd.read_parquet(cli_run / "yearly.parquet")
    seed = replicate_seeds(CLI_SEED, 2)[1]
    alone = run_one(RunSpec(load_scenario(BASELINE), 1, seed, years=2, scale=0.02))
    mine = yearly[yearly["replicate"] == 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, alone.yearly, check_exact=True)


def test_stepping_by_hand_equals_run_one(baseline_run, baseline_spec):
    """A second model in the same process, built after the first, gives identical tables."""
    again = run_one(baseline_spec)
    pd.testing.assert_frame_equal(again.yearly, baseline_run.yearly, check_exact=True)
    pd.testing.assert_frame_equal(again.monthly, baseline_run.monthly, check_exact=True)


@pytest.fixture(scope="module")
def yearly_only(baseline_spec):
    """The baseline run with ``monthly=False`` (``--no-monthly``)."""
    result = run_one(replace(baseline_spec, monthly=False))
    assert result.monthly is None
    return result.yearly


def test_skipping_the_monthly_table_keeps_the_yearly_table(baseline_run, yearly_only):
    """``--no-monthly`` collects stocks only in November: the yearly table must not change."""
    pd.testing.assert_frame_equal(yearly_only, baseline_run.yearly, check_exact=True)
