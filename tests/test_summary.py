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
