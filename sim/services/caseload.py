"""Small helpers shared by the caseload services (coordinator, IPS team)."""

from __future__ import annotations

import numpy as np


def over_capacity(active: np.ndarray, since: np.ndarray, capacity: int) -> np.ndarray:
    """Mask of the most recently admitted cases beyond ``capacity`` (when capacity fell).

    Latest admission first, ties by the larger pid: deterministic, no random draws.
    """
    over = np.zeros(len(active), dtype=bool)
    excess = len(active) - capacity
    if excess > 0:
        over[np.lexsort((-active, -since))[:excess]] = True
    return over


def per_fte(service, fte: float, indicators: dict[str, float]) -> dict[str, float]:
    """Replace ``caseload_per_worker`` with active cases per full-time worker (scaled)."""
    workers = fte * service.model.scale
    if workers > 0:
        indicators["caseload_per_worker"] = len(service.active) / workers
    return indicators
