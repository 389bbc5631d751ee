"""Cost ledger: sourced unit costs, exact proportionality, discounting by hand, two
perspectives kept apart, the lifetime tail outside the totals, and the headline's by-payer
entries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import BASELINE, write_scenario

from sim.analysis.summary import headline
from sim.cli.main import main
from sim.core.scenario import load_scenario
from sim.run.runner import RunSpec, build_model, replicate_seeds, simulate
from sim.run.tables import tidy
from sim.services.ledger import PAYERS, load_unit_costs

YEARS, SCALE = 3, 0.05


def run(path=BASELINE, change: dict | None = None) -> pd.DataFrame:
    """Yearly cost rows of a small run, with unit costs changed after the warm-up."""
    spec = RunSpec(load_scenario(path), 0, replicate_seeds(9, 1)[0], YEARS, SCALE, monthly=False)
    model = build_model(spec)
    ledger = model.module("costs")
    for name, value in (change or {}).items():
        ledger.with_value(name, value)
    simulate(model, YEARS)
    y = tidy(model.collector.yearly_rows(), {"scenario": "x", "replicate": 0, "seed": 0}, True)
    return y[y["metric"].str.startswith("cost_nok")].set_index(["metric", "group", "period"])


@pytest.fixture(scope="module")
def base() -> pd.DataFrame:
    return run()


def test_every_unit_cost_has_a_source_a_range_and_a_payer():
    for cost in load_unit_costs().values():
        assert cost.source.strip(), cost.name
        assert cost.lo <= cost.value <= cost.hi, cost.name
        assert cost.kind == "societal" or cost.payer in PAYERS, cost.name
        assert cost.unit.startswith(("NOK/year", "NOK/month")), cost.name


def test_statutory_rates():
    costs, g = load_unit_costs(), 124_028
    assert costs["aap_under25"].value == pytest.approx(2 / 3 * 2 * g, abs=1)
    assert costs["qualification_benefit_under25"].value == pytest.approx(2 / 3 * 2 * g, abs=1)
    assert costs["social_assistance"].monthly == 7850


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("social_assistance", ["public:municipality:social_assistance"]),  # a transfer
        ("ips_specialist", ["public:state:ips_specialists", "societal:ips_specialists"]),
    ],
)
def test_doubling_one_unit_cost_doubles_exactly_that_line(base, name, lines):
    value = load_unit_costs()[name].value
    doubled = run(change={name: 2 * value})
    mine = base.index.get_level_values("group").isin(lines)
    totals = base.index.get_level_values("group").str.endswith(":total")
    assert (base[mine]["value"] > 0).all()
    np.testing.assert_array_equal(doubled[mine]["value"], 2 * base[mine]["value"])
    derived = base.index.get_level_values("group").str.endswith("lifetime")
    derived |= base.index.get_level_values("group") == "societal:mcpf"  # 0.2 x public:total
    others = ~mine & ~totals & ~derived
    pd.testing.assert_frame_equal(doubled[others], base[others], check_exact=True)
    change = doubled["value"] - base["value"]
    groups = change.index.get_level_values("group")
    for total in ("public:total", "societal:total"):
        same = [line for line in lines if line.startswith(total.split(":")[0] + ":")]
        if total == "societal:total":
            same.append("societal:mcpf")
        expected = change[groups.isin(same)].groupby(["metric", "period"]).sum()
        diff = change.xs(total, level="group")
        np.testing.assert_allclose(diff, expected.reindex(diff.index, fill_value=0), rtol=1e-9)


def test_discounting_matches_a_hand_calculation(base):
    """4 IPS FTE x NOK 900,000 a year, discounted at 4 % from 2024: 3.6 M / 1.04^(t-2024)."""
    line = base.xs("public:state:ips_specialists", level="group")["value"]
    for year in (2024, 2025, 2026):
        assert line[("cost_nok", year)] == pytest.approx(3_600_000, rel=1e-12)
        hand = 3_600_000 / 1.04 ** (year - 2024)
        assert line[("cost_nok_discounted", year)] == pytest.approx(hand, rel=1e-12)
    run_lines = base[~base.index.get_level_values("group").str.endswith("lifetime")]
    plain = run_lines.xs("cost_nok", level="metric")["value"]
    disc = run_lines.xs("cost_nok_discounted", level="metric")["value"]
    years = plain.index.get_level_values("period")
    np.testing.assert_allclose(disc, plain / 1.04 ** (years - 2024), rtol=1e-12)
    # the lifetime tail is discounted year by year to the start year (tests/test_ledger_economics)


def test_discount_rate_is_a_scenario_parameter(tmp_path):
    path = write_scenario(tmp_path / "r10.toml", {"cost.discount_rate": 0.1})
    y = run(path)
    line = y.xs("public:state:ips_specialists", level="group")["value"]
    assert line[("cost_nok_discounted", 2026)] == pytest.approx(3_600_000 / 1.1**2)


def test_perspectives_are_kept_apart(base):
    y = base.xs("cost_nok", level="metric")["value"].unstack("group")
    public = [g for g in y if g.startswith("public:") and not g.endswith(("total", "lifetime"))]
    societal = [
        g for g in y if g.startswith("societal:") and not g.endswith(("total", "lifetime"))
    ]
    np.testing.assert_allclose(y["public:total"], y[public].sum(axis=1), rtol=1e-9)
    np.testing.assert_allclose(y["societal:total"], y[societal].sum(axis=1), rtol=1e-9)
    for payer in PAYERS:
        mine = [g for g in public if g.startswith(f"public:{payer}:")]
        np.testing.assert_allclose(y[f"public:{payer}:total"], y[mine].sum(axis=1), rtol=1e-9)
    transfers = [c.category for c in load_unit_costs().values() if c.kind == "transfer"]
    assert not {f"societal:{c}" for c in transfers} & set(y)  # benefits are not resources
    assert (y["societal:production"] < 0).all()  # production of youth in work, a benefit
    assert (y["public:state:tax_revenue"] < 0).all()  # tax on their earnings, revenue


def test_lifetime_tail_is_on_by_default_and_changes_no_run_line(base, tmp_path):
    groups = base.index.get_level_values("group")
    assert {"public:state:lifetime", "public:lifetime", "societal:lifetime"} <= set(groups)
    path = write_scenario(tmp_path / "life.toml", {"cost.lifetime_end_age": 0})
    y = run(path)
    assert not y.index.get_level_values("group").str.endswith("lifetime").any()
    pd.testing.assert_frame_equal(y, base.loc[y.index], check_exact=True)


def _paired(averted: list[float], cost: list[float]) -> pd.DataFrame:
    rows = []
    for r, (a, c) in enumerate(zip(averted, cost, strict=True)):
        rows.append(("s", r, 2024, "neet_count", "all", -a))
        rows.append(("s", r, 2024, "cost_nok_discounted", "public:total", c))
        rows.append(("s", r, 2024, "cost_nok_discounted", "societal:total", -c))
        rows.append(("s", r, 2024, "cost_nok_discounted", "public:state:total", c / 2))
    cols = ["scenario", "replicate", "period", "metric", "group", "value"]
    return pd.DataFrame(rows, columns=cols)


def test_headline_by_payer_and_cost_per_neet_year_averted():
    h = headline(_paired([100, 200, 300], [1e6, 2e6, 4e6]))["s"]
    # one year (no discounting): the mean cost over the mean NEET-years averted
    assert h["cost_per_neet_year_averted_nok"] == pytest.approx((7e6 / 3) / 200)
    assert h["npv_public_by_payer_nok"]["state"]["median"] == pytest.approx(1e6)
    assert h["npv_public_by_payer_nok"]["county"]["median"] is None
    iv = h["cost_per_neet_year_averted_interval_nok"]
    assert iv["lo"] <= 1e4 <= iv["hi"]
    none = headline(_paired([-10, 0, 5], [1e6, 1e6, 1e6]))["s"]
    assert none["cost_per_neet_year_averted_nok"] is None
    assert none["cost_per_neet_year_averted_interval_nok"] is None


def test_compare_refuses_different_discount_rates(tmp_path, capsys):
    other = write_scenario(tmp_path / "r6.toml", {"cost.discount_rate": 0.06})
    out = tmp_path / "out"
    rc = main(["compare", str(BASELINE), str(other), "--out", str(out), "--quiet"])
    assert rc == 2 and not out.exists()
    assert "cost.discount_rate" in capsys.readouterr().err
