"""The labour market: the regional unemployment path and the job-finding and job-loss hazards.

Job finding (NEET youth and programme participants) depends on education, mental health, age,
disability, the unemployment rate relative to the start year, each youth's distance from the
labour market (a trait no service sees, drawn at entry: the spread that keeps long-stayers in
the NEET stock), and the support youth get (multipliers registered by services, e.g. NAV
follow-up or IPS). Job loss depends on education,
mental health and unemployment, and on support after a job starts. It has no queue.

Labour demand (``labour.demand_constraint``, off by default). Switched on, the jobs NEET youth
and programme participants find in a NAV area each month come from a finite stream of
openings: (1 + ``labour.demand_headroom``) x the finds the area's seekers would expect at their
unsupported hazards (every rate ratio above, AAP's lower work capacity included, but no
service's support). When the finds expected at the supported hazards exceed the openings,
every seeker's hazard in the area is scaled by openings / expected, so youth whom IPS or NAV
support partly take jobs others would have found (displacement); the expected finds lost are
the flow ``jobs_displaced``. The scaling uses the month's one draw per seeker (no extra random
numbers), and an area within its openings keeps its hazards exactly, so the constraint off, or
on without binding, gives the same tables as the model without it. The default headroom,
``nav.followup_boost``, is the most today's NAV follow-up can raise an area's finds: switched on
at it, today's follow-up alone never binds (today's small IPS team can, in rare months in the
smallest areas), so mainly support beyond today's displaces. It is off
by default because the baseline is calibrated without a demand side and the support effects
are read net of displacement (docs/evidence.md, sections 1 and 7). Considered and not chosen:
openings anchored to each area's own supported finds at the end of the warm-up (the support
NAV gives today), which would need warm-up state recorded whether the switch is on or not.
"""

from __future__ import annotations

import numpy as np

from sim.core.states import Activity, NavStatus
from sim.services.base import Service

UNEMPLOYMENT_FLOOR = 0.001  # the lowest unemployment rate the hazards use


class LabourMarket(Service):
    """Regional labour market (no capacity, no queue)."""

    name = "labour_market"
    phase = "labour"
    is_helper = False

    def unemployment(self) -> float:
        """Unemployment rate this year: the start level plus the scenario's yearly trend."""
        m = self.model
        years = max(0, m.year - m.start_year) if m.started else 0
        rate = (
            m.params["labour.unemployment_rate"]
            + m.params["labour.unemployment_change_yearly"] / 100 * years
        )
        return max(rate, UNEMPLOYMENT_FLOOR)

    def _relative(self) -> float:
        """Unemployment relative to the start level (both at least the floor: 0 is allowed)."""
        start = max(self.model.params["labour.unemployment_rate"], UNEMPLOYMENT_FLOOR)
        return self.unemployment() / start

    def step(self) -> None:
        """Job finding, then job loss (for youth employed before this month's finds)."""
        m, pop = self.model, self.model.pop
        sl = pop.rows
        act = pop.activity[sl]
        employed = pop.live_where(act == Activity.EMPLOYED)
        seeking = ((act == Activity.NEET) & m.aged(sl, 16)) | (act == Activity.PROGRAMME)
        self._job_finding(pop.live_where(seeking))
        self._job_loss(employed)

    def find_hazard(self, pids: np.ndarray) -> np.ndarray:
        """Monthly job-finding probability for the given youth (before any demand limit)."""
        return self._supported(pids, self.unsupported_hazard(pids))

    def _supported(self, pids: np.ndarray, base: np.ndarray) -> np.ndarray:
        """``base`` times every registered support multiplier, capped at 1."""
        return np.minimum(self.model.modified("job_find", pids, base), 1.0)

    def unsupported_hazard(self, pids: np.ndarray) -> np.ndarray:
        """Monthly job-finding hazard before any service multiplier (not capped at 1)."""
        m, pop, p = self.model, self.model.pop, self.model.params
        act = pop.activity[pids]
        base = (
            p["labour.job_find_monthly"]
            * self._relative() ** p["labour.job_find_unemployment_elasticity"]
        )
        rr_mh = (1.0, p["labour.job_find_rr_moderate"], p["labour.job_find_rr_severe"])
        h = _by_completion_and_mh(pop, pids, base, (1.0, p["labour.job_find_rr_completed"]), rr_mh)
        h *= np.where(m.aged(pids, 20), 1.0, p["labour.job_find_rr_under20"])
        disabled = pop.nav_status[pids] == NavStatus.DISABILITY
        h *= np.where(disabled, p["labour.job_find_rr_disability"], 1.0)
        h *= np.where(act == Activity.PROGRAMME, p["nav.programme_job_rr"], 1.0)
        long_spell = (pop.months_in_activity[pids] >= 12) & (act == Activity.NEET)
        h *= np.where(long_spell, p["labour.job_find_rr_long_spell"], 1.0)
        h *= self.distance_factor(pids)
        return h

    def distance_factor(self, pids: np.ndarray) -> np.ndarray:
        """exp(-beta x work_distance), beta = ``labour.job_find_work_distance_beta``.

        1 at the typical distance (0), so ``labour.job_find_monthly`` is the hazard of a
        typical youth; beta 0 gives exactly 1 (one hazard for everyone).
        """
        beta = self.model.params["labour.job_find_work_distance_beta"]
        if beta == 0.0:
            return np.ones(len(pids))
        return np.exp(-beta * self.model.pop.work_distance[pids].astype(float))

    def loss_hazard(self, pids: np.ndarray) -> np.ndarray:
        """Monthly job-loss probability for the given employed youth."""
        m, pop, p = self.model, self.model.pop, self.model.params
        base = p["labour.job_loss_monthly"] * self._relative()
        rr_completed = (p["labour.job_loss_rr_no_completion"], 1.0)
        rr_mh = (1.0, p["labour.job_loss_rr_moderate"], p["labour.job_loss_rr_severe"])
        h = _by_completion_and_mh(pop, pids, base, rr_completed, rr_mh)
        return np.minimum(m.modified("job_loss", pids, h), 1.0)

    def _job_finding(self, cand: np.ndarray) -> None:
        m, pop = self.model, self.model.pop
        base = self.unsupported_hazard(cand)
        h = self._supported(cand, base)
        if m.params["labour.demand_constraint"]:
            h = self.demand_limited(cand, base, h)
        found = m.streams.bernoulli("labour:job_find", cand, h)
        pop.activity[cand[found]] = Activity.EMPLOYED
        m.collector.count_flow("job_starts", cand[found])

    def demand_limited(self, pids: np.ndarray, base: np.ndarray, h: np.ndarray) -> np.ndarray:
        """The hazards ``h`` scaled down in each NAV area whose expected finds exceed its openings.

        Openings of area a this month: (1 + ``labour.demand_headroom``) x the expected finds
        of its seekers at their unsupported hazards (``base``, times ``nav.aap_job_find_rr``
        for AAP recipients, whose reduced work capacity is theirs, not support; capped at 1).
        Where the expected finds at the supported hazards ``h`` exceed them, every seeker's
        hazard in the area is multiplied by openings / expected; the expected finds lost are
        added to the flow ``jobs_displaced`` (group ``all`` and the area's ``nav:<area>``).
        Areas within their openings keep ``h`` exactly; no random numbers are drawn here.
        """
        m, pop, p = self.model, self.model.pop, self.model.params
        geo = m.geo
        areas = len(geo.area_names)
        area = geo.area_of[pop.kommune[pids]]
        expected = np.bincount(area, weights=h, minlength=areas)
        aap = np.where(pop.nav_status[pids] == NavStatus.AAP, p["nav.aap_job_find_rr"], 1.0)
        unsupported = np.bincount(area, weights=np.minimum(base * aap, 1.0), minlength=areas)
        openings = (1.0 + p["labour.demand_headroom"]) * unsupported
        short = np.flatnonzero(expected > openings)
        if not len(short):
            return h
        ratio = np.ones(areas)
        ratio[short] = openings[short] / expected[short]
        seekers = np.bincount(area, minlength=areas)
        for a in short.tolist():
            lost, n = float(expected[a] - openings[a]), int(seekers[a])
            m.collector.add_flow("jobs_displaced", "all", lost, n)
            m.collector.add_flow("jobs_displaced", f"nav:{geo.area_names[a]}", lost, n)
        return h * ratio[area]

    def _job_loss(self, employed: np.ndarray) -> None:
        m, pop = self.model, self.model.pop
        lost = m.streams.bernoulli("labour:job_loss", employed, self.loss_hazard(employed))
        pop.activity[employed[lost]] = Activity.NEET


def _by_completion_and_mh(pop, pids, base: float, rr_completed, rr_mh) -> np.ndarray:
    """``base`` x the rate ratio for completion (not, yes) x the one for mental health.

    A lookup in a table of the six products (each computed as ``base * rr_c * rr_mh``, the
    order the hazards have always been multiplied in).
    """
    table = np.array([base * c * h for c in rr_completed for h in rr_mh])
    return table.take(pop.completed[pids].view(np.int8) * np.int8(len(rr_mh)) + pop.mh[pids])
