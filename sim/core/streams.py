"""Common random numbers: one stream per stochastic decision, keyed (seed, decision, month).

Each youth reads its number at its stable ``pid``, so a scenario changes only the youth it
reaches. The number for (seed, decision, month, pid) is a counter-based draw: a 64-bit key
from ``SeedSequence([seed, decision id, month])`` and the SplitMix64 output function applied
to ``key + (pid + 1) * golden gamma`` (the SplitMix64 sequence of that key, read at position
pid). A month's draw is computed only at the pids that need it (never for the whole array),
and gives the same number whatever else is drawn, in any order.

Speed: a decision's keys are computed for a block of months at once by :func:`month_keys`,
NumPy's ``SeedSequence`` hash written out on uint32 arrays (bit-identical to
``SeedSequence([seed, id, month]).generate_state(1, np.uint64)``; tests check it).
"""

from __future__ import annotations

import zlib

import numpy as np

from sim.core import fastdraws

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 2.0**-53
_KEY_BLOCK = 512  # months of keys computed at once per decision

# numpy.random.SeedSequence constants (bit_generator.pyx, after M.E. O'Neill's seed_seq_fe)
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_POOL = 4
_U32 = (1 << 32) - 1


def decision_id(name: str) -> int:
    """A stable integer for a decision name (independent of registration order)."""
    return zlib.crc32(name.encode("utf-8"))


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 output function (Stafford's mix 13), in place on a uint64 array."""
    t = np.empty_like(x)
    for shift, mult in ((30, _M1), (27, _M2)):
        np.right_shift(x, np.uint64(shift), out=t)
        x ^= t
        x *= mult
    np.right_shift(x, np.uint64(31), out=t)
    x ^= t
    return x


def _hash_constants(init: int, mult: int, count: int) -> list[np.uint32]:
    """The multipliers a SeedSequence hash uses, in order (they do not depend on the data)."""
    out, h = [], init
    for _ in range(count):
        out.append(h)
        h = (h * mult) & _U32
    return [np.uint32(c) for c in out]


_HASH_A = _hash_constants(_INIT_A, _MULT_A, _POOL + _POOL * (_POOL - 1) + 1)
_HASH_B = _hash_constants(_INIT_B, _MULT_B, 3)


def _hashmix(value: np.ndarray, const: np.uint32, nxt: np.uint32) -> np.ndarray:
    """SeedSequence ``hashmix`` with the multiplier ``const`` (``nxt`` = const x MULT_A)."""
    value = (value ^ const) * nxt
    return value ^ (value >> np.uint32(16))


def month_keys(seed: int, decision: int, months: np.ndarray) -> np.ndarray:
    """``SeedSequence([seed, decision, m]).generate_state(1, np.uint64)[0]`` for each month.

    Valid for 0 <= seed, decision, month < 2**32 (each one uint32 entropy word, three words
    and a pool of four, no spawn key), which :meth:`Streams.key` checks.
    """
    words = [np.full(len(months), w, dtype=np.uint32) for w in (seed, decision)]
    words += [np.asarray(months, dtype=np.uint32), np.zeros(len(months), dtype=np.uint32)]
    hc = iter(zip(_HASH_A[:-1], _HASH_A[1:], strict=True))
    pool = [_hashmix(w, *next(hc)) for w in words]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                y = _hashmix(pool[src], *next(hc))
                r = np.uint32(_MIX_L) * pool[dst] - np.uint32(_MIX_R) * y
                pool[dst] = r ^ (r >> np.uint32(16))
    lo, hi = (_hashmix(pool[i], _HASH_B[i], _HASH_B[i + 1]) for i in range(2))
    return lo.astype(np.uint64) | (hi.astype(np.uint64) << np.uint64(32))


def uniform_numpy(key: np.uint64 | np.ndarray, pids: np.ndarray) -> np.ndarray:
    """Numbers in [0, 1) of the stream with ``key`` at ``pids`` (the NumPy reference).

    ``key`` may also be a uint64 array with one key per pid. :mod:`sim.core.fastdraws`
    computes the same bits in one compiled pass when numba is installed.
    """
    x = np.array(pids, dtype=np.uint64, ndmin=1)  # a copy, overwritten below
    x += np.uint64(1)
    x *= _GAMMA
    x += key
    bits = _mix(x)
    bits >>= np.uint64(11)  # 53 bits: exact as int64 and as float64
    return bits.view(np.int64) * _TO_UNIT


class Streams:
    """Uniform numbers in [0, 1) for (decision, month), read at pids.

    Args:
        seed: the replicate seed.
    """

    def __init__(self, seed: int):
        self.seed = int(seed)
        self.month = 0
        self._keys: dict[str, np.ndarray] = {}  # decision -> keys of months 0, 1, ...

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_keys": {}}  # a cache: recomputed on demand

    def set_month(self, month: int) -> None:
        """Start a month (a non-negative absolute index, warm-up months included)."""
        if month < 0:
            raise ValueError("month index must be non-negative")
        self.month = month

    def key(self, decision: str) -> np.uint64:
        """The 64-bit key of (seed, decision, this month)."""
        keys = self._keys.get(decision)
        if keys is None or self.month >= len(keys):
            keys = self._keys[decision] = self._block(decision, self.month)
        return keys[self.month]

    def _block(self, decision: str, month: int) -> np.ndarray:
        """Keys of months 0 .. at least ``month`` (the SeedSequence itself outside uint32)."""
        n = (month // _KEY_BLOCK + 1) * _KEY_BLOCK
        did = decision_id(decision)
        if 0 <= self.seed <= _U32 and n - 1 <= _U32:
            return month_keys(self.seed, did, np.arange(n))
        seqs = (np.random.SeedSequence([self.seed, did, m]) for m in range(n))
        return np.array([s.generate_state(1, np.uint64)[0] for s in seqs], dtype=np.uint64)

    def at(self, decision: str, pids: np.ndarray) -> np.ndarray:
        """This month's numbers for ``decision`` at the given pids."""
        if fastdraws.uniform is not None:
            return fastdraws.uniform(self.key(decision), pids)
        return uniform_numpy(self.key(decision), pids)

    def at_each(self, decisions: list[str], pids: np.ndarray, sizes: list[int]) -> np.ndarray:
        """:meth:`at` of several decisions in one call (one pass with numba).

        ``pids`` is the concatenation of parts of ``sizes``; part ``i`` is read on the stream
        of ``decisions[i]``.
        """
        keys = np.repeat(np.array([self.key(d) for d in decisions], dtype=np.uint64), sizes)
        if fastdraws.uniform_keyed is not None:
            return fastdraws.uniform_keyed(keys, pids)
        return uniform_numpy(keys, pids)

    def bernoulli(self, decision: str, pids: np.ndarray, p: np.ndarray | float) -> np.ndarray:
        """Boolean outcomes: True where the youth's number is below its probability."""
        return self.at(decision, pids) < p

    def one_off(self, decision: str, size: int) -> np.ndarray:
        """Numbers not tied to pids (e.g. arrivals), keyed by decision and month."""
        return self.at(f"one_off:{decision}", np.arange(size))
