"""Reporters of NAV benefits: recipients under 30 by benefit, their share of 18-29, and in work.

Used by :mod:`sim.core.metrics` (a stock reporter; ``s`` is its ``Snapshot``).
"""

from __future__ import annotations

from sim.core.states import Activity, NavStatus


def benefits(s):
    """AAP, disability and social-assistance recipients under 30: count, share, in work."""
    adults = s.trait_count(adult=1)
    statuses = (NavStatus.AAP, NavStatus.DISABILITY, NavStatus.SOCIAL_ASSISTANCE)
    for status, name in zip(statuses, ("aap", "disability", "social_assistance"), strict=True):
        k = s.trait_count(status=status)
        yield f"{name}_count_under30", "all", k / s.scale, k
        yield f"{name}_share_18_29", "all", k / adults if adults else float("nan"), adults
        working = s.trait_count(status=status, activity=Activity.EMPLOYED)
        yield f"{name}_employed_share", "all", working / k if k else float("nan"), k
