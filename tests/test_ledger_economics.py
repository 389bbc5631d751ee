"""The ledger's economics: tax on earnings, the tax-financing cost (R-109), production by age
and education, and the lifetime tail kept out of the run totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import BASELINE, write_scenario

from sim.core.params import Params
from sim.core.scenario import load_scenario
from sim.core.states import Activity, NavStatus
from sim.run.runner import RunSpec, build_model, replicate_seeds, simulate
from sim.run.tables import tidy
from sim.services.earnings import (
    earnings_table,
    education_level,
    income_tax,
    production_value,
    tax_on_earnings,
    yearly_earnings,
)
from sim.services.lifetime import (
    _lifetime_groups,
    aap_years,
    start_states,
    state_costs,
    study_years,
    tail_lines,
    transition_matrix,
)

YEARS, SCALE = 2, 0.05


def model_of(path=BASELINE):
    spec = RunSpec(load_scenario(path), 0, replicate_seeds(9, 1)[0], YEARS, SCALE, monthly=False)
    return build_model(spec)


def costs(path=BASELINE) -> pd.DataFrame:
    """Yearly cost rows of a small run: (metric, period) x group."""
    model = model_of(path)
    simulate(model, YEARS)
    y = tidy(model.collector.yearly_rows(), {"scenario": "x", "replicate": 0, "seed": 0}, True)
    y = y[y["metric"].str.startswith("cost_nok")]
    return y.pivot_table(index=["metric", "period"], columns="group", values="value")


@pytest.fixture(scope="module")
def base() -> pd.DataFrame:
    return costs()


def test_income_tax_follows_the_2024_rules():
    """Hand calculation for NOK 400,000 of wages (2024 rules)."""
    p = Params()
    wage = 400_000.0
    ordinary = wage - 104_450 - 88_250  # standard deduction at its cap, personal allowance
    hand = 0.22 * ordinary + 0.017 * (292_850 - 208_050) + 0.04 * (wage - 292_850) + 0.078 * wage
    assert income_tax(p, np.array([wage]))[0] == pytest.approx(hand, rel=1e-12)
    assert income_tax(p, np.array([0.0, 50_000.0]))[0] == 0.0  # below every floor
    rates = income_tax(p, np.array([200e3, 400e3, 600e3])) / np.array([200e3, 400e3, 600e3])
    assert np.all(np.diff(rates) > 0)  # progressive


def test_tax_revenue_is_negative_and_state_revenue(base):
    d = base.loc["cost_nok_discounted"]
    assert (d["public:state:tax_revenue"] < 0).all()
    assert (d["societal:production"] < 0).all()
    payers = [
        g for g in d if g.startswith("public:") and g.endswith(":total") and g != "public:total"
    ]
    np.testing.assert_allclose(d["public:total"], d[payers].sum(axis=1), rtol=1e-12)


def test_tax_line_is_the_tax_on_the_earnings_of_youth_in_work():
    model = model_of()
    simulate(model, 0)
    ledger, pop = model.module("costs"), model.pop
    lines = ledger.month_lines()
    ledger._add_earnings(lines)
    live = pop.live()
    earn = yearly_earnings(model, live, model.ages(live))
    assert (earn[pop.activity[live] != Activity.EMPLOYED] == 0).all()  # education is not work
    working = pop.activity[live] == Activity.EMPLOYED
    assert (earn[working] > 0).all()
    expected = -tax_on_earnings(model.params, earn).sum() / 12
    assert lines["public:state:tax_revenue"][0] == pytest.approx(expected, rel=1e-12)
    assert lines["public:state:tax_revenue"][2] == int(working.sum())


def test_with_only_employer_contributions_tax_is_proportional_to_production(tmp_path):
    """Income tax rates at zero: revenue = rate x earnings, production = (1 + rate + pension) x."""
    zero = {f"cost.tax_{k}": 0.0 for k in ("ordinary_rate", "social_security_rate")}
    zero |= {f"cost.tax_bracket{i}_rate": 0.0 for i in (1, 2, 3)}
    d = costs(write_scenario(tmp_path / "flat.toml", zero)).loc["cost_nok"]
    ratio = 0.127 / (1 + 0.127 + 0.02)
    np.testing.assert_allclose(
        d["public:state:tax_revenue"], ratio * d["societal:production"], rtol=1e-9
    )


def test_mcpf_is_a_fifth_of_the_net_public_cost(base):
    for metric in ("cost_nok", "cost_nok_discounted"):
        d = base.loc[metric]
        np.testing.assert_allclose(d["societal:mcpf"], 0.2 * d["public:total"], rtol=1e-9)
        societal = [
            g
            for g in d
            if g.startswith("societal:") and g not in ("societal:total", "societal:lifetime")
        ]
        np.testing.assert_allclose(d["societal:total"], d[societal].sum(axis=1), rtol=1e-9)


def test_switches_mcpf_tail_and_earnings_off(base, tmp_path):
    off = costs(
        write_scenario(tmp_path / "off.toml", {"cost.mcpf": 0.0, "cost.lifetime_end_age": 0})
    )
    assert (off["societal:mcpf"] == 0).all()
    assert not [g for g in off if g.endswith("lifetime")]
    np.testing.assert_array_equal(
        off["public:total"], base["public:total"]
    )  # the tail is not in it
    np.testing.assert_allclose(
        off["societal:total"], base["societal:total"] - base["societal:mcpf"], rtol=1e-9
    )
    no_pay = costs(write_scenario(tmp_path / "nopay.toml", {"cost.earnings_fte_monthly": 0.0}))
    assert (no_pay["public:state:tax_revenue"] == 0).all() and (
        no_pay["societal:production"] == 0
    ).all()


def test_the_lifetime_tail_is_kept_out_of_every_total(base):
    d = base.loc["cost_nok_discounted"]
    life = [g for g in d if g.endswith("lifetime")]
    assert {"public:state:lifetime", "public:lifetime", "societal:lifetime"} <= set(life)
    run_lines = [g for g in d if g.startswith("public:") and not g.endswith(("total", "lifetime"))]
    np.testing.assert_allclose(d["public:total"], d[run_lines].sum(axis=1), rtol=1e-9)
    by_payer = [g for g in life if g.count(":") == 2 and g.startswith("public:")]
    np.testing.assert_allclose(d["public:lifetime"], d[by_payer].sum(axis=1), rtol=1e-12)


@pytest.fixture(scope="module")
def tail_model(tmp_path_factory):
    """A model at its start with a two-year tail and no exits from disability."""
    path = write_scenario(
        tmp_path_factory.mktemp("tail") / "tail.toml",
        {"cost.lifetime_end_age": 32, "cost.tail_disability_exit": 0.0},
    )
    model = model_of(path)
    model.params = model.definition.params  # as the first month of the run does
    assert model.year == model.start_year
    return model


def _one(model, status=None, activity=None) -> np.ndarray:
    pop, live = model.pop, model.pop.live()
    keep = np.ones(len(live), bool)
    if status is not None:
        keep &= pop.nav_status[live] == status
    if activity is not None:
        keep &= pop.activity[live] == activity
    return live[keep][:1]


def test_the_tail_counts_the_exit_year_itself(tail_model):
    """A disabled youth leaving at 30 in January of the start year, end age 32: ages 30 and 31,
    discounted by 1 and 1/1.04; at the end of the horizon the tail starts a year later."""
    m = tail_model
    pid = _one(m, NavStatus.DISABILITY)
    yearly = m.module("costs").unit_costs["disability"].monthly * 12
    ledger = m.module("costs")
    now = tail_lines(m, ledger.unit_costs, pid, np.array([30]), np.array([0.0]))
    assert now["public:state:lifetime"][0] == pytest.approx(2 * yearly, rel=1e-12)
    assert now["public:state:lifetime"][1] == pytest.approx(yearly * (1 + 1 / 1.04), rel=1e-12)
    later = tail_lines(m, ledger.unit_costs, pid, np.array([30]), np.array([1.0]))
    assert later["public:state:lifetime"][1] == pytest.approx(yearly * (1 / 1.04 + 1 / 1.04**2))
    assert now["societal:lifetime"][1] == pytest.approx(0.2 * now["public:lifetime"][1])
    at_end = tail_lines(m, ledger.unit_costs, pid, np.array([32]), np.array([0.0]))
    assert at_end["public:lifetime"][0] == 0.0


def test_a_disabled_youth_costs_the_public_more_than_one_in_work():
    model = model_of()
    ledger = model.module("costs")
    ages = np.array([30])
    for_disabled = tail_lines(
        model, ledger.unit_costs, _one(model, NavStatus.DISABILITY), ages, np.zeros(1)
    )
    worker = _one(model, NavStatus.NONE, Activity.EMPLOYED)
    for_worker = tail_lines(model, ledger.unit_costs, worker, ages, np.zeros(1))
    assert for_disabled["public:lifetime"][1] > 0 > for_worker["public:lifetime"][1]
    assert for_disabled["societal:lifetime"][1] > for_worker["societal:lifetime"][1]
    earnings = yearly_earnings(model, worker, np.array([29]))
    assert production_value(model.params, earnings)[0] > earnings[0] > 0


def test_the_chain_is_a_proper_markov_chain():
    step = transition_matrix(Params())
    assert (step >= 0).all()
    np.testing.assert_allclose(step.sum(axis=1), 1.0, rtol=1e-12)


def test_pupils_start_the_chain_when_they_leave_school():
    """A pupil's tail is the same chain started at the school-leaving age (20), so the tail
    seen at 16 is the tail seen at 19 discounted three more years."""
    model = model_of()
    ledger = model.module("costs")
    pupil = _one(model, NavStatus.NONE, Activity.UPPER_SECONDARY)
    at = {
        a: tail_lines(model, ledger.unit_costs, pupil, np.array([a]), np.zeros(1))
        for a in (16, 19)
    }
    for group in ("public:lifetime", "societal:lifetime"):
        assert at[16][group][0] == pytest.approx(at[19][group][0], rel=1e-12)  # same years
        assert at[16][group][1] == pytest.approx(at[19][group][1] / 1.04**3, rel=1e-12)


def _tail_row_by_row(model, unit_costs, pids, ages, first) -> dict:
    """The tail as first written: every youth's distribution stepped by ``x @ step`` each year
    it is in the chain, and each year's costs computed for every youth (the reference)."""
    p, k = model.params, aap_years(model.params)
    end_age = int(p["cost.lifetime_end_age"])
    starts, kind = start_states(model, pids)
    x, step = starts[kind], transition_matrix(p)
    level = education_level(model, pids)
    begins = ages + study_years(model, pids, ages)
    d = 1.0 / (1.0 + p["cost.discount_rate"])
    factor = d ** (model.year - model.start_year + first)
    sums = {g: [0.0, 0.0] for g in ("public:state:lifetime", "public:municipality:lifetime")}
    production = [0.0, 0.0]
    for y in range(max(0, end_age - int(ages.min(initial=end_age)))):
        alive = ((ages + y < end_age) & (ages + y >= begins)).astype(np.float64)
        for group, by_state in state_costs(model, unit_costs, ages + y, level).items():
            cell = production if group == "societal:production" else sums[group]
            for state, cost in by_state.items():
                share = x[:, 3 : 3 + k].sum(axis=1) if state == "A" else x[:, state]
                yearly = share * cost * alive
                cell[0] += float(yearly.sum())
                cell[1] += float((yearly * factor * d**y).sum())
        x[alive > 0] = x[alive > 0] @ step
    return _lifetime_groups(p, sums, production, len(pids))


def test_the_tail_by_start_and_age_equals_the_tail_row_by_row():
    """The tail computed once per start distribution and (age, education) is the row-by-row
    tail to the last bit for every youth present (the end of a horizon). For one youth the
    reference's product is a matrix-vector product (another BLAS routine, rounded otherwise),
    so there the two agree to rounding."""
    model = model_of()
    unit_costs, live = model.module("costs").unit_costs, model.pop.live()
    ages = model.ages(live) + 1
    assert len(np.unique(start_states(model, live)[1])) >= 4
    first = np.ones(len(live))
    assert tail_lines(model, unit_costs, live, ages, first) == _tail_row_by_row(
        model, unit_costs, live, ages, first
    )
    one = tail_lines(model, unit_costs, live[:1], ages[:1] - 1, np.zeros(1))
    reference = _tail_row_by_row(model, unit_costs, live[:1], ages[:1] - 1, np.zeros(1))
    for group, line in reference.items():
        assert one[group] == pytest.approx(line, rel=1e-12)


def test_the_earnings_table_equals_each_workers_earnings():
    """The table of distinct earnings read per worker is :func:`yearly_earnings` to the bit,
    for workers on AAP, on disability and on neither."""
    model = model_of()
    pop, live = model.pop, model.pop.live()
    workers = live[pop.activity[live] == Activity.EMPLOYED]
    assert {NavStatus.AAP, NavStatus.DISABILITY, NavStatus.NONE} <= set(pop.nav_status[workers])
    ages = model.ages(workers)
    kind, table = earnings_table(model, workers, ages)
    earnings = yearly_earnings(model, workers, ages)
    assert np.array_equal(table[kind], earnings) and len(np.unique(kind)) > 10
    assert np.array_equal(
        tax_on_earnings(model.params, table)[kind], tax_on_earnings(model.params, earnings)
    )
