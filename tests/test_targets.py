"""The baseline reproduces its calibration targets (sim/data/targets.csv) at quick scale.

The bands in targets.csv are for full-scale runs. At scale 0.1 a replicate simulates about
10,000 youth, so each simulated figure carries sampling noise: for a rate p over n youth the
standard error is sqrt(p (1 - p) / n), for a count k (reported as k / scale) it is
sqrt(k) / scale. Each band is widened by three such standard errors on either side, so a
baseline that sits inside its band at full scale passes here with high probability
(about 0.3 % per target by chance), while a real miss of the band still fails.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.targets import compare, load_targets
from sim.core.scenario import load_scenario
from sim.run.runner import RunSpec, replicate_seeds, run_one

SCALE, YEARS, REPS = 0.1, 7, 2
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def baseline_yearly():
    sc = load_scenario(ROOT / "scenarios" / "baseline.toml")
    seeds = replicate_seeds(11, REPS)
    runs = [run_one(RunSpec(sc, r, s, YEARS, SCALE, monthly=False)) for r, s in enumerate(seeds)]
    return pd.concat([r.yearly for r in runs], ignore_index=True)


def _tolerance(yearly: pd.DataFrame, row) -> float:
    sel = yearly[
        (yearly.metric == row.metric) & (yearly.group == row.group) & (yearly.period == row.period)
    ]
    n = float(sel["n"].mean())
    if row.metric.endswith(("_rate", "_share", "_5_6y")):
        p = float(sel["value"].mean())
        return 3 * np.sqrt(max(p * (1 - p), 1e-4) / max(n, 1) / REPS)
    return 3 * np.sqrt(max(n, 1)) / SCALE / np.sqrt(REPS)


def test_every_target_inside_its_band(baseline_yearly):
    table = compare(baseline_yearly, load_targets())
    misses = []
    for row in table.itertuples():
        tol = _tolerance(baseline_yearly, row)
        if not (row.lo - tol <= row.simulated <= row.hi + tol):
            misses.append(
                f"{row.metric}/{row.group}/{row.period}: {row.simulated:.4g} "
                f"not in [{row.lo:.4g}, {row.hi:.4g}] +- {tol:.3g}"
            )
    assert not misses, "\n".join(misses)


def test_neet_age_gradient(baseline_yearly):
    """15-19 < 20-24 < 25-29 in every year (SSB: NEET rises with age)."""
    neet = baseline_yearly[baseline_yearly.metric == "neet_rate"]
    by = neet.groupby(["period", "group"])["value"].mean().unstack()
    assert (by["15-19"] < by["20-24"]).all()
    assert (by["20-24"] < by["25-29"]).all()


def test_targets_file_is_complete():
    targets = load_targets()
    assert list(targets.columns) == [
        "metric",
        "group",
        "period",
        "value",
        "lo",
        "hi",
        "weight",
        "reference_year",
        "source",
    ]
    assert (targets["lo"] <= targets["value"]).all() and (targets["value"] <= targets["hi"]).all()
    assert targets["source"].str.len().min() > 10
