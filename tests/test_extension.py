"""Adding a service: it changes nothing when it has no places, and only the youth it reaches.

The added service is a small mentor programme written here the way a student would write a
plugin: a :class:`~sim.services.base.Service` in the "interventions" phase that takes NEET
youth 18+ from a waiting list up to its places and multiplies their job finding by
``mentor_job_rr`` through its declared ``job_find`` hazard modifier. It is registered for the
tests of this module only and unregistered afterwards.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from conftest import traced_run, write_scenario

import sim.core.params
import sim.services
from sim.core.scenario import load_scenario
from sim.core.states import FIELDS, TRACKED, Activity
from sim.run.runner import build_model, run_one
from sim.services.base import Service, scaled_capacity

MENTOR_PARAMETERS = """name,value,unit,lo,hi,source,calibrate
mentor_places,0,places,0,500,assumption (test plugin),false
mentor_job_rr,2.0,ratio,1.0,3.0,assumption (test plugin),false
mentor_months,6,months,3,12,assumption (test plugin),false
"""
CAPACITY_UNITS = {"places", "treatment places", "FTE"}
CORE_CAPACITIES = {
    "bup.capacity",
    "dps.capacity",
    "followup.advisers",
    "nav.caseworkers",  # their caseload sets NAV follow-up intensity for everyone in an area
    "nav.programme_places",
    "nav.qualification_places",
}


def non_binding() -> dict[str, float]:
    """Every capacity in use (a parameter in places or FTE, default > 0) far above demand.

    Then who gets a place never depends on who else is waiting. Read from the parameter
    file, so services added later (their capacities in the same units) are covered too.
    """
    specs = sim.core.params.specs().values()
    params = {s.name: 1e6 for s in specs if s.unit in CAPACITY_UNITS and s.value > 0}
    assert set(params) >= CORE_CAPACITIES
    return params


class Mentor(Service):
    """A mentor for NEET youth 18+: a place for up to ``mentor_months``, better job finding."""

    name = "mentor"
    phase = "interventions"
    hazard_modifiers = {"job_find": "job_find_modifier"}

    def configure(self):
        self.capacity = scaled_capacity(self.model.params["mentor_places"], self.model.scale)

    def step(self):
        if not self.capacity:  # inert without places (the plugin contract)
            return
        m, pop = self.model, self.model.pop
        done = pop.activity[self.active] != Activity.NEET
        done |= m.month - self.active_since >= m.params["mentor_months"]
        self.release(done)
        live = pop.live()
        self.receive(live[(pop.activity[live] == Activity.NEET) & (m.ages(live) >= 18)])
        self.leave_queue(pop.activity[self.queue] == Activity.NEET)
        self.admit(self.capacity - len(self.active))

    def job_find_modifier(self, pids):
        rr = self.model.params["mentor_job_rr"]
        return np.where(np.isin(pids, self.active), rr, 1.0)


@pytest.fixture(scope="module")
def mentor_plugin(baseline_run):
    """Register the mentor service and its parameters (the baseline run is made before)."""
    sim.core.params.register_parameters(MENTOR_PARAMETERS)
    sim.services.register(Mentor)
    yield Mentor
    sim.services.REGISTRY.pop(Mentor.name, None)
    for name in ("mentor_places", "mentor_job_rr", "mentor_months"):
        sim.core.params._REGISTRY.pop(name, None)


def _about_mentor(df: pd.DataFrame) -> pd.Series:
    return df["group"].str.contains("mentor")


def _assert_baseline_rows_kept(with_service: pd.DataFrame, baseline: pd.DataFrame) -> None:
    """Every baseline row is in the new table, identical; the only new rows are the mentor's."""
    assert _about_mentor(baseline).sum() == 0
    kept = with_service[~_about_mentor(with_service)].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, baseline, check_exact=True)


def test_zero_places_reproduce_the_baseline_exactly(mentor_plugin, baseline_run, baseline_spec):
    """With ``mentor_places = 0`` every row of both baseline tables is unchanged."""
    result = run_one(baseline_spec)  # the same spec, now with the mentor service present
    assert "mentor" in {s.name for s in build_model(baseline_spec).services}
    _assert_baseline_rows_kept(result.yearly, baseline_run.yearly)
    _assert_baseline_rows_kept(result.monthly, baseline_run.monthly)


def test_zero_places_with_other_mentor_settings_still_inert(
    mentor_plugin, baseline_run, baseline_spec, tmp_path
):
    """The service's other parameters do nothing while it has no places."""
    path = write_scenario(tmp_path / "baseline.toml", {"mentor_job_rr": 3.0, "mentor_months": 12})
    result = run_one(replace(baseline_spec, scenario=load_scenario(path)))
    _assert_baseline_rows_kept(result.yearly, baseline_run.yearly)


@pytest.fixture(scope="module")
def non_binding_pair(mentor_plugin, baseline_spec, tmp_path_factory):
    """Two runs with every core capacity non-binding: without and with 300 mentor places.

    Both extend the same non-binding base, so their warm-ups (run under the chain's root)
    are identical; the mentor places apply from the start month.
    """
    tmp = tmp_path_factory.mktemp("mentor")
    base = write_scenario(tmp / "open.toml", non_binding())
    mentor = write_scenario(tmp / "mentor.toml", {"mentor_places": 300}, extends=base)
    runs = [traced_run(replace(baseline_spec, scenario=load_scenario(p))) for p in (base, mentor)]
    return runs[0].model, runs[1].model


HELPER_CODES: dict[str, int] = {}  # one helper numbering shared by every model compared


def _canonical_helpers(model, masks: np.ndarray) -> np.ndarray:
    """Helper bitmasks re-coded by helper name, so bit numbering cannot differ between runs."""
    out = np.zeros(len(masks), dtype=np.uint64)
    for value in np.unique(masks):
        names = model.helper_names(int(value))
        code = sum(1 << HELPER_CODES.setdefault(n, len(HELPER_CODES)) for n in names)
        out[masks == value] = code
    return out


def _histories(model, pids: np.ndarray) -> np.ndarray:
    """The change log of the given youth, helpers re-coded, in a canonical order."""
    ev = model.pop.events()
    ev = ev[np.isin(ev["pid"], pids)]
    values = ev["value"].astype(np.uint64)
    helpers = ev["field"] == TRACKED.index("helpers")
    values[helpers] = _canonical_helpers(model, ev["value"][helpers])
    table = np.rec.fromarrays([ev["pid"], ev["month"], ev["field"], values])
    return np.sort(table, kind="stable", order=["f0", "f1", "f2"])


def test_service_reaches_youth_and_changes_their_paths(non_binding_pair):
    """The mentor is not a no-op: it serves youth and some of them find work sooner."""
    base, mentor = non_binding_pair
    served = next(s for s in mentor.services if s.name == "mentor").served()
    assert len(served) > 20
    assert not np.array_equal(_histories(base, served), _histories(mentor, served))


def test_youth_never_served_keep_identical_trajectories(non_binding_pair):
    """Youth the mentor never served have the same change log and final state in both runs."""
    base, mentor = non_binding_pair
    assert base.pop.n == mentor.pop.n  # entries and arrivals do not depend on the scenario
    served = next(s for s in mentor.services if s.name == "mentor").served()
    others = np.setdiff1d(np.arange(base.pop.n), served)
    assert len(others) > 0.8 * base.pop.n
    assert np.array_equal(_histories(base, others), _histories(mentor, others))
    for name in FIELDS:
        a, b = getattr(base.pop, name)[others], getattr(mentor.pop, name)[others]
        if name == "helpers":
            a, b = _canonical_helpers(base, a), _canonical_helpers(mentor, b)
        assert np.array_equal(a, b), name


def test_referrals_of_youth_never_served_unchanged(non_binding_pair):
    """The referral log (route, month, lost) of unserved youth is the same in both runs."""
    base, mentor = non_binding_pair
    served = next(s for s in mentor.services if s.name == "mentor").served()

    def log(model):
        ref = model.referrals.log()
        ref = ref[~np.isin(ref["pid"], served)]
        routes = {v: k for k, v in model._routes.items()}
        named = [routes[r] for r in ref["route"]]
        return sorted(zip(ref["pid"], ref["month"], named, ref["lost"], strict=True))

    assert log(base) == log(mentor)
    assert len(log(base)) > 100
