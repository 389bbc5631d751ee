"""Share of specialist mental-health patients (BUP/DPS) whose treatment effect is cut by conflict.

For each replicate of a scenario, every November after the start: the patients in treatment at
BUP or DPS, the share of them for whom ``model.conflict_factor`` is below 1 (the treatment's
recovery effect is weakened by ``plan_conflict``), and the share whose only other helper is
the GP. Prints one line per replicate and the mean.

    PYTHONPATH=. python tools/conflict_share.py scenarios/baseline.toml --scale 0.25 --reps 2
"""

from __future__ import annotations

import argparse

import numpy as np

from sim import api

CLINICS = ("bup", "dps")


def november_shares(model, years: int) -> tuple[float, float, int]:
    """Mean over Novembers of (share in conflict, share whose other helper is only the GP)."""
    conflict, gp_only, patients = [], [], 0
    gp_bit = model.helper_bit("gp")
    for _ in range(12 * years):
        model.step()
        if model.calendar_month != 12:  # the step just taken was November
            continue
        pids = np.unique(np.concatenate([model.module(c).active for c in CLINICS]))
        if not len(pids):
            continue
        masks = model.pop.helpers[pids]
        clinic_bits = sum(model.helper_bit(c) for c in CLINICS)
        others = masks & ~np.uint32(clinic_bits)
        conflict.append(float(np.mean(model.conflict_factor(pids) < 1.0)))
        gp_only.append(float(np.mean(others == gp_bit)))
        patients += len(pids)
    return float(np.mean(conflict)), float(np.mean(gp_only)), patients


def main() -> None:
    """Parse the options, run the replicates, print the shares."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    sc = api.load_scenario(a.scenario)
    rows = []
    for seed in api.replicate_seeds(a.seed, a.reps):
        model = api.build(sc, seed=seed, scale=a.scale, monthly=False)
        rows.append(november_shares(model, a.years))
        c, g, n = rows[-1]
        print(
            f"seed {seed}: in conflict {c:.3f}, other helper only the GP {g:.3f} "
            f"({n} patient-Novembers)"
        )
    print(
        f"mean: in conflict {np.mean([r[0] for r in rows]):.3f}, "
        f"other helper only the GP {np.mean([r[1] for r in rows]):.3f}"
    )


if __name__ == "__main__":
    main()
