"""Fewer duplicated contacts: a coordinated NAV client takes less caseworker time.

``coord.nav_time_saved`` lowers the workload a NAV office counts for its clients whose plan a
coordinator holds, which raises the office's follow-up intensity only where caseworkers are
short (intensity = caseworker capacity / workload, at most 1). Small runs (scale 0.05-0.1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import SCENARIOS, write_scenario

from sim.core.scenario import load_scenario
from sim.run.runner import RunSpec, build_model, replicate_seeds, run_one
from sim.services.nav import NavOffice

COORDINATED = load_scenario(SCENARIOS / "coordinated_ips.toml").overrides


def intensities(tmp_path, name: str, params: dict, months: int = 24) -> np.ndarray:
    """Each month's NAV follow-up intensity of every area, coordinated scenario + ``params``."""
    path = write_scenario(tmp_path / f"{name}.toml", {**COORDINATED, **params})
    model = build_model(RunSpec(load_scenario(path), 0, replicate_seeds(7, 1)[0], 2, 0.1))
    model.end_month = model.month + months
    out = []
    for _ in range(months):
        model.step()
        out.append(model.module("nav").intensity.copy())
    return np.array(out)


def test_saved_time_raises_intensity_only_where_caseworkers_are_short(tmp_path):
    short = {"nav.caseworkers": 40}
    # month 2: the first month with a coordinator caseload when NAV steps (the two runs are
    # identical until then, so the intensities differ by the saving alone)
    without = intensities(tmp_path, "a", {**short, "coord.nav_time_saved": 0.0}, months=2)[-1]
    with_saving = intensities(tmp_path, "b", {**short, "coord.nav_time_saved": 0.5}, months=2)[-1]
    assert (without < 1).any()  # caseworkers are short somewhere
    assert (with_saving >= without).all() and (with_saving > without).any()
    assert (with_saving[without == 1] == 1).all()


def _intensity_without_saving(self) -> None:
    """NavOffice's follow-up intensity as it was before the saving existed."""
    self.clients = len(self.nav.clients_by_area[self.area])
    cap = self.caseworkers * self.model.params["nav.caseload"]
    self.intensity = min(1.0, cap / self.clients) if self.clients else 1.0
    self.nav.intensity[self.area] = self.intensity


def test_no_saved_time_is_the_model_without_it(tmp_path, monkeypatch):
    """At 0 (caseworkers short, so intensity matters) the tables equal those of the office
    step without the saving's code path."""
    params = {**COORDINATED, "nav.caseworkers": 40, "coord.nav_time_saved": 0.0}
    path = write_scenario(tmp_path / "a.toml", params)
    spec = RunSpec(load_scenario(path), 0, replicate_seeds(7, 1)[0], 2, 0.05)
    a = run_one(spec)
    monkeypatch.setattr(NavOffice, "_follow_up_intensity", _intensity_without_saving)
    b = run_one(spec)
    for table in ("yearly", "monthly"):
        x, y = (getattr(r, table).drop(columns="scenario") for r in (a, b))
        pd.testing.assert_frame_equal(x, y, check_exact=True)
