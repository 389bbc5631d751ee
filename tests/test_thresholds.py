"""Threshold analysis: crossings found where they are, and the discounting the ledger uses."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis import thresholds as th
from sim.cli.main import main

YEARS = [2024, 2025, 2026, 2027]


def _rows(scenario, replicate, metric, group, values):
    return [
        {"scenario": scenario, "replicate": replicate, "seed": replicate, "period": year,
         "metric": metric, "group": group, "value": float(v), "n": 1}
        for year, v in zip(YEARS, values, strict=True)
    ]  # fmt: skip


def _yearly(cost_a: list[float], neet_a: list[float], cost_b: list[float]) -> pd.DataFrame:
    """Reference 'base' at zero; 'a' and 'b' with given yearly public costs (two replicates)."""
    rows = []
    for rep in (0, 1):
        for scen, cost, neet in (("base", [0] * 4, [100] * 4), ("a", cost_a, neet_a),
                                 ("b", cost_b, [100] * 4)):  # fmt: skip
            disc = [c / 1.04**i for i, c in enumerate(cost)]
            rows += _rows(scen, rep, "cost_nok", "public:total", cost)
            rows += _rows(scen, rep, "cost_nok", "societal:total", cost)
            rows += _rows(scen, rep, "cost_nok_discounted", "public:total", disc)
            rows += _rows(scen, rep, "cost_nok_discounted", "societal:total", disc)
            rows += _rows(scen, rep, "neet_count", "all", neet)
    return pd.DataFrame(rows)


def test_crossings_interpolate_linearly_and_ignore_touching():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    assert th.crossings(x, np.array([-1.0, 1.0, 2.0, 3.0])) == [0.5]
    assert th.crossings(x, np.array([1.0, 0.0, 1.0, 2.0])) == []  # touches, no sign change
    assert th.crossings(x, np.array([1.0, 0.0, -1.0, -2.0])) == [1.0]
    assert th.crossings(np.array([1.0, 2.0, math.inf]), np.array([2.0, 1.0, -1.0])) == [math.inf]


def test_discount_curve_reproduces_the_ledgers_discounting_at_the_run_rate():
    yearly = _yearly([100, -50, -50, -50], [100] * 4, [10, 10, 10, 10])
    curve = th.discount_curve(yearly, "base", 0.04)
    i = int(np.flatnonzero(np.isclose(curve.x, 0.04))[0])
    booked = sum(c / 1.04**k for k, c in enumerate([100, -50, -50, -50]))
    assert curve.values["net_public_nok"]["a"][i] == pytest.approx(booked)
    # undiscounted: 100 - 150 = -50 (a saving); discounted at r the saving shrinks and turns
    # into a cost where 100 = 50 (1/(1+r) + 1/(1+r)^2 + 1/(1+r)^3), r about 23 % (off grid)
    assert curve.values["net_public_nok"]["a"][0] == pytest.approx(-50.0)


def test_horizon_curve_finds_the_break_even_year_and_rank_change():
    # a: cost 300 in year 1, saving 100 a year after -> cumulative 300, 200(ish), ...
    yearly = _yearly([300, -100, -150, -150], [90, 90, 90, 90], [50, 50, 50, 50])
    table = th.thresholds(th.horizon_curve(yearly, "base"))
    sign = table[(table.scenario == "a") & (table.outcome == "net_public_nok")
                 & (table.kind == "sign")]  # fmt: skip
    assert len(sign) == 1 and 3.0 < sign.threshold.iloc[0] < 4.0
    rank = table[(table.kind == "rank") & (table.outcome == "net_public_nok")]
    assert len(rank) == 1 and {rank.scenario.iloc[0], rank.other.iloc[0]} == {"a", "b"}
    neet = table[(table.scenario == "a") & (table.outcome == "neet_years_averted")]
    assert list(neet.kind) == ["none"]  # averts 10 a year from the start: no change


def test_sweep_curves_pair_each_variant_with_its_own_reference():
    rows = []
    # the effect of 'a' (NEET-years averted) rises with p: -2, 1, 4 at p = 0, 0.5, 1
    for variant, effect in (("central", 1.0), ("p=0", -2.0), ("p=1", 4.0)):
        for rep in (0, 1):
            base = 100.0 + rep + (5 if variant == "p=1" else 0)  # the reference moves too
            rows += _rows(f"base@{variant}", rep, "neet_count", "all", [base] * 4)
            rows += _rows(f"a@{variant}", rep, "neet_count", "all", [base - effect / 4] * 4)
            for group in ("public:total", "societal:total"):
                rows += _rows(f"base@{variant}", rep, "cost_nok_discounted", group, [0] * 4)
                rows += _rows(f"a@{variant}", rep, "cost_nok_discounted", group, [1] * 4)
    variants = {"base@central": {}, "base@p=0": {"p": 0.0}, "base@p=1": {"p": 1.0},
                "a@central": {}, "a@p=0": {"p": 0.0}, "a@p=1": {"p": 1.0}}  # fmt: skip
    (curve,) = th.sweep_curves(pd.DataFrame(rows), variants, {"p": 0.5})
    assert list(curve.x) == [0.0, 0.5, 1.0]
    assert curve.values["neet_years_averted"]["a"] == pytest.approx([-2.0, 1.0, 4.0])
    sign = th.thresholds(curve)
    row = sign[(sign.outcome == "neet_years_averted") & (sign.kind == "sign")]
    assert row.threshold.iloc[0] == pytest.approx(2 / 6)


def test_cli_refuses_a_foreign_csv_and_writes_nothing(tmp_path, capsys):
    foreign = tmp_path / "mine.csv"
    foreign.write_text("a,b\n1,2\n")
    results = tmp_path / "res"
    results.mkdir()
    assert main(["thresholds", str(results), "--csv", str(foreign)]) == 2
    assert foreign.read_text() == "a,b\n1,2\n"
    assert "thresholds" not in {p.name for p in results.iterdir()}
    assert "sim: error:" in capsys.readouterr().err


def test_cli_on_a_real_comparison(tmp_path, capsys):
    out = tmp_path / "cmp"
    args = ["compare", "scenarios/baseline.toml", "scenarios/coordinated_ips.toml", "--reps", "2",
            "--years", "2", "--scale", "0.02", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    capsys.readouterr()
    assert main(["thresholds", str(out)]) == 0
    table = pd.read_csv(out / "thresholds.csv")
    assert set(table.factor) == {"cost.discount_rate", "horizon"}
    assert set(table.scenario) == {"coordinated_ips"}
    printed = capsys.readouterr().out
    assert "horizon (central 2.0 years" in printed
    assert main(["thresholds", str(out)]) == 0  # its own earlier table is replaced


def test_the_table_is_recorded_as_the_results_own(tmp_path, capsys):
    from sim.run.ownership import recorded

    out = tmp_path / "cmp"
    args = ["compare", "scenarios/baseline.toml", "scenarios/ips_only.toml", "--reps", "1",
            "--years", "1", "--scale", "0.02", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    assert main(["thresholds", str(out)]) == 0
    assert "thresholds.csv" in recorded(out)
    assert main(args) == 0  # the comparison run again replaces the folder, table included


def test_the_lifetime_view_adds_each_payers_tail_once():
    yearly = _yearly([100, 0, 0, 0], [100] * 4, [0, 0, 0, 0])
    tail = []
    for rep in (0, 1):
        for scen, value in (("base", 0.0), ("a", -300.0), ("b", 0.0)):
            for group, v in (("public:state:lifetime", value), ("public:lifetime", value),
                             ("societal:lifetime", value)):  # fmt: skip
                tail.append({"scenario": scen, "replicate": rep, "seed": rep, "period": 2027,
                             "metric": "cost_nok_discounted", "group": group, "value": v,
                             "n": 1})  # fmt: skip
    curve = th.horizon_curve(pd.concat([yearly, pd.DataFrame(tail)]), "base")
    assert curve.values["net_public_nok"]["a"][-1] == pytest.approx(100.0 - 300.0)
    assert curve.values["net_societal_nok"]["a"][-1] == pytest.approx(100.0 - 300.0)
