"""Calibration: the distance, the optimiser, input checks and a synthetic-truth recovery."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import BASELINE

from sim.analysis.calibrate import (
    Problem,
    calibrate,
    choose_params,
    distance,
    moments,
    optimise,
    run_tables,
)
from sim.cli.main import main
from sim.core.scenario import load_scenario
from sim.errors import InputError
from sim.run.executors import choose
from sim.run.runner import replicate_seeds


def test_distance_is_zero_on_target_and_grows_with_the_miss():
    yearly = pd.DataFrame(
        {"metric": "neet_rate", "group": "all", "period": [2024, 2024], "value": [0.09, 0.11],
         "replicate": [0, 1]}
    )  # fmt: skip
    targets = pd.DataFrame(
        {"metric": ["neet_rate"], "group": ["all"], "period": ["2024"], "value": [0.10],
         "lo": [0.09], "hi": [0.11], "weight": [2.0]}
    )  # fmt: skip
    assert distance(moments(yearly, targets)) == pytest.approx(0.0)
    missed = targets.assign(value=0.12, lo=0.11, hi=0.13)
    assert distance(moments(yearly, missed)) == pytest.approx(4.0)  # two half-widths off


def test_optimiser_finds_the_minimum_of_a_cheap_function():
    truth = np.array([0.3, 0.7])

    def evaluate(points, stage):
        return [float(((np.asarray(u) - truth) ** 2).sum()) for u in points]

    u, d = optimise(evaluate, 2, budget=40, seed=1, prior=np.array([0.5, 0.5]))
    assert np.abs(u - truth).max() < 0.03 and d < 1e-3


def test_confounded_pair_is_refused_and_fix_profiles_it():
    with pytest.raises(InputError, match="cannot both be identified"):
        choose_params(["handover_loss", "plan_conflict"], {})
    assert choose_params(["handover_loss"], {"plan_conflict": 0.1}) == ["handover_loss"]
    default = choose_params(None, {})
    assert len(default) <= 6 and "handover_loss" in default and "plan_conflict" not in default


@pytest.mark.parametrize(
    "extra",
    [["--params", "nope"], ["--budget", "1"], ["--fix", "handover_loss"],
     ["--fix", "handover_loss=2"], ["--targets", "missing.csv"], ["--scale", "0"]],
)  # fmt: skip
def test_bad_input_exits_2_and_writes_nothing(tmp_path, extra):
    out = tmp_path / "out"
    assert main(["calibrate", str(BASELINE), "--out", str(out), *extra]) == 2
    assert not out.exists()


@pytest.mark.slow
def test_synthetic_truth_is_recovered():
    """Targets simulated with known values; the fit finds them again.

    Two identifiable parameters (AAP grant rate → AAP stock; AAP → disability rate →
    disability stock), scale 0.05, 1 year, 2 seeds (common random numbers), budget 24.
    Tolerance: 5 % of each parameter's range (found: 0.2477 and 0.0764, within 1.1 % and 2.4 %).
    """
    names = ["nav.aap_grant_monthly", "nav.disability_from_aap_monthly"]
    truth = {"nav.aap_grant_monthly": 0.25, "nav.disability_from_aap_monthly": 0.08}
    base = load_scenario(BASELINE)
    problem = Problem(base, names, pd.DataFrame(), replicate_seeds(7, 2), years=1, scale=0.05)
    u_true = (np.array([truth[n] for n in names]) - problem.lo) / (problem.hi - problem.lo)
    with choose(2, None, 4) as pool:
        yearly = run_tables(problem.specs(u_true, "truth"), pool)["truth"]
        problem.targets = synthetic_targets(yearly)
        fit = calibrate(problem, pool, budget=24, seed=3)
    for n in names:
        width = problem.hi[names.index(n)] - problem.lo[names.index(n)]
        assert abs(fit.values[n] - truth[n]) < 0.05 * width, (n, fit.values)


def synthetic_targets(yearly: pd.DataFrame) -> pd.DataFrame:
    """AAP and disability stocks at 2024 as simulated, each with a ±10 % band."""
    rows = []
    for metric in ("aap_count_under30", "disability_count_under30"):
        sel = yearly[(yearly["metric"] == metric) & (yearly["group"] == "all")]
        v = float(sel[sel["period"] == 2024]["value"].mean())
        rows.append({"metric": metric, "group": "all", "period": "2024", "value": v,
                     "lo": 0.9 * v, "hi": 1.1 * v, "weight": 1.0,
                     "reference_year": 2024})  # fmt: skip
    return pd.DataFrame(rows)
