"""Accounting identities that hold in every run, whatever the parameter values.

Each test reads the session's small baseline run (``conftest.baseline_run``): population
balance, capacities, shares, group sums, unique table keys, and a change log that replays
to the final state. These are exact identities, so the tolerances are only float rounding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import rows

from sim.core.states import TRACKED, Activity, NavStatus

KEYS = ["scenario", "replicate", "period", "metric", "group"]
FLOWS = ["entries", "arrivals", "departures", "exits"]


def _flow_n(monthly: pd.DataFrame, metric: str, periods) -> pd.Series:
    """Simulated count of a flow per month (a month with no such flow has no row: 0)."""
    return rows(monthly, metric)["n"].reindex(periods, fill_value=0)


def test_population_balance_monthly(baseline_run):
    """population(t) = population(t-1) + entries + arrivals - departures - exits, every month.

    Counted in simulated youth (the ``n`` column), so the identity is exact.
    """
    monthly = baseline_run.monthly
    pop = rows(monthly, "population")["n"]
    flows = {m: _flow_n(monthly, m, pop.index) for m in FLOWS}
    assert flows["entries"].sum() > 0 and flows["exits"].sum() > 0  # January cohorts move
    assert flows["arrivals"].sum() > 0
    change = flows["entries"] + flows["arrivals"] - flows["departures"] - flows["exits"]
    expected = pop.shift(1) + change
    pd.testing.assert_series_equal(pop.iloc[1:], expected.iloc[1:].astype("int64"))


def test_population_equals_live_agents(baseline_run):
    """The reported population is the live rows, and each live youth has one Mesa agent."""
    model = baseline_run.model
    last = rows(baseline_run.monthly, "population")["n"].iloc[-1]
    live = model.pop.live()
    assert last == len(live) == len(model.youth)
    assert sorted(model.youth) == live.tolist()
    assert all(model.youth[int(p)].pid == p for p in live[:50])
    registered = model.agents_by_type[type(next(iter(model.youth.values())))]
    assert set(registered) == set(model.youth.values())  # no agent left behind in Mesa


def test_yearly_table_agrees_with_monthly(baseline_run):
    """Yearly stocks are the November month; yearly flows are sums over the calendar year."""
    yearly, monthly = baseline_run.yearly, baseline_run.monthly
    monthly = monthly.assign(year=monthly["period"].str[:4].astype("int64"))
    nov = rows(monthly[monthly["period"].str.endswith("-11")], "population")
    pop = rows(yearly, "population")
    assert pop["n"].tolist() == nov["n"].tolist()
    assert len(pop) == baseline_run.spec.years
    for metric in ["entries", "arrivals", "exits", "job_starts", "referrals_made"]:
        per_year = rows(monthly, metric).groupby("year")["n"].sum()
        assert rows(yearly, metric)["n"].to_dict() == per_year.to_dict(), metric


@pytest.mark.parametrize("table", ["monthly", "yearly"])
def test_table_keys_are_unique(baseline_run, table):
    """One row per (scenario, replicate, period, metric, group): a key never repeats."""
    df = getattr(baseline_run, table)
    dup = df[df.duplicated(KEYS, keep=False)]
    assert dup.empty, f"duplicate keys in {table}:\n{dup.head(10)}"


def test_capacities_never_exceeded(baseline_run):
    """After every month, no service has more youth in service than places.

    Checked for every service with a positive capacity (OT, BUP, DPS, NAV programme places)
    and for each NAV office's qualification-programme places.
    """
    snap = baseline_run.services
    limited = snap[snap["capacity"] > 0]
    assert {"followup", "bup", "dps"} <= set(limited["service"])
    over = limited[limited["active"] > limited["capacity"]]
    assert over.empty, f"over capacity:\n{over.head(10)}"
    kvp = snap.dropna(subset=["kvp_places"])
    assert (kvp["kvp_used"] <= kvp["kvp_places"]).all()
    assert (snap["active"] == snap["active_unique"]).all(), "a youth counted twice in a service"


def test_services_hold_only_live_youth(baseline_run):
    """Youth who left the population are in no queue and no caseload."""
    model = baseline_run.model
    for service in model.services:
        held = np.concatenate([service.queue, service.active]).astype(np.int64)
        assert model.pop.alive[held].all(), service.name
        assert len(np.intersect1d(service.queue, service.active)) == 0, service.name


def test_helper_marks_follow_caseloads(baseline_run):
    """A youth in a helper service's caseload carries that service's helper mark."""
    model = baseline_run.model
    checked = 0
    for service in model.services:
        if not service.is_helper or not len(service.active):
            continue
        bit = np.uint32(model.helper_bit(service.helper_name))
        marked = (model.pop.helpers[service.active] & bit) != 0
        assert marked.all(), service.name
        checked += 1
    assert checked >= 3


def test_shares_sum_to_one(baseline_run):
    """Activity shares (all youth) and NAV-status shares (NEET youth) sum to 1 each month."""
    monthly = baseline_run.monthly
    for metric in ["activity_share", "neet_status_share"]:
        sums = monthly[monthly["metric"] == metric].groupby("period")["value"].sum()
        np.testing.assert_allclose(sums, 1.0, atol=1e-12, err_msg=metric)


def test_rates_are_fractions(baseline_run):
    """Rates and shares lie in [0, 1] (NaN only for an empty group)."""
    df = pd.concat([baseline_run.monthly, baseline_run.yearly.assign(period="y")])
    frac = df[df["metric"].str.contains("rate|share")]
    values = frac["value"].dropna()
    assert len(values) > 1000
    assert values.between(0, 1).all()


def test_neet_groups_partition_the_population(baseline_run):
    """NEET counts by age, sex, origin, municipality and NAV area each add up to ``all``."""
    monthly = baseline_run.monthly
    neet = monthly[monthly["metric"] == "neet_count"].pivot(
        index="period", columns="group", values="n"
    )
    partitions = {
        "age": ["15-19", "20-24", "25-29"],
        "sex": ["female", "male"],
        "origin": ["immigrant", "non_immigrant"],
        "kommune": [g for g in neet.columns if g.startswith("kommune:")],
        "nav": [g for g in neet.columns if g.startswith("nav:")],
    }
    for name, groups in partitions.items():
        assert len(groups) >= 2, name
        pd.testing.assert_series_equal(
            neet[groups].sum(axis=1), neet["all"], check_names=False, obj=name
        )


def test_neet_count_matches_population_state(baseline_run):
    """The last month's NEET count is the number of live youth whose activity is NEET."""
    model = baseline_run.model
    live = model.pop.live()
    n_neet = int((model.pop.activity[live] == Activity.NEET).sum())
    assert rows(baseline_run.monthly, "neet_count")["n"].iloc[-1] == n_neet
    rate = rows(baseline_run.monthly, "neet_rate")["value"].iloc[-1]
    assert rate == pytest.approx(n_neet / len(live), abs=1e-12)


def test_event_log_replays_to_final_state(baseline_run):
    """A youth's last logged value of each tracked field is its current value.

    The change log is how histories are kept (no month-by-youth matrix), so it must be
    complete: replaying it gives back the state arrays exactly, for every youth ever present.
    """
    pop = baseline_run.model.pop
    ev = pop.events()
    assert len(ev) > pop.n  # at least the entry record of every youth, plus changes
    for f, name in enumerate(TRACKED):
        sel = ev[ev["field"] == f]
        order = np.lexsort((sel["month"], sel["pid"]))  # stable: log order within a month
        sel = sel[order]
        last = np.r_[sel["pid"][1:] != sel["pid"][:-1], True]
        pids, values = sel["pid"][last], sel["value"][last]
        assert np.array_equal(pids, np.arange(pop.n)), name
        assert np.array_equal(values, getattr(pop, name)[: pop.n].astype(np.uint32)), name


@pytest.mark.parametrize(
    ("metric", "status"),
    [("aap_starts", NavStatus.AAP), ("disability_awards", NavStatus.DISABILITY)],
)
def test_benefit_flows_count_every_move_into_the_benefit(baseline_run, metric, status):
    """``aap_starts``/``disability_awards`` each month = the logged moves into that status.

    A move is a logged nav_status change to the status from any other value (entry records of
    new youth are not moves), so a grant counted twice or a path that skips the counter fails.
    """
    model = baseline_run.model
    ev = model.pop.events()
    sel = ev[ev["field"] == TRACKED.index("nav_status")]
    sel = sel[np.lexsort((sel["month"], sel["pid"]))]  # per youth, in log order
    same_youth = np.r_[False, sel["pid"][1:] == sel["pid"][:-1]]
    before = np.r_[0, sel["value"][:-1]]
    moved = same_youth & (sel["value"] == status) & (before != status)
    months, counts = np.unique(sel["month"][moved], return_counts=True)
    periods = [f"{model.origin_year + m // 12}-{m % 12 + 1:02d}" for m in months]
    logged = pd.Series(counts, index=periods)
    counted = rows(baseline_run.monthly, metric)["n"]
    assert counted.sum() > 0, metric  # the small baseline has both flows
    logged = logged.reindex(counted.index.union(logged.index), fill_value=0)
    logged = logged[logged.index >= counted.index.min()]  # the warm-up is not reported
    assert counted.reindex(logged.index, fill_value=0).tolist() == logged.tolist()
