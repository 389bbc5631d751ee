"""The reporters' tables: the compiled cross-tabulation equals the NumPy reference.

With numba the month's tables (:class:`sim.core.snapshot.Snapshot`: ``cells``, ``traits``,
``helper_counts``, ``neet_spells``) are counted in one compiled pass; without it (or with
``SIM_NUMBA=0``) by NumPy. Both must give the same counts, so the same stock rows.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import BASELINE

from sim.core import fasttabs
from sim.core.metrics import STOCK_REPORTERS
from sim.core.scenario import load_scenario
from sim.core.snapshot import Snapshot
from sim.core.states import Activity, NavStatus
from sim.run.runner import RunSpec, build_model, simulate


@pytest.fixture(scope="module")
def model():
    """A baseline model at scale 0.05, 14 months after the warm-up (some youth have left)."""
    spec = RunSpec(load_scenario(BASELINE), 0, 11, scale=0.05, years=1)
    m = build_model(spec)
    simulate(m, 1)
    for _ in range(2):
        m.step()
    return m


def _tables(model, compiled: bool, monkeypatch) -> tuple:
    if not compiled:
        monkeypatch.setattr(fasttabs, "tabulate", None)
    s = Snapshot(model)
    rows = [row for reporter in STOCK_REPORTERS for row in reporter(s)]
    out = (s.cells, s.traits, s.helper_counts, s.neet_spells, rows)
    monkeypatch.undo()
    return out


def test_compiled_tables_equal_the_numpy_reference(model, monkeypatch):
    if fasttabs.tabulate is None:
        pytest.skip("numba is not installed (or SIM_NUMBA=0): only the NumPy path runs")
    fast, ref = _tables(model, True, monkeypatch), _tables(model, False, monkeypatch)
    for a, b in zip(fast[:3], ref[:3], strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    assert fast[3] == ref[3]
    assert repr(fast[4]) == repr(ref[4])  # every stock row, values to the last bit


def test_tables_count_every_youth_present_once(model, monkeypatch):
    for compiled in (True, False) if fasttabs.tabulate is not None else (False,):
        cells, traits, helper_counts, spells, _ = _tables(model, compiled, monkeypatch)
        pop = model.pop
        live = pop.live()
        assert cells.sum() == traits.sum() == helper_counts.sum() == len(live)
        neet = live[pop.activity[live] == Activity.NEET]
        assert spells[0] == len(neet) > 0
        assert spells[1] == int((pop.months_in_activity[neet] + 1).sum())
        assert spells[2] == int(np.count_nonzero(pop.months_in_activity[neet] >= 11))
        aap = np.count_nonzero(pop.nav_status[live] == NavStatus.AAP)
        assert traits[:, NavStatus.AAP].sum() == aap > 0
        helpers = np.bitwise_count(pop.helpers[live])
        np.testing.assert_array_equal(helper_counts, np.bincount(helpers, minlength=33))
