"""Calibration: roles choose the fitted set, the band loss, the search and its resumable log.

Fast tests use a fake evaluator (moments a cheap function of the point) so the search, the
log and resuming are tested without running the model; the slow ones run the model.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import BASELINE

import sim.analysis.calibrate as calib
import sim.core.params
from sim.analysis import calibrate_loss as cl
from sim.analysis.calibrate_log import Log
from sim.cli.main import main
from sim.core.params import register_parameters, specs
from sim.core.scenario import load_scenario
from sim.errors import InputError
from sim.run.draws import uncertain
from sim.run.executors import choose
from sim.run.runner import replicate_seeds

NAMES = ["nav.aap_grant_monthly", "nav.disability_from_aap_monthly"]


def targets(rows: list[tuple]) -> pd.DataFrame:
    """Yearly target rows (metric, value, lo, hi, weight) for group ``all``, period 2024."""
    return pd.DataFrame(
        [{"table": "yearly", "metric": m, "group": "all", "period": "2024", "value": v,
          "lo": lo, "hi": hi, "weight": w} for m, v, lo, hi, w in rows],
        columns=["table", "metric", "group", "period", "value", "lo", "hi", "weight"],
    )  # fmt: skip


def yearly(values: dict[str, list[float]]) -> pd.DataFrame:
    """A yearly table: one row per metric and replicate, group ``all``, period 2024."""
    return pd.DataFrame(
        [{"metric": m, "group": "all", "period": 2024, "replicate": r, "value": v}
         for m, vs in values.items() for r, v in enumerate(vs)]
    )  # fmt: skip


# -- the fitted set -----------------------------------------------------------------------------
def test_roles_choose_the_fitted_parameters_and_none_of_them_is_drawn():
    chosen = calib.choose_params(None, {})
    assert chosen == [n for n, s in specs().items() if s.role == "calibrated"]
    assert "nav.aap_grant_monthly" in chosen and "ips.job_find_rr" in chosen
    assert not {s.name for s in uncertain()} & set(chosen)  # fixed at the fit, not drawn
    assert "handover_loss" not in chosen  # barely moves NEET (Morris): stays uncertain


def test_a_calibrated_plugin_row_joins_the_set_and_params_overrides_it():
    register_parameters(
        "name,value,unit,min,max,lo,hi,role,source\n"
        "calib_test.rate,0.5,probability/month,0,1,0.2,0.8,calibrated,assumption\n"
    )
    try:
        assert calib.choose_params(None, {})[-1] == "calib_test.rate"
        assert calib.choose_params(["handover_loss"], {}) == ["handover_loss"]
        fixed = {"nav.aap_grant_monthly": 0.2}
        assert "nav.aap_grant_monthly" not in calib.choose_params(None, fixed)
    finally:
        sim.core.params._REGISTRY.pop("calib_test.rate", None)


def test_the_confounded_pair_is_refused():
    with pytest.raises(InputError, match="cannot both be identified"):
        calib.choose_params(["handover_loss", "plan_conflict"], {})


# -- the loss -----------------------------------------------------------------------------------
def test_loss_is_zero_when_every_row_is_inside_its_band_and_grows_outside():
    t = targets([("a", 0.10, 0.09, 0.11, 2.0), ("b", 5.0, 4.0, 6.0, 1.0)])
    inside = cl.moments(t, yearly({"a": [0.095, 0.105], "b": [4.5, 4.1]}))
    assert cl.loss(inside) == 0.0 and inside["inside"].all()
    assert cl.centre(inside) > 0  # off centre, so the tie-breaker still orders candidates
    out = cl.moments(t, yearly({"a": [0.12, 0.12], "b": [5.0, 5.0]}))
    # a misses by one half-width (0.01 / 0.01), weight 2 of 3: loss 2/3
    assert cl.loss(out) == pytest.approx(2.0 / 3.0)
    assert cl.objectives(out["simulated"].to_numpy()[None, :], out)[0] == pytest.approx(
        cl.objective(out)
    )


def test_a_row_without_a_simulated_value_is_listed_but_not_counted():
    t = targets([("a", 0.10, 0.09, 0.11, 1.0), ("missing", 1.0, 0.0, 2.0, 5.0)])
    table = cl.moments(t, yearly({"a": [0.10]}))
    assert len(table) == 2 and np.isnan(table["simulated"].iloc[1])
    assert cl.loss(table) == 0.0


def test_cohort_and_trial_rows_read_their_tables():
    t = pd.DataFrame(
        [{"table": "cohorts", "metric": "cohort_share", "group": "neet:employed", "period": "12",
          "value": 0.4, "lo": 0.3, "hi": 0.5, "weight": 1.0},
         {"table": "cohorts", "metric": "cohort_share", "group": "neet:neet:aap", "period": "12",
          "value": 0.1, "lo": 0.05, "hi": 0.15, "weight": 1.0},
         {"table": "trial", "metric": "trial_employed_at", "group": "nav_mental_health:usual",
          "period": "12", "value": 0.27, "lo": 0.2, "hi": 0.35, "weight": 1.0},
         {"table": "trial", "metric": "trial_rr_employed_at",
          "group": "nav_mental_health:ips/usual", "period": "12", "value": 1.4, "lo": 1.25,
          "hi": 1.65, "weight": 1.0}]
    )  # fmt: skip
    cohorts = pd.DataFrame(
        [{"replicate": r, "cohort": "neet", "month": 12, "activity": a, "nav_status": s,
          "value": v} for r in (0, 1)
         for a, s, v in [("employed", "none", 0.3), ("employed", "jobseeker", 0.1 + 0.1 * r),
                         ("neet", "aap", 0.12)]]
    )  # fmt: skip
    trial = {"arms": {"usual": {"employed_at": {"12": {"share": 0.25}}},
                      "ips": {"employed_at": {"12": {"share": 0.35}}}},
             "risk_ratio": {"ips/usual": {"employed_at": {"12": 1.4}}}}  # fmt: skip
    table = cl.moments(t, cohorts=cohorts, trials={"nav_mental_health": trial})
    assert table["simulated"].tolist() == pytest.approx([0.45, 0.12, 0.25, 1.4])
    assert table["inside"].all() and cl.loss(table) == 0.0


def test_cohort_rows_ask_the_runs_for_their_cohorts_or_are_left_out_with_a_note():
    t = pd.concat(
        [targets([("aap_count_under30", 2761, 2300, 3200, 1.0)]),
         pd.DataFrame([{"table": "cohorts", "metric": "cohort_share", "group": "neet:employed",
                        "period": "12", "value": 0.4, "lo": 0.3, "hi": 0.5, "weight": 1.0}])],
        ignore_index=True,
    )  # fmt: skip
    problem = calib.Problem(load_scenario(BASELINE), NAMES, t, [1])
    (spec,) = problem.specs(problem.prior_u())
    if hasattr(spec, "cohorts"):  # the runs follow cohorts: the rows name theirs
        assert "neet" in str(spec.cohorts) and len(problem.targets) == 2
    else:  # a model without the option: the rows are left out, and the command says so
        assert list(problem.targets["table"]) == ["yearly"] and problem.notes


# -- the search and its log (fake evaluator) ----------------------------------------------------
TRUTH = np.array([0.3, 0.7])


def fake_evaluate(problem, u, pool):
    """Moments that depend smoothly on the point: a = u0, b = u0 * u1 + u1."""
    calls.append(tuple(u))
    return cl.moments(problem.targets, yearly({"a": [u[0]], "b": [u[0] * u[1] + u[1]]}))


calls: list[tuple] = []


@pytest.fixture
def fake(monkeypatch):
    """The fake evaluator, and a problem whose narrow bands sit at TRUTH."""
    monkeypatch.setattr(calib, "evaluate", fake_evaluate)
    calls.clear()
    a, b = TRUTH[0], TRUTH[0] * TRUTH[1] + TRUTH[1]
    t = targets([("a", a, a - 0.01, a + 0.01, 1.0), ("b", b, b - 0.01, b + 0.01, 1.0)])
    return calib.Problem(load_scenario(BASELINE), NAMES, t, [1], design_seed=3)


def test_the_search_finds_the_band_and_improves_on_the_prior(fake, tmp_path):
    log = Log(tmp_path / "evaluations.jsonl", fake.header())
    fit = calib.calibrate(fake, None, log, budget=30, minutes=5)
    assert fit.prior["stage"] == "prior" and fit.prior["loss"] > 1.0
    assert fit.loss == 0.0  # both rows inside their bands (width 0.02 of the unit cube)
    assert len(set(calls)) == len(calls) == 30  # never the same point twice
    u = (np.array([fit.values[n] for n in NAMES]) - fake.lo) / (fake.hi - fake.lo)
    assert np.abs(u - TRUTH).max() < 0.03


def test_a_rerun_continues_the_log_without_repeating_evaluations(fake, tmp_path):
    path = tmp_path / "evaluations.jsonl"
    calib.calibrate(fake, None, Log(path, fake.header()), budget=8, minutes=5)
    first = [json.loads(x) for x in path.read_text().splitlines()[1:]]
    with open(path, "a") as f:
        f.write('{"evaluation": 9, "stage": "emul')  # a line cut short by a kill
    calls.clear()
    fit = calib.calibrate(fake, None, Log(path, fake.header()), budget=12, minutes=5)
    assert fit.new == 4 and len(calls) == 4
    lines = [json.loads(x) for x in path.read_text().splitlines()[1:]]
    assert [e["evaluation"] for e in lines] == list(range(1, 13))
    assert lines[:8] == first  # the earlier evaluations are kept as they were
    points = [tuple(e["u"]) for e in lines]
    assert len(set(points)) == 12 and not set(calls) & set(points[:8])
    # the same run without a break: identical points (the search replays from the log)
    calls.clear()
    again = tmp_path / "again.jsonl"
    calib.calibrate(fake, None, Log(again, fake.header()), budget=12, minutes=5)
    assert [tuple(json.loads(x)["u"]) for x in again.read_text().splitlines()[1:]] == points


def test_a_log_of_another_problem_is_refused(fake, tmp_path):
    path = tmp_path / "evaluations.jsonl"
    Log(path, fake.header())
    other = calib.Problem(fake.scenario, NAMES, fake.targets, [1, 2])
    with pytest.raises(InputError, match="seeds"):
        Log(path, other.header())


def test_the_session_stops_within_its_minutes(fake, tmp_path):
    fit = calib.calibrate(fake, None, Log(tmp_path / "e.jsonl", fake.header()), 50, 1e-6)
    assert fit.new == 1  # the first evaluation always runs; then time is up


# -- the command --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "extra",
    [["--params", "nope"], ["--budget", "1"], ["--minutes", "0"], ["--fix", "handover_loss"],
     ["--fix", "handover_loss=2"], ["--targets", "missing.csv"], ["--scale", "0"],
     ["--params", "handover_loss,plan_conflict"], ["--trial-scale", "0"]],
)  # fmt: skip
def test_bad_input_exits_2_and_writes_nothing(tmp_path, extra):
    out = tmp_path / "out"
    assert main(["calibrate", str(BASELINE), "--out", str(out), *extra]) == 2
    assert not out.exists()


def test_a_trial_row_of_an_unknown_population_exits_2(tmp_path):
    tfile = tmp_path / "targets.csv"
    tfile.write_text(
        "table,metric,group,period,value,lo,hi,weight,reference_year,source\n"
        "trial,trial_employed_at,nobody:usual,12,0.27,0.2,0.35,1,2019,test\n"
    )
    out = tmp_path / "out"
    assert main(["calibrate", str(BASELINE), "--targets", str(tfile), "--out", str(out)]) == 2
    assert not out.exists()


@pytest.mark.slow
def test_the_command_writes_its_files_and_a_rerun_continues(tmp_path):
    """Scale 0.02, one year, one seed, two parameters, yearly targets only (~10 s)."""
    tfile = tmp_path / "targets.csv"
    tfile.write_text(
        "table,metric,group,period,value,lo,hi,weight,reference_year,source\n"
        "yearly,aap_count_under30,all,2024,2761,2300,3200,1,2023,test\n"
        "yearly,disability_count_under30,all,2024,2237,1900,2600,1,2023,test\n"
    )
    out = tmp_path / "out"
    args = ["calibrate", str(BASELINE), "--out", str(out), "--scale", "0.02", "--years", "1",
            "--reps", "1", "--params", ",".join(NAMES), "--targets", str(tfile),
            "--workers", "1", "--quiet"]  # fmt: skip
    assert main([*args, "--budget", "2"]) == 0
    assert main([*args, "--budget", "3"]) == 0
    log = (out / "evaluations.jsonl").read_text().splitlines()
    assert len(log) == 4  # header and three evaluations
    fit = json.loads((out / "fit.json").read_text())
    assert fit["evaluations"] == 3 and set(fit["fitted"]) == set(NAMES)
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"evaluations.jsonl", "fit.json", "targets_fit.csv"} <= set(manifest["files"])


@pytest.mark.slow
def test_synthetic_truth_is_recovered(tmp_path):
    """Targets simulated with known values; the fit finds them again.

    AAP grant rate → AAP stock; disability rate → disability stock; scale 0.05, 1 year, 2
    seeds (common random numbers), budget 24. Tolerance: 5 % of each parameter's range.
    """
    truth = {"nav.aap_grant_monthly": 0.5, "nav.disability_from_aap_monthly": 0.12}
    base = load_scenario(BASELINE)
    problem = calib.Problem(base, NAMES, targets([]), replicate_seeds(7, 2), 1, 0.05)
    u_true = (np.array([truth[n] for n in NAMES]) - problem.lo) / (problem.hi - problem.lo)
    assert ((u_true > 0) & (u_true < 1)).all(), u_true  # truths inside the ranges
    with choose(2, None, 4) as pool:
        sim_yearly = calib.run_tables(problem.specs(u_true), pool)[calib.BASE]
        rows = []
        for metric in ("aap_count_under30", "disability_count_under30"):
            sel = sim_yearly[(sim_yearly["metric"] == metric) & (sim_yearly["group"] == "all")]
            v = float(sel[sel["period"] == 2024]["value"].mean())
            rows.append((metric, v, 0.98 * v, 1.02 * v, 1.0))
        problem.targets = targets(rows)
        log = Log(tmp_path / "evaluations.jsonl", problem.header())
        fit = calib.calibrate(problem, pool, log, budget=24, minutes=30)
    for i, n in enumerate(NAMES):
        width = problem.hi[i] - problem.lo[i]
        assert abs(fit.values[n] - truth[n]) < 0.05 * width, (n, fit.values)
