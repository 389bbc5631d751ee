"""The validation table: every target, its source, the simulated band and inside/outside."""

from __future__ import annotations

import json

import pandas as pd

from sim.analysis.targets import load_targets
from sim.cli.main import main
from sim.cli.validate_targets import validation_table


def yearly_table(neet: list[float], periods=(2024, 2025)) -> pd.DataFrame:
    """A small yearly table: NEET rate per replicate and year, scenario ``baseline``."""
    rows = [
        {"scenario": "baseline", "replicate": r, "seed": r, "period": p, "metric": "neet_rate",
         "group": "all", "value": v + 0.001 * i, "n": 100}
        for r, v in enumerate(neet)
        for i, p in enumerate(periods)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def targets_table(value: float, lo: float, hi: float, period: str = "2024") -> pd.DataFrame:
    return pd.DataFrame(
        [{"metric": "neet_rate", "group": "all", "period": period, "value": value, "lo": lo,
          "hi": hi, "weight": 1.0, "reference_year": 2024, "source": "test source"}]
    )  # fmt: skip


def test_a_deliberately_missed_target_is_flagged_outside():
    yearly = yearly_table([0.09, 0.10, 0.11])
    hit = validation_table(yearly, targets_table(0.095, 0.085, 0.105))
    miss = validation_table(yearly, targets_table(0.30, 0.25, 0.35))
    assert hit["inside"].tolist() == [True] and hit["status"].tolist() == ["inside"]
    assert miss["inside"].tolist() == [False] and miss["status"].tolist() == ["OUTSIDE"]
    assert miss.loc[0, "source"] == "test source"
    assert miss.loc[0, "simulated"] == 0.10
    assert miss.loc[0, "sim_lo"] < 0.10 < miss.loc[0, "sim_hi"]


def test_every_year_target_and_a_year_not_simulated():
    yearly = yearly_table([0.1, 0.1])
    every = validation_table(yearly, targets_table(0.1, 0.07, 0.13, period="*"))
    assert every["period"].tolist() == [2024, 2025]
    late = validation_table(yearly, targets_table(0.1, 0.07, 0.13, period="2030"))
    assert late["inside"].tolist() == [False]  # not simulated counts as not shown inside


def test_packaged_targets_have_a_source_each():
    targets = load_targets()
    assert targets["source"].str.len().min() > 10


def test_cli_writes_the_table_and_says_which_interval(tmp_path, capsys):
    res = tmp_path / "res"
    res.mkdir()
    yearly_table([0.09, 0.10, 0.11]).to_parquet(res / "yearly.parquet")
    manifest = {"scenarios": {"baseline": {}}, "draw_params": True, "reps": 3, "scale": 0.1}
    (res / "manifest.json").write_text(json.dumps(manifest))
    bad = tmp_path / "targets.csv"
    targets_table(0.30, 0.25, 0.35).to_csv(bad, index=False)
    assert main(["validate-targets", str(res), "--targets", str(bad)]) == 1  # a target missed
    text = capsys.readouterr().out
    assert "OUTSIDE" in text and "parameter uncertainty" in text and "0/1" in text
    table = pd.read_csv(res / "targets.csv")
    assert table["inside"].tolist() == [False]


def test_cli_bad_input_exits_2(tmp_path):
    assert main(["validate-targets", str(tmp_path / "missing")]) == 2
    res = tmp_path / "res"
    res.mkdir()
    yearly_table([0.1]).to_parquet(res / "yearly.parquet")
    assert main(["validate-targets", str(res), "--scenario", "nope"]) == 2
    assert not (res / "targets.csv").exists()
