"""Reporters of NAV benefits: recipients under 30 by benefit, their share of 18-29, and in work.

Used by :mod:`sim.core.metrics` (a stock reporter; ``s`` is its ``Snapshot``).
"""

from __future__ import annotations

import numpy as np

from sim.core.states import Activity, NavStatus


def benefits(s):
    """AAP, disability and social-assistance recipients under 30: count, share, in work."""
    adults = int(np.count_nonzero((s.row_age >= 18) & s.live))
    status_now, employed = s.column("nav_status"), s.column("activity") == Activity.EMPLOYED
    statuses = (NavStatus.AAP, NavStatus.DISABILITY, NavStatus.SOCIAL_ASSISTANCE)
    for status, name in zip(statuses, ("aap", "disability", "social_assistance"), strict=True):
        on = (status_now == status) & s.live
        k = int(np.count_nonzero(on))
        yield f"{name}_count_under30", "all", k / s.scale, k
        yield f"{name}_share_18_29", "all", k / adults if adults else float("nan"), adults
        working = np.count_nonzero(on & employed)
        yield f"{name}_employed_share", "all", working / k if k else float("nan"), k
