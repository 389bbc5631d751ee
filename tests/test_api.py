"""The Python API: compare and batch equal the commands, and parameters are checked as in files.

Quick runs (scale 0.02, one year, two replicates, one worker): each takes a few seconds.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from sim import api
from sim.cli.main import main
from sim.core.scenario import Scenario
from sim.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
IPS_ONLY = ROOT / "scenarios" / "ips_only.toml"
QUICK = {"reps": 2, "years": 1, "scale": 0.02, "seed": 3}
FLAGS = ["--reps", "2", "--years", "1", "--scale", "0.02", "--seed", "3", "--quiet"]
FILES = ["yearly.parquet", "paired.parquet", "monthly.parquet", "summary.json"]


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> tuple[Path, Path, api.Results]:
    """The same comparison by ``sim compare`` and by :func:`sim.api.compare` (written)."""
    tmp = tmp_path_factory.mktemp("compare")
    cli, mine = tmp / "cli", tmp / "api"
    args = ["compare", str(BASELINE), str(IPS_ONLY), "--out", str(cli), *FLAGS]
    assert main([*args, "--workers", "1"]) == 0
    res = api.compare([BASELINE, IPS_ONLY], out=mine, **QUICK)
    return cli, mine, res


def test_compare_writes_the_same_files_as_the_command(compared) -> None:
    cli, mine, res = compared
    for name in FILES:
        assert (cli / name).read_bytes() == (mine / name).read_bytes(), name
    assert res.out == mine


def test_compare_returns_the_commands_tables_and_summary(compared) -> None:
    cli, _, res = compared
    pd.testing.assert_frame_equal(res.yearly, pd.read_parquet(cli / "yearly.parquet"))
    pd.testing.assert_frame_equal(res.paired, pd.read_parquet(cli / "paired.parquet"))
    assert res.summary == json.loads((cli / "summary.json").read_text(encoding="utf-8"))
    assert set(res.summary["headline"]) == {"ips_only"}


def test_compare_without_out_keeps_nothing_and_gives_the_same_summary(compared) -> None:
    cli, _, _ = compared
    res = api.compare([str(BASELINE), str(IPS_ONLY)], monthly=False, **QUICK)
    assert res.out is None and res.monthly is None
    assert res.summary == json.loads((cli / "summary.json").read_text(encoding="utf-8"))


BAD_PARAMS = [
    ({"handover_los": 0.1}, "params.handover_los: unknown parameter (did you mean handover_loss"),
    ({"handover_loss": 1.5}, "params.handover_loss: value 1.5 outside its valid range [0, 1]"),
    ({"ips.fte": -1}, "params.ips.fte: value -1 outside its valid range"),
    ({"ips.fte": "many"}, "params.ips.fte: must be a number"),
]


@pytest.mark.parametrize(("params", "message"), BAD_PARAMS)
def test_compare_refuses_a_bad_parameter_before_running(params, message, tmp_path) -> None:
    out = tmp_path / "out"
    with pytest.raises(InputError) as err:
        api.compare([BASELINE, IPS_ONLY], out=out, params=params, **QUICK)
    assert message in str(err.value)
    assert not out.exists()


@pytest.mark.parametrize(("params", "message"), BAD_PARAMS)
def test_run_refuses_a_bad_parameter(params, message) -> None:
    sc = api.load_scenario(BASELINE)
    with pytest.raises(InputError, match="scenario baseline: ") as err:
        api.run(sc, reps=1, years=1, scale=0.02, params=params)
    assert message in str(err.value)


def test_a_scenario_made_or_changed_in_python_is_checked() -> None:
    with pytest.raises(InputError, match=r"mine: params\.plan_konflikt: unknown parameter"):
        Scenario("mine", {}, {}, {"plan_konflikt": 0.1}, ())
    sc = api.load_scenario(BASELINE)
    with pytest.raises(InputError, match=r"warm-up params\.handover_loss: value -0\.1 outside"):
        replace(sc, root_overrides={"handover_loss": -0.1})
    assert replace(sc, overrides={"handover_loss": 0.2}).params["handover_loss"] == 0.2


def test_run_applies_valid_params() -> None:
    sc = api.load_scenario(BASELINE)
    quick = {"reps": 1, "years": 1, "scale": 0.02, "monthly": False}
    one, _ = api.run(sc, **quick)
    more, _ = api.run(sc, params={"ips.fte": 40}, **quick)
    same, _ = api.run(replace(sc, overrides={**sc.overrides, "ips.fte": 40}), **quick)
    pd.testing.assert_frame_equal(more, same)
    ips_cost = (more["metric"] == "cost_nok") & more["group"].str.contains("ips")
    assert more.loc[ips_cost, "value"].sum() > one.loc[ips_cost, "value"].sum()


def test_batch_from_a_dict_refuses_bad_values() -> None:
    sweep = {"scenarios": [str(BASELINE)], "grid": {"ips.fte": [4, -3]}}
    with pytest.raises(InputError, match=r"<dict>: grid\.ips\.fte\[1\]: value -3 outside"):
        api.batch(sweep)
    with pytest.raises(InputError, match=r"variants\[0\]\.params\.x: unknown"):
        api.batch({"scenarios": [str(BASELINE)], "variants": [{"name": "a", "params": {"x": 1}}]})
    with pytest.raises(InputError, match="unknown option"):
        api.batch({"scenarios": [str(BASELINE)]}, repz=2)


def test_batch_equals_the_command(tmp_path) -> None:
    text = (
        f'scenarios = ["{BASELINE}", "{IPS_ONLY}"]\nreps = 2\nyears = 1\nscale = 0.02\n'
        '[grid]\n"ips.fte" = [12, 4]\n'
    )
    path = tmp_path / "sweep.toml"
    path.write_text(text, encoding="utf-8")
    cli = tmp_path / "cli"
    assert main(["batch", str(path), "--out", str(cli), "--quiet", "--workers", "1"]) == 0
    res = api.batch(path, out=tmp_path / "api")
    for name in ["yearly.parquet", "paired.parquet", "summary.json", "variants.csv"]:
        assert (cli / name).read_bytes() == (tmp_path / "api" / name).read_bytes(), name
    same = api.batch(
        {"scenarios": [str(BASELINE), str(IPS_ONLY)], "grid": {"ips.fte": [12, 4]}},
        reps=2,
        years=1,
        scale=0.02,
    )
    assert same.summary == res.summary and same.out is None


COMMANDS = ["run", "compare", "batch", "trial", "report", "calibrate", "sensitivity"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_with_a_default_states_it_in_the_help(command) -> None:
    import argparse

    from sim.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    p = sub.choices[command]
    text = " ".join(p.format_help().split())
    for action in p._actions:
        if action.option_strings and action.default not in (None, False, [], "==SUPPRESS=="):
            assert action.help and "default" in p._get_formatter()._get_help_string(action)
    if any(a.dest == "scale" for a in p._actions):
        assert "1.0 = the whole county at 1:1" in text
