"""Decision outputs of a comparison: acceptability curve and value of information.

Net benefit of a scenario at a willingness to pay ``w`` (NOK per NEET-year averted), per
replicate and over the run's horizon (``"horizon": "run"``)::

    NB = w × discounted NEET-years averted − discounted net public cost (vs the reference)

so the reference has NB = 0. Both terms are discounted alike (:mod:`sim.analysis.horizons`).
Only replicates that every scenario has are used, so the options are compared in the same
worlds (common random numbers, and with ``--draw-params`` the same parameter draw).

- ``ceac`` (cost-effectiveness acceptability curve): at each ``w`` of :data:`WTP_GRID`, the
  share of replicates (of draws, each its replicates' mean, when replicates share a draw:
  ``over``, ``n``) in which each option (the reference included) has the highest NB; the
  shares of the options sum to 1 at each ``w`` (ties go to the first option: the reference,
  then the scenarios in sorted order).
- ``voi`` (only when the runs carry drawn parameter values, ``--draw-params``; without draws
  there is no parameter uncertainty to value and ``voi`` is left out): ``evpi_nok`` = mean over
  draws of the best option's NB − the best mean NB: the expected value of perfect information
  at ``wtp_nok``. Replicates that share a draw (``--reps-per-draw``) are averaged first
  (:func:`per_draw`); the draws' NB still hold what is left of the model's stochastic noise,
  which no information removes, so this estimate is an upper bound (tighter the more replicates
  share a draw). ``partial`` holds the expected value of perfect information about one
  parameter (EVPPI) for the :data:`LEADING` parameters with the largest values, estimated by
  the regression method of Strong, Oakley & Brennan (2014, Med Decis Making 34:311-326): each
  option's NB (relative to the reference) is regressed on the parameter with a natural cubic
  spline (:func:`spline_basis`; fewer knots with fewer draws, a straight line below 20 draws),
  and EVPPI = mean of the best fitted value − the best mean fitted value. The regression
  smooths the noise out, so EVPPI ≤ EVPI up to estimation error. With few draws a fit follows
  chance and every parameter seems to matter: ``partial_noise_floor_nok`` is the 95th
  percentile of the EVPPI of :data:`NOISE_FITS` regressors drawn at random, unrelated to the
  model (a fixed stream), so a partial value near it is indistinguishable from noise; the
  method needs hundreds of draws to rank parameters. ``wtp_nok`` is the grid's willingness to
  pay at which the EVPI is largest (where the choice is most uncertain); ``evpi_by_wtp`` gives
  the EVPI at each grid value.

Units: NOK (2024 prices, discounted to the start year) for the county's represented population
over the run's horizon: the value of resolving the uncertainty before one decision for the
whole county. Costs are already totals for the population (counts are scaled up by 1/scale),
so no further scaling to the population is needed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WTP_STEP = 50_000  # NOK: the grid's step
WTP_MAX = 2_000_000  # NOK per NEET-year averted: the top of the grid
WTP_GRID = np.arange(0, WTP_MAX + WTP_STEP, WTP_STEP, dtype=float)
LEADING = 10  # parameters listed in ``voi["partial"]``
NOISE_FITS = 40  # unrelated regressors behind ``voi["partial_noise_floor_nok"]``
NOISE_SEED = 20140311  # the fixed stream of those regressors (results reproducible)
HORIZON = "run"


def net_benefit(averted: np.ndarray, cost: np.ndarray, wtp: np.ndarray) -> np.ndarray:
    """NB per (wtp, replicate, option): ``wtp × averted − cost`` (reference column: zeros)."""
    averted = np.column_stack([np.zeros(len(averted)), averted])
    cost = np.column_stack([np.zeros(len(cost)), cost])
    return np.asarray(wtp, float)[:, None, None] * averted[None] - cost[None]


def options(values: dict[str, pd.DataFrame]) -> tuple[list[str], pd.Index, np.ndarray, np.ndarray]:
    """Aligned replicates: (scenario names, replicates, averted (n, d), cost (n, d)).

    Args:
        values: scenario → per-replicate frame (index replicate) with
            ``neet_years_averted_discounted`` and ``npv_public_nok``.
    """
    names = sorted(values)
    reps = None
    for name in names:
        idx = values[name].index
        reps = idx if reps is None else reps.intersection(idx)
    reps = pd.Index([] if reps is None else sorted(reps))
    averted = np.column_stack(
        [values[n].loc[reps, "neet_years_averted_discounted"].to_numpy(float) for n in names]
    ).reshape(len(reps), len(names))
    cost = np.column_stack(
        [values[n].loc[reps, "npv_public_nok"].to_numpy(float) for n in names]
    ).reshape(len(reps), len(names))
    return names, reps, averted, cost


def ceac(
    reference: str,
    values: dict[str, pd.DataFrame],
    wtp=WTP_GRID,
    draws: dict[int, dict[str, float]] | None = None,
) -> dict | None:
    """The acceptability curve: share of replicates (or draws) where each option's NB is highest.

    When replicates share a parameter draw (``--reps-per-draw``; ``draws`` maps replicate →
    drawn values), each draw's replicates are averaged first (:func:`per_draw`) and the shares
    are over the draws (``"over": "draws"``): the curve is then the chance, over the
    parameters' uncertainty, that an option is best, without the chance variation within one
    world. Otherwise over the replicates (``"over": "replicates"``).
    """
    names, reps, averted, cost = options(values)
    if not len(reps):
        return None
    nb, over = net_benefit(averted, cost, wtp), "replicates"
    if draws and all(r in draws for r in reps):
        keyed = [tuple(sorted(draws[r].items())) for r in reps]
        if len(set(keyed)) < len(keyed):
            nb, _ = per_draw(nb, [draws[r] for r in reps])
            over = "draws"
    best = nb.argmax(axis=2)  # (wtp, replicate or draw)
    out: dict = {"wtp_nok": [float(w) for w in wtp], "horizon": HORIZON}
    for j, name in enumerate([reference, *names]):
        out[name] = [float(x) for x in (best == j).mean(axis=1)]
    out["replicates"] = len(reps)
    out["over"], out["n"] = over, int(nb.shape[1])
    return out


def evpi(nb: np.ndarray) -> float:
    """Expected value of perfect information from NB (draws × options)."""
    nb = np.asarray(nb, float)
    return float(max(nb.max(axis=1).mean() - nb.mean(axis=0).max(), 0.0))


def spline_basis(x: np.ndarray, knots: int) -> np.ndarray:
    """A natural cubic spline basis (intercept and ``x`` included; Hastie et al. eq. 5.4).

    ``knots`` < 3 gives the straight line (intercept, ``x``); ``x`` is scaled to [0, 1].
    """
    x = np.asarray(x, float)
    span = x.max() - x.min()
    x = (x - x.min()) / span if span > 0 else np.zeros_like(x)
    cols = [np.ones_like(x), x]
    if knots >= 3:
        xi = np.quantile(x, np.linspace(0, 1, knots + 2)[1:-1])
        xi = np.unique(xi)
        if len(xi) >= 3:

            def d(k):
                return (np.clip(x - xi[k], 0, None) ** 3 - np.clip(x - xi[-1], 0, None) ** 3) / (
                    xi[-1] - xi[k]
                )

            cols += [d(k) - d(len(xi) - 2) for k in range(len(xi) - 2)]
    return np.column_stack(cols)


def knots_for(n: int) -> int:
    """Knots of the spline for ``n`` draws: a line below 20 draws, up to 6 knots from 120."""
    return 0 if n < 20 else int(min(6, max(3, n // 20)))


def evppi(nb: np.ndarray, x: np.ndarray) -> float:
    """EVPPI of one parameter (values ``x`` per draw) by regression of NB on a spline of it."""
    nb = np.asarray(nb, float)
    inc = nb - nb[:, :1]  # relative to the first option: one column fewer to fit
    basis = spline_basis(x, knots_for(len(x)))
    coef, *_ = np.linalg.lstsq(basis, inc[:, 1:], rcond=None)
    fitted = np.column_stack([np.zeros(len(x)), basis @ coef])
    return evpi(fitted)


def per_draw(nb: np.ndarray, values: list[dict]) -> tuple[np.ndarray, pd.DataFrame]:
    """Net benefits averaged over the replicates that share a draw (``--reps-per-draw``).

    Args:
        nb: net benefit, shape (willingness to pay, replicate, option).
        values: each replicate's drawn values, in the same order.

    Returns:
        (net benefit per draw, shape (wtp, draw, option); the draws' values, a row each).
    """
    keys = [tuple(sorted(v.items())) for v in values]
    first = list(dict.fromkeys(keys))
    group = np.array([first.index(k) for k in keys])
    mean = np.stack([nb[:, group == g].mean(axis=1) for g in range(len(first))], axis=1)
    return mean, pd.DataFrame([dict(k) for k in first])


def voi(
    reference: str,
    values: dict[str, pd.DataFrame],
    draws: dict[int, dict[str, float]],
    wtp=WTP_GRID,
) -> dict | None:
    """EVPI and the leading parameters' EVPPI at the grid's WTP with the largest EVPI.

    Args:
        reference: the reference scenario (NB 0).
        values: scenario → per-replicate run-horizon values (:mod:`sim.analysis.horizons`).
        draws: replicate → drawn parameter values (replicates without a draw left out).
        wtp: the willingness-to-pay grid (NOK per NEET-year averted).

    Returns:
        ``{"wtp_nok", "evpi_nok", "partial": {param: NOK}, "evpi_by_wtp", "draws", ...}``,
        or None with fewer than two drawn replicates that every scenario has.
    """
    names, reps, averted, cost = options(values)
    reps_drawn = [r for r in reps if r in draws]
    if len(reps_drawn) < 2:
        return None
    keep = np.isin(np.asarray(reps), reps_drawn)
    nb, table = per_draw(
        net_benefit(averted[keep], cost[keep], wtp), [draws[r] for r in reps_drawn]
    )
    if len(table) < 2:
        return None
    curve = [evpi(x) for x in nb]
    at = int(np.argmax(curve))
    table = table.loc[:, table.nunique() > 1]
    partial = {name: evppi(nb[at], table[name].to_numpy(float)) for name in table.columns}
    leading = sorted(partial.items(), key=lambda kv: -kv[1])[:LEADING]
    rng = np.random.default_rng(NOISE_SEED)
    noise = [evppi(nb[at], rng.random(len(table))) for _ in range(NOISE_FITS)]
    return {
        "wtp_nok": float(wtp[at]),
        "evpi_nok": curve[at],
        "partial": dict(leading),
        "partial_noise_floor_nok": float(np.quantile(noise, 0.95)),
        "evpi_by_wtp": {"wtp_nok": [float(w) for w in wtp], "evpi_nok": curve},
        "horizon": HORIZON,
        "options": [reference, *names],
        "draws": len(table),
        "replicates": len(reps_drawn),
        "parameters_drawn": int(table.shape[1]),
        "spline_knots": knots_for(len(table)),
        "unit": "NOK, discounted to the start year, for the county's population over the run",
    }
