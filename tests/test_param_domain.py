"""Every parameter's domain [min, max] is one the model runs at, and validation uses it.

A run here is quick (scale 0.02, 2 years) and made in-process. Its scenario has no
``extends``, so the values also hold during the warm-up (the harder case: the warm-up sizes
cohorts from the migration parameters); the all-at-once cases are also run from the start month
on top of the baseline. A run passes when it raises nothing and its yearly table holds finite,
non-negative values, with shares and rates in [0, 1]. The one exception is a share of an empty
group (no youth in a municipality at a small scale): it has no value, NaN with ``n`` = 0
(``sim/data/SOURCES.md``).
"""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pandas as pd
import pytest
from conftest import BASELINE, write_scenario
from hostile import QUICK, ROOT, assert_clean, sim

import sim.core.params as sim_params
import sim.services as sim_services
from sim.core.params import _parse_rows, check_value, package_specs
from sim.core.scenario import load_scenario
from sim.run.runner import RunSpec, replicate_seeds, run_one

SCALE, YEARS = 0.02, 2
SEED = replicate_seeds(1, 1)[0]
SPECS = package_specs()
SHARES = {  # metrics whose values are shares or rates: in [0, 1]
    "neet_rate",
    "activity_share",
    "neet_status_share",
    "neet_group_share",
    "aap_employed_share",
    "disability_employed_share",
    "social_assistance_employed_share",
    "vg2_transition_rate",
    "employment_rate",
    "aap_share_18_29",
    "disability_share_18_29",
    "neet_12m_share",
    "helpers_3plus_share",
    "mental_health_prevalence",
    "capacity_used_share",
    "dropout_rate",
    "upper_secondary_completion_5_6y",
}
# the values that crashed the model before (ZeroDivisionError, negative warm-up cohorts)
CRASHED = {
    "school.higher_ed_months": 0,
    "mental_health.treatment_months": 0,
    "nav.programme_months": 0,
    "labour.unemployment_rate": 0,
}
PLUGIN = ROOT / "examples" / "clubhouse" / "clubhouse.py"
CLUBHOUSE = ROOT / "examples" / "clubhouse" / "clubhouse.toml"


def check_table(yearly: pd.DataFrame) -> None:
    """Finite values, non-negative but for costs (tax revenue and production are negative
    costs, so net costs can be too); shares and rates in [0, 1]; NaN only for empty groups."""
    value, n = yearly["value"].to_numpy(), yearly["n"].to_numpy()
    undefined = ~np.isfinite(value)
    assert not (undefined & ~(np.isnan(value) & (n == 0))).any(), yearly[undefined & (n > 0)]
    assert (n >= 0).all()
    ok = yearly[~undefined]
    counts = ok[~ok["metric"].str.startswith("cost_nok")]
    assert (counts["value"] >= 0).all(), counts[counts["value"] < 0]
    shares = ok[ok["metric"].isin(SHARES)]
    assert (shares["value"] <= 1 + 1e-12).all(), shares[shares["value"] > 1]
    named = {m for m in yearly["metric"].unique() if m.endswith(("_rate", "_share"))}
    assert named <= SHARES, named - SHARES  # a new share metric is checked too


def run_at(tmp_path, params: dict, extends=None) -> pd.DataFrame:
    """The yearly table of a quick run of a scenario file setting ``params`` (validated)."""
    path = write_scenario(tmp_path / "domain.toml", params, extends=extends)
    scenario = load_scenario(path)
    yearly = run_one(RunSpec(scenario, 0, SEED, YEARS, SCALE, monthly=False)).yearly
    check_table(yearly)
    return yearly


def _ends(which: str) -> dict[str, float]:
    return {name: getattr(spec, which) for name, spec in SPECS.items()}


# -- the domain itself --------------------------------------------------------------------------
def test_every_parameter_has_a_finite_domain_around_its_value_and_range():
    for spec in SPECS.values():
        assert math.isfinite(spec.min) and math.isfinite(spec.max), spec.name
        assert spec.min <= spec.lo <= spec.value <= spec.hi <= spec.max, spec.name
        assert spec.min < spec.max, spec.name


def test_validation_accepts_the_domain_and_refuses_just_outside():
    for name, spec in SPECS.items():
        assert check_value(name, spec.min) is None, name
        assert check_value(name, spec.max) is None, name
        step = max(1e-9, 1e-9 * abs(spec.max))
        for outside in (spec.min - step, spec.max + step):
            problem = check_value(name, outside)
            assert problem and "outside its valid range" in problem, (name, outside)


def test_validation_compares_huge_integers_exactly():
    """A 400-digit integer is refused (never turned into float inf) and not printed whole."""
    problem = check_value("ips.fte", 10**400)
    assert problem and "about 401 digits" in problem and len(problem) < 120
    assert "outside" in check_value("ips.fte", -(10**300))


def test_a_file_without_min_max_loads_with_the_unit_domain():
    old = "name,value,unit,lo,hi,source,calibrate\nx.share,0.5,fraction,0.2,0.8,assumption,false\n"
    old += "x.places,10,places,0,20,assumption,false\n"
    specs = _parse_rows(old)
    assert specs["x.share"].domain() == (0.0, 1.0)
    assert specs["x.places"].domain() == (0.0, math.inf)
    empty = "name,value,unit,min,max,lo,hi,source\nx.rr,2,ratio,,5,1,3,assumption\n"
    assert _parse_rows(empty)["x.rr"].domain() == (0.0, 5.0)


@pytest.mark.parametrize(
    "line",
    [
        "x.rr,20,ratio,0,10,1,3,assumption",  # default outside its domain
        "x.rr,2,ratio,0,10,1,30,assumption",  # plausible range outside its domain
        "x.rr,2,ratio,0,inf,1,3,assumption",  # an infinite end written out
        "x.rr,2,ratio,zero,10,1,3,assumption",  # not a number
    ],
)
def test_a_line_whose_domain_does_not_hold_is_refused(line):
    with pytest.raises(ValueError, match="x.rr"):
        _parse_rows(f"name,value,unit,min,max,lo,hi,source\n{line}\n")


# -- the model runs at the domain's ends ----------------------------------------------------------
def test_all_parameters_at_their_minima(tmp_path):
    run_at(tmp_path, _ends("min"))


def test_all_parameters_at_their_maxima(tmp_path):
    run_at(tmp_path, _ends("max"))


@pytest.mark.parametrize("which", ["min", "max"])
def test_all_at_one_end_from_the_start_month(tmp_path, which):
    """The same values switched on at the start month, after the baseline's warm-up."""
    run_at(tmp_path, _ends(which), extends=BASELINE)


@pytest.mark.parametrize("name", sorted(CRASHED))
def test_values_that_crashed_the_model_run(tmp_path, name):
    run_at(tmp_path, {name: CRASHED[name]})


def test_large_arrivals_run(tmp_path):
    """Migrants alone outnumber the 2024 count of the oldest ages: their warm-up cohorts are 0."""
    params = {"demography.student_arrivals": SPECS["demography.student_arrivals"].max}
    yearly = run_at(
        tmp_path,
        {**params, "demography.immigrant_arrivals": SPECS["demography.immigrant_arrivals"].max},
    )
    assert yearly.query("metric == 'population'")["value"].gt(0).all()


def test_no_caseworkers_gives_no_nav_caseload_row(tmp_path):
    yearly = run_at(tmp_path, {"nav.caseworkers": 0})
    nav = yearly.query("metric == 'caseload_per_worker' and group == 'service:nav'")
    assert nav.empty


@pytest.mark.slow
@pytest.mark.parametrize("which", ["min", "max"])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_each_parameter_at_each_end(tmp_path, name, which):
    run_at(tmp_path, {name: getattr(SPECS[name], which)})


# -- through the command line ------------------------------------------------------------------
def test_a_tiny_scale_runs_with_an_empty_population(tmp_path):
    out = tmp_path / "out"
    outcome = sim("run", BASELINE, "--years", "1", "--scale", "1e-5", "--quiet", "--out", out)
    assert_clean(outcome, codes=(0,))
    yearly = pd.read_parquet(out / "yearly.parquet")
    check_table(yearly)
    assert yearly.query("metric == 'population'")["value"].eq(0).all()


@pytest.mark.parametrize("which", ["min", "max"])
def test_the_clubhouse_plugin_runs_at_its_domain_ends(tmp_path, monkeypatch, which):
    """The example plugin's own parameters (with min/max columns) validate and run."""
    monkeypatch.setattr(sim_params, "register_parameters", lambda text: None)
    monkeypatch.setattr(sim_services, "register", lambda cls: None)
    spec = importlib.util.spec_from_file_location("clubhouse_domain", PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # read only: registering is patched out in this process
    rows = _parse_rows(module.parameter_csv())
    params = {name: getattr(s, which) for name, s in rows.items()}
    scenario = write_scenario(tmp_path / "club.toml", params, extends=CLUBHOUSE)
    out = tmp_path / "out"
    outcome = sim("--plugin", PLUGIN, "run", scenario, *QUICK, "--out", out)
    assert_clean(outcome, codes=(0,))
    check_table(pd.read_parquet(out / "yearly.parquet"))


def test_a_parameter_line_with_an_unquoted_comma_is_refused():
    """An extra field (an unquoted comma in a source) is an error, not a silently cut source."""
    from sim.core.params import _parse_rows

    header = "name,value,unit,min,max,lo,hi,role,source\n"
    with pytest.raises(ValueError, match="line 2 .*more fields than columns"):
        _parse_rows(header + "x.rate,0.5,fraction,0,1,0.4,0.6,fixed,SSB table, 2023\n")
