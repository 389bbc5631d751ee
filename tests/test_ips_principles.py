"""IPS by its principles: each mechanism is switched off by its own dose, and more of a
principle never lowers employment.

Off means off: a principle's "no effect" value gives tables identical, row for row, to the
same run with that mechanism's code path taken out (or to a second, independent way of
switching it off). Runs are small (scale 0.05, 3 years, the coordinated scenario, where IPS
has many clients).

More dose (marked slow): the coordinated scenario with a principle at the low and at the high
end of its range, two paired replicates (common random numbers) at scale 0.5 over 8 years.
Employment (the yearly November employment rate, mean over the years) is compared: the high
dose must not be below the low dose by more than ``NOISE``. Per-decision streams keep youth the
change does not reach on identical paths, but a reached youth's changed path moves queues and
places that others share, so the paired difference has some noise. Measured at this size
(2 replicates each, commit 9878ed4): the principles with little expected effect on employment
moved it by -0.003 to +0.011 percentage points (follow-along ending, supported education,
integration), the others by +0.06 to +0.22 points (rapid search, job development,
counselling). ``NOISE`` = 0.05 points is more than ten times the largest move seen without an
expected effect and below the smallest expected effect.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import SCENARIOS, write_scenario

from sim.core.scenario import load_scenario
from sim.run.runner import RunSpec, replicate_seeds, run_one
from sim.services.ips import IpsTeam

COORDINATED = load_scenario(SCENARIOS / "coordinated_ips.toml").overrides
NOISE = 0.0005  # employment rate, as a fraction (0.05 percentage points)


def run(tmp_path, name: str, params: dict, years: int = 3, scale: float = 0.05, rep: int = 0):
    """The coordinated scenario with ``params`` on top; one replicate's result."""
    path = write_scenario(tmp_path / f"{name}.toml", {**COORDINATED, **params})
    seed = replicate_seeds(11, rep + 1)[rep]
    return run_one(RunSpec(load_scenario(path), rep, seed, years, scale))


def removed_from_start(monkeypatch, method: str, off=1.0) -> None:
    """Replace an IpsTeam method by ``off`` from the start month (the warm-up, which runs the
    baseline with the mechanism on in every run, keeps the original)."""
    original = getattr(IpsTeam, method)

    def patched(team, *args):
        return off if team.model.started else original(team, *args)

    monkeypatch.setattr(IpsTeam, method, patched)


def assert_same_tables(a, b) -> None:
    for table in ("yearly", "monthly"):
        x, y = (getattr(r, table).drop(columns="scenario") for r in (a, b))
        pd.testing.assert_frame_equal(x, y, check_exact=True)


# -- off means off ----------------------------------------------------------------------------
def test_no_employer_contacts_is_no_job_finding_effect(tmp_path):
    """Job development at zero contacts equals an IPS job-finding ratio of 1 (and no rapid
    search): the contacts are the whole channel of IPS's job-finding effect."""
    a = run(tmp_path, "a", {"ips.employer_contacts_weekly": 0.0})
    b = run(tmp_path, "b", {"ips.job_find_rr": 1.0, "ips.rapid_search_rr": 1.0})
    flows = a.yearly[a.yearly["metric"] == "ips_employer_contacts"]
    assert (flows["value"] == 0).all()
    a.yearly = a.yearly[a.yearly["metric"] != "ips_employer_contacts"]
    b.yearly = b.yearly[b.yearly["metric"] != "ips_employer_contacts"]
    a.monthly = a.monthly[a.monthly["metric"] != "ips_employer_contacts"]
    b.monthly = b.monthly[b.monthly["metric"] != "ips_employer_contacts"]
    assert_same_tables(a, b)


def test_rapid_search_off_by_either_switch(tmp_path):
    """No extra multiplier (ratio 1) and no rapid-search months give the same tables."""
    a = run(tmp_path, "a", {"ips.rapid_search_rr": 1.0})
    b = run(tmp_path, "b", {"ips.rapid_search_months": 0})
    assert_same_tables(a, b)


def test_no_counselling_effect_is_no_counselling(tmp_path, monkeypatch):
    """Counselling at effect 0 equals the model with counselling's code path removed from the
    start month (the warm-up runs the baseline, where counselling is on, in both runs)."""
    a = run(tmp_path, "a", {"ips.benefits_counselling_effect": 0.0})
    removed_from_start(monkeypatch, "_counselled")
    removed_from_start(monkeypatch, "_counsel", off=None)
    b = run(tmp_path, "b", {"ips.benefits_counselling_effect": 0.3})
    assert_same_tables(a, b)
    rows = a.yearly[(a.yearly["metric"] == "ips_benefits_counselling")]
    assert (rows["value"] == 0).all()


def test_unsupported_education_is_no_education_modifier(tmp_path, monkeypatch):
    """A dropout ratio of 1 equals IPS's education modifier removed from the start month."""
    a = run(tmp_path, "a", {"ips.education_dropout_rr": 1.0})
    removed_from_start(monkeypatch, "edu_dropout_modifier")
    b = run(tmp_path, "b", {"ips.education_dropout_rr": 0.7})
    assert_same_tables(a, b)


def test_follow_along_is_time_unlimited_unless_limited(tmp_path):
    """Time-unlimited follow-along (0) equals a limit no case can reach, and a 6-month limit
    in work is live (it closes cases, so the tables differ)."""
    a = run(tmp_path, "a", {"ips.followalong_months": 0})
    b = run(tmp_path, "b", {"ips.followalong_months": 60})
    assert_same_tables(a, b)
    c = run(tmp_path, "c", {"ips.followalong_months": 6})
    with pytest.raises(AssertionError):
        assert_same_tables(a, c)


def test_no_follow_along_effect_is_no_job_loss_modifier(tmp_path, monkeypatch):
    """A job-loss ratio of 1 equals IPS's job-loss modifier removed from the start month."""
    a = run(tmp_path, "a", {"ips.job_loss_rr": 1.0})
    removed_from_start(monkeypatch, "job_loss_modifier")
    b = run(tmp_path, "b", {"ips.job_loss_rr": 0.4})
    assert_same_tables(a, b)


def test_no_integration_is_no_shared_plan_and_no_clinic_referrals(tmp_path, monkeypatch):
    """ips.integrated 0 equals a team whose clinics never refer and that shares no plan."""
    a = run(tmp_path, "a", {"ips.integrated": 0.0})
    monkeypatch.setattr(IpsTeam, "with_treatment_team", lambda self: self.active[:0])
    b = run(tmp_path, "b", {"ips.integrated": 1.0, "ips.health_referral_monthly": 0.0})
    assert_same_tables(a, b)


def test_integration_shares_plans_only_with_a_treatment_team_the_client_has():
    """Every IPS client with the shared-plan flag from IPS is in BUP or DPS treatment."""
    from sim.run.runner import build_model

    sc = load_scenario(SCENARIOS / "coordinated_ips.toml")
    model = build_model(RunSpec(sc, 0, replicate_seeds(11, 1)[0], 2, 0.05))
    model.end_month = model.month + 24
    for _ in range(24):
        model.step()
    ips = model.module("ips")
    members = model.plan_owners["ips"]
    treated = set(model.module("bup").active) | set(model.module("dps").active)
    assert len(members) and set(members) <= treated
    assert len(members) < len(ips.active)  # most IPS clients are not in specialist treatment


# -- more dose never lowers employment -----------------------------------------------------------
DOSES = {  # principle: (parameter, low dose, high dose)
    "job development": ("ips.employer_contacts_weekly", 2.0, 6.0),
    "rapid search": ("ips.rapid_search_rr", 1.0, 2.5),
    "benefits counselling": ("ips.benefits_counselling_effect", 0.0, 0.3),
    "follow-along": ("ips.followalong_end_monthly", 0.0833, 0.0278),
    "integration": ("ips.integrated", 0.0, 1.0),
}
# Supported education keeps clients in school, which can lower employment in the short run:
# its outcome is the NEET rate (more support never raises it).
EDUCATION = ("ips.education_dropout_rr", 1.0, 0.7)


def rate(result, metric: str) -> float:
    """Mean over the years of a county-wide yearly rate."""
    y = result.yearly
    rows = y[(y["metric"] == metric) & (y["group"] == "all")]
    return float(rows["value"].mean())


@pytest.mark.slow
@pytest.mark.parametrize("principle", list(DOSES))
def test_more_dose_never_lowers_employment(tmp_path, principle):
    name, low, high = DOSES[principle]
    for rep in range(2):
        lo = run(tmp_path, f"lo{rep}", {name: low}, years=8, scale=0.5, rep=rep)
        hi = run(tmp_path, f"hi{rep}", {name: high}, years=8, scale=0.5, rep=rep)
        more, less = rate(hi, "employment_rate"), rate(lo, "employment_rate")
        assert more >= less - NOISE, (principle, rep)


@pytest.mark.slow
def test_more_supported_education_never_raises_neet(tmp_path):
    name, low, high = EDUCATION
    for rep in range(2):
        lo = run(tmp_path, f"lo{rep}", {name: low}, years=8, scale=0.5, rep=rep)
        hi = run(tmp_path, f"hi{rep}", {name: high}, years=8, scale=0.5, rep=rep)
        assert rate(hi, "neet_rate") <= rate(lo, "neet_rate") + NOISE, rep
