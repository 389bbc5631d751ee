"""``sim new-service NAME``: the files it writes work as they are, and it never overwrites.

The generated test is run the way a student runs it: pytest in a fresh process, from the
folder the files were written to, with this checkout's package on the path.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT

from sim.cli.main import main


def generate(tmp_path, capsys, name="mentor", *extra) -> tuple[int, str]:
    rc = main(["new-service", name, "--dir", str(tmp_path / "gen"), *extra])
    captured = capsys.readouterr()
    return rc, captured.out + captured.err


def test_the_generated_test_passes_out_of_the_box(tmp_path, capsys):
    rc, out = generate(tmp_path, capsys, "youth_mentor")
    assert rc == 0, out
    gen = tmp_path / "gen"
    assert sorted(p.name for p in gen.iterdir()) == [
        "test_youth_mentor.py",
        "youth_mentor.py",
        "youth_mentor.toml",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_youth_mentor.py"],
        cwd=gen,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 passed" in done.stdout


def test_the_service_declares_its_parameters_and_unit_cost(tmp_path, capsys):
    assert generate(tmp_path, capsys)[0] == 0
    plugin = (tmp_path / "gen" / "mentor.py").read_text()
    assert "class Mentor(Service):" in plugin and "unit_costs = " in plugin
    scenario = (tmp_path / "gen" / "mentor.toml").read_text()
    assert '"mentor.fte" = 10' in scenario
    assert (tmp_path / "gen" / scenario.split('extends = "')[1].split('"')[0]).resolve() == (
        ROOT / "scenarios" / "baseline.toml"
    )


def test_it_refuses_to_overwrite_and_writes_nothing(tmp_path, capsys):
    gen = tmp_path / "gen"
    gen.mkdir()
    (gen / "test_mentor.py").write_text("mine\n")
    rc, out = generate(tmp_path, capsys)
    assert rc == 2
    assert out.count("\n") == 1 and "will not overwrite" in out and "test_mentor.py" in out
    assert sorted(p.name for p in gen.iterdir()) == ["test_mentor.py"]
    assert (gen / "test_mentor.py").read_text() == "mine\n"


def test_a_second_run_changes_nothing(tmp_path, capsys):
    assert generate(tmp_path, capsys)[0] == 0
    before = {p.name: p.read_text() for p in (tmp_path / "gen").iterdir()}
    rc, out = generate(tmp_path, capsys)
    assert rc == 2 and out.count("\n") == 1
    assert {p.name: p.read_text() for p in (tmp_path / "gen").iterdir()} == before


@pytest.mark.parametrize(
    "name", ["Mentor", "1st", "a-b", "class", "nav", "x" * 25, "", "é", "json", "numpy"]
)
def test_a_bad_name_is_refused_in_one_line(tmp_path, capsys, name):
    rc, out = generate(tmp_path, capsys, name)
    assert rc == 2 and out.count("\n") == 1 and out.startswith("sim: error: new-service")
    assert not (tmp_path / "gen").exists()
