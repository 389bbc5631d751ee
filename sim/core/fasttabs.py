"""The reporters' cross-tabulation compiled with numba, when numba is installed.

:func:`tabulate` counts the youth present of one month into the tables of
:class:`sim.core.snapshot.Snapshot` (``cells``, ``traits``, ``helper_counts`` and
``neet_spells``) in one pass over the population's rows instead of some thirty NumPy passes.
The counts are integers, so they equal the NumPy reference's (``Snapshot`` without numba, or
with ``SIM_NUMBA=0``; tests check it). Without numba :data:`tabulate` is None.
"""

from __future__ import annotations

import os

import numpy as np

try:
    if os.environ.get("SIM_NUMBA", "1") == "0":
        raise ImportError("SIM_NUMBA=0")
    import numba
except ImportError:
    numba = None


def _tabulate(
    alive, kommune, birth_year, activity, female, immigrant, status, completed, mh, grade, helpers,
    months, year_before, n_activity, n_status, neet, cells, traits, helper_counts, spells,
):  # fmt: skip
    """Add every live row to ``cells``, ``traits``, ``helper_counts`` and ``spells`` (loop form).

    ``cells`` and ``traits`` are flat (C order) views of the tables of
    :class:`sim.core.snapshot.Snapshot`: (municipality, age band, activity, female, immigrant)
    and (activity, NAV status, adult, completed, unwell, apprentice). ``spells``: the NEET
    youth's months in the activity (this month counted) summed, and how many have 12 or more.
    """
    for i in range(alive.shape[0]):
        if not alive[i]:
            continue
        age = year_before - birth_year[i]
        a = activity[i]
        cell = (kommune[i] * 3 + (age >= 20) + (age >= 25)) * n_activity + a
        cells[(cell * 2 + female[i]) * 2 + immigrant[i]] += 1
        trait = ((a * n_status + status[i]) * 2 + (age >= 18)) * 2 + completed[i]
        traits[(trait * 2 + (mh[i] > 0)) * 2 + (grade[i] >= 4)] += 1
        v = np.int64(helpers[i])  # population count of the 32-bit mask, without branches
        v = v - ((v >> 1) & 0x55555555)
        v = (v & 0x33333333) + ((v >> 2) & 0x33333333)
        v = (v + (v >> 4)) & 0x0F0F0F0F
        helper_counts[((v * 0x01010101) >> 24) & 0xFF] += 1
        if a == neet:
            spell = np.int64(months[i]) + 1
            spells[0] += spell
            spells[1] += spell >= 12


_SIGNATURE = (
    "void(boolean[::1], int16[::1], int16[::1], int8[::1], boolean[::1], boolean[::1], "
    "int8[::1], boolean[::1], int8[::1], int8[::1], uint32[::1], int16[::1], int64, int64, "
    "int64, int64, int64[::1], int64[::1], int64[::1], int64[::1])"
)

tabulate = None
if numba is not None:
    tabulate = numba.njit(_SIGNATURE, cache=True, nogil=True, boundscheck=False)(_tabulate)
