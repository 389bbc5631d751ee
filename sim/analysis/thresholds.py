"""Threshold analysis: the value of a factor at which a scenario's sign or rank changes.

A decision is robust to a factor when no value in the factor's plausible range changes it.
For each factor this module follows three outcomes of every scenario against the reference,
as means over replicates (expected values, so ratios of means where they are divided):

- ``neet_years_averted``: person-years outside work, education and training averted;
- ``net_public_nok`` and ``net_societal_nok``: discounted net cost (negative = saving).

and reports each value where an outcome crosses zero (a *sign* change) and where two
scenarios' outcomes cross (a *rank* change; the reference counts as a scenario at zero).

Factors:

- ``cost.discount_rate``: the run's undiscounted yearly costs discounted again on a grid
  (0 to 10 %), exactly as the ledger discounts (a cost in year t divided by
  (1 + r)^(t - start year)); the lifetime tail is left out (it is booked discounted).
- ``horizon``: the cumulative discounted outcomes after 1, 2, … years of the run, and the
  lifetime view (the run plus the cost groups ``…:lifetime`` when the ledger booked them).
  The value is the number of years (``lifetime`` is reported as ``inf``).
- each parameter varied alone by a sweep (``sim batch`` variants that set one parameter, and
  a variant that sets none as the central value): the scenario runs under each value, each
  with the reference run under the same value and replicate (common random numbers), linked
  piecewise linearly between the values run. A threshold is reported only inside the values
  run; beyond them the curve is not extrapolated.

What a threshold cannot say: between two values run, the outcome is assumed linear, so a
threshold is as good as the spacing of the sweep; and a mean that crosses zero does not say
how sure the crossing is (the replicate spread at each value is in the report's tables).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

OUTCOMES = ("neet_years_averted", "net_public_nok", "net_societal_nok")
COST_GROUPS = {"net_public_nok": "public:total", "net_societal_nok": "societal:total"}
LIFETIME = {"net_societal_nok": "societal:lifetime"}
RATE_GRID = np.round(np.arange(0.0, 0.1001, 0.0025), 6)
COLUMNS = ["factor", "scenario", "outcome", "kind", "other", "threshold", "central", "lo", "hi"]


@dataclass(frozen=True)
class Curve:
    """A factor's values and each scenario's mean outcome at them (reference included at 0)."""

    factor: str
    x: np.ndarray
    central: float
    values: dict[str, dict[str, np.ndarray]]  # outcome -> scenario -> mean outcome at x


# -- per-replicate differences ------------------------------------------------------------
def _pivot(yearly: pd.DataFrame, metric: str, group: str) -> pd.DataFrame:
    """(scenario, replicate) x period of one cell's yearly values."""
    sel = yearly[(yearly["metric"] == metric) & (yearly["group"] == group)]
    return sel.pivot_table(
        index=["scenario", "replicate"], columns="period", values="value", aggfunc="sum"
    ).sort_index(axis=1)


def _lifetime(yearly: pd.DataFrame, outcome: str) -> pd.Series:
    """Per (scenario, replicate): the discounted lifetime tail of one cost outcome (0 if none)."""
    from sim.services.ledger import PAYERS

    groups = yearly["group"].astype(str)
    if outcome == "net_public_nok":  # by payer (``public:lifetime`` is their sum: not again)
        mask = groups.isin([f"public:{payer}:lifetime" for payer in PAYERS])
    else:
        mask = groups == LIFETIME[outcome]
    sel = yearly[mask & (yearly["metric"] == "cost_nok_discounted")]
    return sel.groupby(["scenario", "replicate"])["value"].sum()


def _diff(frame: pd.DataFrame, scenario: str, reference: str) -> np.ndarray:
    """Scenario minus reference, replicate by replicate (only replicates both have)."""
    a, b = frame.loc[scenario], frame.loc[reference]
    common = a.index.intersection(b.index)
    return a.loc[common].to_numpy(dtype=float) - b.loc[common].to_numpy(dtype=float)


def _labels(yearly: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(yearly["scenario"].astype(str)))


# -- curves -------------------------------------------------------------------------------
def discount_curve(yearly: pd.DataFrame, reference: str, central: float) -> Curve:
    """Net costs of each scenario against the reference over a grid of discount rates."""
    scenarios = [s for s in _labels(yearly) if s != reference]
    values: dict[str, dict[str, np.ndarray]] = {}
    for outcome, group in COST_GROUPS.items():
        costs = _pivot(yearly, "cost_nok", group)
        years = costs.columns.to_numpy(dtype=float)
        factors = (1.0 + RATE_GRID[:, None]) ** -(years[None, :] - years.min())
        values[outcome] = {
            s: (_diff(costs, s, reference) @ factors.T).mean(axis=0) for s in scenarios
        }
    return Curve("cost.discount_rate", RATE_GRID.copy(), central, values)


def horizon_curve(yearly: pd.DataFrame, reference: str) -> Curve:
    """Cumulative outcomes after 1 … T years, then the lifetime view (x = inf)."""
    scenarios = [s for s in _labels(yearly) if s != reference]
    neet = _pivot(yearly, "neet_count", "all")
    n_years = neet.shape[1]
    x = np.append(np.arange(1, n_years + 1, dtype=float), np.inf)
    values: dict[str, dict[str, np.ndarray]] = {"neet_years_averted": {}}
    for s in scenarios:
        cum = -np.cumsum(_diff(neet, s, reference), axis=1).mean(axis=0)
        values["neet_years_averted"][s] = np.append(cum, cum[-1])  # none after 29
    for outcome, group in COST_GROUPS.items():
        costs = _pivot(yearly, "cost_nok_discounted", group)
        tail = _lifetime(yearly, outcome).reindex(costs.index, fill_value=0.0).to_frame()
        values[outcome] = {}
        for s in scenarios:
            cum = np.cumsum(_diff(costs, s, reference), axis=1).mean(axis=0)
            extra = _diff(tail, s, reference).mean() if len(tail) else 0.0
            values[outcome][s] = np.append(cum, cum[-1] + float(extra))
    return Curve("horizon", x, float(n_years), values)


def sweep_curves(
    yearly: pd.DataFrame, variants: dict[str, dict], defaults: dict[str, float]
) -> list[Curve]:
    """One curve per parameter that a sweep varies alone (labels ``<stem>@<variant>``).

    Args:
        yearly: the batch's combined yearly table.
        variants: label -> the parameters its variant sets (the batch manifest's ``variants``).
        defaults: parameter -> its value in the central variant.
    """
    stems = list(dict.fromkeys(label.split("@", 1)[0] for label in _labels(yearly)))
    reference = stems[0]
    by_variant: dict[str, dict] = {}
    for label, params in variants.items():
        by_variant.setdefault(label.split("@", 1)[1], params)
    central = next((v for v, p in by_variant.items() if not p), None)
    if central is None:
        return []
    singles: dict[str, list[tuple[float, str]]] = {}
    for variant, params in by_variant.items():
        if len(params) == 1:
            ((name, value),) = params.items()
            singles.setdefault(name, []).append((float(value), variant))
    curves = []
    for name, points in sorted(singles.items()):
        if name not in defaults:
            continue
        points = sorted([*points, (float(defaults[name]), central)])
        xs = np.array([p[0] for p in points])
        if len(np.unique(xs)) < 2:
            continue
        values = _sweep_values(yearly, reference, stems[1:], [p[1] for p in points])
        curves.append(Curve(name, xs, float(defaults[name]), values))
    return curves


def _sweep_values(yearly, reference, stems, variant_order) -> dict[str, dict[str, np.ndarray]]:
    neet = _pivot(yearly, "neet_count", "all").sum(axis=1).to_frame()
    tables = {"neet_years_averted": neet}
    for outcome, group in COST_GROUPS.items():
        tables[outcome] = _pivot(yearly, "cost_nok_discounted", group).sum(axis=1).to_frame()
    values: dict[str, dict[str, np.ndarray]] = {}
    for outcome, table in tables.items():
        sign = -1.0 if outcome == "neet_years_averted" else 1.0
        values[outcome] = {
            s: np.array(
                [sign * _diff(table, f"{s}@{v}", f"{reference}@{v}").mean() for v in variant_order]
            )
            for s in stems
        }
    return values


# -- crossings ----------------------------------------------------------------------------
def crossings(x: np.ndarray, y: np.ndarray) -> list[float]:
    """Where a piecewise-linear curve through (x, y) crosses zero (sign changes only).

    A curve that touches zero at a point and stays on one side does not change sign there.
    Segments ending at ``inf`` report ``inf`` (the change happens only in the lifetime view).
    """
    out = []
    signs = np.sign(y)
    nonzero = np.flatnonzero(signs != 0)
    for i, j in zip(nonzero[:-1], nonzero[1:], strict=False):
        if signs[i] == signs[j]:
            continue
        if j > i + 1:  # zero at the points between: the change is at the first zero
            out.append(float(x[i + 1]))
        elif not np.isfinite(x[j]):
            out.append(float("inf"))
        else:
            out.append(float(x[i] - y[i] * (x[j] - x[i]) / (y[j] - y[i])))
    return out


def thresholds(curve: Curve) -> pd.DataFrame:
    """Sign and rank changes of every scenario along one factor's curve (a row each).

    A scenario with no change inside the values run gets one row of kind ``none``, so the
    table also says where a result is robust.
    """
    rows = []
    lo, hi = float(curve.x[0]), float(curve.x[-1])
    for outcome, by_scenario in curve.values.items():
        named = {**by_scenario, "reference": np.zeros_like(curve.x, dtype=float)}
        for s, y in by_scenario.items():
            found = [("sign", "", t) for t in crossings(curve.x, y)]
            for other, z in named.items():
                if other != s and (other == "reference" or other > s):
                    if other == "reference":
                        continue  # the rank against the reference is the sign
                    found += [("rank", other, t) for t in crossings(curve.x, y - z)]
            if not found:
                found = [("none", "", float("nan"))]
            rows += [
                [curve.factor, s, outcome, kind, other, t, curve.central, lo, hi]
                for kind, other, t in found
            ]
    return pd.DataFrame(rows, columns=COLUMNS)


def table(curves: list[Curve]) -> pd.DataFrame:
    """Every curve's thresholds in one table (factor, scenario, outcome order)."""
    if not curves:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat([thresholds(c) for c in curves], ignore_index=True)
