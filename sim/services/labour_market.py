"""The labour market: the regional unemployment path and the job-finding and job-loss hazards.

Job finding (NEET youth and programme participants) depends on education, mental health, age,
disability, the unemployment rate relative to the start year, and the support youth get
(multipliers registered by services, e.g. NAV follow-up or IPS). Job loss depends on education,
mental health and unemployment, and on support after a job starts. It has no queue.
"""

from __future__ import annotations

import numpy as np

from sim.population import Activity, Mh, NavStatus
from sim.services import register
from sim.services.base import Service


@register
class LabourMarket(Service):
    """Regional labour market (no capacity, no queue)."""

    name = "labour_market"
    phase = "labour"
    is_helper = False

    def unemployment(self) -> float:
        """Unemployment rate this year: the start level plus the scenario's yearly trend."""
        m = self.model
        years = max(0, m.year - m.start_year) if m.started else 0
        rate = m.params["unemployment_rate"] + m.params["unemployment_change_yearly"] / 100 * years
        return max(rate, 0.001)

    def _relative(self) -> float:
        return self.unemployment() / self.model.params["unemployment_rate"]

    def step(self) -> None:
        """Job finding, then job loss (for youth employed before this month's finds)."""
        pop = self.model.pop
        live = pop.live()
        employed = live[pop.activity[live] == Activity.EMPLOYED]
        self._job_finding(live)
        self._job_loss(employed)

    def find_hazard(self, pids: np.ndarray) -> np.ndarray:
        """Monthly job-finding probability for the given youth."""
        m, pop, p = self.model, self.model.pop, self.model.params
        mh = pop.mh[pids]
        h = p["job_find_monthly"] * self._relative() ** p["job_find_unemployment_elasticity"]
        h = h * np.where(pop.completed[pids], p["job_find_rr_completed"], 1.0)
        h = h * np.select(
            [mh == Mh.MODERATE, mh == Mh.SEVERE],
            [p["job_find_rr_moderate"], p["job_find_rr_severe"]],
            1.0,
        )
        h = h * np.where(m.ages(pids) < 20, p["job_find_rr_under20"], 1.0)
        h = h * np.where(
            pop.nav_status[pids] == NavStatus.DISABILITY, p["job_find_rr_disability"], 1.0
        )
        h = h * np.where(pop.activity[pids] == Activity.PROGRAMME, p["programme_job_rr"], 1.0)
        long_spell = pop.months_in_activity[pids] >= 12
        h = h * np.where(
            long_spell & (pop.activity[pids] == Activity.NEET), p["job_find_rr_long_spell"], 1.0
        )
        return np.minimum(m.modified("job_find", pids, h), 1.0)

    def loss_hazard(self, pids: np.ndarray) -> np.ndarray:
        """Monthly job-loss probability for the given employed youth."""
        m, pop, p = self.model, self.model.pop, self.model.params
        mh = pop.mh[pids]
        h = p["job_loss_monthly"] * self._relative()
        h = h * np.where(pop.completed[pids], 1.0, p["job_loss_rr_no_completion"])
        h = h * np.select(
            [mh == Mh.MODERATE, mh == Mh.SEVERE],
            [p["job_loss_rr_moderate"], p["job_loss_rr_severe"]],
            1.0,
        )
        return np.minimum(m.modified("job_loss", pids, h), 1.0)

    def _job_finding(self, live: np.ndarray) -> None:
        m, pop = self.model, self.model.pop
        act = pop.activity[live]
        cand = live[((act == Activity.NEET) & (m.ages(live) >= 16)) | (act == Activity.PROGRAMME)]
        found = m.streams.bernoulli("labour:job_find", cand, self.find_hazard(cand))
        pop.activity[cand[found]] = Activity.EMPLOYED
        m.collector.count_flow("job_starts", cand[found])

    def _job_loss(self, employed: np.ndarray) -> None:
        m, pop = self.model, self.model.pop
        lost = m.streams.bernoulli("labour:job_loss", employed, self.loss_hazard(employed))
        pop.activity[employed[lost]] = Activity.NEET
