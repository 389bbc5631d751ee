"""Plan conflict: only helpers that each hold a plan of their own weaken each other's effect.

A youth is in conflict (``model.conflict_factor`` = 1 - ``plan_conflict``) when two or more
plan-holding helpers (NAV, the follow-up service, BUP/DPS, the coordinator) follow them
without a shared plan. The GP's routine contact is a helper that holds no plan, so a BUP
patient whose only other helper is the GP is not in conflict; nor is an IPS specialist a
planner (they work to NAV's activity plan or the treatment team's), so an IPS client is never
one helper more in conflict, and the IPS-25 score alone measures IPS's own fidelity.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import BASELINE

from sim import api
from sim.core.params import Params
from sim.core.states import NavStatus
from sim.services.ips import fidelity_share, scaled_rr

PLAN_HOLDERS = {"followup", "nav", "bup", "dps", "coordinator"}


@pytest.fixture(scope="module")
def model():
    """A small baseline model stepped one year past its warm-up (a few seconds)."""
    m = api.build(api.load_scenario(BASELINE), seed=3, scale=0.02, monthly=False)
    for _ in range(12):
        m.step()
    return m


@pytest.fixture
def youth(model):
    """Four live youth whose helper masks and shared-plan flags a test may set (restored)."""
    pids = model.pop.live()[:4]
    saved = model.pop.helpers[pids].copy(), model.pop.shared_plan[pids].copy()
    yield pids
    model.pop.helpers[pids], model.pop.shared_plan[pids] = saved


def bits(model, *names: str) -> np.uint32:
    """The helper mask of the named services."""
    return np.uint32(sum(model.helper_bit(n) for n in names))


def with_conflict(model, value: float) -> Params:
    """The model's parameters with ``plan_conflict`` set to ``value``."""
    return Params({**{k: model.params[k] for k in model.params}, "plan_conflict": value})


def test_the_gp_holds_no_plan_and_the_planning_services_do(model):
    holders = {n for n in model._helper_bits if model._plan_mask & model.helper_bit(n)}
    assert holders == PLAN_HOLDERS
    assert not model.module("gp").holds_plan and model.module("gp").is_helper


def test_bup_patient_whose_other_helper_is_the_gp_is_not_in_conflict(model, youth):
    pop, pc = model.pop, model.params["plan_conflict"]
    assert pc > 0  # the baseline has a penalty to escape
    pop.shared_plan[youth] = False
    pop.helpers[youth] = [
        bits(model, "bup", "gp"),  # patient + GP: no conflict
        bits(model, "dps", "gp"),  # likewise at DPS
        bits(model, "nav", "bup"),  # NAV + BUP, no shared plan: conflict
        bits(model, "nav", "dps", "gp"),  # the GP adds nothing to a conflict
    ]
    np.testing.assert_allclose(model.conflict_factor(youth), [1.0, 1.0, 1.0 - pc, 1.0 - pc])


def test_a_shared_plan_removes_the_conflict(model, youth):
    model.pop.helpers[youth] = bits(model, "nav", "bup")
    model.pop.shared_plan[youth] = True
    np.testing.assert_array_equal(model.conflict_factor(youth), 1.0)


def test_zero_plan_conflict_is_no_penalty(model, youth):
    """At 0 every youth's factor is 1, and the clinics' and NAV's effects are undiminished."""
    saved = model.params
    model.params = with_conflict(model, 0.0)
    try:
        model.pop.helpers[youth] = bits(model, "nav", "bup", "dps", "followup", "ips")
        model.pop.shared_plan[youth] = False
        live = model.pop.live()
        np.testing.assert_array_equal(model.conflict_factor(live), 1.0)
        for clinic in ("bup", "dps"):
            treated = model.module(clinic).active
            rr = model.module(clinic).recovery_modifier(treated)
            np.testing.assert_allclose(rr, model.params["mental_health.treatment_recovery_rr"])
    finally:
        model.params = saved


def test_patients_in_conflict_have_another_planning_helper(model):
    """In the stepped baseline, a patient is in conflict only with a second plan holder."""
    pop = model.pop
    patients = np.concatenate([model.module("bup").active, model.module("dps").active])
    assert len(patients)
    clinics = bits(model, "bup", "dps")
    others = pop.helpers[patients] & model._plan_mask & ~clinics
    conflicted = model.conflict_factor(patients) < 1.0
    np.testing.assert_array_equal(conflicted, (others > 0) & ~pop.shared_plan[patients])
    gp_only = (pop.helpers[patients] & ~clinics) == bits(model, "gp")
    assert not conflicted[gp_only].any()


def test_an_ips_specialist_neither_is_cut_by_conflict_nor_weakens_nav(model, youth):
    """IPS-25 alone scores IPS; the specialist is no extra planner against NAV's plan."""
    ips, p = model.module("ips"), model.params
    saved = ips.active, ips.active_since, ips.contact_share, ips.counselled
    ips.active = youth.astype(np.int64)
    ips.active_since = np.full(len(youth), model.month - 3, dtype=np.int32)
    ips.contact_share = 1.0
    ips.counselled = np.ones(len(youth), dtype=bool)
    try:
        model.pop.helpers[youth] = bits(model, "nav", "ips")
        model.pop.shared_plan[youth] = False
        on_aap = model.pop.nav_status[youth] == NavStatus.AAP
        expected = scaled_rr(p["ips.job_find_rr"], fidelity_share(p["ips.fidelity"]))
        expected = expected * np.where(on_aap, ips._counselled(youth, ips.counselled), 1.0)
        np.testing.assert_allclose(ips.job_find_modifier(youth), expected)
        np.testing.assert_array_equal(model.conflict_factor(youth), 1.0)
        model.pop.helpers[youth] = bits(model, "nav", "ips", "bup")
        assert (model.conflict_factor(youth) < 1.0).all()  # NAV and a clinic: still conflict
    finally:
        ips.active, ips.active_since, ips.contact_share, ips.counselled = saved
