"""Reporters by education level (a stock reporter of :mod:`sim.core.metrics`)."""

from __future__ import annotations

import numpy as np

EDUCATION_GROUPS = ("no_upper_secondary", "upper_secondary")


def neet_by_education(s):
    """NEET rate of youth without (``no_upper_secondary``) and with completed upper secondary.

    ``s`` is a :class:`sim.core.metrics.Snapshot`. Completed means a diploma or a trade
    certificate (the ``completed`` column; youth in or after higher education count as
    completed), as in SSB's comparison of the two groups (2019: 14 % vs 8 %).
    """
    done = s.model.pop.completed[s.pids]
    for group, members in zip(EDUCATION_GROUPS, (~done, done), strict=True):
        n = int(np.count_nonzero(members))
        k = int(np.count_nonzero(members & s.neet))
        yield "neet_rate", group, k / n if n else float("nan"), n
