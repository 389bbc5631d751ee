"""Common random numbers: one stream per stochastic decision, keyed (seed, decision, month).

Each youth reads its number at its stable ``pid``, so a scenario changes only the youth it
reaches (see ``docs`` and the CRN example). Streams use the counter-based Philox generator:
the draw for a month covers only the live range of pids, and skipping ahead to the first live
pid gives exactly the numbers a full draw would have had there.
"""

from __future__ import annotations

import zlib

import numpy as np

_PER_COUNTER = 4  # Philox4x64 yields four 64-bit words per counter step


def decision_id(name: str) -> int:
    """A stable integer for a decision name (independent of registration order)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Uniform numbers in [0, 1) for (decision, month), read at pids.

    Args:
        seed: the replicate seed.
    """

    def __init__(self, seed: int):
        self.seed = int(seed)
        self.month = 0
        self.lo = 0
        self.hi = 0
        self._cache: dict[str, np.ndarray] = {}

    def set_month(self, month: int, lo: int, hi: int) -> None:
        """Start a month: numbers will cover pids in [lo, hi)."""
        if month < 0:
            raise ValueError("month index must be non-negative")
        self.month, self.lo, self.hi = month, lo - lo % _PER_COUNTER, hi
        self._cache.clear()

    def _month_draw(self, decision: str) -> np.ndarray:
        draw = self._cache.get(decision)
        if draw is None:
            key = np.random.SeedSequence([self.seed, decision_id(decision), self.month])
            bits = np.random.Philox(key)
            bits.advance(self.lo // _PER_COUNTER)
            draw = np.random.Generator(bits).random(self.hi - self.lo)
            self._cache[decision] = draw
        return draw

    def at(self, decision: str, pids: np.ndarray) -> np.ndarray:
        """This month's numbers for ``decision`` at the given pids."""
        return self._month_draw(decision)[np.asarray(pids) - self.lo]

    def bernoulli(self, decision: str, pids: np.ndarray, p: np.ndarray | float) -> np.ndarray:
        """Boolean outcomes: True where the youth's number is below its probability."""
        return self.at(decision, pids) < p

    def one_off(self, decision: str, size: int) -> np.ndarray:
        """Numbers not tied to pids (e.g. build-time choices), keyed by decision and month."""
        key = np.random.SeedSequence([self.seed, decision_id(decision), self.month, 1])
        return np.random.Generator(np.random.Philox(key)).random(size)
