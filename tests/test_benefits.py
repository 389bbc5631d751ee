"""NAV's benefit rules: work ends or grades AAP and disability, the time limit, membership,
the ledger charges what is paid, zero doses give the earlier rules, and one seed gives one
result."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import BASELINE

from sim.core.params import Params
from sim.core.scenario import load_scenario
from sim.core.states import Activity, Mh, NavStatus
from sim.run.runner import RunSpec, build_model, replicate_seeds, run_one
from sim.services import benefit_rules as rules
from sim.services.ledger import person_units

SCALE = 0.03
ZERO_DOSE = {  # the values under which the rules are those before work, limits and membership
    "nav.aap_fulltime_share": 0.0,
    "nav.aap_work_share": 0.0,
    "nav.aap_job_find_rr": 1.0,
    "nav.aap_max_months": 1000,
    "nav.aap_membership_months": 0,
    "nav.aap_wait_months": 0,
    "nav.disability_rr_part_time": 1.0,
    "nav.disability_fulltime_share": 0.0,
    "nav.disability_work_reduction": 0.0,
    "nav.social_assistance_rr_immigrant": 1.0,
    "nav.chance_contact_rr_immigrant": 1.0,
}


@pytest.fixture(scope="module")
def warmed() -> bytes:
    """A small baseline model after its warm-up (pickled: each test takes a fresh copy)."""
    spec = RunSpec(load_scenario(BASELINE), 0, replicate_seeds(3, 1)[0], 1, SCALE, monthly=False)
    return pickle.dumps(build_model(spec))


def fresh(warmed: bytes, **changes: float):
    """A copy of the warmed-up model with some parameters changed (by dotted name)."""
    model = pickle.loads(warmed)
    names = {k.replace("__", "."): v for k, v in changes.items()}
    model.params = Params({**model.params.overrides, **names})
    return model


def adults(model, k: int = 60) -> np.ndarray:
    """Up to ``k`` live youth aged 20 or more (any state: the tests set what they need)."""
    live = model.pop.live()
    return live[model.ages(live) >= 20][:k]


def make_aap(model, pids, *, employed: bool, new_job: bool, months: int = 20) -> None:
    """Put youth on AAP for ``months`` with a severe problem, working or not."""
    pop = model.pop
    pop.nav_status[pids], pop.nav_months[pids] = NavStatus.AAP, months
    pop.mh[pids], pop.detected[pids], pop.immigrant[pids] = Mh.SEVERE, True, False
    pop.activity[pids] = Activity.EMPLOYED if employed else Activity.NEET
    pop.months_in_activity[pids] = 0 if new_job else 6


def nav_rules(model) -> None:
    """NAV's benefit decisions of one month (no chance contact, no offices)."""
    nav = model.module("nav")
    live = model.pop.live()
    nav._aap(live, model.ages(live))
    nav._disability(live)


def test_full_time_work_ends_aap_and_is_never_followed_by_disability(warmed):
    m = fresh(
        warmed,
        nav__aap_fulltime_share=1.0,
        nav__disability_from_aap_monthly=1.0,
        nav__disability_rr_part_time=1.0,
    )
    pids = adults(m)
    make_aap(m, pids, employed=True, new_job=True)
    nav_rules(m)
    assert (m.pop.nav_status[pids] == NavStatus.NONE).all()  # capacity restored: AAP ends
    nav_rules(m)  # a month later: still working, never awarded disability
    assert not (m.pop.nav_status[pids] == NavStatus.DISABILITY).any()


def test_no_disability_for_youth_working_full_time_outside_aap(warmed):
    m = fresh(warmed, nav__disability_from_aap_monthly=1.0, nav__disability_rr_part_time=1.0)
    pids = adults(m)
    make_aap(m, pids, employed=True, new_job=False)
    m.pop.nav_status[pids] = NavStatus.NONE  # in full-time work, no benefit
    nav_rules(m)
    assert (m.pop.nav_status[pids] == NavStatus.NONE).all()


def test_part_time_work_keeps_a_graded_aap_and_disability_rarely(warmed):
    m = fresh(warmed, nav__aap_fulltime_share=0.0, nav__aap_exit_monthly=0.0)
    pids = adults(m)
    make_aap(m, pids, employed=True, new_job=True, months=5)  # before disability is possible
    nav_rules(m)
    assert (m.pop.nav_status[pids] == NavStatus.AAP).all()
    m = fresh(warmed, nav__disability_rr_part_time=0.0, nav__disability_from_aap_monthly=1.0)
    make_aap(m, pids, employed=True, new_job=False)
    rules.disability_from_aap(m, pids)
    assert not (m.pop.nav_status[pids] == NavStatus.DISABILITY).any()


def test_a_graded_payment_is_charged_less_than_a_full_one(warmed):
    m = fresh(warmed, nav__aap_work_share=0.4, nav__disability_work_reduction=0.25)
    pids = adults(m, 2)
    make_aap(m, pids, employed=False, new_job=False)
    m.pop.activity[pids[1]] = Activity.EMPLOYED
    units = person_units(m, pids, m.ages(pids))
    both = units["aap_under25"] + units["aap_25plus"]
    assert both.tolist() == pytest.approx([1.0, 0.6])  # NEET in full; part time 1 - 0.4
    m.pop.nav_status[pids] = NavStatus.DISABILITY
    assert person_units(m, pids, m.ages(pids))["disability"].tolist() == pytest.approx([1, 0.75])


def test_the_ledger_charges_aap_at_the_share_paid(warmed):
    m = fresh(warmed, nav__aap_work_share=0.5)
    ledger = m.module("costs")
    pids = adults(m)
    make_aap(m, pids, employed=False, new_job=False)
    neet = sum(v[0] for g, v in ledger.month_lines().items() if g.startswith("public:state:aap"))
    m.pop.activity[pids] = Activity.EMPLOYED
    work = sum(v[0] for g, v in ledger.month_lines().items() if g.startswith("public:state:aap"))
    per_youth = (neet - work) / len(pids)  # each working youth is charged half a month less
    costs = ledger.unit_costs
    assert costs["aap_under25"].monthly * 0.5 <= per_youth <= costs["aap_25plus"].monthly * 0.5


def test_aap_ends_at_its_time_limit_and_waits_a_year(warmed):
    m = fresh(warmed, nav__aap_extension_share=0.0, nav__disability_at_limit=0.0)
    pids = adults(m)
    limit = int(m.params["nav.aap_max_months"])
    make_aap(m, pids, employed=False, new_job=False, months=limit - 1)  # the last paid month
    rules.aap_time_limit(m, pids)
    assert (m.pop.nav_status[pids] == NavStatus.JOBSEEKER).all()
    assert (m.pop.aap_limit_month[pids] == m.month).all()
    m = fresh(pickle.dumps(m), nav__aap_grant_monthly=1.0)
    rules.aap_grant(m, pids)  # the waiting year: no new AAP
    assert (m.pop.nav_status[pids] == NavStatus.JOBSEEKER).all()
    m.month += int(m.params["nav.aap_wait_months"])
    rules.aap_grant(m, pids)
    assert (m.pop.nav_status[pids] == NavStatus.AAP).all()


def test_aap_needs_three_years_of_membership_for_new_immigrants(warmed):
    m = fresh(warmed, nav__aap_grant_monthly=1.0)
    pids = adults(m)
    make_aap(m, pids, employed=False, new_job=False)
    m.pop.nav_status[pids] = NavStatus.JOBSEEKER
    m.pop.immigrant[pids], m.pop.entry_month[pids] = True, m.month - 10
    rules.aap_grant(m, pids)
    assert (m.pop.nav_status[pids] == NavStatus.JOBSEEKER).all()
    m.pop.entry_month[pids] = m.month - int(m.params["nav.aap_membership_months"])
    rules.aap_grant(m, pids)
    assert (m.pop.nav_status[pids] == NavStatus.AAP).all()


def test_immigrant_background_raises_social_assistance_entry(warmed):
    m = fresh(warmed, nav__social_assistance_monthly=0.3, nav__social_assistance_rr_immigrant=3)
    pids = m.pop.live()[m.ages(m.pop.live()) >= 18][:4000]
    m.pop.nav_status[pids], m.pop.activity[pids] = NavStatus.JOBSEEKER, Activity.NEET
    m.pop.immigrant[pids] = np.arange(len(pids)) % 2 == 0
    rules.social_assistance(m, pids, m.ages(pids))
    sa = m.pop.nav_status[pids] == NavStatus.SOCIAL_ASSISTANCE
    imm, other = sa[m.pop.immigrant[pids]].mean(), sa[~m.pop.immigrant[pids]].mean()
    # 0.9 (capped 0.3 x 3) vs 0.3, about 2,000 youth each: a binomial sd of about 0.01
    assert imm == pytest.approx(0.9, abs=0.05) and other == pytest.approx(0.3, abs=0.05)


def old_rules(m, live, ages) -> None:
    """The AAP exit, disability and social-assistance rules before this model version."""
    pop, p = m.pop, m.params
    aap = live[pop.nav_status[live] == NavStatus.AAP]
    well = (pop.mh[aap] == Mh.NONE) | (pop.activity[aap] == Activity.EMPLOYED)
    leave = m.streams.bernoulli("nav:aap_exit", aap, p["nav.aap_exit_monthly"]) & well
    neet = pop.activity[aap[leave]] == Activity.NEET
    rules.set_status(m, aap[leave], np.where(neet, NavStatus.JOBSEEKER, NavStatus.NONE))
    dis = live[
        (pop.nav_status[live] == NavStatus.AAP)
        & (pop.nav_months[live] >= p["nav.disability_min_aap_months"])
    ]
    rr = np.select([pop.mh[dis] == Mh.SEVERE, pop.mh[dis] == Mh.MODERATE],
                   [1.0, p["nav.disability_rr_moderate"]], 0.0)  # fmt: skip
    award = m.streams.bernoulli("nav:disability", dis, p["nav.disability_from_aap_monthly"] * rr)
    rules.set_status(m, dis[award], NavStatus.DISABILITY)
    js = live[(pop.nav_status[live] == NavStatus.JOBSEEKER) & (pop.activity[live] == 5)]
    js = js[ages[np.searchsorted(live, js)] >= 18]
    enter = m.streams.bernoulli("nav:sa_enter", js, p["nav.social_assistance_monthly"])
    rules.set_status(m, js[enter], NavStatus.SOCIAL_ASSISTANCE)
    sa = live[pop.nav_status[live] == NavStatus.SOCIAL_ASSISTANCE]
    out = m.streams.bernoulli("nav:sa_exit", sa, p["nav.social_assistance_exit_monthly"])
    rules.set_status(m, sa[out], NavStatus.JOBSEEKER)


def test_zero_doses_give_the_earlier_rules(warmed):
    new, old = fresh(warmed, **{k.replace(".", "__"): v for k, v in ZERO_DOSE.items()}), None
    old = pickle.loads(pickle.dumps(new))
    before = new.pop.nav_status.copy()
    for m in (new, old):
        m.streams.set_month(m.month)
    live = new.pop.live()
    ages = new.ages(live)
    nav = new.module("nav")
    rules.aap_work_and_exit(new, live[new.pop.nav_status[live] == NavStatus.AAP])
    rules.aap_time_limit(new, live[new.pop.nav_status[live] == NavStatus.AAP])
    nav._disability(live)
    nav._social_assistance(live, ages)
    old_rules(old, live, ages)
    assert (new.pop.nav_status == old.pop.nav_status).all()
    assert (new.pop.nav_status != before).any()  # the month changed some (about ten) youth
    units = person_units(new, live, ages)
    assert set(np.unique(units["aap_under25"])) <= {0.0, 1.0}  # charged by status, as before


def test_one_seed_one_result_with_the_new_metrics():
    spec = RunSpec(load_scenario(BASELINE), 0, replicate_seeds(5, 1)[0], 1, 0.02, monthly=False)
    a, b = run_one(spec).yearly, run_one(spec).yearly
    pd.testing.assert_frame_equal(a, b)
    metrics = set(a["metric"])
    assert {"aap_employed_share", "disability_employed_share"} <= metrics
    assert "social_assistance_count_under30" in metrics
