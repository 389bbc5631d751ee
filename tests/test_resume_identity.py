"""``--resume`` reuses a run file only when it provably belongs (sim/run/identity.py).

Every run file records what made it; a file from another batch, another seed, another
version, or one without that record stops the resume with exit 2 and the list of what
differs. A damaged file is moved aside and run again, and nothing valid is removed before
the new result is complete.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hostile import assert_refused, sim

from sim.cli.main import main
from sim.run import identity as ident
from sim.run.runfiles import META_KEY, write_table

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
QUICK = ["--scale", "0.02", "--years", "1", "--quiet", "--workers", "1"]
TABLES = ["yearly.parquet", "paired.parquet", "summary.json"]
ALT = (
    'name = { nb = "Mindre tap", en = "Less loss" }\ndescription = { nb = "T", en = "T" }\n'
    f'extends = "{BASELINE}"\n[params]\nhandover_loss = 0.05\n'
)


def batch_file(folder: Path, reps: int = 2, alt: bool = True) -> Path:
    scenarios = [str(BASELINE)]
    if alt:
        (folder / "alt.toml").write_text(ALT, encoding="utf-8")
        scenarios.append(str(folder / "alt.toml"))
    path = folder / "batch.toml"
    path.write_text(f"scenarios = {json.dumps(scenarios)}\nreps = {reps}\n", encoding="utf-8")
    return path


def batch(path: Path, out: Path, *options: str) -> int:
    return main(["batch", str(path), "--out", str(out), *options, *QUICK])


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[Path, Path]:
    """A finished two-scenario, two-replicate batch: (batch file, results folder)."""
    folder = tmp_path_factory.mktemp("batch")
    path = batch_file(folder)
    assert batch(path, folder / "out") == 0
    return path, folder / "out"


def copy(finished, tmp_path: Path) -> Path:
    dest = tmp_path / "out"
    shutil.copytree(finished[1], dest)
    return dest


def run_file(out: Path, label: str = "baseline", replicate: int = 0) -> Path:
    return out / "runs" / f"{label}__r{replicate}.parquet"


def test_every_run_file_records_what_made_it(finished) -> None:
    found = ident.read_identity(run_file(finished[1], "alt", 1))
    assert found["label"] == "alt" and found["replicate"] == 1
    assert found["scale"] == 0.02 and found["years"] == 1 and found["start"] == "2024-01"
    assert found["monthly"] is False and found["draw_params"] is False
    assert found["package_version"] and "git_commit" in found and found["plugins"] == []
    assert len(found["scenario_sha256"]) == 64


def test_a_complete_resume_reuses_every_file_and_gives_the_same_tables(finished, tmp_path):
    out = copy(finished, tmp_path)
    before = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}
    assert batch(finished[0], out, "--resume") == 0
    after = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}
    assert after == before  # nothing rerun
    for name in TABLES:
        assert (out / name).read_bytes() == (finished[1] / name).read_bytes(), name


def test_a_run_file_of_another_seed_is_refused_without_config_json(finished, tmp_path):
    """With runs/config.json gone, old seed-1 runs used to be reported under a new seed."""
    out = copy(finished, tmp_path)
    (out / "runs" / "config.json").unlink(missing_ok=True)
    outcome = sim("batch", finished[0], "--out", out, "--resume", "--seed", "2", *QUICK)
    assert_refused(outcome, mentions="seed")
    assert "4 run file(s)" in outcome.lines[0]


def test_a_run_file_from_another_batch_is_refused(finished, tmp_path) -> None:
    """A file of the same name made with other parameters is never combined silently."""
    out = copy(finished, tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "alt.toml").write_text(ALT.replace("0.05", "0.3"), encoding="utf-8")
    path = other / "batch.toml"
    path.write_text(f'scenarios = ["{BASELINE}", "{other / "alt.toml"}"]\nreps = 2\n')
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    outcome = sim("batch", path, "--out", out, "--resume", *QUICK)
    assert_refused(outcome, mentions="alt__r0.parquet: scenario_sha256")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


@pytest.mark.parametrize(
    ("key", "value"),
    [("git_commit", "0" * 40), ("package_version", "0.0.1"), ("plugins", ["my_plugin"])],
)
def test_a_run_file_of_another_version_or_plugin_set_is_refused(finished, tmp_path, key, value):
    out = copy(finished, tmp_path)
    path = run_file(out, "alt", 1)
    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[META_KEY])
    meta["identity"][key] = value
    write_table(table.to_pandas(), path, meta)
    outcome = sim("batch", finished[0], "--out", out, "--resume", *QUICK)
    assert_refused(outcome, mentions=f"alt__r1.parquet: {key}")


def test_a_run_file_without_identity_is_refused(finished, tmp_path) -> None:
    out = copy(finished, tmp_path)
    path = run_file(out)
    write_table(pq.read_table(path).to_pandas(), path, {"timing": {}})
    assert_refused(
        sim("batch", finished[0], "--out", out, "--resume", *QUICK), mentions="older version"
    )


def test_a_damaged_run_file_is_moved_aside_and_rerun(finished, tmp_path, capsys) -> None:
    """A truncated file used to remove the earlier tables, then end in a traceback."""
    out = copy(finished, tmp_path)
    path = run_file(out, "alt", 0)
    path.write_bytes(path.read_bytes()[:200])
    assert batch(finished[0], out, "--resume") == 0
    assert "moved aside" in capsys.readouterr().err
    assert (out / "runs" / "alt__r0.parquet.damaged").exists()
    for name in TABLES:
        assert (out / name).read_bytes() == (finished[1] / name).read_bytes(), name


def test_a_refused_resume_keeps_the_earlier_tables(finished, tmp_path) -> None:
    out = copy(finished, tmp_path)
    before = {name: (out / name).read_bytes() for name in TABLES}
    assert (
        main(["batch", str(finished[0]), "--out", str(out), "--resume", *QUICK, "--years", "2"])
        == 2
    )
    assert {name: (out / name).read_bytes() for name in TABLES} == before


def test_run_files_are_fsynced_before_the_rename(tmp_path, monkeypatch) -> None:
    import pandas as pd

    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real(fd))
    write_table(pd.DataFrame({"a": [1]}), tmp_path / "x.parquet", {"timing": {}})
    assert len(synced) >= 2  # the file, then its folder
    assert pq.read_table(tmp_path / "x.parquet").num_rows == 1


@pytest.mark.parametrize("metadata", [b"{not json", b"[1, 2]", b'{"identity": 3}'])
def test_a_run_file_with_altered_metadata_is_refused(finished, tmp_path, metadata) -> None:
    out = copy(finished, tmp_path)
    path = run_file(out)
    table = pq.read_table(path)
    pq.write_table(table.replace_schema_metadata({META_KEY: metadata}), path)
    assert_refused(
        sim("batch", finished[0], "--out", out, "--resume", *QUICK), mentions="identity"
    )


def test_a_refused_resume_moves_no_damaged_file_aside(finished, tmp_path) -> None:
    out = copy(finished, tmp_path)
    damaged = run_file(out, "baseline", 0)
    damaged.write_bytes(damaged.read_bytes()[:200])
    outcome = sim("batch", finished[0], "--out", out, "--resume", *QUICK, "--years", "2")
    assert_refused(outcome, mentions="years")
    assert damaged.exists() and not damaged.with_name(damaged.name + ".damaged").exists()


def test_a_large_batch_says_how_many_runs_at_once(tmp_path) -> None:
    path = tmp_path / "big.toml"
    path.write_text(
        f'scenarios = ["{BASELINE}"]\nreps = 100000\n[grid]\nplan_conflict = '
        + str([round(0.01 * i, 2) for i in range(20)])
        + "\n"
    )
    outcome = sim("batch", path, "--out", tmp_path / "out", timeout=60)
    assert_refused(outcome, mentions="2,000,000 runs")
    assert not (tmp_path / "out").exists()


def test_timing_that_is_not_a_number_is_read_as_zero(finished, tmp_path) -> None:
    from sim.run.runfiles import totals

    out = copy(finished, tmp_path)
    path = run_file(out)
    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[META_KEY])
    write_table(table.to_pandas(), path, {**meta, "timing": "x", "youth_months": "y"})
    timing, youth_months = totals([path])
    assert timing == {"build_s": 0.0, "simulate_s": 0.0} and youth_months == 0
    assert batch(finished[0], out, "--resume") == 0
