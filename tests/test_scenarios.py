"""Scenario files: every shipped scenario loads and runs; every bad file is refused cleanly.

A bad file (each case listed in DESIGN.md, "Scenario files") must make ``sim run`` exit with
code 2 and a one-line message that names the file and the key, with no traceback, and write
nothing. Shipped scenarios must run in quick mode with no plugin registered (scenarios that
need a plugin live under ``examples/``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BASELINE, ROOT, SCENARIOS, write_scenario

from sim.cli.main import main
from sim.core.scenario import load_scenario
from sim.errors import InputError
from sim.run.runner import RunSpec, replicate_seeds, run_one

SHIPPED = sorted(SCENARIOS.glob("*.toml"))
QUICK = ["--scale", "0.02", "--years", "1", "--quiet"]
# The minimum metrics of DESIGN.md that a one-year run reports (dropout rates need a whole
# school year inside the horizon; costs come with the cost ledger).
MIN_METRICS = {
    "population",
    "neet_rate",
    "neet_count",
    "activity_share",
    "neet_status_share",
    "employment_rate",
    "upper_secondary_completion_5_6y",
    "upper_secondary_count",
    "aap_count_under30",
    "disability_count_under30",
    "aap_share_18_29",
    "disability_share_18_29",
    "neet_spell_mean_months",
    "neet_12m_share",
    "helpers_mean",
    "helpers_3plus_share",
    "referrals_made",
    "referrals_lost",
    "wait_days_mean",
    "queue_length",
    "caseload_per_worker",
}
HEAD = 'name = { nb = "Feil", en = "Bad" }\ndescription = { nb = "Feil fil", en = "Bad file" }\n'
EXTENDS = f'extends = "{BASELINE.as_posix()}"\n'


# -- shipped scenarios ------------------------------------------------------------------------
def test_scenarios_folder_has_the_baseline():
    assert BASELINE in SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenario_loads_and_runs_quickly(path):
    """Loads with names in both languages, runs one year at 2 %, reports the minimum metrics."""
    scenario = load_scenario(path)
    assert scenario.stem == path.stem
    assert set(scenario.name) == set(scenario.description) == {"nb", "en"}
    result = run_one(RunSpec(scenario, 0, replicate_seeds(1, 1)[0], years=1, scale=0.02))
    yearly = result.yearly
    assert set(yearly["scenario"]) == {path.stem}
    assert set(yearly["metric"]) >= MIN_METRICS, MIN_METRICS - set(yearly["metric"])
    neet = yearly[(yearly["metric"] == "neet_rate") & (yearly["group"] == "all")]["value"]
    assert len(neet) == 1 and 0 < neet.iloc[0] < 1
    assert len(result.monthly["period"].unique()) == 12


def test_extends_is_relative_to_the_naming_file(tmp_path, monkeypatch):
    """A chain child -> ../base/parent.toml -> baseline: overrides merge, the child wins.

    The warm-up runs under the chain's root (the baseline), and every file is kept verbatim.
    """
    (tmp_path / "base").mkdir()
    (tmp_path / "child").mkdir()
    parent = write_scenario(
        tmp_path / "base" / "parent.toml", {"handover_loss": 0.1, "plan_conflict": 0.2}
    )
    child = write_scenario(
        tmp_path / "child" / "low_loss.toml", {"handover_loss": 0.0}, extends="../base/parent.toml"
    )
    monkeypatch.chdir(tmp_path / "base")  # resolution must not depend on the working folder
    scenario = load_scenario(child)
    assert scenario.stem == "low_loss"
    assert scenario.params["handover_loss"] == 0.0
    assert scenario.params["plan_conflict"] == 0.2
    assert scenario.warmup_params.overrides == load_scenario(BASELINE).params.overrides
    assert [Path(f.path).name for f in scenario.files] == [
        "low_loss.toml",
        "parent.toml",
        BASELINE.name,
    ]
    assert scenario.files[1].text == parent.read_text(encoding="utf-8")


# -- bad files ----------------------------------------------------------------------------------
def _one(text: str | bytes, name: str = "bad.toml"):
    """A builder for a single bad file; returns (file to run, file and key the message names)."""

    def build(tmp: Path):
        path = tmp / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path, path

    return build


def _circular(tmp: Path):
    a, b = tmp / "a.toml", tmp / "b.toml"
    a.write_text(HEAD + 'extends = "b.toml"\n', encoding="utf-8")
    b.write_text(HEAD + 'extends = "a.toml"\n', encoding="utf-8")
    return a, a


def _bad_parent(body: str):
    def build(tmp: Path):
        parent = tmp / "parent.toml"
        parent.write_text(body, encoding="utf-8")
        child = tmp / "child.toml"
        child.write_text(HEAD + 'extends = "parent.toml"\n[params]\n', encoding="utf-8")
        return child, parent

    return build


# (case id, builder, key the message must name or None when the problem has no key)
BAD = [
    ("empty", _one(""), None),
    ("blank", _one("\n   \n"), None),
    ("toml-syntax", _one(HEAD + "[params]\nhandover_loss = \n"), None),
    ("toml-unclosed-table", _one('name = { nb = "x", en = "y"\n'), None),
    ("not-utf8", _one(HEAD.encode() + "# Tr\xf8ndelag\n".encode("latin-1")), None),
    ("unknown-top-key", _one(HEAD + 'colour = "red"\n'), "colour"),
    ("unknown-table", _one(HEAD + "[parameters]\nhandover_loss = 0.1\n"), "parameters"),
    ("unknown-param", _one(HEAD + EXTENDS + "[params]\nhandover_los = 0.1\n"), "handover_los"),
    ("unknown-param-table", _one(HEAD + "[params.ips]\nfte = 40\n"), "params.ips"),
    (
        "unknown-name-key",
        _one('name = { nb = "a", en = "b", de = "c" }\ndescription = { nb = "a", en = "b" }\n'),
        "name.de",
    ),
    (
        "unknown-description-key",
        _one('name = { nb = "a", en = "b" }\ndescription = { nb = "a", en = "b", sv = "c" }\n'),
        "description.sv",
    ),
    ("missing-name", _one('description = { nb = "a", en = "b" }\n'), "name"),
    ("missing-en", _one('name = { nb = "a" }\ndescription = { nb = "a", en = "b" }\n'), "name"),
    ("name-type", _one('name = "x"\ndescription = { nb = "a", en = "b" }\n'), "name"),
    ("params-type", _one(HEAD + "params = 3\n"), "params"),
    ("extends-type", _one(HEAD + "extends = 5\n"), "extends"),
    ("string-value", _one(HEAD + '[params]\nhandover_loss = "high"\n'), "params.handover_loss"),
    ("bool-value", _one(HEAD + "[params]\nplan_conflict = true\n"), "params.plan_conflict"),
    ("array-value", _one(HEAD + "[params]\nbup_capacity = [1, 2]\n"), "params.bup_capacity"),
    ("fraction-above-1", _one(HEAD + "[params]\nhandover_loss = 1.5\n"), "params.handover_loss"),
    ("negative-count", _one(HEAD + "[params]\ndps_capacity = -10\n"), "params.dps_capacity"),
    ("nan", _one(HEAD + "[params]\nplan_conflict = nan\n"), "params.plan_conflict"),
    ("missing-extends", _one(HEAD + 'extends = "no_such_file.toml"\n'), "extends"),
    ("self-extends", _one(HEAD + 'extends = "bad.toml"\n'), "extends"),
    ("circular-extends", _circular, "extends"),
    (
        "bad-param-in-parent",
        _bad_parent(HEAD + "[params]\nhandover_loss = -0.2\n"),
        "params.handover_loss",
    ),
    ("empty-parent", _bad_parent(""), None),
    ("infinite-capacity", _one(HEAD + "[params]\nbup_capacity = inf\n"), "params.bup_capacity"),
    (
        "unknown-name-key-in-parent",
        _bad_parent(
            'name = { nb = "a", en = "b", de = "c" }\ndescription = { nb = "a", en = "b" }\n'
        ),
        "name.de",
    ),
]
CASES = [pytest.param(b, k, id=i) for i, b, k in BAD]


def _assert_refused(rc: int, err: str, named: Path, key: str | None, out: Path) -> None:
    assert rc == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("sim: error: ")
    assert named.name in lines[0]
    if key is not None:
        assert key in lines[0]
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}*"))  # no half-written temporary folder


@pytest.mark.parametrize(("build", "key"), CASES)
def test_bad_scenario_file_exits_2_and_writes_nothing(tmp_path, capsys, build, key):
    path, named = build(tmp_path)
    out = tmp_path / "results" / "out"
    rc = main(["run", str(path), "--out", str(out), *QUICK])
    captured = capsys.readouterr()
    _assert_refused(rc, captured.err, named, key, out)
    assert captured.out == ""


def test_unknown_keys_list_the_valid_ones(tmp_path):
    """The message for an unknown key lists the valid keys (here: the parameter names)."""
    path = tmp_path / "typo.toml"
    path.write_text(HEAD + "[params]\nhandover_los = 0.1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"valid: .*handover_loss.*plan_conflict"):
        load_scenario(path)


def test_bad_file_from_the_command_line(tmp_path):
    """The real command (a subprocess): exit 2, one line on stderr, nothing written."""
    path = tmp_path / "bad.toml"
    path.write_text(HEAD + "[params]\nhandover_loss = 2\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(path), "--out", str(out), *QUICK],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    _assert_refused(proc.returncode, proc.stderr, path, "params.handover_loss", out)


def test_bad_second_scenario_in_compare_writes_nothing(tmp_path, capsys):
    """``sim compare`` validates every file before running any: a bad second file stops all."""
    bad = tmp_path / "second.toml"
    bad.write_text(HEAD + "[params]\nplan_conflict = 7\n", encoding="utf-8")
    out = tmp_path / "out"
    rc = main(["compare", str(BASELINE), str(bad), "--out", str(out), "--reps", "1", *QUICK])
    _assert_refused(rc, capsys.readouterr().err, bad, "params.plan_conflict", out)
