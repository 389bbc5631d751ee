"""Old parameter names keep working: scenario files, batch files, Python overrides, code.

Parameters that belong to one service carry its prefix (``ot_advisers`` is now
``followup.advisers``); the old names are aliases (``sim/data/renamed_parameters.csv``), read
as the new ones with a one-line :class:`RenamedParameterWarning`. Unknown names are still
refused. (rename_parameters: keep old names: this file tests them, the rename script skips it.)
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import pytest
from conftest import BASELINE, ROOT, write_scenario

from sim.core.params import Params, RenamedParameterWarning, register_parameters, renamed, specs
from sim.core.scenario import load_scenario
from sim.errors import InputError
from sim.present.dashboard.model import load as dashboard_load
from sim.run.batchfile import labelled, load_batch


def _batch(path, body: str):
    path.write_text(f'scenarios = ["{BASELINE.as_posix()}"]\n{body}\n', encoding="utf-8")
    return path


def test_the_table_maps_old_names_to_parameters():
    table = renamed()
    assert table["ot_advisers"] == "followup.advisers"
    assert table["nav_followup_boost"] == "nav.followup_boost"
    assert set(table.values()) <= set(specs())  # every new name is a parameter
    assert not set(table) & set(specs())  # no old name is one
    assert len(set(table.values())) == len(table)  # one old name per parameter


def test_an_old_name_in_a_scenario_file_loads_as_the_new_one_with_a_note(tmp_path):
    old = write_scenario(tmp_path / "old.toml", {"ot_advisers": 20, "handover_loss": 0.1})
    new = write_scenario(tmp_path / "new.toml", {"followup.advisers": 20, "handover_loss": 0.1})
    with pytest.warns(RenamedParameterWarning, match="ot_advisers is now named followup.adv"):
        sc = load_scenario(old)
    assert (
        sc.overrides
        == load_scenario(new).overrides
        == {
            "followup.advisers": 20.0,
            "handover_loss": 0.1,
        }
    )
    assert sc.params == load_scenario(new).params


def test_the_note_names_the_file_and_the_line(tmp_path):
    path = write_scenario(tmp_path / "line.toml", {"handover_loss": 0.1, "nav_caseworkers": 200})
    with pytest.warns(RenamedParameterWarning) as caught:
        load_scenario(path)
    (note,) = caught
    assert (note.filename, note.lineno) == (str(path), 6)  # after [params] and handover_loss
    assert str(note.message) == "params.nav_caseworkers is now named nav.caseworkers " + (
        "(the old name still works)"
    )


def test_an_old_name_in_the_root_of_an_extends_chain_reaches_the_warm_up(tmp_path):
    root = write_scenario(tmp_path / "root.toml", {"nav_caseworkers": 200}, extends=None)
    child = write_scenario(tmp_path / "child.toml", {"handover_loss": 0.1}, extends=root)
    with pytest.warns(RenamedParameterWarning):
        sc = load_scenario(child)
    assert sc.root_overrides == {"nav.caseworkers": 200.0}
    assert sc.warmup_params["nav.caseworkers"] == sc.params["nav.caseworkers"] == 200.0


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"ot_adviser": 20}, "unknown parameter"),  # neither an old nor a new name
        ({"followup.adviser": 20}, "unknown parameter"),
        ({"ips.target_rr": 1.5}, "targets.csv"),  # a calibration target now, not a parameter
        ({"ot_advisers": 20, "followup.advisers": 30}, "the same parameter as followup.adv"),
        ({"ot_advisers": -1}, "params.ot_advisers: value -1 outside its valid range"),
    ],
    ids=["unknown-old", "unknown-new", "retired", "old-and-new", "old-outside-domain"],
)
def test_unknown_and_ambiguous_names_are_still_refused(tmp_path, params, problem):
    path = write_scenario(tmp_path / "bad.toml", params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RenamedParameterWarning)
        with pytest.raises(InputError, match=problem) as exc:
            load_scenario(path)
    assert str(path) in str(exc.value)


def test_a_batch_file_takes_old_names_in_variants_and_grids(tmp_path):
    path = _batch(
        tmp_path / "b.toml",
        '[[variants]]\nname = "more"\nparams = { ot_advisers = 60 }\n'
        "[grid]\nnav_caseworkers = [100, 200]",
    )
    with pytest.warns(RenamedParameterWarning) as caught:
        batch = load_batch(path)
    assert {str(w.message).split(" ")[0] for w in caught} == {
        "variants[0].params.ot_advisers",
        "grid.nav_caseworkers",
    }
    by_name = {v.name: v.params for v in batch.variants}
    assert by_name["more"] == {"followup.advisers": 60.0}
    assert by_name["nav_caseworkers=100"] == {"nav.caseworkers": 100.0}  # label as written
    scenarios = labelled({"baseline": load_scenario(BASELINE)}, batch.variants)
    assert scenarios["baseline@nav_caseworkers=200"].params["nav.caseworkers"] == 200.0


def test_overrides_given_in_python_and_old_keys_in_code_are_read(tmp_path):
    base = load_scenario(BASELINE)
    with pytest.warns(RenamedParameterWarning, match="nav_caseworkers"):
        sc = replace(base, overrides={**base.overrides, "nav_caseworkers": 90})
    assert sc.overrides["nav.caseworkers"] == 90.0 and "nav_caseworkers" not in sc.overrides
    with pytest.warns(RenamedParameterWarning, match="ot_advisers"):
        params = Params({"ot_advisers": 7})
    assert params["followup.advisers"] == 7.0 and params.overrides == {"followup.advisers": 7}
    with pytest.warns(RenamedParameterWarning, match="ot_advisers is now named"):
        assert params["ot_advisers"] == 7.0  # a plugin written against the old name
    with pytest.raises(KeyError):
        params["ot_adviser"]


def test_the_dashboard_reads_a_scenario_file_with_old_names(tmp_path):
    path = write_scenario(tmp_path / "dash.toml", {"nav_caseworkers": 120})
    with pytest.warns(RenamedParameterWarning):
        assert dashboard_load(str(path)).params["nav.caseworkers"] == 120.0


def test_shipped_scenarios_and_batches_use_the_new_names():
    scenarios = sorted((ROOT / "scenarios").glob("*.toml"))
    batches = sorted((ROOT / "batches").glob("*.toml"))
    assert scenarios and batches
    with warnings.catch_warnings():
        warnings.simplefilter("error", RenamedParameterWarning)
        for path in scenarios:
            load_scenario(path)
        for path in batches:
            load_batch(path)


def test_a_plugin_cannot_take_an_old_name():
    with pytest.raises(ValueError, match="aliases"):
        register_parameters("name,value,unit,lo,hi,source\not_advisers,1,FTE,0,2,assumption\n")
