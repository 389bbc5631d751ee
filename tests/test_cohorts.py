"""Cohorts (``--cohort NAME[@YYYY-MM]``): who enters, how they are counted, the file's contract.

The compared fixture follows three cohorts in ``baseline``, ``same`` (a scenario that extends
the baseline and changes nothing) and ``coordinated_ips``: the start month's cohorts are read
from the shared warm-up, so they are the same youth in every scenario.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import BASELINE, SCENARIOS, write_scenario

from sim.cli.main import main
from sim.core.cohorts import (
    ACTIVITIES,
    NAV_STATUSES,
    CohortRecorder,
    members,
    school_year_before,
)
from sim.core.population import Population
from sim.core.states import Activity, NavStatus
from sim.run.tables import COHORT_COLUMNS, COHORT_SORT

YEARS = 2
QUICK = ["--years", str(YEARS), "--scale", "0.03", "--reps", "2", "--seed", "5", "--quiet"]
COHORTS = ["--cohort", "neet", "--cohort", "dropouts", "--cohort", "aap_u30@2025-01"]
CELL = ["scenario", "replicate", "cohort", "month"]


def compare(tmp: Path, out: Path, *extra: str) -> int:
    same = write_scenario(tmp / "same.toml", {})
    scenarios = [str(BASELINE), str(same), str(SCENARIOS / "coordinated_ips.toml")]
    return main(["compare", *scenarios, *COHORTS, *QUICK, "--out", str(out), *extra])


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    """Three scenarios, two replicates, three cohorts, no monthly tables, one worker."""
    tmp = tmp_path_factory.mktemp("cohorts")
    out = tmp / "out"
    assert compare(tmp, out, "--no-monthly", "--workers", "1") == 0
    return out


@pytest.fixture(scope="module")
def table(compared: Path) -> pd.DataFrame:
    return pd.read_parquet(compared / "cohorts.parquet")


# -- the file -----------------------------------------------------------------------------------
def test_written_without_monthly_tables_and_recorded_in_the_manifest(compared: Path) -> None:
    manifest = json.loads((compared / "manifest.json").read_text())
    assert "cohorts.parquet" in manifest["files"]
    assert not (compared / "monthly.parquet").exists()
    entries = {c["label"]: c["entry"] for c in manifest["cohorts"]}
    assert entries == {"aap_u30@2025-01": "2025-01", "dropouts": "2024-01", "neet": "2024-01"}


def test_columns_types_order_and_months(table: pd.DataFrame) -> None:
    assert list(table.columns) == COHORT_COLUMNS
    assert table["month"].dtype == np.int64 and table["n"].dtype == np.int64
    resorted = table.sort_values(COHORT_SORT, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(table, resorted)
    assert set(table["activity"]) <= set(ACTIVITIES)
    assert set(table["nav_status"]) <= set(NAV_STATUSES)
    last = table.groupby("cohort")["month"].agg(["min", "max"])
    assert last.loc["neet"].tolist() == [0, YEARS * 12]  # month 0 .. the horizon
    assert last.loc["aap_u30@2025-01"].tolist() == [0, YEARS * 12 - 12]  # entered a year later
    cells = table.groupby(CELL).size()
    assert (cells == len(ACTIVITIES) * len(NAV_STATUSES)).all()  # every cell, zeros included


def test_shares_sum_to_one_each_month(table: pd.DataFrame) -> None:
    sums = table.groupby(CELL)["value"].sum()
    assert np.allclose(sums, 1.0, atol=1e-12)
    present = table.groupby(CELL)["n"].transform("sum")
    assert np.allclose(table["value"], table["n"] / present)


def test_members_meet_the_definition_at_entry(table: pd.DataFrame) -> None:
    at0 = table[table["month"] == 0]
    neet = at0[at0["cohort"] == "neet"].groupby(["scenario", "replicate", "activity"])["value"]
    assert np.allclose(neet.sum().xs("neet", level="activity"), 1.0)
    aap = at0[at0["cohort"] == "aap_u30@2025-01"]
    assert np.allclose(aap.groupby(["scenario", "replicate", "nav_status"])["value"].sum()
                       .xs("aap", level="nav_status"), 1.0)  # fmt: skip
    # every replicate has dropouts to follow (about 1,500 a year at full scale)
    assert (
        at0[at0["cohort"] == "dropouts"].groupby(["scenario", "replicate"])["n"].sum() > 0
    ).all()


def test_leavers_are_censored_not_counted(table: pd.DataFrame) -> None:
    """Members only leave (age 30 each January): the present count never grows, and falls
    at the first exit month while the shares still sum to 1 over those present."""
    present = table.groupby(CELL)["n"].sum()
    for _, counts in present.groupby(level=["scenario", "replicate", "cohort"]):
        assert (np.diff(counts.to_numpy()) <= 0).all()
    neet = present.xs(("baseline", 0, "neet"), level=["scenario", "replicate", "cohort"])
    assert neet.loc[13] < neet.loc[12]  # January 2025 (month 13 ends it): the 29-year-olds left


# -- common random numbers ----------------------------------------------------------------------
def test_same_youth_in_every_scenario_at_entry(table: pd.DataFrame) -> None:
    """Start-month cohorts come from the shared warm-up: month 0 is identical everywhere; a
    scenario that changes nothing is identical in every month."""
    keys = ["replicate", "cohort", "month", "activity", "nav_status"]
    by = {sc: df.drop(columns="scenario").set_index(keys) for sc, df in table.groupby("scenario")}
    for other in ("same", "coordinated_ips"):
        a = by["baseline"].query("month == 0 and cohort in ['neet', 'dropouts']")
        b = by[other].query("month == 0 and cohort in ['neet', 'dropouts']")
        pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(by["baseline"], by["same"])
    ips = by["coordinated_ips"].query("cohort == 'neet' and month == 24")["value"]
    assert not np.allclose(ips, by["baseline"].query("cohort == 'neet' and month == 24")["value"])


@pytest.mark.slow
def test_identical_on_one_or_two_workers(compared: Path, tmp_path: Path) -> None:
    assert compare(tmp_path, tmp_path / "w2", "--no-monthly", "--workers", "2") == 0
    for name in ("cohorts.parquet", "yearly.parquet"):
        assert (tmp_path / "w2" / name).read_bytes() == (compared / name).read_bytes(), name


# -- the definitions and the recorder on a small population -------------------------------------
def population(activities: list[Activity]) -> Population:
    pop = Population(capacity=16)
    pop.add(len(activities), 0, activity=np.array(activities, dtype=np.int8))
    return pop


def test_dropouts_left_school_in_the_last_school_year_without_completing() -> None:
    """Entry January of year 2: the school year is August year 0 to July year 1 (months 7-18)."""
    assert school_year_before(24) == (7, 18)
    assert school_year_before(24 + 7) == (19, 30)  # entry in August: the year just ended
    up = Activity.UPPER_SECONDARY
    pop = population([up, up, up, up, Activity.NEET])
    moves = {  # month: (pid, new activity)
        2: (2, Activity.NEET),  # left before the school year
        10: (0, Activity.NEET),  # left during it: a dropout
        17: (1, Activity.EMPLOYED),  # completed (its completion month)
        20: (3, Activity.NEET),  # left after it, in the current school year
    }
    pop.completed_month[1] = 17
    for month in range(24):
        if month in moves:
            pid, activity = moves[month]
            pop.activity[pid] = activity
        pop.record_changes(month)
    model = SimpleNamespace(pop=pop, month=24)
    assert members(model, "dropouts").tolist() == [0]


def test_recorder_counts_members_and_censors_leavers() -> None:
    pop = population([Activity.NEET] * 4 + [Activity.EMPLOYED])
    model = SimpleNamespace(pop=pop, month=0, origin_year=2024)
    recorder = CohortRecorder(model, (("neet", "neet", "2024-01"),))
    recorder.reset_counters()  # the start of the entry month: membership and month 0
    pop.activity[0], pop.nav_status[1] = Activity.EMPLOYED, NavStatus.AAP
    pop.activity[4] = Activity.NEET  # not a member: never counted
    pop.remove(np.array([3]), 0)  # left (age 30): censored
    recorder.step()
    rows = pd.DataFrame(recorder.rows(), columns=COHORT_COLUMNS[3:])
    month1 = rows[(rows["month"] == 1) & (rows["n"] > 0)]
    cells = {(r.activity, r.nav_status): (r.value, r.n) for r in month1.itertuples()}
    assert cells == {
        ("employed", "none"): (1 / 3, 1),
        ("neet", "aap"): (1 / 3, 1),
        ("neet", "none"): (1 / 3, 1),
    }
    assert rows[rows["month"] == 0]["n"].sum() == 4


# -- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("command", "cohort", "says"),
    [
        ("run", "nope", "unknown cohort"),
        ("run", "neet@2024-13", "YYYY-MM"),
        ("compare", "neet@2023-12", "simulated month"),
        ("run", "neet@2026-01", "simulated month"),
        ("batch", "nope@2024-01", "unknown cohort"),
    ],
)
def test_bad_cohort_exits_2_with_one_line_and_writes_nothing(
    tmp_path: Path, capsys, command: str, cohort: str, says: str
) -> None:
    batch = tmp_path / "b.toml"
    batch.write_text(f'scenarios = ["{BASELINE}"]\n', encoding="utf-8")
    first = {"run": [str(BASELINE)], "compare": [str(BASELINE)], "batch": [str(batch)]}[command]
    out = tmp_path / "out"
    argv = [command, *first, "--cohort", cohort, "--years", "2", "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--cohort" in err[0] and says in err[0], err
    assert not out.exists()


def test_a_cohort_given_twice_exits_2(tmp_path: Path, capsys) -> None:
    argv = ["run", str(BASELINE), "--cohort", "neet", "--cohort", "neet", "--out", str(tmp_path)]
    assert main(argv) == 2
    assert "given twice" in capsys.readouterr().err


# -- batch: run files and resume ----------------------------------------------------------------
def test_batch_keeps_cohort_run_files_and_resume_checks_the_cohorts(tmp_path: Path) -> None:
    batch = tmp_path / "b.toml"
    batch.write_text(f'scenarios = ["{BASELINE}"]\ncohorts = ["neet"]\n', encoding="utf-8")
    out = tmp_path / "out"
    quick = ["--years", "1", "--scale", "0.02", "--quiet", "--workers", "1", "--out", str(out)]
    assert main(["batch", str(batch), *quick]) == 0
    assert (out / "runs" / "baseline__r0.cohorts.parquet").is_file()
    assert set(pd.read_parquet(out / "cohorts.parquet")["cohort"]) == {"neet"}
    # the command line's cohorts replace the file's; the finished run was made with others
    assert main(["batch", str(batch), *quick, "--resume", "--cohort", "aap_u30"]) == 2


def test_following_cohorts_changes_no_other_table() -> None:
    """The recorder changes nothing and draws nothing: the yearly table is the same without it."""
    from conftest import load_scenario

    from sim.run.runner import RunSpec, run_one

    spec = RunSpec(load_scenario(BASELINE), 0, 13, years=1, scale=0.02, monthly=False)
    followed = replace(spec, cohorts=(("neet", "neet", "2024-01"),))
    plain, with_cohorts = run_one(spec), run_one(followed)
    pd.testing.assert_frame_equal(plain.yearly, with_cohorts.yearly)
    assert plain.cohorts is None and len(with_cohorts.cohorts) == 13 * 24
