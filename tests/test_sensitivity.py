"""Global sensitivity analysis: design sizes, SALib indices and a dummy-parameter check."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import BASELINE, SCENARIOS

from sim.analysis.sensitivity import DUMMY, Study, analyze, indices, n_runs, run_design, sample
from sim.cli.main import main
from sim.core.scenario import load_scenario
from sim.run.executors import choose
from sim.run.runner import replicate_seeds


def study(names, outputs=("neet_rate_y10",), **kw) -> Study:
    scenarios = {"baseline": load_scenario(BASELINE)}
    scenarios["coordinated_ips"] = load_scenario(SCENARIOS / "coordinated_ips.toml")
    return Study(list(names), list(outputs), scenarios, replicate_seeds(1, 1), **kw)


def test_design_sizes_match_the_announced_run_counts():
    s = study(["handover_loss", "plan_conflict"], dummy=True)
    problem = s.problem()
    assert problem["names"][-1] == DUMMY and problem["num_vars"] == 3
    x = sample(problem, "morris", 3, seed=1)
    assert len(x) * s.runs_per_point() == n_runs("morris", 3, 3, 1) == 12
    paired = study(["handover_loss"], outputs=("neet_rate_y10", "net_public_cost"))
    x = sample(paired.problem(), "sobol", 8, seed=1)
    assert len(x) * paired.runs_per_point() == n_runs("sobol", 8, 1, 2) == 48
    assert DUMMY not in s.values(x[0].tolist() + [0.5])


def test_morris_on_a_known_function_ranks_the_dummy_last():
    problem = {"num_vars": 3, "names": ["a", "b", DUMMY], "bounds": [[0, 1]] * 3}
    x = sample(problem, "morris", 10, seed=2)
    y = 5 * x[:, 0] + x[:, 1] ** 2
    table = analyze(problem, x, y, "morris", seed=2)
    assert table["parameter"].tolist() == ["a", "b", DUMMY]
    assert table.loc[2, "mu_star"] == 0.0


def test_unknown_output_or_parameter_exits_2(tmp_path):
    out = tmp_path / "out"
    assert main(["sensitivity", "--outputs", "nope", "--out", str(out)]) == 2
    assert main(["sensitivity", "--params", "nope", "--out", str(out)]) == 2
    assert main(["sensitivity", "--n", "1", "--out", str(out)]) == 2
    assert not out.exists()


@pytest.mark.slow
def test_morris_on_the_model_ranks_an_unused_dummy_last():
    """Morris on the model itself (scale 0.02, 2 years, r = 2): the dummy's μ* is 0, last.

    With common random numbers a parameter the model never reads changes nothing, so every
    elementary effect of the dummy is exactly zero; the job-finding and job-loss rates move
    the NEET rate within two years.
    """
    s = study(
        ["labour.job_find_monthly", "labour.job_loss_monthly"], years=2, scale=0.02, dummy=True
    )
    x = sample(s.problem(), "morris", 2, seed=1)
    with choose(2, None, len(x)) as pool:
        y = run_design(s, x, pool)
    table = indices(s, x, y, "morris", seed=1)
    assert table["parameter"].iloc[-1] == DUMMY
    assert table["mu_star"].iloc[-1] == 0.0
    assert (table["mu_star"].iloc[:-1] > 0).all()
    assert np.isfinite(y).all()
