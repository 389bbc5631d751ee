"""``sim validate-targets``: every table's lines, and exit 1 unless every line is inside.

A small synthetic results folder (yearly.parquet, cohorts.parquet, trial/trial.json) and a
targets file with a line of each kind, so each verdict is known by construction.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.targets import compare_cohorts, compare_trial
from sim.cli.main import main

HEAD = "table,metric,group,period,value,lo,hi,weight,reference_year,source\n"
INSIDE = [
    "yearly,neet_rate,all,2024,0.10,0.08,0.12,1,2024,test yearly",
    "cohorts,cohort_share,neet:employed,12,0.30,0.25,0.40,1,2024,test cohort activity",
    "cohorts,cohort_share,neet:neet:jobseeker,12,0.20,0.15,0.25,1,2024,test cohort nav",
    "trial,trial_employed_at,nav_mental_health:ips,12,0.37,0.3,0.45,1,2019,test trial share",
    "trial,trial_rr_employed_at,nav_mental_health:ips/usual,12,1.4,1.25,1.65,1,2019,test rr",
]


def cohort_rows() -> pd.DataFrame:
    """Cohort ``neet``, month 12: employed 0.30/0.34, NEET 0.50/0.46 + job seekers 0.20."""
    rows = []
    for rep, employed in enumerate((0.30, 0.34)):
        cells = {("employed", "none"): employed, ("neet", "none"): 0.8 - employed,
                 ("neet", "jobseeker"): 0.2}  # fmt: skip
        for (activity, nav), value in sorted(cells.items()):
            rows.append(("baseline", rep, rep, "neet", 12, activity, nav, value, 10))
    cols = ["scenario", "replicate", "seed", "cohort", "month", "activity", "nav_status"]
    return pd.DataFrame(rows, columns=[*cols, "value", "n"])


TRIAL = {
    "population": "nav_mental_health",
    "arms": {
        arm: {
            "employed_at": {
                "12": {"share": share, "lo": share - 0.05, "hi": share + 0.05, "n": 200}
            }
        }
        for arm, share in (("ips", 0.37), ("usual", 0.27))
    },  # fmt: skip
    "risk_ratio": {"ips/usual": {"employed_at": {"12": 0.37 / 0.27}}},
}


@pytest.fixture
def results(tmp_path: Path) -> Path:
    res = tmp_path / "res"
    (res / "trial").mkdir(parents=True)
    yearly = pd.DataFrame(
        [("baseline", r, r, 2024, "neet_rate", "all", v, 100) for r, v in enumerate((0.09, 0.1))],
        columns=["scenario", "replicate", "seed", "period", "metric", "group", "value", "n"],
    )
    yearly.to_parquet(res / "yearly.parquet")
    cohort_rows().to_parquet(res / "cohorts.parquet")
    (res / "trial" / "trial.json").write_text(json.dumps(TRIAL))
    (res / "manifest.json").write_text(json.dumps({"scenarios": {"baseline": {}}, "scale": 1}))
    return res


def targets(tmp_path: Path, lines: list[str]) -> str:
    path = tmp_path / "targets.csv"
    path.write_text(HEAD + "\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def validate(results: Path, tmp_path: Path, lines: list[str]) -> tuple[int, pd.DataFrame]:
    code = main(["validate-targets", str(results), "--targets", targets(tmp_path, lines)])
    return code, pd.read_csv(results / "targets.csv")


def test_every_line_inside_exits_0(results: Path, tmp_path: Path, capsys) -> None:
    code, table = validate(results, tmp_path, INSIDE)
    assert code == 0
    assert table["status"].tolist() == ["inside"] * len(INSIDE)
    assert table["table"].tolist() == ["yearly", "cohorts", "cohorts", "trial", "trial"]
    out = capsys.readouterr().out
    assert "5/5 targets inside their band" in out
    for heading in ("yearly targets", "cohort targets", "trial targets"):
        assert heading in out


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("cohorts,cohort_share,neet:neet,12,0.9,0.85,0.95,1,2024,new", "OUTSIDE"),
        # a cohort not followed, a month after the horizon, a year not simulated
        ("cohorts,cohort_share,dropouts:neet,12,0.5,0.4,0.6,1,2024,new", "no value"),
        ("cohorts,cohort_share,neet:neet,36,0.5,0.4,0.6,1,2024,new", "no value"),
        ("yearly,neet_rate,all,2030,0.1,0.07,0.13,1,2024,new", "no value"),
        ("trial,trial_employed_at,young_neet_benefits:ips,12,0.3,0.2,0.4,1,2019,new", "no value"),
        ("trial,trial_rr_employed_at,nav_mental_health:ips/usual,12,2,1.8,2.2,1,2019,new",
         "OUTSIDE"),
    ],
)  # fmt: skip
def test_one_line_outside_or_without_value_exits_1(
    results: Path, tmp_path: Path, capsys, line: str, status: str
) -> None:
    code, table = validate(results, tmp_path, [*INSIDE, line])
    assert code == 1
    verdicts = dict(zip(table["source"], table["status"], strict=True))
    assert verdicts.pop("new") == status
    assert set(verdicts.values()) == {"inside"}
    assert f"{len(INSIDE)}/{len(INSIDE) + 1} targets inside" in capsys.readouterr().out


def test_results_without_cohorts_or_trial_give_no_value(results: Path, tmp_path: Path) -> None:
    (results / "cohorts.parquet").unlink()
    (results / "trial" / "trial.json").unlink()
    code, table = validate(results, tmp_path, INSIDE)
    assert code == 1
    assert table["status"].tolist() == ["inside"] + ["no value"] * 4


def test_a_damaged_cohort_file_exits_2(results: Path, tmp_path: Path) -> None:
    (results / "cohorts.parquet").write_bytes(b"not parquet")
    code = main(["validate-targets", str(results), "--targets", targets(tmp_path, INSIDE)])
    assert code == 2
    assert not (results / "targets.csv").exists()


def test_cohort_share_sums_nav_statuses_then_takes_the_median_over_replicates() -> None:
    t = pd.DataFrame(
        [("cohort_share", "neet:neet", "12", 0.6, 0.5, 0.7, 1.0, "s"),
         ("cohort_share", "neet:neet:none", "*", 0.5, 0.4, 0.6, 1.0, "s")],
        columns=["metric", "group", "period", "value", "lo", "hi", "weight", "source"],
    )  # fmt: skip
    rows = compare_cohorts(cohort_rows(), t)
    assert rows["simulated"].round(6).tolist() == [0.68, 0.48]  # (0.70 + 0.66) / 2; 0.5/0.46
    assert rows["period"].tolist() == [12, 12]  # ``*``: every month of the table
    assert rows["sim_lo"].iloc[0] < 0.68 < rows["sim_hi"].iloc[0]


def test_trial_lines_read_the_share_interval_and_the_risk_ratio() -> None:
    t = pd.DataFrame(
        [("trial_employed_at", "nav_mental_health:usual", "12", 0.27, 0.2, 0.3, 1.0, "s"),
         ("trial_rr_employed_at", "nav_mental_health:ips/usual", "12", 1.4, 1.25, 1.65, 1.0, "s")],
        columns=["metric", "group", "period", "value", "lo", "hi", "weight", "source"],
    )  # fmt: skip
    rows = compare_trial(TRIAL, t)
    assert rows[["simulated", "sim_lo", "sim_hi"]].iloc[0].round(6).tolist() == [0.27, 0.22, 0.32]
    assert rows["simulated"].iloc[1] == pytest.approx(0.37 / 0.27)
    assert rows["inside"].tolist() == [True, True]


def test_an_every_period_line_without_any_value_is_not_passed_silently(
    results: Path, tmp_path: Path
) -> None:
    """A ``*`` line covers every simulated period; with none it is one line without a value."""
    line = "cohorts,cohort_share,dropouts:neet,*,0.5,0.4,0.6,1,2024,new"
    code, table = validate(results, tmp_path, [*INSIDE, line])
    assert code == 1
    row = table[table["source"] == "new"]
    assert row["period"].tolist() == ["*"] and row["status"].tolist() == ["no value"]
