"""Mental health as a youth-level process: onset, worsening and recovery each month.

Onset by age, sex and the unseen distance from the labour market (youth far from it fall ill
more often); treatment (and any registered modifier) raises recovery. States:
none, moderate, severe. Effects on school, work and benefits live in those services.
"""

from __future__ import annotations

import numpy as np

from sim.core.module import Process
from sim.core.processes.demography import distance_factor
from sim.core.states import Mh


class Health(Process):
    """Mental-health transitions of every youth present (phase ``health``, before the GP)."""

    name = "health"
    phase = "health"

    def __init__(self, model):
        super().__init__(model)
        self.distance_factors = DistanceFactors()

    def step(self) -> None:
        """Apply this month's mental-health transitions to every youth present."""
        model = self.model
        pop, p, s = model.pop, model.params, model.streams
        well, moderate, severe = by_state(pop)
        new = well[s.bernoulli("mh:onset", well, onset_hazard(model, well, self.distance_factors))]
        worse = moderate[s.bernoulli("mh:worsen", moderate, p["health.worsen_monthly"])]
        rec_m = model.modified("mh_recovery", moderate, p["health.recovery_monthly"])
        rec_s = model.modified("mh_recovery", severe, p["health.severe_recovery_monthly"])
        better_m = moderate[s.bernoulli("mh:recover", moderate, rec_m)]
        better_s = severe[s.bernoulli("mh:recover", severe, rec_s)]
        pop.mh[new] = Mh.MODERATE
        pop.mh[worse] = Mh.SEVERE
        pop.mh[better_m] = Mh.NONE
        pop.mh[better_s] = Mh.MODERATE


def by_state(pop) -> tuple[np.ndarray, ...]:
    """Pids of the youth present in each mental-health state (none, moderate, severe)."""
    mh = pop.mh[pop.rows]
    return tuple(pop.live_where(mh == state) for state in Mh)


def onset_hazard(model, well: np.ndarray, factors: DistanceFactors | None = None) -> np.ndarray:
    """Monthly onset probability: the base rate x the female and under-18 relative risks.

    Times ``health.onset_rr_work_distance`` per unit of distance from the labour market
    (:func:`~sim.core.processes.demography.distance_factor`: mean 1 over the population).
    ``factors``: a :class:`DistanceFactors` kept between months (the same numbers, computed
    only for youth whose distance changed); None computes them at ``well``.
    """
    p, pop = model.params, model.pop
    female = np.array([False, False, True, True])  # the four combinations, computed once
    under18 = np.array([False, True, False, True])
    hazard = p["health.onset_monthly"] * np.where(female, p["health.onset_rr_female"], 1.0)
    hazard = hazard * np.where(under18, p["health.onset_rr_under18"], 1.0)
    young = pop.birth_year[well] > model.year - 19  # age (on 1 January) under 18
    hazard = hazard[2 * pop.female[well].view(np.int8) + young.view(np.int8)]
    rr = p["health.onset_rr_work_distance"]
    if rr == 1.0:
        return hazard
    if factors is None:
        return np.minimum(hazard * distance_factor(rr, pop.work_distance[well]), 1.0)
    return np.minimum(hazard * factors.at(pop, rr, well), 1.0)


class DistanceFactors:
    """:func:`~sim.core.processes.demography.distance_factor` of every row, kept between months.

    A youth's distance changes only when it enters and when it leaves school without
    completing, so the factors are recomputed each month only for the rows of youth present
    whose distance differs from the one they were computed from (all rows when the rate
    ratio changes). Each factor is the same elementwise expression, so the numbers are
    identical to computing them at the pids every month.
    """

    def __init__(self):
        self.rr: float | None = None
        self.distance = np.empty(0, dtype=np.float32)  # the distance each factor was made from
        self.factor = np.empty(0, dtype=np.float64)

    def at(self, pop, rr: float, pids: np.ndarray) -> np.ndarray:
        """The factors of ``pids`` (youth present) at rate ratio ``rr``."""
        if len(self.factor) < pop.n or rr != self.rr:
            distance, self.rr = pop.work_distance.copy(), rr
            self.factor = distance_factor(rr, distance)
            self.distance = distance
        else:
            sl = pop.rows
            now = pop.work_distance[sl]
            changed = pop.lo + np.flatnonzero(now != self.distance[sl])
            if len(changed):
                self.distance[changed] = pop.work_distance[changed]
                self.factor[changed] = distance_factor(rr, self.distance[changed])
        return self.factor[pids]
