"""School routes: Vg3 in school, repeat years, immigrant background, school invariants.

One small model (scale 0.05, warmed up) is shared; each test sets the parameters it needs
(``model.params`` is replaced by a :class:`Params` with overrides) and calls the school's
step pieces on youth it puts in the state it studies.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from conftest import BASELINE

from sim.core.education_metrics import EDUCATION_GROUPS, neet_by_education
from sim.core.metrics import Snapshot, neet
from sim.core.params import Params
from sim.core.scenario import load_scenario
from sim.core.states import Activity, Track
from sim.run.runner import RunSpec, build_model, replicate_seeds
from sim.services.school import APPRENTICE, EXTENDED


@pytest.fixture(scope="module")
def warmed() -> bytes:
    """A warmed-up baseline model at scale 0.05, pickled (built once for the module)."""
    spec = RunSpec(load_scenario(BASELINE), 0, replicate_seeds(1, 1)[0], scale=0.05, years=1)
    return pickle.dumps(build_model(spec))


@pytest.fixture
def model(warmed):
    """A fresh copy of the warmed-up model for each test (tests change it)."""
    return pickle.loads(warmed)


def school(model):
    return model.module("school")


def put_in_school(model, pids, grade: int, track: Track) -> None:
    """Make youth pupils of ``grade`` on ``track`` (not completed)."""
    pop = model.pop
    pop.activity[pids], pop.grade[pids], pop.track[pids] = Activity.UPPER_SECONDARY, grade, track
    pop.completed[pids] = False


def some_youth(model, n: int = 400) -> np.ndarray:
    live = model.pop.live()
    young = live[model.ages(live) <= 19]
    return young[:n]


def test_vocational_vg2_without_contract_takes_vg3_in_school(model):
    pids = some_youth(model)
    put_in_school(model, pids, 2, Track.VOCATIONAL)
    no_contract = {"school.apprentice_contract_share": 0.0, "school.pabygg_share": 0.0}
    model.params = Params({**no_contract, "school.vg3_school_uptake": 1.0})
    school(model)._after_vocational_vg2(pids)
    pop = model.pop
    assert (pop.activity[pids] == Activity.UPPER_SECONDARY).all()
    assert (pop.grade[pids] == 3).all() and (pop.track[pids] == Track.VOCATIONAL).all()


def test_without_contract_or_school_place_youth_leave_to_come_back_as_apprentices(model):
    pids = some_youth(model)
    put_in_school(model, pids, 2, Track.VOCATIONAL)
    model.params = Params(
        {
            "school.apprentice_contract_share": 0.0,
            "school.pabygg_share": 0.0,
            "school.vg3_school_uptake": 0.0,
        }
    )
    school(model)._after_vocational_vg2(pids)
    pop = model.pop
    assert (pop.activity[pids] == Activity.NEET).all()
    assert (pop.left_grade[pids] == APPRENTICE).all() and (pop.grade[pids] == 0).all()


def test_vg2_routes_split_by_their_shares(model):
    """Påbygg is an academic Vg3; contracts are apprenticeships; shares within 4 sd."""
    pids = some_youth(model, 2000)
    put_in_school(model, pids, 2, Track.VOCATIONAL)
    model.params = Params(
        {
            "school.pabygg_share": 0.2,
            "school.apprentice_contract_share": 0.5,
            "school.vg3_school_uptake": 0.5,
        }
    )
    school(model)._after_vocational_vg2(pids)
    pop = model.pop
    n = len(pids)
    shares = {
        "pabygg": ((pop.grade[pids] == 3) & (pop.track[pids] == Track.ACADEMIC)).mean(),
        "apprentice": (pop.grade[pids] == APPRENTICE).mean(),
        "vg3_school": ((pop.grade[pids] == 3) & (pop.track[pids] == Track.VOCATIONAL)).mean(),
        "left": (pop.activity[pids] == Activity.NEET).mean(),
    }
    expected = {"pabygg": 0.2, "apprentice": 0.4, "vg3_school": 0.2, "left": 0.2}
    for route, p in expected.items():
        assert abs(shares[route] - p) < 4 * np.sqrt(p * (1 - p) / n), route


def test_vg3_in_school_ends_with_a_trade_certificate_not_higher_education(model):
    pids = some_youth(model)
    put_in_school(model, pids, 3, Track.VOCATIONAL)
    model.params = Params({"school.higher_ed_entry": 1.0, "school.apprentice_hired": 1.0})
    school(model)._complete(pids)
    pop = model.pop
    assert pop.completed[pids].all()
    assert (pop.activity[pids] == Activity.EMPLOYED).all()  # hired as apprentices are


def test_extended_apprentices_take_the_trade_test_in_december(model):
    """All second-year contracts extended: nobody completes in June, all are tested in December."""
    pids = some_youth(model)
    put_in_school(model, pids, APPRENTICE + 1, Track.VOCATIONAL)
    model.params = Params(
        {
            "school.apprentice_extended_share": 1.0,
            "school.final_year_pass": 1.0,
            "school.apprentice_cancel_yearly": 0.0,
        }
    )
    school(model)._extend_apprenticeships()
    school(model)._exams((3, APPRENTICE + 1))
    pop = model.pop
    assert (pop.grade[pids] == EXTENDED).all() and not pop.completed[pids].any()
    school(model)._exams((EXTENDED,))
    assert pop.completed[pids].all()


def test_repeaters_stay_in_school_at_their_level(model):
    pids = some_youth(model)
    half = len(pids) // 2
    put_in_school(model, pids[:half], 1, Track.ACADEMIC)
    put_in_school(model, pids[half:], 2, Track.VOCATIONAL)
    model.params = Params({"school.repeat_yearly": 1.0, "school.programme_switch_yearly": 0.0})
    school(model)._promote(pids)
    pop = model.pop
    assert (pop.activity[pids] == Activity.UPPER_SECONDARY).all()
    assert (pop.grade[pids[:half]] == 1).all() and (pop.grade[pids[half:]] == 2).all()


def test_immigrant_background_raises_dropout(model):
    """Dropout ratio immigrant / other close to ``school.dropout_rr_immigrant`` (2.0 here).

    With a yearly hazard of 0.6 (about 8.8 % a month) and about 2,400 pupils per group the
    ratio's standard error is about 0.15, so it lies above 1.4 and below 2.8.
    """
    live = model.pop.live()
    put_in_school(model, live, 1, Track.VOCATIONAL)
    pop = model.pop
    pop.mh[live] = 0
    pop.immigrant[live] = np.arange(len(live)) % 2 == 0
    imm = pop.immigrant[live].copy()
    model.params = Params(
        {"school.dropout_vocational_yearly": 0.6, "school.dropout_rr_immigrant": 2.0}
    )
    school(model)._dropout()
    out = pop.activity[live] == Activity.NEET
    ratio = out[imm].mean() / out[~imm].mean()
    assert 1.4 < ratio < 2.8


def test_no_immigrant_effect_at_rate_ratio_one(warmed):
    """Zero dose: with the rate ratio at 1 immigrant background changes no dropout draw."""
    outcomes = []
    for flag in (False, True):
        m = pickle.loads(warmed)
        live = m.pop.live()
        pids = live[m.ages(live) <= 19]
        m.params = Params({"school.dropout_rr_immigrant": 1.0})
        put_in_school(m, pids, 1, Track.VOCATIONAL)
        m.pop.immigrant[pids] = flag
        m.module("school")._dropout()
        outcomes.append(m.pop.activity[pids] == Activity.NEET)
    assert outcomes[0].any() and (outcomes[0] == outcomes[1]).all()


def test_school_invariants_over_a_year(model):
    """Pupils hold a level and a track; nobody else holds a level; returners are 24 or younger."""
    pop = model.pop
    for _ in range(12):
        live = pop.live()
        was_out = ~np.isin(
            pop.activity[live], (Activity.UPPER_SECONDARY, Activity.LOWER_SECONDARY)
        )
        outside = live[was_out]
        model.step()
        back = outside[pop.alive[outside] & (pop.activity[outside] == Activity.UPPER_SECONDARY)]
        assert (model.ages(back) <= 24).all()
        live = pop.live()
        pupil = pop.activity[live] == Activity.UPPER_SECONDARY
        grade = pop.grade[live]
        assert ((grade[pupil] >= 1) & (grade[pupil] <= EXTENDED)).all()
        assert (pop.track[live][pupil] != Track.NONE).all()
        assert (grade[~pupil] == 0).all()
        assert not (pupil & pop.completed[live]).any()


def test_neet_by_education_adds_up_to_the_total(model):
    snap = Snapshot(model)
    rows = {g: (v, n) for _, g, v, n in neet_by_education(snap)}
    assert set(rows) == set(EDUCATION_GROUPS)
    assert sum(n for _, n in rows.values()) == len(snap.pids)
    neet_all = next(k for metric, g, k, _ in neet(snap) if metric == "neet_count" and g == "all")
    k_sum = sum(v * n for v, n in rows.values())
    assert k_sum == pytest.approx(neet_all * snap.scale)


def test_vg2_transition_rate_is_recorded_per_track(model):
    """A school year's rate: its Vg2 pupils who are at the next level the next August."""
    while not (model.calendar_month == 9 and model.year > model.start_year):
        model.step()
    rows = model.collector.yearly_rows()
    rates = {g: (v, n) for _, metric, g, v, n in rows if metric == "vg2_transition_rate"}
    assert set(rates) == {"academic", "vocational", "all"}
    assert all(0 < v < 1 and n > 0 for v, n in rates.values())
    assert rates["academic"][0] > rates["vocational"][0]  # apprenticeships are the bottleneck
    assert rates["all"][1] == rates["academic"][1] + rates["vocational"][1]
