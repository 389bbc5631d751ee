"""Parameters declare their role (lever, calibrated, uncertain, fixed); draws read it.

``--draw-params`` draws exactly the ``uncertain`` parameters, in file order; levers (doses that
scenarios set) are never drawn, also when a plugin declares them; calibration targets live in
``sim/data/targets.csv``, not among the parameters; a plugin file of the earlier format (a
``calibrate`` column) is read as ``role``.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS

import sim.core.params
from sim.analysis.targets import IPS_TRIAL_RR, load_targets, target_value
from sim.core.params import ROLES, _parse_rows, package_specs, register_parameters, specs
from sim.core.scenario import load_scenario
from sim.run.draws import draw, drawn_specs, uncertain
from sim.run.runner import RunSpec, replicate_seeds

PLUGIN_LINES = """name,value,unit,min,max,lo,hi,role,source
roles_test.places,0,places,0,1000,0,300,lever,assumption (a plugin's capacity)
roles_test.effect_rr,1.5,ratio,0,10,1,2,uncertain,assumption (a plugin's effect)
"""


@pytest.fixture
def plugin_lines():
    """Two plugin parameters (a lever and an uncertain effect), removed afterwards."""
    register_parameters(PLUGIN_LINES)
    yield
    for name in ("roles_test.places", "roles_test.effect_rr"):
        sim.core.params._REGISTRY.pop(name, None)


def test_every_parameter_has_one_of_the_four_roles():
    assert {s.role for s in package_specs().values()} == set(ROLES)
    levers = {n for n, s in package_specs().items() if s.role == "lever"}
    assert {"ips.fte", "coord.fte", "cost.lifetime_end_age", "ips.ramp_years"} <= levers


def test_the_drawn_parameters_are_the_uncertain_ones_in_file_order():
    expected = [n for n, s in specs().items() if s.role == "uncertain"]
    assert [s.name for s in uncertain()] == expected
    assert list(draw(replicate_seeds(1, 1)[0], post=None)) == expected  # without a posterior


def test_a_draw_is_a_row_of_the_packaged_posterior_and_priors_for_the_rest():
    import json
    from importlib import resources

    import pandas as pd

    data = resources.files("sim").joinpath("data")
    record = json.loads(data.joinpath("posterior.json").read_text("utf-8"))
    rows = pd.read_csv(data.joinpath("posterior.csv"))
    values = draw(replicate_seeds(1, 1)[0])
    assert set(values) == set(record["fitted"]) | set(record["prior_drawn"])
    assert not set(values) & set(record["inert"])  # inert parameters are not drawn
    fitted = pd.Series({n: values[n] for n in record["fitted"]})
    assert (rows[record["fitted"]] == fitted).all(axis=1).sum() >= 1  # one row, exactly
    assert not any(specs()[n].role == "lever" for n in values)


def test_levers_keep_their_scenario_values_in_a_draw():
    sc = load_scenario(SCENARIOS / "coordinated_ips.toml")
    seed = replicate_seeds(1, 1)[0]
    (spec,) = drawn_specs([RunSpec(sc, 0, seed)], True)
    for name, s in specs().items():
        if s.role == "lever":
            assert name not in spec.draws
            assert spec.scenario.params[name] == sc.params[name], name
            assert spec.scenario.warmup_params[name] == sc.warmup_params[name], name


def test_a_plugins_lever_is_never_drawn_and_its_uncertain_line_is(plugin_lines):
    names = [s.name for s in uncertain()]
    assert "roles_test.places" not in names
    assert names[-1] == "roles_test.effect_rr"  # plugins' lines after the package's
    assert "roles_test.places" not in draw(replicate_seeds(1, 1)[0])


def test_calibration_targets_are_not_parameters():
    assert "ips.target_rr" not in specs()
    assert target_value(*IPS_TRIAL_RR) == 1.4
    assert "trial_rr_employed_at" not in set(load_targets()["metric"])  # yearly lines only


def test_an_old_calibrate_column_is_read_as_role():
    old = "name,value,unit,lo,hi,source,calibrate\n"
    old += "x.a,0.5,fraction,0.2,0.8,assumption,false\nx.b,0.5,fraction,0.2,0.8,assumption,true\n"
    old += "x.c,0.5,fraction,0.2,0.8,assumption,\nx.d,0.5,fraction,0.2,0.8,assumption,lever\n"
    roles = {n: s.role for n, s in _parse_rows(old).items()}
    assert roles == {"x.a": "fixed", "x.b": "calibrated", "x.c": "fixed", "x.d": "lever"}
    no_role = "name,value,unit,lo,hi,source\nx.e,0.5,fraction,0.2,0.8,assumption\n"
    assert _parse_rows(no_role)["x.e"].role == "fixed"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("name,value,unit,lo,hi,role,source\nx.r,2,ratio,1,3,dose,assumption", "role"),
        ("name,value,unit,lo,hi,role,source\nx.r,2,ratio,2,2,uncertain,assumption", "lo < hi"),
        ("name,value,unit,lo,hi,role,calibrate,source\nx.r,2,ratio,1,3,fixed,false,a", "columns"),
        ("name,value,unit,lo,hi,prior,role,source\nx.r,2,ratio,1,3,normal,uncertain,a", "prior"),
        ("name,value,unit,lo,hi,prior,role,source\nx.r,2,ratio,1,3,uniform,lever,a", "never"),
        (
            "name,value,unit,lo,hi,prior,role,source\nx.r,0.5,ratio,1,3,triangular,uncertain,a",
            "lo <= value <= hi",
        ),
    ],
    ids=[
        "not-a-role",
        "uncertain-without-range",
        "role-and-calibrate",
        "unknown-prior",
        "lever-with-prior",
        "mode-outside-range",
    ],
)
def test_a_bad_role_is_refused(text, problem):
    with pytest.raises(ValueError, match=problem):
        _parse_rows(text + "\n")


def test_a_file_without_a_prior_column_reads_uniform_for_drawn_lines():
    lines = _parse_rows(PLUGIN_LINES)
    assert lines["roles_test.effect_rr"].prior == "uniform"
    assert lines["roles_test.places"].prior == "none"  # a lever is never drawn


def test_every_drawn_or_fitted_line_names_its_prior_shape():
    for name, s in package_specs().items():
        expected = {"uncertain": "triangular", "calibrated": "uniform"}.get(s.role, "none")
        assert s.prior == expected, name


@pytest.mark.parametrize("prior", ["uniform", "triangular"])
def test_a_priors_quantiles_and_distribution_function_are_inverse(prior):
    text = f"name,value,unit,lo,hi,prior,role,source\nx.r,1.5,ratio,1,3,{prior},uncertain,a\n"
    spec = _parse_rows(text)["x.r"]
    u = np.linspace(0, 1, 101)
    x = spec.from_unit(u)
    assert x[0] == 1 and x[-1] == 3 and np.all(np.diff(x) > 0)
    assert np.allclose(spec.to_unit(x), u)
    assert spec.to_unit(1.5) == pytest.approx(0.25)  # the value's quantile under both shapes


def test_a_triangular_prior_keeps_the_centre_near_the_value():
    # range 1-3 around a value of 1.5: uniform draws average 2.0, triangular ones (1+1.5+3)/3
    text = "name,value,unit,lo,hi,prior,role,source\nx.r,1.5,ratio,1,3,triangular,uncertain,a\n"
    spec = _parse_rows(text)["x.r"]
    x = spec.from_unit((np.arange(20_000) + 0.5) / 20_000)
    assert x.mean() == pytest.approx(5.5 / 3, abs=1e-3)
    assert np.median(x) == pytest.approx(3 - np.sqrt(0.5 * 2 * 1.5), abs=1e-3)
