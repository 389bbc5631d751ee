"""Decision outputs: acceptability curve, value of information, interval parts.

Synthetic examples with known answers: the acceptability curve counts, at each willingness to
pay, the replicates in which each option has the highest net benefit; the expected value of
perfect information (EVPI) of a choice that one uniform parameter decides is known in closed
form, and the regression estimate of that parameter's partial value must come close to it
while a parameter that does not enter the net benefit must come close to 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis import decision
from sim.analysis.intervals import parts
from sim.analysis.summary import summarize


def _values(averted, cost, reps=None) -> pd.DataFrame:
    index = pd.Index(range(len(cost)) if reps is None else reps, name="replicate")
    return pd.DataFrame(
        {"neet_years_averted_discounted": averted, "npv_public_nok": cost}, index=index
    )


def test_ceac_counts_the_replicates_in_which_each_option_is_best():
    a = _values([10.0, 10.0, 10.0, 10.0], [1e6, 2e6, 3e6, -1e5])  # 100-300 kNOK a NEET-year
    b = _values([1.0, 1.0, 1.0, 1.0], [5e4, 5e4, 5e4, 5e4])
    curve = decision.ceac("base", {"a": a, "b": b}, wtp=np.array([0.0, 150e3, 1e6]))
    assert curve["horizon"] == "run" and curve["wtp_nok"] == [0.0, 150e3, 1e6]
    rows = np.array([curve[k] for k in ("base", "a", "b")])
    assert np.allclose(rows.sum(axis=0), 1.0)
    # w = 0: a saves in one replicate, otherwise doing nothing is best
    assert rows[:, 0].tolist() == [0.75, 0.25, 0.0]
    # w = 150 kNOK: a's NB = 1.5 MNOK - cost > 0 in replicates 0 and 3; b's NB = 100 kNOK
    assert rows[:, 1].tolist() == [0.0, 0.5, 0.5]
    assert rows[:, 2].tolist() == [0.0, 1.0, 0.0]


def test_ceac_and_chance_of_saving_are_over_draws_when_replicates_share_a_draw():
    from sim.analysis.horizons import draw_means, share_below_zero

    # two draws of two replicates: draw 0 costs +1 and -3 (mean -1: saves), draw 1 +2 and +2
    a = _values([10.0, 10.0, 10.0, 10.0], [1.0, -3.0, 2.0, 2.0])
    draws = {0: {"x": 0.1}, 1: {"x": 0.1}, 2: {"x": 0.7}, 3: {"x": 0.7}}
    curve = decision.ceac("base", {"a": a}, wtp=np.array([0.0]), draws=draws)
    assert (curve["over"], curve["n"], curve["replicates"]) == ("draws", 2, 4)
    assert curve["a"] == [0.5] and curve["base"] == [0.5]  # per replicate it would be 0.25
    single = decision.ceac("base", {"a": a}, wtp=np.array([0.0]))
    assert (single["over"], single["a"]) == ("replicates", [0.25])
    keys = [tuple(sorted(draws[r].items())) for r in range(4)]
    over, per = draw_means(a, keys)
    assert over == "draws" and per["npv_public_nok"].tolist() == [-1.0, 2.0]
    assert share_below_zero(per["npv_public_nok"]) == 0.5
    assert draw_means(a, [None] * 4)[0] == "replicates"  # no draw: the replicates
    assert draw_means(a, [(1,), (2,), (3,), (4,)])[0] == "replicates"  # a draw each


def test_ceac_sums_to_one_on_the_default_grid_and_uses_common_replicates():
    rng = np.random.default_rng(1)
    a = _values(rng.normal(50, 20, 30), rng.normal(5e6, 3e6, 30))
    b = _values(rng.normal(30, 20, 29), rng.normal(1e6, 3e6, 29), reps=range(1, 30))
    curve = decision.ceac("base", {"a": a, "b": b})
    assert curve["replicates"] == 29
    total = np.sum([curve[k] for k in ("base", "a", "b")], axis=0)
    assert len(total) == len(decision.WTP_GRID) and np.allclose(total, 1.0)
    assert curve["wtp_nok"][0] == 0 and curve["wtp_nok"][-1] == 2e6


def _decided_by(n: int = 400, seed: int = 5):
    """Option 1's NB = 1,000 × (a − 0.5) + small noise; ``b`` is noise; reference NB = 0.

    EVPI = E[max(0, 1000 (a − 0.5))] − max(0, E[...]) = 1000 × 1/8 = 125 for a ~ U(0, 1).
    """
    rng = np.random.default_rng(seed)
    a, b = rng.random(n), rng.random(n)
    nb1 = 1000 * (a - 0.5) + rng.normal(0, 5, n)
    return a, b, np.column_stack([np.zeros(n), nb1])


def test_evpi_of_a_choice_one_parameter_decides():
    a, b, nb = _decided_by()
    evpi = decision.evpi(nb)
    assert evpi == pytest.approx(125, rel=0.15)
    partial_a, partial_b = decision.evppi(nb, a), decision.evppi(nb, b)
    assert partial_a == pytest.approx(evpi, rel=0.05)
    assert partial_a <= evpi + 1.0  # the fit smooths the noise out: below EVPI up to error
    assert 0 <= partial_b < 0.1 * evpi


def test_voi_from_drawn_replicates_at_the_stated_wtp():
    a, b, nb = _decided_by()
    reps = range(len(a))
    # NB = w × averted − cost with averted 0: the cost decides at every w
    values = {"s": _values(np.zeros(len(a)), -nb[:, 1])}
    draws = {r: {"a": float(a[r]), "b": float(b[r]), "fixed": 1.0} for r in reps}
    voi = decision.voi("base", values, draws)
    assert voi["evpi_nok"] == pytest.approx(decision.evpi(nb))
    assert voi["wtp_nok"] in decision.WTP_GRID
    assert list(voi["partial"]) == ["a", "b"]  # largest first; a constant is not a parameter
    assert voi["partial"]["a"] == pytest.approx(voi["evpi_nok"], rel=0.05)
    assert voi["partial"]["b"] < 0.1 * voi["evpi_nok"]
    assert voi["partial"]["b"] <= 2 * voi["partial_noise_floor_nok"] < voi["partial"]["a"]
    assert voi["draws"] == len(a) and voi["spline_knots"] == 6
    assert all(x >= 0 for x in voi["evpi_by_wtp"]["evpi_nok"])
    assert decision.voi("base", values, {}) is None


def test_voi_averages_the_replicates_that_share_a_draw():
    # two replicates per draw whose noise (+-50) cancels in the pair: the EVPI is the draws'
    a, b, nb = _decided_by(n=200)
    noise = np.tile([50.0, -50.0], len(a))
    cost = -np.repeat(nb[:, 1], 2) - noise
    values = {"s": _values(np.zeros(2 * len(a)), cost)}
    draws = {r: {"a": float(a[r // 2]), "b": float(b[r // 2])} for r in range(2 * len(a))}
    voi = decision.voi("base", values, draws)
    assert voi["draws"] == len(a) and voi["replicates"] == 2 * len(a)
    assert voi["evpi_nok"] == pytest.approx(decision.evpi(nb))  # the noise averaged out


def test_evpi_is_zero_when_one_option_always_wins():
    nb = np.column_stack([np.zeros(50), np.linspace(1, 100, 50)])
    assert decision.evpi(nb) == 0
    assert decision.evppi(nb, np.linspace(0, 1, 50)) == pytest.approx(0, abs=1e-6)


def test_spline_basis_has_the_knots_columns_and_fits_a_line_exactly():
    x = np.linspace(2, 7, 100)
    basis = decision.spline_basis(x, 5)
    assert basis.shape == (100, 5)  # intercept, x and three truncated terms
    coef, *_ = np.linalg.lstsq(basis, 3 * x + 1, rcond=None)
    assert np.allclose(basis @ coef, 3 * x + 1)
    assert decision.spline_basis(x, decision.knots_for(10)).shape == (100, 2)


def test_parts_are_the_analysis_of_variance_components_of_the_draws():
    # three draws of two replicates: within-draw variance 2; the draws' means 1, 11, 21 vary
    # by 100, of which 2 / 2 is the stochastic noise of a mean of two: parameter variance 99
    values = np.array([0.0, 2.0, 10.0, 12.0, 20.0, 22.0])
    split = parts(values, ["a", "a", "b", "b", "c", "c"])
    half = {k: (v["hi"] - v["lo"]) / (2 * 1.959964) for k, v in split.items()}
    assert half["stochastic"] ** 2 == pytest.approx(2.0)
    assert half["parameter"] ** 2 == pytest.approx(99.0)


def test_parts_split_the_variance_by_draw():
    rng = np.random.default_rng(2)
    theta = np.repeat(rng.normal(0, 10, 200), 2)  # 200 draws, two replicates each
    values = theta + rng.normal(0, 1, 400)
    keys = list(np.repeat(np.arange(200), 2))
    split = parts(values, keys)
    sd_s = (split["stochastic"]["hi"] - split["stochastic"]["lo"]) / (2 * 1.959964)
    sd_p = (split["parameter"]["hi"] - split["parameter"]["lo"]) / (2 * 1.959964)
    assert sd_s == pytest.approx(1, rel=0.15) and sd_p == pytest.approx(10, rel=0.15)
    # one replicate per draw: the replicates without a draw give the stochastic part
    one = parts(np.r_[values[::2], rng.normal(0, 1, 50)], [*range(200), *[None] * 50])
    sd_s = (one["stochastic"]["hi"] - one["stochastic"]["lo"]) / (2 * 1.959964)
    assert sd_s == pytest.approx(1, rel=0.25)
    assert parts(values[::2], list(range(200))) is None  # no way to tell the parts apart
    assert parts(values, [None] * 400) is None


def test_summary_with_draws_has_voi_and_parts():
    from test_summary import RATE, _economy

    df = _economy(reps=8)
    rng = np.random.default_rng(0)
    draws = {r: {"p": float(rng.random()), "q": float(rng.random())} for r in range(8)}
    df = pd.concat([df, df.assign(replicate=df["replicate"] + 100)])  # replicates, no draw
    summary, _ = summarize(df, "base", RATE, draws)
    voi = summary["voi"]
    assert voi["draws"] == 8 and set(voi["partial"]) == {"p", "q"}
    assert voi["evpi_nok"] >= 0
    assert all(
        x <= voi["evpi_nok"] + 1e-6 * abs(voi["evpi_nok"]) + 1 for x in voi["partial"].values()
    )
    entry = summary["headline"]["ips"]["by_horizon"]["run"]["npv_public_nok"]
    assert set(entry["parts"]) == {"stochastic", "parameter"}
    assert summary["ceac"]["replicates"] == 16


def test_compare_with_draws_writes_voi_from_the_recorded_draws(tmp_path):
    """``sim compare --draw-params``: ``voi`` over the drawn replicates; no ``parts``, since
    each replicate has its own draw and no replicate is undrawn (the split is not estimable).
    """
    import json

    from conftest import SCENARIOS

    from sim.cli.main import main

    out = tmp_path / "res"
    args = ["compare", str(SCENARIOS / "baseline.toml"), str(SCENARIOS / "ips_only.toml")]
    args += ["--draw-params", "--reps", "2", "--scale", "0.02", "--years", "2"]
    assert main([*args, "--no-monthly", "--workers", "1", "--out", str(out), "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    voi = summary["voi"]
    assert voi["draws"] == 2 and voi["evpi_nok"] >= 0 and voi["options"][0] == "baseline"
    assert voi["parameters_drawn"] == len(
        json.loads((out / "manifest.json").read_text())["drawn_params"]["0"]
    )
    run = summary["headline"]["ips_only"]["by_horizon"]["run"]
    assert "parts" not in run["npv_public_nok"]
    assert summary["ceac"]["replicates"] == 2
