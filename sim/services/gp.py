"""The GP (fastlege): detects mental-health problems and refers to specialist care.

Every youth has a GP, so the service has no queue; it follows detected youth while their
problems last (a helper), and refers them to BUP (under 18) or DPS (18+) through the referral
mechanism. NAV can send youth to the GP for assessment (they are then seen that month).
"""

from __future__ import annotations

import numpy as np

from sim.core.pidsets import new_to
from sim.core.states import Mh
from sim.services.base import Service


class GP(Service):
    """General practitioners: detection, follow-up, referral to specialist care."""

    name = "gp"
    phase = "health"
    holds_plan = False  # routine contact, not a second plan competing with the specialists'

    def receive(self, pids: np.ndarray) -> None:
        """A referral to the GP: the youth is seen this month (detected if unwell)."""
        self.received += len(pids)
        pop = self.model.pop
        unwell = pids[(pop.mh[pids] > Mh.NONE) & ~pop.detected[pids]]
        self._detect(unwell)

    def step(self) -> None:
        """Stop following recovered youth, detect new problems, refer.

        Detection is more likely when problems are severe and under 18 (school health
        service, parents).
        """
        m, pop = self.model, self.model.pop
        self.release(pop.mh[self.active] == Mh.NONE)
        sl = pop.rows
        unwell = pop.mh[sl] > Mh.NONE
        pop.detected[sl] &= unwell
        cand = pop.live_where(unwell & ~pop.detected[sl])
        rr = np.where(pop.mh[cand] == Mh.SEVERE, m.params["gp.detect_rr_severe"], 1.0)
        rr *= np.where(m.aged(cand, 18), 1.0, m.params["gp.detect_rr_under18"])
        seen = m.streams.bernoulli("gp:detect", cand, m.params["gp.detect_monthly"] * rr)
        self._detect(cand[seen])

    def _detect(self, pids: np.ndarray) -> None:
        m, pop = self.model, self.model.pop
        pop.detected[pids] = True
        self.start_service(new_to(pids, pop.n, self.active))
        p = np.where(
            pop.mh[pids] == Mh.SEVERE, m.params["gp.refer_severe"], m.params["gp.refer_moderate"]
        )
        refer = pids[m.streams.bernoulli("gp:refer", pids, p)]
        young = m.ages(refer) < 18
        m.referrals.send("gp", "bup", refer[young])
        m.referrals.send("gp", "dps", refer[~young])
