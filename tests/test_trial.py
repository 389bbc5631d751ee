"""The emulated trial: eligibility and balance at randomisation, dedicated places, the
6-month arm, censoring, trial.json, Wilson intervals, CLI errors, and (slow) the target RR."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import BASELINE
from scipy.stats import chi2_contingency

from sim.analysis.targets import IPS_TRIAL_RR, target_value
from sim.analysis.trial import TrialConfig, as_trial, wilson, years_needed
from sim.cli.main import main
from sim.core.scenario import load_scenario
from sim.core.states import Activity, Mh, NavStatus
from sim.run.runner import RunSpec, build_model, replicate_seeds
from sim.services.trial_team import ARMS, randomisation_month


@pytest.fixture(scope="module")
def trial_model():
    """A trial run (scale 0.5, all eligible), stepped to 8 months after randomisation."""
    sc = as_trial(load_scenario(BASELINE), TrialConfig("nav_mental_health", None, 18))
    model = build_model(RunSpec(sc, 0, replicate_seeds(4, 1)[0], 3, 0.5, monthly=False))
    state = {}
    regular = next(s for s in model.services if s.name == "ips")
    team = next(s for s in model.services if s.name == "ips_trial")
    while model.month < randomisation_month(model) + 8:
        model.step()
        if model.month == randomisation_month(model) + 1:
            state["at_randomisation"] = {f: getattr(model.pop, f).copy() for f in FIELDS}
            state["ages"] = model.ages(np.arange(model.pop.n))
        assert len(regular.active) <= regular.capacity
        assert len(team.active) <= team.capacity
        assert not np.isin(regular.active, regular.excluded).any()
        assert not np.isin(regular.queue, regular.excluded).any()
    return model, team, state


FIELDS = ("activity", "nav_status", "mh", "female", "immigrant", "completed")


def test_arms_are_equal_disjoint_and_eligible(trial_model):
    model, team, state = trial_model
    arms = [team.arms[a] for a in ARMS]
    assert len({len(a) for a in arms}) == 1 and len(arms[0]) > 100
    assert len(np.unique(np.concatenate(arms))) == 3 * len(arms[0])
    pids = np.concatenate(arms)
    # randomised in January after the health and NAV phases, before the labour market: at the
    # end of January health and NAV status are as at randomisation; some found a job that month
    at = state["at_randomisation"]
    assert ((state["ages"][pids] >= 18) & (state["ages"][pids] <= 29)).all()
    assert (at["mh"][pids] >= Mh.MODERATE).all()
    statuses = [NavStatus.JOBSEEKER, NavStatus.AAP, NavStatus.QUALIFICATION]
    assert np.isin(at["nav_status"][pids], [*statuses, NavStatus.SOCIAL_ASSISTANCE]).all()
    assert np.isin(at["activity"][pids], [Activity.NEET, Activity.EMPLOYED]).all()


@pytest.mark.parametrize("field", ["female", "immigrant", "completed", "severe", "aap"])
def test_arms_are_balanced_at_randomisation(trial_model, field):
    """No covariate differs between arms beyond chance (chi-square p > 0.001)."""
    model, team, state = trial_model
    at = state["at_randomisation"]
    values = {
        "severe": at["mh"] == Mh.SEVERE,
        "aap": at["nav_status"] == NavStatus.AAP,
    }.get(field, at.get(field))
    table = [[int(values[team.arms[a]].sum()), int((~values[team.arms[a]]).sum())] for a in ARMS]
    if min(map(min, table)) == 0:
        pytest.skip("no youth with this value")
    assert chi2_contingency(table).pvalue > 0.001


def test_dedicated_places_and_six_month_limit(trial_model):
    model, team, _ = trial_model
    assert team.capacity == 2 * len(team.arms["ips"])
    assert not np.isin(team.active, team.arms["usual"]).any()
    assert not np.isin(team.active, team.arms["ips_6m"]).any()  # 8 months in: support ended
    assert np.isin(team.active, team.arms["ips"]).any()


def test_wilson_interval():
    lo, hi = wilson(5, 10)
    assert (lo, hi) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson(0, 10)[0] == 0.0 and wilson(0, 10)[1] == pytest.approx(0.2775, abs=1e-4)
    assert all(np.isnan(wilson(0, 0)))


def test_years_needed_covers_randomisation_and_follow_up():
    assert years_needed("2024-01", 18) == 3
    assert years_needed("2024-07", 18) == 2
    assert years_needed("2024-01", 12) == 2


@pytest.fixture(scope="module")
def trial_json(tmp_path_factory):
    out = tmp_path_factory.mktemp("trial") / "out"
    rc = main(
        ["trial", "--scale", "0.1", "--reps", "2", "--seed", "2", "--out", str(out), "--quiet"]
    )
    assert rc == 0
    return json.loads((out / "trial.json").read_text(encoding="utf-8")), out


def test_trial_json_shape_and_censoring(trial_json):
    trial, out = trial_json
    names = {p.name for p in out.iterdir()}
    assert names == {"trial.json", "yearly.parquet", "manifest.json"}
    assert trial["population"] == "nav_mental_health" and trial["reps"] == 2
    assert trial["n_per_arm"] > 10 and set(trial["arms"]) == set(ARMS)
    for arm in ARMS:
        for outcome in ("employed_at", "any_job_by"):
            cells = trial["arms"][arm][outcome]
            assert list(cells) == ["6", "12", "18"]
            for c in cells.values():
                assert 0 <= c["lo"] <= c["share"] <= c["hi"] <= 1
            assert cells["18"]["n"] <= cells["12"]["n"] == cells["6"]["n"]  # leavers at 30
            assert cells["6"]["n"] == sum(trial["n_per_arm_by_replicate"])  # none left by month 6
        at, by = trial["arms"][arm]["employed_at"], trial["arms"][arm]["any_job_by"]
        assert all(by[m]["share"] >= at[m]["share"] for m in at)


def test_n_caps_each_arm(tmp_path):
    out = tmp_path / "small"
    argv = ["trial", "--scale", "0.1", "--reps", "1", "--n", "7", "--months", "6"]
    assert main([*argv, "--population", "young_neet_benefits", "--out", str(out), "--quiet"]) == 0
    trial = json.loads((out / "trial.json").read_text(encoding="utf-8"))
    assert trial["n_per_arm"] == 7 and trial["population"] == "young_neet_benefits"
    assert list(trial["arms"]["ips"]["employed_at"]) == ["6"]


@pytest.mark.parametrize(
    "bad", [["--n", "0"], ["--months", "0"], ["--years", "1"], ["--population", "everyone"]]
)
def test_bad_options_exit_2_and_write_nothing(tmp_path, bad):
    out = tmp_path / "never"
    assert main(["trial", *bad, "--scale", "0.02", "--out", str(out), "--quiet"]) == 2
    assert not out.exists()


@pytest.mark.slow
def test_trial_reproduces_the_target_risk_ratio(tmp_path):
    """Full scale, 6 replicates: RR of employed_at 12 months within 0.1 of its target."""
    out = tmp_path / "full"
    argv = ["trial", "--scale", "1", "--reps", "6", "--workers", "2", "--out", str(out)]
    assert main([*argv, "--quiet"]) == 0
    trial = json.loads((out / "trial.json").read_text(encoding="utf-8"))
    rr = trial["risk_ratio"]["ips/usual"]["employed_at"]["12"]
    print(f"risk ratio at 12 months: {rr:.3f}")
    assert rr == pytest.approx(target_value(*IPS_TRIAL_RR), abs=0.1)
