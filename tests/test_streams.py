"""Common random numbers: one stream per decision, keyed (seed, decision, month), read at pid.

The properties that make scenario comparisons clean: a youth's number does not depend on who
else draws or in what order; a scenario that adds a decision leaves every other decision's
numbers alone; numbers look uniform and independent; and no hidden global random source
exists in the package.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim.core.streams import Streams, decision_id, month_keys

N = 100_000
SIM = Path(__file__).resolve().parent.parent / "sim"


def _streams(seed: int = 7, month: int = 3) -> Streams:
    s = Streams(seed)
    s.set_month(month)
    return s


def _reference(seed: int, decision: str, month: int, pid: int) -> float:
    """The documented construction, written out with Python integers (mod 2**64)."""
    mask = (1 << 64) - 1
    seq = np.random.SeedSequence([seed, zlib.crc32(decision.encode()), month])
    x = (int(seq.generate_state(1, np.uint64)[0]) + (pid + 1) * 0x9E3779B97F4A7C15) & mask
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & mask
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & mask
    x ^= x >> 31
    return (x >> 11) * 2.0**-53


def test_numbers_follow_the_documented_construction():
    """SplitMix64 read at position pid of the key SeedSequence([seed, crc32(decision), month]).

    Changing this changes every published number, so it must be a deliberate decision.
    """
    s = _streams(seed=11, month=40)
    pids = np.array([0, 1, 2, 999, 123_456])
    expected = [_reference(11, "labour:job_find", 40, int(p)) for p in pids]
    assert s.at("labour:job_find", pids).tolist() == expected
    assert decision_id("labour:job_find") == zlib.crc32(b"labour:job_find")


def test_number_depends_only_on_seed_decision_month_pid():
    """The same (seed, decision, month, pid) gives the same number whatever else is drawn."""
    pids = np.arange(5_000)
    alone = _streams().at("mh:onset", pids)
    busy = _streams()
    busy.at("school:dropout", pids)  # other decisions first
    busy.set_month(9)
    busy.at("mh:onset", pids)  # another month
    busy.set_month(3)
    subset = np.random.default_rng(0).permutation(pids)[:1_000]  # other pids, other order
    assert np.array_equal(busy.at("mh:onset", subset), alone[subset])
    assert np.array_equal(busy.at("mh:onset", pids), alone)


def test_added_decision_leaves_other_decisions_unchanged():
    """A scenario that adds a decision (an IPS match) does not move any other decision's draws."""
    pids = np.arange(2_000)
    decisions = ["labour:job_find", "mh:recover", "handover:gp->dps"]
    base, ips = _streams(), _streams()
    base_draws = {d: base.at(d, pids) for d in decisions}
    ips_draws = {}
    for d in decisions:
        ips.at("ips:match", pids[::10])  # the extra decision, interleaved
        ips_draws[d] = ips.at(d, pids)
    for d in decisions:
        assert np.array_equal(base_draws[d], ips_draws[d]), d


def test_keys_differ():
    """Different seeds, months and decisions give different numbers (no shared stream)."""
    pids = np.arange(1_000)
    ref = _streams(seed=7, month=3).at("x", pids)
    assert not np.array_equal(ref, _streams(seed=8, month=3).at("x", pids))
    assert not np.array_equal(ref, _streams(seed=7, month=4).at("x", pids))
    assert not np.array_equal(ref, _streams(seed=7, month=3).at("y", pids))


def test_uniform_over_pids():
    """1e5 numbers of one decision and month pass a KS test for U[0, 1) (p > 0.001)."""
    u = _streams().at("labour:job_find", np.arange(N))
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 0.001


def test_uniform_over_months():
    """One youth's numbers over months are uniform too (the key changes each month)."""
    s = Streams(7)
    pids = np.arange(50)
    u = []
    for month in range(2_000):
        s.set_month(month)
        u.append(s.at("labour:job_find", pids))
    assert stats.kstest(np.concatenate(u), "uniform").pvalue > 0.001


@pytest.mark.parametrize(
    "pair",
    [
        ("decisions", lambda s, p: (s.at("a", p), s.at("b", p))),
        ("neighbour pids", lambda s, p: (s.at("a", p[:-1]), s.at("a", p[1:]))),
        ("seeds 1 and 2", lambda s, p: (Streams(1).at("a", p), Streams(2).at("a", p))),
    ],
    ids=lambda pair: pair[0],
)
def test_streams_are_uncorrelated(pair):
    """|corr| < 5 / sqrt(n): a correlation that large would be a 5-sigma event if independent."""
    x, y = pair[1](_streams(), np.arange(N))
    assert abs(np.corrcoef(x, y)[0, 1]) < 5 / np.sqrt(len(x))


def test_consecutive_months_uncorrelated():
    """A youth's number this month says nothing about next month's (same decision)."""
    s, pids = Streams(7), np.arange(N)
    s.set_month(10)
    x = s.at("a", pids)
    s.set_month(11)
    y = s.at("a", pids)
    assert abs(np.corrcoef(x, y)[0, 1]) < 5 / np.sqrt(N)


def test_bernoulli_rate():
    """Bernoulli(p) hits p within 5 binomial standard errors, with per-youth probabilities."""
    s, pids = _streams(), np.arange(N)
    p = np.where(pids % 2 == 0, 0.1, 0.6)
    hits = s.bernoulli("x", pids, p)
    for value in (0.1, 0.6):
        sel = p == value
        se = np.sqrt(value * (1 - value) / sel.sum())
        assert abs(hits[sel].mean() - value) < 5 * se


def test_one_off_is_keyed_by_decision_and_month():
    """Numbers not tied to pids repeat for the same key and differ from pid-keyed draws."""
    a, b = _streams(), _streams()
    first = a.one_off("arrival:student", 10)
    assert np.array_equal(first, b.one_off("arrival:student", 10))
    assert not np.array_equal(first, a.at("arrival:student", np.arange(10)))


def test_negative_month_rejected():
    with pytest.raises(ValueError):
        Streams(1).set_month(-1)


GLOBAL_RANDOM = re.compile(
    r"np\.random\.(seed|rand|random|choice|normal|uniform|binomial|integers|shuffle|permutation)\("
    r"|^\s*(import random\b|from random import)"
    r"|\bshuffle_do\(|\bself\.random\.|\bmodel\.random\.|\bmodel\.rng\.",
    re.MULTILINE,
)


def test_no_hidden_random_source_in_package():
    """No global ``np.random``, ``random`` module or Mesa model-wide stream in ``sim/``.

    Per-youth decisions must come from :class:`sim.core.streams.Streams`, or scenarios stop being
    comparable (see ``shared/examples/crn_demo.py``).
    """
    files = sorted(SIM.rglob("*.py"))
    assert len(files) > 20
    offenders = [
        f"{path.relative_to(SIM.parent)}:{text[: m.start()].count(chr(10)) + 1}: {m.group(0)}"
        for path in files
        for text in [path.read_text(encoding="utf-8")]
        for m in GLOBAL_RANDOM.finditer(text)
    ]
    assert not offenders, "\n".join(offenders)


def test_block_keys_equal_seed_sequence():
    """``month_keys`` (SeedSequence's hash on arrays) is bit-identical to SeedSequence."""
    rng = np.random.default_rng(3)
    seeds = [0, 1, 2**32 - 1, *rng.integers(0, 2**32, 20).tolist()]
    months = np.array([0, 1, 179, 180, 511, 512, 4095, 2**32 - 1], dtype=np.int64)
    for seed in seeds:
        decision = decision_id(f"test:{seed}")
        keys = month_keys(seed, decision, months)
        for month, key in zip(months.tolist(), keys.tolist(), strict=True):
            seq = np.random.SeedSequence([seed, decision, month])
            assert key == int(seq.generate_state(1, np.uint64)[0]), (seed, month)


def test_large_seeds_fall_back_to_seed_sequence():
    s = Streams(2**40)
    s.set_month(5)
    expected = np.random.SeedSequence([2**40, decision_id("x"), 5]).generate_state(1, np.uint64)
    assert s.key("x") == expected[0]


def test_numpy_reference_and_compiled_draws_are_bit_identical():
    """The numba kernel (used when numba is installed) gives the NumPy reference's bits.

    Every integer operation is modulo 2**64 and the conversion to float is exact, so the
    two must agree to the bit at any pid, for any pid dtype, for empty and scalar input.
    """
    from sim.core import fastdraws
    from sim.core.streams import uniform_numpy

    if fastdraws.uniform is None:
        pytest.skip("numba is not installed (or SIM_NUMBA=0): only the NumPy path runs")
    s = _streams(seed=3, month=17)
    key = s.key("labour:job_find")
    rng = np.random.default_rng(5)
    pids = np.sort(rng.choice(2**40, 50_000, replace=False))
    for p in (pids, pids[:0], pids[:7].astype(np.int32), [0, 1, 2**31], 12):
        ref, fast = uniform_numpy(key, p), fastdraws.uniform(key, p)
        assert ref.dtype == fast.dtype and ref.shape == fast.shape
        assert ref.tobytes() == fast.tobytes()
    assert s.at("labour:job_find", pids).tobytes() == uniform_numpy(key, pids).tobytes()


def test_draws_of_several_streams_in_one_call_equal_one_call_each():
    """``at_each`` gives every part the numbers of its own decision's stream, to the bit.

    On the compiled path and on the NumPy reference (a key per pid).
    """
    from sim.core import fastdraws
    from sim.core.streams import uniform_numpy

    s = _streams(seed=3, month=17)
    rng = np.random.default_rng(8)
    parts = [np.sort(rng.choice(10**6, k, replace=False)) for k in (5, 0, 1000, 1)]
    names = ["admit:a", "admit:b", "admit:c", "admit:a"]
    pids = np.concatenate(parts)
    sizes = [len(p) for p in parts]
    each = np.concatenate([s.at(n, p) for n, p in zip(names, parts, strict=True)])
    assert s.at_each(names, pids, sizes).tobytes() == each.tobytes()
    keys = np.repeat(np.array([s.key(n) for n in names], dtype=np.uint64), sizes)
    assert uniform_numpy(keys, pids).tobytes() == each.tobytes()
    if fastdraws.uniform_keyed is not None:
        assert fastdraws.uniform_keyed(keys, pids).tobytes() == each.tobytes()
