"""The follow-up service (OT, oppfølgingstjenesten) for youth 15-24 outside school and work.

Age range from the Education Act in force from August 2024. OT takes referrals (dropouts and
non-starters reported by school), follows youth within its capacity (advisers x caseload),
offers re-enrolment (taken up from the next August) or refers youth 18+ to NAV.
"""

from __future__ import annotations

import numpy as np

from sim.core.pidsets import in_any
from sim.core.states import Activity
from sim.services.base import Service, scaled_capacity

MAX_AGE = 24


class FollowUp(Service):
    """County follow-up service: contacts, re-enrolment offers, referrals to NAV."""

    name = "followup"
    phase = "followup"

    def configure(self) -> None:
        """Capacity: advisers x caseload (scaled)."""
        p = self.model.params
        self.capacity = scaled_capacity(
            p["followup.advisers"] * p["followup.caseload"], self.model.scale
        )

    def workers(self) -> float:
        """Advisers (FTE, scaled)."""
        return self.model.params["followup.advisers"] * self.model.scale

    def eligible(self, pids: np.ndarray) -> np.ndarray:
        """OT's target group: 15-24, upper secondary not completed, outside school and work."""
        m, pop = self.model, self.model.pop
        return (
            (pop.activity[pids] == Activity.NEET)
            & ~pop.completed[pids]
            & ~m.aged(pids, MAX_AGE + 1)
            & ~pop.reenrol[pids]
        )

    def step(self) -> None:
        """Close cases, admit from the queue, act on open cases."""
        self.leave_queue(self.eligible(self.queue))
        m = self.model
        expired = m.month - self.active_since >= m.params["followup.case_months"]
        self.release(~self.eligible(self.active) | expired)
        self.admit(self.capacity - len(self.active))
        self._act()

    def _act(self) -> None:
        m, pop = self.model, self.model.pop
        cases = self.active
        effect = m.conflict_factor(cases)
        offer = m.streams.bernoulli(
            "followup:reenrol", cases, m.params["followup.reenrol_monthly"] * effect
        )
        pop.reenrol[cases[offer]] = True
        adult = (m.ages(cases) >= 18) & ~offer & (pop.nav_status[cases] == 0)  # not yet at NAV
        refer = (
            m.streams.bernoulli(
                "followup:refer_nav", cases, m.params["followup.nav_referral_monthly"]
            )
            & adult
        )
        m.referrals.send("followup", "nav", cases[refer])
        self.release(in_any(self.active, pop.n, cases[offer]))
