"""Hostile parameter values: refused with exit 2 and one line, or run (exit 0) when in the domain.

Each case runs the real command in a child process (:mod:`hostile`) in an empty folder. A value
outside a parameter's domain [min, max] (``sim/data/parameters.csv``), a number too large for a
float, a boolean, a string, a list, inf: exit 2, one line naming the file and the key, no
traceback, nothing written (the folder is as it was, ``--out`` included). Values at the ends of
a domain that once crashed the model run to the end (exit 0).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hostile import QUICK, ROOT, assert_clean, assert_refused, sim, snapshot

BASELINE = ROOT / "scenarios" / "baseline.toml"
PLUGIN = ROOT / "examples" / "clubhouse" / "clubhouse.py"
HEAD = 'name = { nb = "a", en = "b" }\ndescription = { nb = "a", en = "b" }\n'
CHILD = f'{HEAD}extends = "{BASELINE.as_posix()}"\n'


def _scenario(tmp: Path, params: str) -> Path:
    path = tmp / "s.toml"
    path.write_text(f"{CHILD}[params]\n{params}\n", encoding="utf-8")
    return path


def _run(params: str) -> Callable[[Path], list]:
    return lambda tmp: ["run", _scenario(tmp, params)]


def _batch(body: str) -> Callable[[Path], list]:
    def build(tmp: Path) -> list:
        path = tmp / "batch.toml"
        path.write_text(f'scenarios = ["{BASELINE.as_posix()}"]\n{body}\n', encoding="utf-8")
        return ["batch", path]

    return build


def _plugin(params: str) -> Callable[[Path], list]:
    return lambda tmp: ["--plugin", PLUGIN, "run", _scenario(tmp, params)]


# id: (command builder, what the one line must mention)
REFUSED = {
    "fraction_above_max": (_run("handover_loss = 1.0000001"), "params.handover_loss"),
    "fraction_below_min": (_run("plan_conflict = -1e-9"), "params.plan_conflict"),
    "probability_above_max": (
        _run('"labour.job_find_monthly" = 1.5'),
        "params.labour.job_find_monthly",
    ),
    "ratio_above_max": (
        _run('"mental_health.treatment_recovery_rr" = 10.5'),
        "params.mental_health.treatment_recovery_rr",
    ),
    "arrivals_above_max": (
        _run('"demography.immigrant_arrivals" = 5001'),
        "params.demography.immigrant_arrivals",
    ),
    "capacity_above_max": (_run('"dps.capacity" = 1000001'), "params.dps.capacity"),
    "duration_above_max": (
        _run('"mental_health.treatment_months" = 61'),
        "params.mental_health.treatment_months",
    ),
    "negative_duration": (
        _run('"school.higher_ed_months" = -1'),
        "params.school.higher_ed_months",
    ),
    "fidelity_below_scale": (_run('"ips.fidelity" = 24.5'), "params.ips.fidelity"),
    "elasticity_positive": (
        _run('"labour.job_find_unemployment_elasticity" = 0.5'),
        "params.labour.job_find_unemployment_elasticity",
    ),
    "integer_300_digits": (
        _run('"ips.fte" = 1' + "0" * 299),
        "params.ips.fte: integer beyond 64 bits",
    ),
    "negative_integer_4000_digits": (
        _run('"demography.entry_cohort_size" = -' + "9" * 4000),
        "integer beyond 64 bits",
    ),
    "integer_beyond_float": (
        _run('"demography.student_arrivals" = 1' + "0" * 400),
        "params.demography.student_arrivals",
    ),
    "float_1e300": (_run('"nav.programme_places" = 1e300'), "params.nav.programme_places"),
    "boolean": (_run("handover_loss = true"), "must be a number"),
    "string_number": (_run('"ips.fte" = "40"'), "must be a number"),
    "list": (_run('"bup.capacity" = [1, 2]'), "must be a number"),
    "inf": (_run("plan_conflict = inf"), "finite"),
    "negative_inf": (_run('"labour.unemployment_change_yearly" = -inf'), "finite"),
    "batch_variant_outside": (
        _batch('[[variants]]\nname = "a"\nparams = { "mental_health.treatment_months" = 1000 }'),
        "mental_health.treatment_months",
    ),
    "batch_grid_outside": (
        _batch('[grid]\n"labour.unemployment_rate" = [0.0, 1.01]'),
        "labour.unemployment_rate",
    ),
    "plugin_parameter_negative": (_plugin('"clubhouse.places" = -1'), "clubhouse.places"),
    "plugin_parameter_above_max": (_plugin('"clubhouse.months" = 61'), "clubhouse.months"),
}

# id: a command at the ends of domains that once crashed the model (exit 0)
RUNS = {
    "zero_durations_and_unemployment": _run(
        '"school.higher_ed_months" = 0\n"mental_health.treatment_months" = 0\n'
        '"nav.programme_months" = 0\n"labour.unemployment_rate" = 0'
    ),
    "large_arrivals": _run(
        '"demography.student_arrivals" = 5000\n"demography.immigrant_arrivals" = 5000'
    ),
    "no_staff_at_all": _run(
        '"nav.caseworkers" = 0\n"followup.advisers" = 0\n"ips.fte" = 0\n'
        '"bup.capacity" = 0\n"dps.capacity" = 0'
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused(tmp_path, case):
    build, mentions = REFUSED[case]
    args = [*build(tmp_path), *QUICK, "--out", tmp_path / "out"]
    before = snapshot(tmp_path)
    outcome = sim(*args, cwd=tmp_path, timeout=120)
    assert_refused(outcome, mentions=mentions)
    assert snapshot(tmp_path) == before
    assert len(outcome.lines[0]) < 400  # a huge value is described, never printed whole


@pytest.mark.parametrize("case", sorted(RUNS))
def test_runs(tmp_path, case):
    outcome = sim(*RUNS[case](tmp_path), *QUICK, "--out", tmp_path / "out", cwd=tmp_path)
    assert_clean(outcome, codes=(0,))
    assert (tmp_path / "out" / "yearly.parquet").is_file()


def test_tiny_scale_runs(tmp_path):
    outcome = sim("run", BASELINE, "--years", "1", "--scale", "1e-5", "--quiet", cwd=tmp_path)
    assert_clean(outcome, codes=(0,))
