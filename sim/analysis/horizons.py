"""Paired results over three horizons: the first five years, the run, and the lifetime.

Read from the paired rows (scenario − reference, same replicate) of ``neet_count``/``all`` and
every ``cost_nok_discounted`` group. Horizons (keys of each headline entry's ``by_horizon``):

- ``5y``: the run's first :data:`FIRST_YEARS` calendar years (a municipal budget cycle; the
  whole run when it is shorter);
- ``run``: every year of the run;
- ``lifetime``: the run plus the lifetime-tail groups ``public:<payer>:lifetime`` and
  ``societal:lifetime`` (costs of the status at exit or at the horizon, extended to the
  ledger's end age, discounted to the start year). The tail groups are read as lying outside
  ``public:total``, ``public:<payer>:total`` and ``societal:total`` and are added to them here.
  Without any tail group the entry holds the run's values and ``"tail": false``. NEET-years
  end at 30, inside the run's ages, so lifetime NEET-years are the run's.

Per replicate, for each horizon (discounted costs are the ledger's, discounted to the start
year at ``cost.discount_rate``):

- ``neet_years_averted``: the reference's NEET-years minus the scenario's (November stock ×
  1 year), undiscounted; ``neet_years_averted_discounted``: the same with year ``t`` weighted
  by (1 + rate)^-(t − first year), as the ledger discounts costs;
- ``npv_public_nok``, ``npv_societal_nok``: net discounted cost vs the reference;
- ``gross_cost_public_nok``: the programme's gross cost, the change in the public staffing
  lines (:func:`gross_categories`: cost lines priced per FTE, whose driver is a service's
  staffing, a scenario's lever, not the youth's states: today IPS specialists, coordinators,
  NAV caseworkers and follow-up advisers);
- ``savings_public_nok``: gross cost minus net public cost, the reduction in every other
  public cost line (benefits, programme places, schools, treatment, tax revenue), by payer
  in ``savings_by_payer`` (each payer's gross cost minus its net cost).

Over replicates: each value's median and interval (:mod:`sim.analysis.intervals`, with
``parts`` when the replicates carry parameter draws), ``p_public_saving`` and
``p_societal_saving`` (the share of replicates in which the scenario's net cost is below 0;
when replicates share a parameter draw, ``--reps-per-draw``, the share of draws whose mean
net cost is below 0, so the chance is one over the parameters' uncertainty, not over the
model's chance variation within a world: ``p_saving_over`` says which),
and ``icer_public_nok_per_neet_year``: the mean net public cost over the mean discounted
NEET-years averted (a ratio of means, both discounted alike; null when the mean NEET-years
averted is not above 0, and null when the mean net cost is below 0: a scenario that averts
NEET-years and saves money is ``dominant`` (true), and a negative ratio would read as a cost).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.intervals import parts, stats
from sim.core.params import package_specs
from sim.services.ledger import PAYERS, load_unit_costs

FIRST_YEARS = 5  # years of the first horizon: a municipal budget and economy plan
HORIZONS = ("5y", "run", "lifetime")
COST = "cost_nok_discounted"
INTERVAL_KEYS = (
    "neet_years_averted",
    "npv_public_nok",
    "npv_societal_nok",
    "neet_years_averted_discounted",
    "gross_cost_public_nok",
    "savings_public_nok",
)


def gross_categories() -> frozenset[str]:
    """Public cost groups of the programme's gross cost: lines priced per FTE of staff.

    The package's unit costs and those the registered services declare (a plugin's staff).
    """
    from sim.services import REGISTRY
    from sim.services.declared_costs import declared

    costs = [*load_unit_costs().values()]
    costs += [c for cls in REGISTRY.values() for c in declared(cls).values()]
    return frozenset(c.public for c in costs if c.public and c.unit.endswith("per FTE"))


def tail_groups() -> tuple[str, ...]:
    """The lifetime-tail groups (outside the run's totals)."""
    return (*(f"public:{p}:lifetime" for p in PAYERS), "societal:lifetime")


def columns(pair: pd.DataFrame, rate: float | dict[str, float]) -> pd.DataFrame:
    """Per (scenario, replicate): the sums every horizon needs.

    Args:
        pair: paired rows (``neet_count``/``all`` and ``cost_nok_discounted`` are read).
        rate: the discount rate, or label → rate.

    Returns:
        Rows (scenario, replicate); columns (slice, key): slice ``run`` or ``5y`` (sums of the
        yearly values) and ``disc_run`` or ``disc_5y`` (discounted NEET-years); key ``neet``,
        a cost group (totals, payers' totals, tail groups) or ``gross:<payer>`` (the payer's
        staffing lines, :func:`gross_categories`). ``attrs["years"]``: the run's calendar
        years (from the first period).
    """
    rows = pair[
        ((pair["metric"] == "neet_count") & (pair["group"] == "all")) | (pair["metric"] == COST)
    ]
    first = rows["period"].astype(int).min()
    years = rows["period"].astype(int) - first
    r = rate
    if isinstance(rate, dict):  # a label without a rate: the package's
        r = rows["scenario"].map(rate).fillna(package_specs()["cost.discount_rate"].value)
    weight = (1.0 + np.asarray(r, dtype=float)) ** -years.to_numpy()
    key = np.where(rows["metric"] == "neet_count", "neet", rows["group"].to_numpy(str))
    gross = rows["group"].isin(gross_categories()).to_numpy()
    payer = rows["group"].str.split(":").str[1].to_numpy(str)
    key = np.where(gross, "gross:" + payer, key)
    frame = pd.DataFrame(
        {
            "scenario": rows["scenario"].to_numpy(),
            "replicate": rows["replicate"].to_numpy(),
            "key": key,
            "value": rows["value"].to_numpy(dtype=float),
            "disc": rows["value"].to_numpy(dtype=float) * weight,
            "early": years.to_numpy() < FIRST_YEARS,
        }
    )
    idx = ["scenario", "replicate", "key"]
    run = frame.groupby(idx)["value"].sum().unstack("key")
    early = frame[frame["early"]].groupby(idx)["value"].sum().unstack("key")
    neet_disc = frame[frame["key"] == "neet"].groupby(idx)["disc"].sum().unstack("key")
    early_disc = frame[(frame["key"] == "neet") & frame["early"]].groupby(idx)["disc"].sum()
    out = pd.concat(
        {
            "run": run,
            "5y": early.reindex(run.index),
            "disc_run": neet_disc.reindex(run.index),
            "disc_5y": early_disc.unstack("key").reindex(run.index),
        },
        axis=1,
    )
    out = out.sort_index(axis=1)
    out.attrs["years"] = int(years.max()) + 1 if len(years) else 0
    return out


def horizon_values(cols: pd.DataFrame, scen: str) -> dict[str, pd.DataFrame]:
    """One scenario's per-replicate values in each horizon (rows: replicates).

    Columns: the :data:`INTERVAL_KEYS`, ``net:<payer>`` and ``gross:<payer>``; the frames'
    ``attrs["tail"]`` tells whether a lifetime-tail group was present (lifetime only) and
    ``attrs["years"]`` the calendar years of the horizon.
    """
    block = cols.xs(scen, level="scenario").fillna(0.0)
    sums = {c: block[c].to_numpy(float) for c in block.columns}
    run_years = int(cols.attrs.get("years", 0))
    tails = [g for g in tail_groups() if ("run", g) in sums]
    out = {}
    for name, part in (("5y", "5y"), ("run", "run"), ("lifetime", "run")):
        frame = pd.DataFrame(_one(sums, part, len(block), name == "lifetime"), index=block.index)
        frame.attrs["tail"] = bool(tails) if name == "lifetime" else None
        frame.attrs["years"] = min(FIRST_YEARS, run_years) if name == "5y" else run_years
        out[name] = frame
    return out


def _one(sums: dict, part: str, n: int, lifetime: bool) -> dict[str, np.ndarray]:
    """The values of one horizon; the lifetime adds the tail groups (outside the totals)."""

    def get(key: str, where: str = part) -> np.ndarray:
        return sums.get((where, key), np.zeros(n))

    def tail(group: str) -> np.ndarray:
        return get(group, "run") if lifetime else np.zeros(n)

    out = {
        "neet_years_averted": -get("neet"),
        "neet_years_averted_discounted": -get("neet", f"disc_{part}"),
        "npv_public_nok": get("public:total").copy(),
        "npv_societal_nok": get("societal:total") + tail("societal:lifetime"),
    }
    for payer in PAYERS:
        out[f"net:{payer}"] = get(f"public:{payer}:total") + tail(f"public:{payer}:lifetime")
        out[f"gross:{payer}"] = get(f"gross:{payer}")
        out["npv_public_nok"] += tail(f"public:{payer}:lifetime")
    out["gross_cost_public_nok"] = sum(out[f"gross:{p}"] for p in PAYERS)
    out["savings_public_nok"] = out["gross_cost_public_nok"] - out["npv_public_nok"]
    return out


def icer(cost: np.ndarray, averted: np.ndarray) -> float | None:
    """Mean cost over mean NEET-years averted (ratio of means).

    None unless the mean averted is above 0 and the mean cost at least 0 (a saving that also
    averts NEET-years is :func:`dominant`, not a negative cost per NEET-year).
    """
    cost, averted = np.asarray(cost, float), np.asarray(averted, float)
    if not len(averted) or not np.mean(averted) > 0 or np.mean(cost) < 0:
        return None
    return float(np.mean(cost) / np.mean(averted))


def dominant(cost: np.ndarray, averted: np.ndarray) -> bool:
    """True when, on average, the scenario averts NEET-years and costs less (saves money)."""
    cost, averted = np.asarray(cost, float), np.asarray(averted, float)
    return bool(len(averted) and np.mean(averted) > 0 and np.mean(cost) < 0)


def share_below_zero(values: np.ndarray) -> float | None:
    """The share of values below 0 (a saving); None without values."""
    v = np.asarray(values, float)
    v = v[~np.isnan(v)]
    return float(np.mean(v < 0)) if len(v) else None


def draw_means(values: pd.DataFrame, keys: list | None) -> tuple[str, pd.DataFrame]:
    """The values averaged over the replicates that share a draw, and what a row then is.

    Returns ``("draws", means)`` when some draw has several replicates (each row a draw's
    mean; replicates without a draw are left out), else ``("replicates", values)``.
    """
    if keys is None or len(set(keys)) == len(keys):
        return "replicates", values
    drawn = [k is not None for k in keys]
    if not any(drawn):
        return "replicates", values
    ids: dict = {}
    group = [ids.setdefault(k, len(ids)) for k in keys if k is not None]
    return "draws", values[drawn].groupby(np.array(group), sort=False).mean()


def entry(values: pd.DataFrame, keys: list | None = None) -> dict:
    """One horizon's ``by_horizon`` entry from its per-replicate values.

    Args:
        values: a frame of :func:`horizon_values`.
        keys: per replicate (the frame's rows), its parameter draw as a hashable key, or None
            for a replicate without a draw; None when no replicate has a draw.
    """
    out: dict = {}
    for key in INTERVAL_KEYS:
        out[key] = interval_entry(values[key].to_numpy(float), keys)
    out["savings_by_payer"] = {
        p: interval_entry((values[f"gross:{p}"] - values[f"net:{p}"]).to_numpy(float), keys)
        for p in PAYERS
    }
    over, per = draw_means(values[["npv_public_nok", "npv_societal_nok"]], keys)
    out["p_public_saving"] = share_below_zero(per["npv_public_nok"])
    out["p_societal_saving"] = share_below_zero(per["npv_societal_nok"])
    out["p_saving_over"] = over
    out["icer_public_nok_per_neet_year"] = icer(
        values["npv_public_nok"], values["neet_years_averted_discounted"]
    )
    # the headline's name for the same ratio (DESIGN.md: each horizon holds the same keys)
    out["cost_per_neet_year_averted_nok"] = out["icer_public_nok_per_neet_year"]
    out["dominant"] = dominant(values["npv_public_nok"], values["neet_years_averted_discounted"])
    out["replicates"] = len(values)
    out["years"] = values.attrs.get("years")
    if values.attrs.get("tail") is not None:
        out["tail"] = values.attrs["tail"]
    return out


def interval_entry(values: np.ndarray, keys: list | None) -> dict:
    """``{median, lo, hi}`` of the values, with ``parts`` when the draws allow a split."""
    out = stats(values)
    split = parts(values, keys) if keys is not None else None
    if split is not None:
        out["parts"] = split
    return out
