"""The stream draw compiled with numba, when numba is installed (``pip install .[fast]``).

:func:`uniform` is :func:`sim.core.streams.uniform_numpy` (the reference) in one pass over
the pids instead of a dozen NumPy passes and calls: the same integer operations modulo 2**64
and the same exact conversion to float, so it gives bit-identical numbers (tests check it).
:func:`uniform_keyed` is the same with a key per pid (several streams in one call).
Without numba, or with ``SIM_NUMBA=0`` in the environment, :data:`uniform` and
:data:`uniform_keyed` are None and the streams use the NumPy reference.
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

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_ONE, _S30, _S27, _S31, _S11 = (np.uint64(k) for k in (1, 30, 27, 31, 11))
_TO_UNIT = 2.0**-53


def _draw(pids: np.ndarray, key: np.uint64) -> np.ndarray:
    """SplitMix64 of ``key`` read at each pid, as a float in [0, 1) (loop form)."""
    out = np.empty(pids.shape[0], dtype=np.float64)
    for i in range(pids.shape[0]):
        x = (np.uint64(pids[i]) + _ONE) * _GAMMA + key
        x = (x ^ (x >> _S30)) * _M1
        x = (x ^ (x >> _S27)) * _M2
        x = x ^ (x >> _S31)
        out[i] = np.float64(x >> _S11) * _TO_UNIT
    return out


def _draw_keyed(pids: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """:func:`_draw` with a key for each pid (several streams in one pass)."""
    out = np.empty(pids.shape[0], dtype=np.float64)
    for i in range(pids.shape[0]):
        x = (np.uint64(pids[i]) + _ONE) * _GAMMA + keys[i]
        x = (x ^ (x >> _S30)) * _M1
        x = (x ^ (x >> _S27)) * _M2
        x = x ^ (x >> _S31)
        out[i] = np.float64(x >> _S11) * _TO_UNIT
    return out


_kernel = _keyed_kernel = None
if numba is not None:
    _kernel = numba.njit("float64[:](int64[:], uint64)", cache=True, nogil=True)(_draw)
    _keyed_kernel = numba.njit("float64[:](int64[:], uint64[:])", cache=True, nogil=True)(
        _draw_keyed
    )


def _uniform(key: np.uint64, pids: np.ndarray) -> np.ndarray:
    """Numbers in [0, 1) of the stream with ``key`` at ``pids`` (the compiled path)."""
    return _kernel(np.ascontiguousarray(pids, dtype=np.int64).reshape(-1), np.uint64(key))


def _uniform_keyed(keys: np.ndarray, pids: np.ndarray) -> np.ndarray:
    """Numbers in [0, 1) of the stream with ``keys[i]`` at ``pids[i]`` (the compiled path)."""
    pids = np.ascontiguousarray(pids, dtype=np.int64).reshape(-1)
    return _keyed_kernel(pids, np.ascontiguousarray(keys, dtype=np.uint64).reshape(-1))


uniform = _uniform if _kernel is not None else None
uniform_keyed = _uniform_keyed if _keyed_kernel is not None else None
