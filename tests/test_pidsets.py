"""Set operations on pids by lookup tables give NumPy's answers, call after call.

The tables are kept between calls (``sim.core.pidsets``): each call must leave them clean,
whatever the sizes and pools of the calls before it.
"""

from __future__ import annotations

import numpy as np

from sim.core.pidsets import in_any, new_to, positions


def test_in_any_and_new_to_equal_isin_and_setdiff1d_over_many_calls():
    rng = np.random.default_rng(4)
    for size in (10, 1_000, 50, 20_000, 3):
        for _ in range(5):
            pids = rng.integers(0, size, rng.integers(0, 2 * size))
            pools = [rng.choice(size, rng.integers(0, size), replace=False) for _ in range(3)]
            union = np.concatenate(pools)
            np.testing.assert_array_equal(in_any(pids, size, *pools), np.isin(pids, union))
            np.testing.assert_array_equal(new_to(pids, size, *pools), np.setdiff1d(pids, union))


def test_positions_index_members_and_leave_no_trace():
    rng = np.random.default_rng(5)
    for size in (100, 5_000, 40):
        for _ in range(5):
            members = rng.choice(size, rng.integers(0, size), replace=False)
            pids = rng.integers(0, size, 300)
            idx, hit = positions(pids, members, size)
            np.testing.assert_array_equal(hit, np.isin(pids, members))
            np.testing.assert_array_equal(members[idx[hit]], pids[hit])
            assert (idx[~hit] == 0).all()
