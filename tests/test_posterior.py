"""The posterior method on a synthetic truth: a world drawn from the prior is recovered."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis import posterior as po

K = 5  # parameters; the last one moves no moment (not identified)
A = np.array(
    [
        [1.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0, 0.0],
        [0.5, 0.5, 0.0, 0.0, 0.0],
        [0.0, 0.0, 1.0, 0.3, 0.0],
        [0.0, 0.0, 0.0, 1.0, 0.0],
        [0.2, 0.0, 0.0, 0.0, 0.0],
    ]
)


def simulator(u: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Smooth moments with a little curvature and replicate noise."""
    x = A @ u
    return x + 0.3 * x**2 + rng.normal(0.0, 0.005, len(x))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_synthetic_truth_falls_inside_the_90_percent_posterior_interval(seed):
    rng = np.random.default_rng(seed)
    truth = rng.random(K)
    centre = simulator(truth, np.random.default_rng(99))
    half = np.full(len(centre), 0.05)
    bands = po.Bands(centre, centre - half, centre + half)
    noise = np.random.default_rng(seed + 10)

    def evaluate(_wave, _i, u):
        return simulator(u, noise)

    post, emus, waves = po.history_match(evaluate, K, bands, waves=2, n=60, seed=seed)
    assert post.ess > 200  # enough accepted points to describe the posterior
    lo, hi = po.intervals(post.u)
    inside = (lo <= truth) & (truth <= hi)
    assert inside.sum() >= K - 1, (truth, lo, hi)
    # identified parameters are learned: their interval is well inside the prior's
    assert np.all(hi[:4] - lo[:4] < 0.6)
    # the parameter no moment depends on keeps (about) its prior spread
    assert hi[4] - lo[4] > 0.7
    # the second wave's box is smaller than the first and contains the truth
    assert np.all(waves[1].hi - waves[1].lo <= 1.0)
    assert np.all((waves[1].lo <= truth) & (truth <= waves[1].hi))
    assert not post.truncated()[:4].any()
    # the final emulators (log scale where the band is above 0) decide inside/outside well
    assert np.all(emus.error < bands.logged(emus.log).half)


def test_screening_shift_reads_band_half_widths_and_identical_runs():
    # two parameters, three moments: the first moves moment 0 by 0.2 (band half-width 0.1)
    moments = np.array(
        [[0.0, 1.0, np.nan], [0.2, 1.0, np.nan], [0.0, 1.0, np.nan], [0.0, 1.0, np.nan]]
    )
    out = po.shifts(moments, np.array([0.1, 0.1, 0.1]), 2)
    assert out["shift"].tolist() == pytest.approx([2.0, 0.0])
    assert out["identical"].tolist() == [False, True]


def test_abc_accepts_only_points_whose_emulated_moments_are_inside_every_band():
    u = np.random.default_rng(1).random((80, 2))
    y = np.column_stack([u[:, 0], u[:, 1]])
    emus = po.Emulators.fit(u, y)
    bands = po.Bands(np.array([0.5, 0.5]), np.array([0.4, 0.0]), np.array([0.6, 1.0]))
    post = po.abc(emus, bands, np.zeros(2), np.ones(2), seed=3)
    pred = emus.predict(post.u)
    pad = np.sqrt(0.1**2 + (2 * emus.error[0]) ** 2) - 0.1  # the band widened by the error
    assert emus.error[0] < 1e-3  # an exactly linear moment: the emulator knows it
    assert np.all((pred[:, 0] >= 0.4 - pad) & (pred[:, 0] <= 0.6 + pad))
    assert 0.15 < post.ess / post.screened < 0.25  # a fifth of the prior box


# -- drawing from a posterior (sim.run.draws) ------------------------------------------------
def _posterior():
    from sim.run.draws import read_posterior

    text = "draw,labour.job_find_monthly,plan_conflict\n0,0.40,0.10\n1,0.45,0.30\n"
    return read_posterior(text, {"inert": ["labour.unemployment_rate"]})


def test_a_draw_takes_one_posterior_row_and_the_rest_from_the_priors():
    from sim.core.params import specs
    from sim.run.draws import draw

    post = _posterior()
    rows = {(0.40, 0.10), (0.45, 0.30)}
    seen = set()
    for seed in range(1, 40):
        d = draw(seed, post=post)
        pair = (d["labour.job_find_monthly"], d["plan_conflict"])
        assert pair in rows  # both from one row: the posterior's joint values
        seen.add(pair)
        assert "labour.unemployment_rate" not in d  # inert: never drawn
        assert all(specs()[n].role in ("uncertain", "calibrated") for n in d)  # no lever
        s = specs()["handover_loss"]
        assert s.lo <= d["handover_loss"] <= s.hi  # not in the posterior: its prior
        assert draw(seed, post=post) == d  # the same seed, the same world
    assert seen == rows


def test_without_a_posterior_every_uncertain_parameter_comes_from_its_prior():
    from sim.run.draws import draw, uncertain

    d = draw(5, post=None)
    assert set(d) == {s.name for s in uncertain()}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("draw,no.such_parameter\n0,1\n", "no.such_parameter"),
        ("draw,plan_conflict\n0,7\n", "plan_conflict"),
    ],
)
def test_a_bad_posterior_file_is_refused_naming_the_column(text, needle):
    from sim.errors import InputError
    from sim.run.draws import read_posterior

    with pytest.raises(InputError, match=needle):
        read_posterior(text, {})
