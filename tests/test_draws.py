"""Parameter draws for ``--draw-params``: the rule, reproducibility, warm-up and pairing."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from conftest import SCENARIOS

from sim.cli.main import main
from sim.core.params import specs
from sim.core.scenario import load_scenario
from sim.run.draws import apply_draw, draw, draw_seed, drawn_specs, levers, uncertain
from sim.run.runner import RunSpec, replicate_seeds


def test_rule_draws_uncertain_parameters_but_not_levers_or_sourced_values():
    names = {s.name for s in uncertain()}
    assert "handover_loss" in names and "plan_conflict" in names
    assert not any(specs()[n].role == "lever" for n in names)  # ips.fte, coord.fte ... are set
    assert "ips.fte" not in names and "coord.fte" not in names  # by scenarios
    assert "demography.entry_cohort_size" not in names  # SSB figure
    assert "cost.discount_rate" not in names  # Finansdepartementet
    assert all(specs()[n].is_assumption for n in names)


def test_draw_is_reproducible_uniform_in_range_and_independent_of_global_state():
    seed = replicate_seeds(1, 3)[2]
    first = draw(seed)
    np.random.seed(123)  # the global stream must not matter
    assert draw(seed) == first
    assert draw(seed + 1) != first
    for name, value in first.items():
        assert specs()[name].lo <= value <= specs()[name].hi


def test_draws_follow_the_prior_over_many_seeds():
    spec = specs()["handover_loss"]
    values = np.array([draw(s, post=None)["handover_loss"] for s in range(400)])
    u = spec.to_unit(values)  # the prior's distribution function: uniform if drawn from it
    assert abs(u.mean() - 0.5) < 0.05  # 4 standard errors of a uniform mean (0.0144)
    assert u.min() < 0.05 and u.max() > 0.95


def test_apply_draw_sets_warm_up_and_keeps_scenario_levers_on_top():
    sc = load_scenario(SCENARIOS / "coordinated_ips.toml")
    values = {"handover_loss": 0.33, "plan_conflict": 0.11}
    drawn = apply_draw(sc, {**values, "coord.fte": 1.0})  # a lever in a draw is overridden
    assert drawn.warmup_params["handover_loss"] == 0.33
    assert drawn.params["plan_conflict"] == 0.11
    assert drawn.params["coord.fte"] == sc.params["coord.fte"]
    assert levers(drawn) == levers(sc)


def test_every_scenario_of_a_replicate_gets_the_same_draw():
    base = load_scenario(SCENARIOS / "baseline.toml")
    coord = load_scenario(SCENARIOS / "coordinated_ips.toml")
    seeds = replicate_seeds(1, 2)
    runs = [RunSpec(sc, r, seeds[r]) for r in range(2) for sc in (base, coord)]
    out = drawn_specs(runs, True)
    assert out[0].scenario.params["handover_loss"] == out[1].scenario.params["handover_loss"]
    assert out[0].scenario.params["handover_loss"] != out[2].scenario.params["handover_loss"]
    assert drawn_specs(runs, False) == runs
    assert replace(out[0], scenario=base, draws=None) == runs[0]
    assert out[0].draws == out[1].draws == draw(seeds[0])  # recorded for the run's identity


def test_compare_draw_params_records_the_draws_and_the_interval(tmp_path):
    out = tmp_path / "res"
    args = ["compare", str(SCENARIOS / "baseline.toml"), "--draw-params", "--reps", "2"]
    args += ["--scale", "0.02", "--years", "1", "--no-monthly", "--workers", "1"]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["draw_params"] is True
    assert "parameter uncertainty" in manifest["interval"]
    seeds = manifest["replicate_seeds"]
    assert manifest["drawn_params"]["1"] == draw(seeds[1])


def test_replicates_per_draw_share_a_draw_and_split_the_interval(tmp_path):
    out = tmp_path / "res"
    args = ["compare", str(SCENARIOS / "baseline.toml"), str(SCENARIOS / "ips_only.toml")]
    args += ["--draw-params", "--reps", "4", "--reps-per-draw", "2", "--scale", "0.02"]
    args += ["--years", "2", "--no-monthly", "--workers", "1", "--out", str(out), "--quiet"]
    assert main(args) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    seeds, drawn = manifest["replicate_seeds"], manifest["drawn_params"]
    assert manifest["reps_per_draw"] == 2
    assert drawn["0"] == drawn["1"] == draw(seeds[0])  # a pair shares the first one's draw
    assert drawn["2"] == drawn["3"] == draw(seeds[2]) != drawn["0"]
    entry = json.loads((out / "summary.json").read_text())["headline"]["ips_only"]
    assert set(entry["npv_public_nok"]["parts"]) == {"stochastic", "parameter"}  # pairs split it
    assert draw_seed(seeds, 3, 2) == seeds[2] and draw_seed(seeds, 3, 1) == seeds[3]


@pytest.mark.parametrize(
    ("flags", "problem"),
    [
        (["--reps", "2", "--reps-per-draw", "2"], "--reps-per-draw: needs --draw-params"),
        (["--reps", "3", "--reps-per-draw", "2", "--draw-params"], "must be a multiple"),
        (["--reps", "2", "--reps-per-draw", "0", "--draw-params"], "--reps-per-draw"),
    ],
    ids=["without-draws", "not-a-multiple", "zero"],
)
def test_replicates_per_draw_is_checked(capsys, flags, problem):
    assert main(["compare", str(SCENARIOS / "baseline.toml"), *flags]) == 2
    assert problem in capsys.readouterr().err


def test_the_api_passes_replicates_per_draw(tmp_path):
    from sim import api

    res = api.compare([SCENARIOS / "baseline.toml"], reps=2, years=1, scale=0.02, monthly=False,
                      draw_params=True, reps_per_draw=2, out=tmp_path / "api")  # fmt: skip
    drawn = json.loads((tmp_path / "api" / "manifest.json").read_text())["drawn_params"]
    assert drawn["0"] == drawn["1"] and res is not None
