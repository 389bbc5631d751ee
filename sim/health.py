"""Mental health as a youth-level process: onset, worsening and recovery each month.

Hazards by age and sex; treatment (and any registered modifier) raises recovery. States:
none, moderate, severe. Effects on school, work and benefits live in those services.
"""

from __future__ import annotations

import numpy as np

from sim.population import Mh


def step(model) -> None:
    """Apply this month's mental-health transitions to every youth present."""
    pop, p, s = model.pop, model.params, model.streams
    live = pop.live()
    mh = pop.mh[live]
    well, moderate, severe = live[mh == Mh.NONE], live[mh == Mh.MODERATE], live[mh == Mh.SEVERE]
    onset = p["mh_onset_monthly"] * np.where(pop.female[well], p["mh_onset_rr_female"], 1.0)
    onset = onset * np.where(model.ages(well) < 18, p["mh_onset_rr_under18"], 1.0)
    new = well[s.bernoulli("mh:onset", well, onset)]
    worse = moderate[s.bernoulli("mh:worsen", moderate, p["mh_worsen_monthly"])]
    rec_m = model.modified("mh_recovery", moderate, p["mh_recovery_monthly"])
    rec_s = model.modified("mh_recovery", severe, p["mh_severe_recovery_monthly"])
    better_m = moderate[s.bernoulli("mh:recover", moderate, rec_m)]
    better_s = severe[s.bernoulli("mh:recover", severe, rec_s)]
    pop.mh[new] = Mh.MODERATE
    pop.mh[worse] = Mh.SEVERE
    pop.mh[better_m] = Mh.NONE
    pop.mh[better_s] = Mh.MODERATE
