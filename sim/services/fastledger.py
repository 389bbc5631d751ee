"""The cost ledger's monthly person counts compiled with numba, when numba is installed.

:func:`count_persons` goes once over the population's rows and counts the youth present in
each person-based unit cost's state (:func:`sim.services.ledger.person_masks`), and writes
the graded benefit lines (AAP under and over 25, disability) as the share of the benefit
paid to each row (:func:`sim.services.benefit_rules.payment_share`), 0 elsewhere. The
ledger sums those rows with NumPy, as its NumPy path does, so the amounts are the same to
the bit; the counts are integers. Without numba (or with ``SIM_NUMBA=0``) :data:`count_persons`
is None and the ledger uses its NumPy path, the reference a test compares with.
"""

from __future__ import annotations

import os

from sim.core.states import Activity, NavStatus

try:
    if os.environ.get("SIM_NUMBA", "1") == "0":
        raise ImportError("SIM_NUMBA=0")
    import numba
except ImportError:
    numba = None

# the order of the counts and of the graded rows
COUNTED = (
    "qualification_benefit_under25",
    "qualification_benefit_25plus",
    "social_assistance",
    "programme_place",
    "upper_secondary_pupil",
    "apprentice",
)
GRADED = ("aap_under25", "aap_25plus", "disability")

_AAP, _QUAL, _SA, _DIS = (
    int(NavStatus.AAP),
    int(NavStatus.QUALIFICATION),
    int(NavStatus.SOCIAL_ASSISTANCE),
    int(NavStatus.DISABILITY),
)
_SCHOOL, _PROGRAMME, _EMPLOYED = (
    int(Activity.UPPER_SECONDARY),
    int(Activity.PROGRAMME),
    int(Activity.EMPLOYED),
)


def _count_persons(alive, status, activity, grade, birth_year, born_25, aap_paid, dis_paid,
                   counts, graded):  # fmt: skip
    """Count the rows of each line into ``counts`` and write the graded rows (loop form).

    ``counts``: the youth of each :data:`COUNTED` line, then those paid a graded benefit
    (a share above 0), in :data:`GRADED` order. ``born_25``: youth born after this year are
    under 25. ``aap_paid``, ``dis_paid``: the share of AAP and of disability paid to youth in
    work. ``graded`` (3 × rows) must be zeros.
    """
    for i in range(alive.shape[0]):
        if not alive[i]:
            continue
        st, act, young = status[i], activity[i], birth_year[i] > born_25
        if st in (_AAP, _DIS):
            line = 2 if st == _DIS else (0 if young else 1)
            paid = 1.0 if act != _EMPLOYED else (dis_paid if st == _DIS else aap_paid)
            graded[line, i] = paid
            counts[len(COUNTED) + line] += paid != 0.0
        elif st == _QUAL:
            counts[0 if young else 1] += 1
        elif st == _SA:
            counts[2] += 1
        if act == _PROGRAMME and st != _QUAL:
            counts[3] += 1
        elif act == _SCHOOL:
            counts[4 if grade[i] <= 3 else 5] += 1


_SIGNATURE = (
    "void(boolean[::1], int8[::1], int8[::1], int8[::1], int16[::1], int64, float64, float64, "
    "int64[::1], float64[:, ::1])"
)

count_persons = None
if numba is not None:
    count_persons = numba.njit(_SIGNATURE, cache=True, nogil=True, boundscheck=False)(
        _count_persons
    )
