"""Hostile inputs and faults for the readers of results: ``sim report``, ``validate-targets``.

Each case damages a copy of a small synthetic results folder (or gives a bad option), runs
``sim`` in a child process and asserts what ``tests/hostile.py`` asserts: exit 2 with one
line on stderr naming the file or option, no traceback, and nothing written anywhere in the
test's folder. The cases exit before anything is drawn, so each costs one interpreter start.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hostile import assert_clean, assert_refused, sim, snapshot
from report_fixture import make_results

from sim.cli.main import main as sim_main

Case = Callable[[Path, Path], tuple[list, str]]  # (results, folder) -> (argv, mentioned)
CASES: dict[str, Case] = {}


def case(func: Case) -> Case:
    """Register a hostile case under its function name."""
    CASES[func.__name__] = func
    return func


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A synthetic results folder (three scenarios, two replicates, two years)."""
    return make_results(tmp_path_factory.mktemp("pristine") / "res", reps=2, years=2)


@pytest.fixture
def res(pristine: Path, tmp_path: Path) -> Path:
    """A fresh copy of the results folder, for a case to damage."""
    return Path(shutil.copytree(pristine, tmp_path / "res"))


def _rewrite_json(path: Path, change: Callable[[dict], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _rewrite_table(path: Path, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    change(pd.read_parquet(path)).to_parquet(path, index=False)


def _targets(folder: Path, text: str | bytes) -> Path:
    path = folder / "my-targets.csv"
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    return path


TARGET_HEAD = "metric,group,period,value,lo,hi,weight,reference_year\n"


# -- sim report: damaged results files -----------------------------------------------------
@case
def report_summary_truncated(res, tmp):
    path = res / "summary.json"
    path.write_bytes(path.read_bytes()[:100])
    return ["report", res], "summary.json"


@case
def report_summary_wrong_shape(res, tmp):
    (res / "summary.json").write_text('{"scenarios": 5}')
    return ["report", res], "summary.json"


@case
def report_summary_is_a_pipe(res, tmp):
    (res / "summary.json").unlink()
    os.mkfifo(res / "summary.json")
    return ["report", res], "summary.json"


@case
def report_manifest_truncated(res, tmp):
    path = res / "manifest.json"
    path.write_bytes(path.read_bytes()[:50])
    return ["report", res], "manifest.json"


@case
def report_manifest_is_a_list(res, tmp):
    (res / "manifest.json").write_text("[1, 2]")
    return ["report", res], "manifest.json"


@case
def report_manifest_not_utf8(res, tmp):
    (res / "manifest.json").write_bytes(b'{"name": "\xff\xfe"}')
    return ["report", res], "manifest.json"


@case
def report_manifest_bad_start(res, tmp):
    _rewrite_json(res / "manifest.json", lambda m: m.update(start="soon"))
    return ["report", res], "manifest.json"


@case
def report_manifest_scale_nan(res, tmp):
    (res / "manifest.json").write_text('{"scale": NaN, "scenarios": {}}')
    return ["report", res], "scale"


@case
def report_manifest_scenario_name_not_a_table(res, tmp):
    _rewrite_json(res / "manifest.json", lambda m: m["scenarios"]["baseline"].update(name=3))
    return ["report", res], "scenarios.baseline.name"


@case
def report_manifest_failures_not_a_list(res, tmp):
    _rewrite_json(res / "manifest.json", lambda m: m.update(failures="many"))
    return ["report", res], "failures"


@case
def report_yearly_truncated(res, tmp):
    path = res / "yearly.parquet"
    path.write_bytes(path.read_bytes()[:3000])
    return ["report", res], "yearly.parquet"


@case
def report_yearly_missing_column(res, tmp):
    _rewrite_table(res / "yearly.parquet", lambda df: df.drop(columns="value"))
    return ["report", res], "value"


@case
def report_yearly_period_as_text(res, tmp):
    _rewrite_table(res / "yearly.parquet", lambda df: df.astype({"period": str}))
    return ["report", res], "period"


@case
def report_yearly_no_rows(res, tmp):
    _rewrite_table(res / "yearly.parquet", lambda df: df.iloc[:0])
    return ["report", res], "no rows"


@case
def report_yearly_is_a_folder(res, tmp):
    (res / "yearly.parquet").unlink()
    (res / "yearly.parquet").mkdir()
    return ["report", res], "yearly.parquet"


@case
def report_paired_garbage(res, tmp):
    (res / "paired.parquet").write_bytes(b"PAR1 not really parquet PAR1")
    return ["report", res], "paired.parquet"


@case
def report_trial_bad_month(res, tmp):
    _rewrite_json(res / "trial.json", lambda t: t["arms"]["ips"]["employed_at"].update(six={}))
    return ["report", res], "trial.json"


# -- sim report: folders and options ---------------------------------------------------------
@case
def report_empty_folder(res, tmp):
    empty = tmp / "empty"
    empty.mkdir()
    return ["report", empty], "manifest.json"


@case
def report_results_is_a_file(res, tmp):
    return ["report", res / "summary.json"], "not a results directory"


@case
def report_results_missing(res, tmp):
    return ["report", tmp / "nowhere"], "no such folder"


@case
def report_lang_unknown(res, tmp):
    return ["report", res, "--lang", "xx"], "--lang"


@case
def report_goal_not_a_share(res, tmp):
    return ["report", res, "--goal", "8.5"], "--goal"


@case
def report_goal_not_a_number(res, tmp):
    return ["report", res, "--goal", "eight"], "--goal"


@case
def report_goal_file_bad_toml(res, tmp):
    (tmp / "goal.toml").write_text("rate = = 0.08\n")
    return ["report", res, "--goal-file", tmp / "goal.toml"], "goal.toml"


@case
def report_goal_file_unknown_key(res, tmp):
    (tmp / "goal.toml").write_text("rate = 0.08\nyear = 2030\nrat = 1\n")
    return ["report", res, "--goal-file", tmp / "goal.toml"], "rat"


@case
def report_goal_file_is_a_device(res, tmp):
    return ["report", res, "--goal-file", "/dev/zero"], "/dev/zero"


@case
def report_goal_file_missing(res, tmp):
    return ["report", res, "--goal-file", tmp / "no-goal.toml"], "no-goal.toml"


@case
def report_out_is_a_folder(res, tmp):
    return ["report", res, "--out", tmp], "--out"


@case
def report_out_is_a_user_file(res, tmp):
    (tmp / "notes.html").write_text("<p>my notes</p>")
    return ["report", res, "--out", tmp / "notes.html"], "not a report"


@case
def report_out_is_a_results_file(res, tmp):
    return ["report", res, "--out", res / "yearly.parquet"], "yearly.parquet"


@case
def report_out_below_a_file(res, tmp):
    return ["report", res, "--out", res / "summary.json" / "report.html"], "not a folder"


@case
def report_out_in_proc(res, tmp):
    return ["report", res, "--out", "/proc/report.html"], "--out"


# -- sim validate-targets ----------------------------------------------------------------------
@case
def targets_yearly_truncated(res, tmp):
    path = res / "yearly.parquet"
    path.write_bytes(path.read_bytes()[:3000])
    return ["validate-targets", res], "yearly.parquet"


@case
def targets_manifest_corrupt(res, tmp):
    (res / "manifest.json").write_text('{"scenarios": {"baseline": ')
    return ["validate-targets", res], "manifest.json"


@case
def targets_results_missing(res, tmp):
    return ["validate-targets", tmp / "nowhere"], "no such folder"


@case
def targets_results_is_a_file(res, tmp):
    return ["validate-targets", res / "manifest.json"], "not a results directory"


@case
def targets_unknown_scenario(res, tmp):
    return ["validate-targets", res, "--scenario", "nope"], "--scenario"


@case
def targets_csv_binary(res, tmp):
    return ["validate-targets", res, "--targets", _targets(tmp, b"\x00\xff\xfe\x00")], "my-targets"


@case
def targets_csv_empty(res, tmp):
    return ["validate-targets", res, "--targets", _targets(tmp, "")], "my-targets"


@case
def targets_csv_text_in_a_number(res, tmp):
    path = _targets(tmp, TARGET_HEAD + "neet_rate,all,2024,0.1,low,0.2,1,2024\n")
    return ["validate-targets", res, "--targets", path], "lo"


@case
def targets_csv_bad_period(res, tmp):
    path = _targets(tmp, TARGET_HEAD + "neet_rate,all,next year,0.1,0.05,0.2,1,2024\n")
    return ["validate-targets", res, "--targets", path], "period"


@case
def targets_csv_missing_column(res, tmp):
    path = _targets(tmp, "metric,group,period,value\nneet_rate,all,2024,0.1\n")
    return ["validate-targets", res, "--targets", path], "my-targets"


@case
def targets_csv_is_a_device(res, tmp):
    return ["validate-targets", res, "--targets", "/dev/zero"], "/dev/zero"


@case
def targets_out_is_a_folder(res, tmp):
    return ["validate-targets", res, "--csv", tmp], "--csv"


@case
def targets_out_is_a_user_file(res, tmp):
    (tmp / "table.csv").write_text("my,own,data\n1,2,3\n")
    return ["validate-targets", res, "--csv", tmp / "table.csv"], "not a validation table"


@case
def targets_out_is_the_targets_file(res, tmp):
    path = _targets(tmp, TARGET_HEAD + "neet_rate,all,2024,0.1,0.05,0.2,1,2024\n")
    return ["validate-targets", res, "--targets", path, "--csv", path], "--targets"


@pytest.mark.parametrize("name", list(CASES))
def test_refused_with_one_line_and_nothing_written(name: str, res: Path, tmp_path: Path) -> None:
    argv, mentions = CASES[name](res, tmp_path)
    before = snapshot(tmp_path)
    outcome = sim(*argv, cwd=tmp_path, timeout=60)
    assert_refused(outcome, mentions=str(mentions))
    assert snapshot(tmp_path) == before


def test_targets_accepts_a_manifest_with_keys_it_does_not_know(res: Path, tmp_path: Path) -> None:
    """Newer manifests (a ``files`` list, ...) are read: the table written, no refusal.

    The exit code is the targets' verdict (0 all inside, 1 any missed), never 2.
    """
    extra = {"files": ["yearly.parquet", "manifest.json"], "something_new": {"a": 1}}
    _rewrite_json(res / "manifest.json", lambda m: m.update(extra))
    outcome = sim("validate-targets", res, "--quiet", cwd=tmp_path, timeout=60)
    assert_clean(outcome, codes=(0, 1))
    assert (res / "targets.csv").is_file()


def test_a_full_disk_while_drawing_exits_2_and_leaves_nothing(
    res: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A write that fails (ENOSPC) while the figures are drawn: one line, no staging left."""
    from sim.present.report import builder

    def full(*_args, **_kw):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(builder, "render_figures", full)
    before = snapshot(tmp_path)
    assert sim_main(["report", str(res), "--out", str(tmp_path / "out" / "r.html")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0], err
    assert snapshot(tmp_path) == before
