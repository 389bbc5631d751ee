"""The cost ledger's person lines: the compiled pass equals the NumPy reference.

With numba the youth of each person-based unit cost are counted, and the graded AAP and
disability rows written, in one compiled pass (:mod:`sim.services.fastledger`); without it
(or with ``SIM_NUMBA=0``) by NumPy masks. Both must give the same units to the bit and the
same counts, so the same cost rows.
"""

from __future__ import annotations

import pytest
from conftest import BASELINE

from sim.core.params import Params
from sim.core.scenario import load_scenario
from sim.core.states import NavStatus
from sim.run.runner import RunSpec, build_model, simulate
from sim.services import fastledger
from sim.services.ledger import _person_lines_numpy, person_lines

needs_numba = pytest.mark.skipif(
    fastledger.count_persons is None,
    reason="numba is not installed (or SIM_NUMBA=0): only the NumPy path runs",
)


@pytest.fixture(scope="module")
def model():
    """A baseline model at scale 0.05 just after the warm-up (some youth have left)."""
    m = build_model(RunSpec(load_scenario(BASELINE), 0, 11, scale=0.05, years=2))
    simulate(m, 1)
    return m


@needs_numba
def test_compiled_person_lines_equal_the_numpy_reference(model):
    for _ in range(13):  # a year of months, across a new year (ages change)
        fast, ref = person_lines(model), _person_lines_numpy(model)
        assert fast == ref  # floats compared exactly
        assert set(fast) == set(fastledger.COUNTED + fastledger.GRADED)
        assert all(n > 0 for _, n in fast.values())
        model.step()


@needs_numba
def test_a_benefit_paid_at_nothing_counts_no_one(model, monkeypatch):
    """Graded youth paid a share of 0 (work share 1) are not charged, as in the reference."""
    overrides = {**model.params.overrides, "nav.aap_work_share": 1.0}
    monkeypatch.setattr(model, "params", Params(overrides))
    fast, ref = person_lines(model), _person_lines_numpy(model)
    assert fast == ref
    live = model.pop.live()
    aap = (model.pop.nav_status[live] == NavStatus.AAP).sum()
    assert fast["aap_under25"][1] + fast["aap_25plus"][1] < aap
