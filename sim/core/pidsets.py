"""Set operations on pids, by a boolean lookup table over the population's rows.

Pids are row indices below ``model.pop.n``, so membership is one table write and one read:
the same answers as ``np.isin`` / ``np.setdiff1d`` / ``np.unique``, without sorting large
arrays every month (those were the largest costs of the monthly loop).
"""

from __future__ import annotations

import threading

import numpy as np


def unique(pids: np.ndarray) -> np.ndarray:
    """``np.unique(pids)``: a new sorted array, each pid once (no sort when already in order)."""
    pids = np.asarray(pids, dtype=np.int64)
    if len(pids) < 2 or bool((pids[1:] > pids[:-1]).all()):
        return pids.copy()
    pids = np.sort(pids)
    return pids[np.concatenate(([True], pids[1:] != pids[:-1]))]


_SCRATCH = threading.local()  # each thread's lookup table, all False between calls


def in_any(pids: np.ndarray, size: int, *pools: np.ndarray) -> np.ndarray:
    """``np.isin(pids, union of pools)`` for pids below ``size``.

    The lookup table is kept between calls (one per thread, all False outside a call):
    marking and clearing the pools' rows costs less than a fresh table of ``size`` rows.
    """
    table = getattr(_SCRATCH, "table", None)
    if table is None or len(table) < size:
        table = _SCRATCH.table = np.zeros(
            max(size, 2 * len(table) if table is not None else 0), bool
        )
    for pool in pools:
        if len(pool):
            table[pool] = True
    try:
        return table[pids]
    finally:
        for pool in pools:
            if len(pool):
                table[pool] = False


def new_to(pids: np.ndarray, size: int, *pools: np.ndarray) -> np.ndarray:
    """``np.setdiff1d(pids, union of pools)``: sorted unique pids in none of the pools."""
    pids = unique(pids)
    if not len(pids) or not any(len(pool) for pool in pools):
        return pids
    return pids[~in_any(pids, size, *pools)]


def positions(pids: np.ndarray, members: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(index into ``members``, hit mask) for each pid; ``members`` are unique pids.

    Where a pid is not a member its index is 0 (use it only where the mask holds). The
    lookup table is kept between calls like :func:`in_any`'s (all -1 outside a call).
    """
    table = getattr(_SCRATCH, "index", None)
    if table is None or len(table) < size:
        table = _SCRATCH.index = np.full(
            max(size, 2 * len(table) if table is not None else 0), -1, dtype=np.int32
        )
    table[members] = np.arange(len(members), dtype=np.int32)
    try:
        idx = table[pids]
    finally:
        table[members] = -1
    hit = idx >= 0
    return np.where(hit, idx, 0), hit
