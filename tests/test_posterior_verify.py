"""``sim posterior --verify``: posterior rows run by the model and kept when they fit."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.analysis import verify as vf


def _targets() -> pd.DataFrame:
    return pd.DataFrame({
        "metric": ["neet_rate", "aap_count_under30", "neet_rate"],
        "group": ["all", "all", "all"],
        "period": ["2024", "*", "2026"],
        "value": [0.07, 2761, 0.07], "lo": [0.06, 2300, 0.06], "hi": [0.08, 3200, 0.08],
    })  # fmt: skip


def test_checks_read_the_start_year_and_count_a_missing_metric_as_outside():
    yearly = pd.DataFrame({
        "metric": ["neet_rate", "neet_rate", "aap_count_under30"],
        "group": ["all", "all", "all"], "period": [2024, 2025, 2025],
        "value": [0.075, 0.5, 2500.0],
    })  # fmt: skip
    c = vf.checks(yearly, _targets(), 2024)
    assert c["target"].tolist() == ["neet_rate all", "aap_count_under30 all"]  # not 2026
    assert c["inside"].tolist() == [True, False]  # AAP has no 2024 row: outside, not skipped
    assert np.isnan(c["value"].iloc[1])


def test_kept_allows_the_tolerance_and_misses_count_by_target():
    entries = [
        {"row": 0, "checks": 28, "inside": 28, "missed": []},
        {"row": 1, "checks": 28, "inside": 26, "missed": ["a", "b"]},
        {"row": 2, "checks": 28, "inside": 25, "missed": ["a", "b", "c"]},
    ]
    assert vf.kept(entries, 0).tolist() == [0]
    assert vf.kept(entries, 2).tolist() == [0, 1]
    assert vf.misses(entries) == {"a": 2 / 3, "b": 2 / 3, "c": 1 / 3}
    assert "at most 2" in vf.keep_rule(2) and "every" in vf.keep_rule(0)


def test_complete_row_is_the_world_draw_params_builds_around_that_row():
    from sim.run.draws import complete_row, draw, read_posterior

    post = read_posterior(
        "draw,labour.job_find_monthly,plan_conflict\n0,0.40,0.10\n1,0.45,0.30\n", {}
    )
    for seed in (3, 11, 29):
        d = draw(seed, post=post)
        row = [0.40, 0.45].index(d["labour.job_find_monthly"])
        assert complete_row(seed, post, row) == d  # same priors beside the same row
        other = complete_row(seed, post, 1 - row)
        assert other["labour.job_find_monthly"] != d["labour.job_find_monthly"]
        assert {k: v for k, v in other.items() if k not in post.names} == {
            k: v for k, v in d.items() if k not in post.names
        }


def _source(tmp_path, refined: bool = False):
    """A three-row posterior folder (the package's first rows) to verify.

    Unless ``refined``, without the package's refinement (record entry and weights), as the
    emulators' posterior comes from ``sim posterior``.
    """
    from importlib import resources

    data = resources.files("sim") / "data"
    table = pd.read_csv(data / "posterior.csv").head(3)
    record = json.loads((data / "posterior.json").read_text("utf-8"))
    if not refined:
        table = table.drop(columns=["weight"], errors="ignore")
        record = {k: v for k, v in record.items() if k not in ("refinement", "verification")}
    src = tmp_path / "src"
    src.mkdir()
    table.to_csv(src / "posterior.csv", index=False)
    (src / "posterior.json").write_text(json.dumps(record), "utf-8")
    return src


def test_verify_writes_the_kept_rows_and_resumes_from_its_log(tmp_path, capsys):
    from sim.cli.main import main

    src, out = _source(tmp_path, refined=True), tmp_path / "checked"  # weighted, --no-refine
    args = ["posterior", "--verify", "--from", str(src), "--out", str(out), "--rows", "2",
            "--verify-scale", "0.02", "--no-refine", "--tolerance", "28", "--workers", "1",
            "--quiet"]  # fmt: skip
    assert main(args) == 0
    record = json.loads((out / "posterior.json").read_text("utf-8"))
    v = record["verification"]
    assert (v["candidates"], v["kept"], v["tolerance"], v["scale"]) == (2, 2, 28, 0.02)
    assert 1 <= record["ess"] <= 2 and "kept with at most 28" in record["method"]  # Kish's
    kept = pd.read_csv(out / "posterior.csv")
    source = pd.read_csv(src / "posterior.csv")
    assert kept["draw"].tolist() == source["draw"].head(2).tolist()  # the source's draw ids
    if "weight" in source:  # a weighted source keeps its weights (renormalised)
        w = source["weight"].head(2)
        assert kept["weight"].tolist() == pytest.approx((w / w.mean()).tolist(), rel=1e-5)
    log = (out / "verify.jsonl").read_text("utf-8").splitlines()
    assert len(log) == 3  # header and one line per run
    first = json.loads(log[1])
    assert first["checks"] == 28 and set(first["values"]) >= set(first["missed"])
    assert main(args) == 0  # the same command again: nothing new runs
    assert (out / "verify.jsonl").read_text("utf-8").splitlines() == log


def test_a_check_that_keeps_no_world_leaves_no_posterior_csv(tmp_path, capsys):
    from importlib import resources

    from sim.cli.main import main

    text = (resources.files("sim") / "data" / "targets.csv").read_text("utf-8")
    # the start year's NEET rate put out of reach: no world is inside that band
    text = text.replace(
        "yearly,neet_rate,all,2024,0.095,0.085,0.105", "yearly,neet_rate,all,2024,0.9,0.89,0.91"
    )
    targets = tmp_path / "targets.csv"
    targets.write_text(text, "utf-8")
    src, out = _source(tmp_path), tmp_path / "checked"
    args = ["posterior", "--verify", "--from", str(src), "--out", str(out), "--rows", "1",
            "--targets", str(targets), "--verify-scale", "0.02", "--no-refine", "--workers", "1",
            "--quiet"]  # fmt: skip
    assert main([*args, "--tolerance", "28"]) == 0  # every world kept
    assert (out / "posterior.csv").exists()
    log = (out / "verify.jsonl").read_text("utf-8")
    assert main([*args, "--tolerance", "0"]) == 1  # the same runs, a rule nothing passes
    assert (out / "verify.jsonl").read_text("utf-8") == log  # no new run
    assert not (out / "posterior.csv").exists()  # the earlier file is not left to --apply
    record = json.loads((out / "posterior.json").read_text("utf-8"))
    assert record["verification"]["kept"] == 0 and record["ess"] == 0
    assert "no world" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--tolerance", "-1"], "--tolerance"),
        (["--rows", "4"], "--rows"),
        (["--verify-scale", "0"], "--verify-scale"),
        (["--refine-scale", "-1"], "--refine-scale"),
        (["--from", "/no/such/folder"], "not found"),
    ],
)
def test_verify_refuses_bad_options_before_running(tmp_path, capsys, flags, needle):
    from sim.cli.main import main

    src, out = _source(tmp_path), tmp_path / "checked"
    code = main(["posterior", "--verify", "--from", str(src), "--out", str(out), *flags])
    assert code == 2
    assert needle in capsys.readouterr().err
    assert not out.exists()


def test_a_refined_posterior_is_not_refined_again(tmp_path, capsys):
    from sim.cli.main import main

    src, out = _source(tmp_path, refined=True), tmp_path / "checked"  # already refined
    assert "refinement" in json.loads((src / "posterior.json").read_text("utf-8"))
    code = main(["posterior", "--verify", "--from", str(src), "--out", str(out)])
    assert code == 2 and "already refined" in capsys.readouterr().err
    assert not out.exists()


def test_refining_needs_the_places_columns(tmp_path, capsys):
    from sim.cli.main import main

    src, out = _source(tmp_path), tmp_path / "checked"
    table = pd.read_csv(src / "posterior.csv").drop(columns=["dps.capacity"])
    table.to_csv(src / "posterior.csv", index=False)
    code = main(["posterior", "--verify", "--from", str(src), "--out", str(out)])
    assert code == 2 and "dps.capacity" in capsys.readouterr().err
    assert not out.exists()


def test_a_log_of_another_check_is_refused_and_the_folder_left_as_it_was(tmp_path, capsys):
    from sim.cli.main import main

    src, out = _source(tmp_path), tmp_path / "checked"
    args = ["posterior", "--verify", "--from", str(src), "--out", str(out), "--rows", "1",
            "--no-refine", "--tolerance", "28", "--workers", "1", "--quiet"]  # fmt: skip
    assert main([*args, "--verify-scale", "0.02"]) == 0
    manifest = (out / "manifest.json").read_text("utf-8")
    assert main([*args, "--verify-scale", "0.03"]) == 2
    assert "scale" in capsys.readouterr().err
    assert (out / "manifest.json").read_text("utf-8") == manifest


def test_a_weighted_posterior_is_drawn_by_its_weights():
    from sim.errors import InputError
    from sim.run.draws import complete_row, draw, read_posterior

    text = "draw,plan_conflict,weight\n0,0.10,0\n1,0.30,3\n2,0.20,1\n"
    post = read_posterior(text, {})
    assert post.names == ("plan_conflict",) and post.weights.tolist() == [0, 0.75, 0.25]
    seen = [draw(seed, post=post)["plan_conflict"] for seed in range(400)]
    assert 0.10 not in seen  # weight 0: never drawn
    assert abs(seen.count(0.30) / len(seen) - 0.75) < 0.06
    for seed in (3, 8):
        d = draw(seed, post=post)
        assert complete_row(seed, post, [0.10, 0.30, 0.20].index(d["plan_conflict"])) == d
    with pytest.raises(InputError, match="weight"):
        read_posterior("draw,plan_conflict,weight\n0,0.1,-1\n", {})


def test_fitting_reads_the_band_between_grid_points_on_the_log_scale():
    from sim.analysis import refine as rf

    grid = np.array([0.0, 0.5, 1.0])
    waits = {"wait_days_mean": [200.0, 20.0, 15.0], "patients_treated": [100.0, 100.0, 100.0]}
    bands = pd.DataFrame({"metric": ["wait_days_mean", "patients_treated"],
                          "lo": [35.0, 50.0], "hi": [70.0, 150.0]})  # fmt: skip
    ok = rf.fitting(grid, waits, bands)
    u = rf.FINE[ok]
    # log wait falls linearly from log 200 to log 20 over [0, 0.5]: 70 at 0.228, 35 at 0.379
    assert u.min() == pytest.approx(np.log(200 / 70) / np.log(10) / 2, abs=2e-3)
    assert u.max() == pytest.approx(np.log(200 / 35) / np.log(10) / 2, abs=2e-3)
    tight = bands.assign(hi=[70.0, 90.0])  # patients outside everywhere: nothing fits
    assert not rf.fitting(grid, waits, tight).any()
    missing = {**waits, "wait_days_mean": [np.nan, 20.0, np.nan]}
    assert not rf.fitting(grid, missing, bands).any()  # one usable point: no line


def test_draw_quantile_is_uniform_over_what_fits_and_reproducible():
    from sim.analysis import refine as rf

    ok = (rf.FINE >= 0.2) & (rf.FINE <= 0.4)
    draws = np.array([rf.draw_quantile(rf.stream(s), ok) for s in range(400)])
    assert draws.min() >= 0.2 - 1e-3 and draws.max() <= 0.4 + 1e-3
    assert abs(draws.mean() - 0.3) < 0.01  # uniform: the prior in its quantiles
    assert rf.draw_quantile(rf.stream(7), ok) == rf.draw_quantile(rf.stream(7), ok)
    assert rf.draw_quantile(rf.stream(7), np.zeros(len(rf.FINE), bool)) is None


def test_refine_sets_the_places_and_records_the_step(tmp_path, capsys):
    from sim.analysis.refine import BLOCK, GRID
    from sim.cli.main import main
    from sim.core.params import specs

    src, out = _source(tmp_path), tmp_path / "refined"
    args = ["posterior", "--verify", "--from", str(src), "--out", str(out), "--rows", "1",
            "--verify-scale", "0.02", "--refine-scale", "0.02", "--tolerance", "28",
            "--workers", "1", "--quiet"]  # fmt: skip
    code = main(args)
    lines = (out / "refine.jsonl").read_text("utf-8").splitlines()
    entry = json.loads(lines[1])
    assert len(entry["grid"]["dps.capacity"]["wait_days_mean"]) == len(GRID)
    if code == 1:  # no number of places fits this world: dropped, and nothing else written
        assert None in entry["u"].values() and not (out / "posterior.csv").exists()
        return
    assert code == 0
    record = json.loads((out / "posterior.json").read_text("utf-8"))
    r = record["refinement"]
    assert (r["candidates"], r["runs"]) == (1, len(GRID))
    kept = pd.read_csv(out / "posterior.csv")
    assert kept["weight"].mean() == pytest.approx(1.0)  # the places' prior mass, normalised
    assert record["ess"] <= len(kept)  # Kish's: at most the number kept
    for name in BLOCK:
        if entry["u"][name] is not None and len(kept):
            assert kept[name].iloc[0] == pytest.approx(
                specs()[name].from_unit(entry["u"][name]), rel=1e-5
            )
            assert record["parameters"][name]["posterior_90_emulators"] is not None


def test_the_shipped_posterior_is_refined_verified_and_weighted():
    from importlib import resources

    data = resources.files("sim") / "data"
    record = json.loads((data / "posterior.json").read_text("utf-8"))
    table = pd.read_csv(data / "posterior.csv")
    v, r = record["verification"], record["refinement"]
    assert v["kept"] == len(table) and table["draw"].is_unique  # each kept world once
    assert v["tolerance"] == 2 and v["scale"] == 0.5 and r["scale"] == 0.5
    assert (table["weight"] > 0).all() and table["weight"].mean() == pytest.approx(1, abs=1e-4)
    assert 0 < record["ess"] <= len(table)  # Kish's effective sample size
    for name in ("bup.capacity", "dps.capacity"):  # the refined places, inside their priors
        lo, hi = record["parameters"][name]["prior"]
        assert table[name].between(lo, hi).all()
