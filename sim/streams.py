"""Common random numbers: one stream per stochastic decision, keyed (seed, decision, month).

Each youth reads its number at its stable ``pid``, so a scenario changes only the youth it
reaches. The number for (seed, decision, month, pid) is a counter-based draw: a 64-bit key
from ``SeedSequence([seed, decision id, month])`` and the SplitMix64 output function applied
to ``key + (pid + 1) * golden gamma`` (the SplitMix64 sequence of that key, read at position
pid). A month's draw is computed only at the pids that need it (never for the whole array),
and gives the same number whatever else is drawn, in any order.
"""

from __future__ import annotations

import zlib

import numpy as np

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 2.0**-53


def decision_id(name: str) -> int:
    """A stable integer for a decision name (independent of registration order)."""
    return zlib.crc32(name.encode("utf-8"))


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 output function (Stafford's mix 13), on uint64 arrays."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


class Streams:
    """Uniform numbers in [0, 1) for (decision, month), read at pids.

    Args:
        seed: the replicate seed.
    """

    def __init__(self, seed: int):
        self.seed = int(seed)
        self.month = 0
        self._keys: dict[str, np.uint64] = {}

    def set_month(self, month: int) -> None:
        """Start a month (a non-negative absolute index, warm-up months included)."""
        if month < 0:
            raise ValueError("month index must be non-negative")
        self.month = month
        self._keys.clear()

    def key(self, decision: str) -> np.uint64:
        """The 64-bit key of (seed, decision, this month)."""
        k = self._keys.get(decision)
        if k is None:
            seq = np.random.SeedSequence([self.seed, decision_id(decision), self.month])
            k = self._keys[decision] = seq.generate_state(1, np.uint64)[0]
        return k

    def at(self, decision: str, pids: np.ndarray) -> np.ndarray:
        """This month's numbers for ``decision`` at the given pids."""
        counters = np.atleast_1d(np.asarray(pids, dtype=np.uint64)) + np.uint64(1)
        bits = _mix(self.key(decision) + counters * _GAMMA)
        return (bits >> np.uint64(11)).astype(np.float64) * _TO_UNIT

    def bernoulli(self, decision: str, pids: np.ndarray, p: np.ndarray | float) -> np.ndarray:
        """Boolean outcomes: True where the youth's number is below its probability."""
        return self.at(decision, pids) < p

    def one_off(self, decision: str, size: int) -> np.ndarray:
        """Numbers not tied to pids (e.g. arrivals), keyed by decision and month."""
        return self.at(f"one_off:{decision}", np.arange(size))
