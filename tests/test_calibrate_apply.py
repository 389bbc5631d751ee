"""``sim calibrate --apply DIR``: fitted values into a parameter file, provenance beside it.

Always on a copy of ``sim/data/parameters.csv`` (``--parameters``), never the package's file.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

from sim.analysis.calibrate_apply import SIDECAR
from sim.cli.main import main

PACKAGE = Path(str(resources.files("sim").joinpath("data/parameters.csv")))
FIT = {
    "command": "sim calibrate --scale 0.1 --reps 2 --minutes 20",
    "commit": "0123456789abcdef0123456789abcdef01234567",
    "fitted": {"nav.aap_grant_monthly": 0.212345678, "labour.job_loss_monthly": 0.0123456},
    "loss": 0.01,
    "loss_before": 0.2,
    "evaluations": 40,
    "runs": 160,
    "minutes": 19.5,
    "targets": ["yearly neet_rate all 2024"],
}


@pytest.fixture
def setup(tmp_path):
    """A results folder with ``fit.json`` and a copy of the parameter file."""
    folder = tmp_path / "calib"
    folder.mkdir()
    (folder / "fit.json").write_text(json.dumps(FIT))
    params = tmp_path / "data" / "parameters.csv"
    params.parent.mkdir()
    shutil.copy(PACKAGE, params)
    return folder, params


def rows(path: Path) -> dict[str, dict]:
    return {r["name"]: r for r in csv.DictReader(io.StringIO(path.read_text("utf-8")))}


def test_apply_writes_only_the_value_cells_of_calibrated_rows_and_records_provenance(setup):
    folder, params = setup
    before_text = params.read_text("utf-8")
    previous = float(rows(params)["nav.aap_grant_monthly"]["value"])
    assert main(["calibrate", "--apply", str(folder), "--parameters", str(params)]) == 0
    after_text = params.read_text("utf-8")
    old_lines, new_lines = before_text.splitlines(), after_text.splitlines()
    changed = [(o, n) for o, n in zip(old_lines, new_lines, strict=True) if o != n]
    assert len(changed) == 2  # every other line byte-identical
    new = rows(params)
    assert new["nav.aap_grant_monthly"]["value"] == "0.2123"  # four significant digits
    assert new["labour.job_loss_monthly"]["value"] == "0.01235"
    for old, line in changed:
        o, n = next(csv.reader([old])), next(csv.reader([line]))
        assert o[0] == n[0] and o[2:] == n[2:]  # name, unit, domain, range, role, source kept
    record = json.loads((params.parent / SIDECAR).read_text())
    assert record["commit"] == FIT["commit"] and record["command"] == FIT["command"]
    fitted = {"nav.aap_grant_monthly": 0.2123, "labour.job_loss_monthly": 0.01235}
    assert record["fitted"] == fitted
    assert record["previous"]["nav.aap_grant_monthly"] == previous
    assert record["loss"] == 0.01 and record["loss_before"] == 0.2 and record["runs"] == 160
    assert "ips.job_find_rr" in record["not_fitted_calibrated"]
    assert (PACKAGE.read_text("utf-8")) != after_text  # the package's own file untouched


def test_a_fit_of_a_parameter_that_is_not_calibrated_is_refused(setup):
    folder, params = setup
    before = params.read_bytes()
    fit = {**FIT, "fitted": {**FIT["fitted"], "handover_loss": 0.1}}  # role uncertain
    (folder / "fit.json").write_text(json.dumps(fit))
    assert main(["calibrate", "--apply", str(folder), "--parameters", str(params)]) == 2
    assert params.read_bytes() == before and not (params.parent / SIDECAR).exists()


@pytest.mark.parametrize(
    "fit",
    [None, "not json", {"fitted": {}}, {"fitted": {"nav.aap_grant_monthly": "x"}},
     {"fitted": {"nope": 0.1}}, {"fitted": {"nav.aap_grant_monthly": 7.0}}],
    ids=["no-fit", "not-json", "empty", "text", "unknown", "outside-domain"],
)  # fmt: skip
def test_bad_apply_input_exits_2_and_changes_nothing(setup, fit):
    folder, params = setup
    before = params.read_bytes()
    path = folder / "fit.json"
    if fit is None:
        path.unlink()
    else:
        path.write_text(fit if isinstance(fit, str) else json.dumps(fit))
    assert main(["calibrate", "--apply", str(folder), "--parameters", str(params)]) == 2
    assert params.read_bytes() == before


def test_apply_to_a_missing_parameter_file_exits_2(setup, tmp_path):
    folder, _ = setup
    missing = tmp_path / "none.csv"
    assert main(["calibrate", "--apply", str(folder), "--parameters", str(missing)]) == 2


def test_the_shipped_values_are_the_recorded_fit_or_its_recorded_adjustment():
    """parameters.csv holds what calibration.json says was fitted, or set after the fit."""
    record = json.loads(PACKAGE.with_name(SIDECAR).read_text("utf-8"))
    shipped = {name: float(r["value"]) for name, r in rows(PACKAGE).items()}
    expected = {**record["fitted"], **{n: a["value"] for n, a in record["adjusted_after"].items()}}
    for name, value in expected.items():
        assert rows(PACKAGE)[name]["role"] == "calibrated", name
        assert shipped[name] == pytest.approx(value, rel=1e-3), name
