"""Print the baseline's calibration moments against targets (a hand-tuning aid).

Usage: python tools/tune.py [scale] [years] [seed] [key=value ...]
"""

import sys
import time

import pandas as pd

from sim.core.scenario import load_scenario
from sim.run.runner import RunSpec, replicate_seeds, run_one

scale = float(sys.argv[1]) if len(sys.argv) > 1 else 0.25
years = int(sys.argv[2]) if len(sys.argv) > 2 else 8
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
over = dict(a.split("=") for a in sys.argv[4:])
sc = load_scenario("scenarios/baseline.toml")
if over:
    from dataclasses import replace

    o = {**sc.overrides, **{k: float(v) for k, v in over.items()}}
    sc = replace(sc, overrides=o, root_overrides=o)
t = time.perf_counter()
res = run_one(RunSpec(sc, 0, replicate_seeds(seed, 1)[0], years, scale, monthly=False))
print(f"run {time.perf_counter() - t:.1f}s {res.timing}")
y = res.yearly
keys = [
    ("population", "all"),
    ("neet_rate", "all"),
    ("neet_rate", "15-19"),
    ("neet_rate", "20-24"),
    ("neet_rate", "25-29"),
    ("dropout_rate", "all"),
    ("dropout_rate", "academic"),
    ("dropout_rate", "vocational"),
    ("disability_count_under30", "all"),
    ("aap_count_under30", "all"),
    ("neet_status_share", "unknown"),
    ("neet_status_share", "registered_jobseeker"),
    ("neet_status_share", "aap"),
    ("neet_status_share", "disability"),
    ("neet_status_share", "social_assistance"),
    ("neet_status_share", "qualification_programme"),
    ("upper_secondary_count", "pupils"),
    ("upper_secondary_count", "apprentices"),
    ("employment_rate", "all"),
    ("activity_share", "higher_education"),
    ("activity_share", "programme"),
    ("mental_health_prevalence", "all"),
    ("wait_days_mean", "service:bup"),
    ("wait_days_mean", "service:dps"),
    ("queue_length", "service:dps"),
    ("caseload_per_worker", "service:dps"),
    ("caseload_per_worker", "service:bup"),
    ("queue_length", "service:bup"),
    ("referrals_made", "gp->dps"),
    ("referrals_made", "gp->bup"),
    ("caseload_per_worker", "service:nav"),
    ("caseload_per_worker", "service:followup"),
    ("queue_length", "service:followup"),
    ("helpers_mean", "all"),
    ("helpers_3plus_share", "all"),
    ("neet_12m_share", "all"),
    ("referrals_lost", "all"),
    ("referrals_made", "all"),
    ("job_starts", "all"),
]
rows = {}
for m, g in keys:
    s = y[(y.metric == m) & (y.group == g)].set_index("period")["value"]
    rows[f"{m}/{g}"] = s
tab = pd.DataFrame(rows).T
print(tab.to_string(float_format=lambda v: f"{v:.4g}"))
comp = y[y.metric == "upper_secondary_completion_5_6y"][["period", "group", "value", "n"]]
print(comp.to_string(index=False))
