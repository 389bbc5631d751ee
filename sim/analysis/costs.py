"""Cost statistics of compared scenarios: the headline's cost entries and the shared rate.

The ledger that books the costs is :mod:`sim.services.ledger`; this module reads what it wrote
(``cost_nok_discounted`` in the paired table) across replicates.
"""

from __future__ import annotations

import numpy as np

from sim.analysis.intervals import stats
from sim.errors import InputError
from sim.services.ledger import PAYERS


def discount_rate(scenarios: dict) -> float:
    """The discount rate of a comparison (every scenario must use the same one)."""
    rates = {label: sc.params["cost.discount_rate"] for label, sc in scenarios.items()}
    if len(set(rates.values())) > 1:
        raise InputError(f"cost.discount_rate: scenarios disagree ({rates}); use one rate")
    return next(iter(rates.values()), 0.04)


def _per_replicate(pair, group: str):
    sel = pair[(pair["metric"] == "cost_nok_discounted") & (pair["group"] == group)]
    return sel.groupby(["scenario", "replicate"])["value"].sum()


def _values(series, scen: str) -> np.ndarray:
    """A scenario's per-replicate values from a (scenario, replicate) series."""
    if scen not in series.index.get_level_values(0):
        return np.empty(0)
    return series.loc[scen].to_numpy(dtype=float)


def headline_extras(pair) -> dict[str, dict]:
    """Extra headline entries per scenario, from the paired table.

    ``npv_public_by_payer_nok``: net discounted cost vs the reference by payer, median and
    95 % interval over replicates (the interval of the cost per NEET-year averted is
    computed with the horizons, :func:`sim.analysis.summary.headline`).
    """
    out = {}
    for scen in sorted(pair["scenario"].unique()):
        payers = {
            payer: stats(_values(_per_replicate(pair, f"public:{payer}:total"), scen))
            for payer in PAYERS
        }
        out[scen] = {"npv_public_by_payer_nok": payers}
    return out
