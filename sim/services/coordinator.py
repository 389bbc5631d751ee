"""Coordinator: one primary contact for each youth with needs in two or more services.

Capacity: ``coord.fte`` coordinators x ``coord.caseload`` youth each (scaled), county-wide,
with a waiting list. It is zero in the baseline (no such role today), hence also during the
warm-up; with zero capacity the coordinator draws nothing and changes nothing.

Eligible: youth outside work and higher education (NEET, in a programme or a pupil at risk)
whose helper mask holds two or more other services (follow-up service, NAV, GP, BUP/DPS,
IPS). For a youth on the caseload the coordinator:

- holds one shared plan (no ``plan_conflict`` penalty, see :mod:`sim.services.shared_plan`);
- carries every referral about the youth (a warm handover through the referral seam: never
  lost; the handover-loss number is still read at the youth's pid, so no stream shifts);
- offers IPS when the youth is eligible (``coordinator->ips``, at
  ``ips.coordinator_referral_monthly``).

Across the system, once coordinators exist:

- earlier detection: the school's report of a dropout to the follow-up service (OT) is also
  flagged to NAV (ages 18+; OT stays responsible for younger youth) and the GP in the month
  it happens (routes ``school->nav`` and
  ``school->gp``, carried), for a share ``coord.early_flag`` of dropouts;
- optional outreach (``coord.outreach_monthly``, off by default): NEET youth unknown to NAV
  are contacted and registered (``coordinator->nav``, carried).

A case closes when the youth starts work or higher education, has fewer than two other
helpers, or after ``coord.case_months`` (then the youth is not taken on again).
"""

from __future__ import annotations

import numpy as np

from sim.core.pidsets import in_any, new_to
from sim.core.states import Activity, NavStatus
from sim.services import shared_plan
from sim.services.base import EMPTY, Service, scaled_capacity
from sim.services.caseload import over_capacity, per_fte


class Coordinator(Service):
    """Coordinators: shared plan, warm handovers, early flags, outreach, IPS offers."""

    name = "coordinator"
    phase = "interventions"

    def __init__(self, model):
        super().__init__(model)
        self.fte = 0.0
        self._reports: list[np.ndarray] = []  # this month's dropout reports from school
        self._escort = EMPTY  # youth whose referrals the coordinator carries right now
        self._touched: list[np.ndarray] = []  # flagged or contacted youth (see reached())
        self._finished = EMPTY  # cases closed at the time limit
        model.referrals.add_carrier(self.carries)

    def configure(self) -> None:
        """Capacity: ``coord.fte`` x ``coord.caseload`` (scaled)."""
        p = self.model.params
        self.fte = p["coord.fte"]
        self.capacity = scaled_capacity(self.fte * p["coord.caseload"], self.model.scale)

    def carries(self, pids: np.ndarray, sender: str, receiver: str) -> np.ndarray:
        """Referral-seam carrier: referrals about youth on the caseload are never lost."""
        if self.capacity and sender == "school" and receiver == "followup":
            self._reports.append(np.array(pids, dtype=np.int64))
        return in_any(pids, self.model.pop.n, self.active, self._escort)

    def step(self) -> None:
        """Close cases, flag dropouts, outreach, take on eligible youth, offer IPS."""
        if not (self.capacity or len(self.active) or len(self.queue)):
            self._reports.clear()
            return  # zero dose: no draws, no referrals, no state
        self._close_cases()
        self._flag_dropouts()
        self._outreach()
        self._intake()
        self._offer_ips()
        shared_plan.set_members(self.model, self.name, self.active)

    def _others(self, helpers: np.ndarray) -> np.ndarray:
        """Number of services other than the coordinator in each of the helper masks."""
        bit = np.uint32(self.model.helper_bit(self.helper_name))
        return np.bitwise_count(helpers & ~bit)

    def needs(self, pids: np.ndarray) -> np.ndarray:
        """Eligible: two or more other helpers, and neither in work nor in higher education."""
        pop = self.model.pop
        return self._needs(pop.activity[pids], pop.helpers[pids])

    def _needs(self, activity: np.ndarray, helpers: np.ndarray) -> np.ndarray:
        """:meth:`needs` from the youth's activity and helper mask."""
        outside = (activity != Activity.EMPLOYED) & (activity != Activity.HIGHER_EDUCATION)
        return outside & (self._others(helpers) >= 2)

    def live_in_need(self) -> np.ndarray:
        """``live[needs(live)]``, read from the population's columns as slices."""
        pop = self.model.pop
        rows = pop.rows
        return pop.live_where(self._needs(pop.activity[rows], pop.helpers[rows]))

    def reached(self) -> np.ndarray:
        """Every youth the coordinator served, flagged or contacted (sorted, unique)."""
        return np.unique(np.concatenate([self.served(), *self._touched]))

    # -- steps --------------------------------------------------------------------------------
    def _close_cases(self) -> None:
        m = self.model
        timed = m.month - self.active_since >= m.params["coord.case_months"]
        self._finished = np.union1d(self._finished, self.active[timed])
        over = over_capacity(self.active, self.active_since, self.capacity)
        self.release(~self.needs(self.active) | timed | over)

    def _flag_dropouts(self) -> None:
        m, pop = self.model, self.model.pop
        if not self._reports:
            return
        pids = np.unique(np.concatenate(self._reports))
        self._reports.clear()
        pids = pids[pop.alive[pids] & (pop.activity[pids] == Activity.NEET)]
        pids = pids[m.streams.bernoulli("coordinator:flag", pids, m.params["coord.early_flag"])]
        self._carry("school", "nav", pids[m.ages(pids) >= 18])
        self._carry("school", "gp", pids)

    def _outreach(self) -> None:
        m, pop = self.model, self.model.pop
        rate = m.params["coord.outreach_monthly"]
        if rate <= 0:
            return
        live = pop.live()
        unknown = live[
            (pop.activity[live] == Activity.NEET)
            & (pop.nav_status[live] == NavStatus.NONE)
            & (m.ages(live) >= 16)
        ]
        self._carry(
            "coordinator",
            "nav",
            unknown[m.streams.bernoulli("coordinator:outreach", unknown, rate)],
        )

    def _carry(self, sender: str, receiver: str, pids: np.ndarray) -> None:
        """Send youth with the coordinator carrying the referral (a warm handover)."""
        self._touched.append(pids)
        self._escort = pids
        self.model.referrals.send(sender, receiver, pids)
        self._escort = EMPTY

    def _intake(self) -> None:
        needs = self.live_in_need()  # sorted, as np.setdiff1d returns
        self.receive(needs[~in_any(needs, self.model.pop.n, self._finished)])
        self.leave_queue(self.needs(self.queue))
        self.admit(self.capacity - len(self.active))

    def _offer_ips(self) -> None:
        m = self.model
        ips = m.receiver("ips")
        cases = self.active[ips.eligible(self.active)]
        cases = new_to(cases, m.pop.n, ips.queue, ips.active)
        rate = m.params["ips.coordinator_referral_monthly"]
        m.referrals.send(
            self.name, "ips", cases[m.streams.bernoulli("coordinator:ips", cases, rate)]
        )

    def indicators(self) -> dict[str, float]:
        """Base indicators, with the caseload per full-time coordinator."""
        return per_fte(self, self.fte, super().indicators())
