"""Specialist mental-health care: BUP (under 18) and DPS (18+), each a clinic with a waiting list.

Capacity is the number of youth in treatment at once; the waiting list is served longest-waiting
first. Treatment raises the monthly recovery hazard (weakened by ``plan_conflict`` when several
helpers work without a shared plan). Youth in BUP who turn 18 are referred on to DPS.
"""

from __future__ import annotations

import numpy as np

from sim.core.pidsets import in_any
from sim.core.states import Mh
from sim.services.base import Service, end_hazard, scaled_capacity

CAPACITY = {"bup": "bup.capacity", "dps": "dps.capacity"}  # clinic → its places parameter


class MentalHealthClinic(Service):
    """A specialist clinic (``bup`` or ``dps``) with treatment places and a waiting list."""

    name = "mental_health"
    phase = "health"
    hazard_modifiers = {"mh_recovery": "recovery_modifier"}

    def __init__(self, model, name: str):
        super().__init__(model, name=name)
        self.adult = name == "dps"
        # by pid: treated here since January (a table over the population's rows)
        self._treated_this_year = np.zeros(0, dtype=bool)

    @classmethod
    def create(cls, model) -> list[MentalHealthClinic]:
        """BUP (children and adolescents) and DPS (adults), in that order."""
        return [cls(model, "bup"), cls(model, "dps")]

    def configure(self) -> None:
        """Capacity: treatment places (scaled)."""
        full = self.model.params[CAPACITY[self.name]]
        self.capacity = scaled_capacity(full, self.model.scale)

    def in_age(self, pids: np.ndarray) -> np.ndarray:
        """Whether youth belong to this clinic by age."""
        adult = self.model.ages(pids) >= 18
        return adult if self.adult else ~adult

    def step(self) -> None:
        """Transfers at 18, treatment ends, queue upkeep, admissions."""
        m, pop = self.model, self.model.pop
        if not self.adult:
            self._transfer_at_18()
        p_end = end_hazard(m.params["mental_health.treatment_months"])
        ends = m.streams.bernoulli(f"{self.name}:treatment_end", self.active, p_end)
        self.release(ends | (pop.mh[self.active] == Mh.NONE))
        self.leave_queue(pop.mh[self.queue] > Mh.NONE)
        self.admit(self.capacity - len(self.active))
        self._count_patients()

    def _count_patients(self) -> None:
        """Count each youth treated here once per calendar year, as SAMDATA counts patients.

        The yearly flow ``patients_treated``, group ``service:<name>``.
        """
        m = self.model
        seen = self._treated_this_year
        if m.calendar_month == 1 or len(seen) < m.pop.n:
            grown = np.zeros(m.pop.capacity, dtype=bool)
            if m.calendar_month != 1:
                grown[: len(seen)] = seen
            seen = self._treated_this_year = grown
        new = self.active[~seen[self.active]]
        seen[new] = True
        m.collector.count_flow("patients_treated", new, group=f"service:{self.name}")

    def _transfer_at_18(self) -> None:
        m = self.model
        moving = ~self.in_age(self.active)
        waiting = ~self.in_age(self.queue)
        pids = np.concatenate([self.active[moving], self.queue[waiting]])
        self.release(moving)
        self.leave_queue(~waiting)
        m.referrals.send(self.name, "dps", pids)

    def recovery_modifier(self, pids: np.ndarray) -> np.ndarray:
        """Multiplier on the recovery hazard for youth in treatment here."""
        m = self.model
        treated = in_any(pids, m.pop.n, self.active)
        out = np.ones(len(pids))
        gain = (m.params["mental_health.treatment_recovery_rr"] - 1.0) * m.conflict_factor(
            pids[treated]
        )
        out[treated] = 1.0 + gain
        return out
