"""The streamed summary (label by label, as matrices) equals the plain tidy-table definition.

The definition below is the obvious pandas computation on the whole combined table: group by
cell and take quantiles (the range below 5 replicates); pair scenario and reference rows with
an inner join on (replicate, period, metric, group). The streamed version must give the same
numbers, including runs that lack some rows, NaN values, and replicates missing from one label.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.summary import StackBuilder, minus, nest, stack_of, summarize
from sim.run.tables import SORT, normalize


def _table(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for label in ("base", "ips", "other"):
        for rep in range(9):
            if label == "other" and rep == 4:
                continue  # a failed run: the replicate is missing from one label
            for period in (2024, 2025, 2026):
                for metric in ("neet_count", "neet_rate", "cost_nok_discounted"):
                    for group in ("all", "female", "public:total", "societal:total"):
                        if rng.random() < 0.08:
                            continue  # this run has no row for the cell
                        value = np.nan if rng.random() < 0.05 else rng.normal(100, 10)
                        n = int(rng.integers(0, 500))
                        rows.append((label, rep, 1000 + rep, period, metric, group, value, n))
    cols = ["scenario", "replicate", "seed", "period", "metric", "group", "value", "n"]
    return normalize(pd.DataFrame(rows, columns=cols), yearly=True)


def _stats(values: pd.Series) -> dict:
    v = values.dropna().to_numpy(dtype=float)
    if not len(v):
        return {"median": None, "lo": None, "hi": None}
    if len(v) < 5:  # below 5 replicates the interval is the range (sim/analysis/intervals.py)
        return {"median": float(np.median(v)), "lo": float(v.min()), "hi": float(v.max())}
    q = np.quantile(v, [0.5, 0.025, 0.975])
    return {"median": float(q[0]), "lo": float(q[1]), "hi": float(q[2])}


def _nest_definition(df: pd.DataFrame) -> dict:
    out: dict = {}
    for (scen, metric, group, period), values in df.groupby(
        ["scenario", "metric", "group", "period"], sort=True
    )["value"]:
        node = out.setdefault(scen, {}).setdefault(metric, {}).setdefault(group, {})
        node[str(period)] = _stats(values)
    return out


def _paired_definition(df: pd.DataFrame, reference: str) -> pd.DataFrame:
    ref, other = df[df["scenario"] == reference], df[df["scenario"] != reference]
    keys = ["replicate", "period", "metric", "group"]
    merged = other.merge(ref[[*keys, "value", "n"]], on=keys, suffixes=("", "_ref"))
    merged["value"] = merged["value"] - merged["value_ref"]
    merged["n"] = np.minimum(merged["n"], merged["n_ref"]).astype("int64")
    merged["reference"] = reference
    cols = [*df.columns, "reference"]
    return merged[cols].sort_values(SORT, kind="stable").reset_index(drop=True)


def test_streamed_summary_equals_the_definition():
    df = _table()
    summary, pair = summarize(df, "base")
    assert summary["scenarios"] == _nest_definition(df)
    expected = _paired_definition(df, "base")
    pd.testing.assert_frame_equal(pair, expected, check_dtype=False)
    assert summary["paired"] == _nest_definition(expected)
    assert set(summary["headline"]) == {"ips", "other"}


def test_stack_round_trips_the_rows():
    df = _table()
    rows = df[df["scenario"] == "ips"].reset_index(drop=True)
    stack = stack_of((run for _, run in rows.groupby("replicate")), "ips")
    pd.testing.assert_frame_equal(stack.long(), rows, check_dtype=False)


def test_difference_uses_common_replicates_only():
    df = _table()
    a = stack_of((r for _, r in df[df["scenario"] == "other"].groupby("replicate")), "other")
    b = stack_of((r for _, r in df[df["scenario"] == "base"].groupby("replicate")), "base")
    diff = minus(a, b)
    assert 4 not in diff.replicates and len(diff.replicates) == 8
    assert nest(diff)  # every kept cell has at least one row


def test_a_run_with_a_cell_twice_is_refused():
    run = _table().query("scenario == 'base' and replicate == 0")
    builder = StackBuilder("base")
    with pytest.raises(ValueError, match="twice"):
        builder.add(pd.concat([run, run.head(1)]))


def test_a_label_without_common_replicates_is_not_paired(tmp_path):
    import pyarrow.parquet as pq

    from sim.run.runfiles import StreamWriter

    df = _table()
    later = df["scenario"] == "other"
    df.loc[later, "replicate"] += 100  # no replicate in common with the reference
    summary, pair = summarize(df, "base")
    assert "other" in summary["scenarios"] and "other" not in summary["paired"]
    assert set(pair["scenario"]) == {"ips"}
    empty = pair.head(0)
    with StreamWriter(tmp_path / "paired.parquet", empty):
        pass  # nothing to write: an empty table that keeps every column
    assert pq.read_schema(tmp_path / "paired.parquet").names == list(pair.columns)


def test_places_are_the_share_of_capacity_in_use_for_a_small_run():
    """``places``: mean places and mean share in use (active / capacity) over the horizon.

    Checked against the capacity computed from the parameters (FTE x caseload, scaled as the
    services scale it) and the clients the run reports: coordinated IPS has both services, the
    baseline has IPS Ung only (no coordinator places, so no coordinator entry).
    """
    from conftest import BASELINE, SCENARIOS

    from sim.core.params import package_specs
    from sim.core.scenario import load_scenario
    from sim.run.runner import RunSpec, replicate_seeds, run_one
    from sim.run.tables import combine
    from sim.services.base import scaled_capacity

    scale, seeds = 0.05, replicate_seeds(3, 2)
    paths = [BASELINE, SCENARIOS / "coordinated_ips.toml"]
    runs = [
        run_one(RunSpec(load_scenario(p), r, seeds[r], 2, scale, monthly=False))
        for p in paths
        for r in range(2)
    ]
    yearly = combine([r.yearly for r in runs], yearly=True)
    summary, _ = summarize(yearly, "baseline")
    assert set(summary["places"]["baseline"]) == {"ips"}
    assert set(summary["places"]["coordinated_ips"]) == {"ips", "coordinator"}
    assert summary["headline"]["coordinated_ips"]["places"] == summary["places"]["coordinated_ips"]
    defaults = {n: s.value for n, s in package_specs().items()}
    for stem, path in zip(("baseline", "coordinated_ips"), paths, strict=True):
        params = {**defaults, **load_scenario(path).overrides}
        full = {
            "ips": params["ips.fte"] * params["ips.caseload"],
            "coordinator": params["coord.fte"] * params["coord.caseload"],
        }
        for name, entry in summary["places"][stem].items():
            capacity = scaled_capacity(full[name], scale)  # simulated places
            rows = yearly[
                (yearly["scenario"] == stem)
                & (yearly["metric"] == "active_count")
                & (yearly["group"] == f"service:{name}")
            ]
            share = (rows["value"] * scale / capacity).groupby(rows["replicate"]).mean()
            used = entry["used_share"]
            assert 0 <= used["lo"] <= used["median"] <= used["hi"] <= 1
            assert used["median"] == pytest.approx(share.median())
            assert used["lo"] == pytest.approx(share.min())
            assert entry["mean"]["median"] == pytest.approx(capacity / scale)


# -- horizons (synthetic tables with the ledger's tail groups outside the totals) -----------
RATE = 0.04
YEARS = list(range(2024, 2034))  # ten calendar years: the first five are the 5y horizon


def _economy(tail: bool = True, reps: int = 6, seed: int = 3) -> pd.DataFrame:
    """Reference ``base`` and scenario ``ips``: NEET stock, costs by payer, tail groups.

    The scenario lowers the NEET stock every year (positive effects), pays for IPS
    specialists (state) and coordinators (municipality), and saves AAP (state) and social
    assistance (municipality); the tail groups lie outside every total, as the ledger books
    them.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for rep in range(reps):
        for label in ("base", "ips"):
            on = label == "ips"
            for t, period in enumerate(YEARS):
                neet = 1000.0 - (on * (5 + 3 * t + rng.integers(0, 4)))
                ips = on * 9e6
                coord = on * 4e6
                aap = 50e6 - on * (2e6 * t + 1e6 * rng.random())
                sa = 20e6 - on * (1e6 * t)
                tax = -30e6 - on * 0.5e6 * t
                cells = {
                    ("neet_count", "all"): neet,
                    ("cost_nok_discounted", "public:state:ips_specialists"): ips,
                    ("cost_nok_discounted", "public:state:aap_under25"): aap,
                    ("cost_nok_discounted", "public:state:tax_revenue"): tax,
                    ("cost_nok_discounted", "public:state:total"): ips + aap + tax,
                    ("cost_nok_discounted", "public:municipality:coordinators"): coord,
                    ("cost_nok_discounted", "public:municipality:social_assistance"): sa,
                    ("cost_nok_discounted", "public:municipality:total"): coord + sa,
                    ("cost_nok_discounted", "public:total"): ips + aap + tax + coord + sa,
                    ("cost_nok_discounted", "societal:production_loss"): 245e3 * neet,
                    ("cost_nok_discounted", "societal:mcpf"): 0.2 * (ips + coord),
                    ("cost_nok_discounted", "societal:total"): 245e3 * neet + 1.2 * (ips + coord),
                }
                if tail and period == YEARS[-1]:
                    cells[("cost_nok_discounted", "public:state:lifetime")] = 400e6 - on * 30e6
                    cells[("cost_nok_discounted", "public:municipality:lifetime")] = 90e6
                    cells[("cost_nok_discounted", "societal:lifetime")] = 900e6 - on * 80e6
                for (metric, group), value in cells.items():
                    rows.append((label, rep, 100 + rep, period, metric, group, value, 10))
    cols = ["scenario", "replicate", "seed", "period", "metric", "group", "value", "n"]
    return normalize(pd.DataFrame(rows, columns=cols), yearly=True)


def _paired_sums(df: pd.DataFrame, group: str, years=None, disc: bool = False) -> np.ndarray:
    """Scenario minus reference per replicate, summed over ``years`` (by hand)."""
    metric = "neet_count" if group == "all" else "cost_nok_discounted"
    sel = df[(df["metric"] == metric) & (df["group"] == group)]
    if years is not None:
        sel = sel[sel["period"].isin(years)]
    w = (1 + RATE) ** -(sel["period"] - YEARS[0]) if disc else 1.0
    tot = (sel["value"] * w).groupby([sel["scenario"], sel["replicate"]]).sum()
    return (tot["ips"] - tot["base"]).to_numpy(float)


def test_every_headline_entry_has_the_three_horizons_and_their_keys():
    summary, _ = summarize(_economy(), "base", RATE)
    keys = {
        "neet_years_averted",
        "npv_public_nok",
        "npv_societal_nok",
        "p_public_saving",
        "p_societal_saving",
        "neet_years_averted_discounted",
        "gross_cost_public_nok",
        "savings_public_nok",
        "savings_by_payer",
        "icer_public_nok_per_neet_year",
        "cost_per_neet_year_averted_nok",
    }
    by = summary["headline"]["ips"]["by_horizon"]
    assert set(by) == {"5y", "run", "lifetime"}
    for horizon in by.values():
        assert keys <= set(horizon)
        assert (
            horizon["cost_per_neet_year_averted_nok"] == horizon["icer_public_nok_per_neet_year"]
        )
    assert (by["5y"]["years"], by["run"]["years"]) == (5, 10)
    assert by["lifetime"]["tail"] is True
    assert "voi" not in summary  # no parameter draws: no value of information
    assert "public:state:ips_specialists" in summary["gross_cost_groups"]  # what gross sums
    assert "parts" not in by["run"]["npv_public_nok"]


def test_five_years_hold_fewer_neet_years_averted_than_the_run():
    by = summarize(_economy(), "base", RATE)[0]["headline"]["ips"]["by_horizon"]
    for key in ("neet_years_averted", "neet_years_averted_discounted"):
        for q in ("median", "lo", "hi"):
            assert 0 < by["5y"][key][q] <= by["run"][key][q]
    assert by["lifetime"]["neet_years_averted"] == by["run"]["neet_years_averted"]
    df = _economy()
    averted_5y = -_paired_sums(df, "all", YEARS[:5])
    assert by["5y"]["neet_years_averted"]["median"] == pytest.approx(np.median(averted_5y))


def test_icer_is_the_ratio_of_means_with_both_discounted():
    df = _economy()
    h = summarize(df, "base", RATE)[0]["headline"]["ips"]
    cost = _paired_sums(df, "public:total")
    averted = -_paired_sums(df, "all", disc=True)
    assert cost.mean() < 0 < averted.mean()  # this economy saves money and averts NEET-years
    assert (
        h["cost_per_neet_year_averted_nok"] is None and h["dominant"] is True
    )  # no negative ratio
    run = h["by_horizon"]["run"]
    assert run["icer_public_nok_per_neet_year"] is None and run["dominant"] is True
    # where it costs money, the ratio of the means (not the mean or median of ratios)
    from sim.analysis.horizons import icer

    assert icer(-cost, averted) == pytest.approx(-cost.mean() / averted.mean())
    assert icer(np.array([3.0, 1.0]), np.array([1.0, 3.0])) == pytest.approx(1.0)  # ratios: 3, 1/3
    undiscounted = -_paired_sums(df, "all")
    assert run["neet_years_averted_discounted"]["median"] < np.median(undiscounted)
    early = h["by_horizon"]["5y"]
    cost_5y = _paired_sums(df, "public:total", YEARS[:5])
    averted_5y = -_paired_sums(df, "all", YEARS[:5], disc=True)
    expected = cost_5y.mean() / averted_5y.mean()
    assert early["icer_public_nok_per_neet_year"] == pytest.approx(expected)


def test_icer_of_a_hand_computed_pair():
    """Two replicates, two years, 4 %: mean cost / mean discounted NEET-years averted."""
    rows = []
    neet = {
        ("base", 0): (100, 100),
        ("s", 0): (90, 80),
        ("base", 1): (100, 100),
        ("s", 1): (95, 70),
    }
    cost = {("base", 0): (0, 0), ("s", 0): (1e6, 2e6), ("base", 1): (0, 0), ("s", 1): (3e6, 0)}
    for (label, rep), values in neet.items():
        for period, n, c in zip((2024, 2025), values, cost[label, rep], strict=True):
            rows.append((label, rep, rep, period, "neet_count", "all", float(n), 1))
            rows.append((label, rep, rep, period, "cost_nok_discounted", "public:total", c, 1))
    cols = ["scenario", "replicate", "seed", "period", "metric", "group", "value", "n"]
    df = normalize(pd.DataFrame(rows, columns=cols), yearly=True)
    h = summarize(df, "base", 0.04)[0]["headline"]["s"]
    mean_cost = (3e6 + 3e6) / 2
    mean_averted = ((10 + 20 / 1.04) + (5 + 30 / 1.04)) / 2
    assert h["cost_per_neet_year_averted_nok"] == pytest.approx(mean_cost / mean_averted)
    worse = df.assign(value=np.where(df["metric"] == "neet_count", 100.0, df["value"]))
    none = summarize(worse, "base", 0.04)[0]["headline"]["s"]
    assert none["cost_per_neet_year_averted_nok"] is None
    assert none["by_horizon"]["run"]["icer_public_nok_per_neet_year"] is None


def test_saving_probabilities_are_the_share_of_replicates_that_save():
    df = _economy(reps=8)
    by = summarize(df, "base", RATE)[0]["headline"]["ips"]["by_horizon"]
    public = _paired_sums(df, "public:total")
    tail = _paired_sums(df, "public:state:lifetime") + _paired_sums(
        df, "public:municipality:lifetime"
    )
    for horizon, cost in (("run", public), ("lifetime", public + tail)):
        p = by[horizon]["p_public_saving"]
        assert 0 <= p <= 1 and p == pytest.approx(np.mean(cost < 0))
    societal = _paired_sums(df, "societal:total")
    assert by["run"]["p_societal_saving"] == pytest.approx(np.mean(societal < 0))


def test_gross_cost_and_savings_by_payer():
    df = _economy()
    by = summarize(df, "base", RATE)[0]["headline"]["ips"]["by_horizon"]
    gross = _paired_sums(df, "public:state:ips_specialists")
    gross_muni = _paired_sums(df, "public:municipality:coordinators")
    run = by["run"]
    assert run["gross_cost_public_nok"]["median"] == pytest.approx(np.median(gross + gross_muni))
    net = _paired_sums(df, "public:total")
    assert run["savings_public_nok"]["median"] == pytest.approx(
        np.median(gross + gross_muni - net)
    )
    state = gross - _paired_sums(df, "public:state:total")
    assert run["savings_by_payer"]["state"]["median"] == pytest.approx(np.median(state))
    life = by["lifetime"]
    tail = _paired_sums(df, "public:state:lifetime")  # the state's tail: 30 MNOK saved
    assert life["savings_by_payer"]["state"]["median"] == pytest.approx(np.median(state - tail))
    assert life["gross_cost_public_nok"] == run["gross_cost_public_nok"]
    assert life["npv_societal_nok"]["median"] == pytest.approx(
        run["npv_societal_nok"]["median"] - 80e6
    )


def test_without_tail_groups_the_lifetime_is_the_run_flagged():
    by = summarize(_economy(tail=False), "base", RATE)[0]["headline"]["ips"]["by_horizon"]
    assert by["lifetime"]["tail"] is False
    life = {k: v for k, v in by["lifetime"].items() if k != "tail"}
    assert life == by["run"]
