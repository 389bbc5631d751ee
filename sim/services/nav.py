"""NAV: the county-wide rules (registration, benefits) and one office per NAV area.

:class:`Nav` takes referrals addressed to ``nav`` and applies the benefit rules to every
client (vectorized; each decision read at the youth's pid, so grouping by office does not
matter). :class:`NavOffice` holds an area's capacity: caseworkers (follow-up intensity, which
raises job finding) and labour-market programme places (a waiting list) and qualification
programme places.
"""

from __future__ import annotations

import itertools

import numpy as np

from sim.demography import apportion
from sim.population import Activity, Mh, NavStatus
from sim.services import register
from sim.services.base import Service, scaled_capacity

FOLLOWED = (
    NavStatus.JOBSEEKER,
    NavStatus.AAP,
    NavStatus.QUALIFICATION,
    NavStatus.SOCIAL_ASSISTANCE,
)
FOLLOWED_MASK = np.isin(np.arange(len(NavStatus)), FOLLOWED)


@register
class Nav(Service):
    """NAV's rules for registration and benefits (AAP, disability, social assistance)."""

    name = "nav"
    phase = "nav"

    def receive(self, pids: np.ndarray) -> None:
        """Referred youth who are NEET register as job seekers."""
        self.received += len(pids)
        self._register(pids)

    def _register(self, pids: np.ndarray) -> None:
        pop = self.model.pop
        self.refused += int(
            (
                (pop.nav_status[pids] != NavStatus.NONE) | (pop.activity[pids] != Activity.NEET)
            ).sum()
        )
        new = pids[
            (pop.nav_status[pids] == NavStatus.NONE) & (pop.activity[pids] == Activity.NEET)
        ]
        pop.nav_status[new] = NavStatus.JOBSEEKER
        pop.nav_months[new] = 0

    def step(self) -> None:
        """Chance contact, deregistration, benefit decisions, helper marks."""
        m, pop = self.model, self.model.pop
        live = pop.live()
        # NAV's rules concern youth who are NEET or have a NAV status: work on that subset
        live = live[(pop.activity[live] == Activity.NEET) | (pop.nav_status[live] > 0)]
        self._chance_contact(live)
        self._leave_on_activity(live)
        self._deregister(live)
        self._aap(live)
        self._disability(live)
        self._social_assistance(live)
        followed = FOLLOWED_MASK[pop.nav_status[live]]
        self.set_helper(live[followed], True)
        self.set_helper(live[~followed], False)
        self.active = live[followed]
        self.active_since = np.full(len(self.active), m.month, dtype=np.int32)
        area = m.geo.area_of[pop.kommune[self.active]]
        order = np.argsort(area, kind="stable")
        bounds = np.searchsorted(area[order], np.arange(len(m.geo.area_names) + 1))
        m.nav_clients_by_area = [self.active[order[a:b]] for a, b in itertools.pairwise(bounds)]

    def job_find_modifier(self, pids: np.ndarray) -> np.ndarray:
        """Multiplier on job finding from NAV follow-up.

        Proportional to the office's follow-up intensity (caseworker capacity / caseload,
        at most 1), weakened by plan conflict.
        """
        m, pop = self.model, self.model.pop
        followed = FOLLOWED_MASK[pop.nav_status[pids]]
        intensity = m.nav_intensity[m.geo.area_of[pop.kommune[pids]]]
        gain = m.params["nav_followup_boost"] * intensity * m.conflict_factor(pids)
        return np.where(followed, 1.0 + gain, 1.0)

    def _chance_contact(self, live: np.ndarray) -> None:
        m, pop = self.model, self.model.pop
        unknown = live[
            (pop.activity[live] == Activity.NEET)
            & (pop.nav_status[live] == NavStatus.NONE)
            & (m.ages(live) >= 16)
        ]
        p = m.params["nav_chance_contact_monthly"]
        self._register(unknown[m.streams.bernoulli("nav:chance_contact", unknown, p)])

    def _leave_on_activity(self, live: np.ndarray) -> None:
        """Job seekers and social-assistance clients in work or education leave NAV."""
        pop = self.model.pop
        st, act = pop.nav_status[live], pop.activity[live]
        busy = (act != Activity.NEET) & (act != Activity.PROGRAMME)
        drop = busy & ((st == NavStatus.JOBSEEKER) | (st == NavStatus.SOCIAL_ASSISTANCE))
        pop.nav_status[live[drop]] = NavStatus.NONE

    def _deregister(self, live: np.ndarray) -> None:
        m, pop = self.model, self.model.pop
        js = live[
            (pop.nav_status[live] == NavStatus.JOBSEEKER) & (pop.activity[live] == Activity.NEET)
        ]
        gone = m.streams.bernoulli("nav:deregister", js, m.params["nav_deregister_monthly"])
        pop.nav_status[js[gone]] = NavStatus.NONE

    def _aap(self, live: np.ndarray) -> None:
        m, pop = self.model, self.model.pop
        st = pop.nav_status[live]
        cand = live[
            ((st == NavStatus.JOBSEEKER) | (st == NavStatus.SOCIAL_ASSISTANCE))
            & (pop.mh[live] > Mh.NONE)
            & (m.ages(live) >= 18)
        ]
        undetected = cand[~pop.detected[cand]]
        to_gp = m.streams.bernoulli(
            "nav:refer_gp", undetected, m.params["nav_gp_referral_monthly"]
        )
        m.referrals.send("nav", "gp", undetected[to_gp])
        cand = cand[pop.detected[cand] & (pop.activity[cand] == Activity.NEET)]
        rr = np.where(pop.mh[cand] == Mh.SEVERE, m.params["aap_grant_rr_severe"], 1.0)
        grant = m.streams.bernoulli("nav:aap_grant", cand, m.params["aap_grant_monthly"] * rr)
        self._set_status(cand[grant], NavStatus.AAP)
        aap = live[pop.nav_status[live] == NavStatus.AAP]
        well = (pop.mh[aap] == Mh.NONE) | (pop.activity[aap] == Activity.EMPLOYED)
        leave = m.streams.bernoulli("nav:aap_exit", aap, m.params["aap_exit_monthly"]) & well
        neet = pop.activity[aap[leave]] == Activity.NEET
        self._set_status(aap[leave], np.where(neet, NavStatus.JOBSEEKER, NavStatus.NONE))

    def _disability(self, live: np.ndarray) -> None:
        m, pop = self.model, self.model.pop
        aap = live[
            (pop.nav_status[live] == NavStatus.AAP)
            & (pop.nav_months[live] >= m.params["disability_min_aap_months"])
        ]
        rr = np.select(
            [pop.mh[aap] == Mh.SEVERE, pop.mh[aap] == Mh.MODERATE],
            [1.0, m.params["disability_rr_moderate"]],
            0.0,
        )
        p = m.params["disability_from_aap_monthly"] * rr
        self._set_status(aap[m.streams.bernoulli("nav:disability", aap, p)], NavStatus.DISABILITY)

    def _social_assistance(self, live: np.ndarray) -> None:
        m, pop = self.model, self.model.pop
        js = live[
            (pop.nav_status[live] == NavStatus.JOBSEEKER)
            & (pop.activity[live] == Activity.NEET)
            & (m.ages(live) >= 18)
        ]
        enter = m.streams.bernoulli("nav:sa_enter", js, m.params["social_assistance_monthly"])
        self._set_status(js[enter], NavStatus.SOCIAL_ASSISTANCE)
        sa = live[pop.nav_status[live] == NavStatus.SOCIAL_ASSISTANCE]
        out = m.streams.bernoulli("nav:sa_exit", sa, m.params["social_assistance_exit_monthly"])
        self._set_status(sa[out], NavStatus.JOBSEEKER)

    def _set_status(self, pids: np.ndarray, status) -> None:
        pop = self.model.pop
        pop.nav_status[pids] = status
        pop.nav_months[pids] = 0


@register
class NavOffice(Service):
    """One NAV office: caseworkers, programme places (queue) and qualification places."""

    name = "nav_office"
    phase = "nav"
    is_helper = False  # the NAV helper mark follows NAV status (set by :class:`Nav`)

    def __init__(self, model, area: int):
        super().__init__(model, name=f"nav:{model.geo.area_names[area]}")
        self.area = area
        self.intensity = 1.0
        self.clients = 0

    def configure(self) -> None:
        """Capacity from the area's share of the county's youth."""
        m, p = self.model, self.model.params
        share = m.geo.area_pop()[self.area] / m.geo.pop_15_29.sum()
        self.capacity = self._places(p["programme_places"])
        self.caseworkers = p["nav_caseworkers"] * share * m.scale
        self.kvp_places = self._places(p["qualification_places"])

    def _places(self, county_total: float) -> int:
        """This office's part of the county's places, scaled.

        The scaled county total (never zero where positive) is split by youth population,
        largest remainder, so small scales do not inflate the county's places.
        """
        m = self.model
        total = scaled_capacity(county_total, m.scale)
        return int(apportion(total, m.geo.area_pop().astype(float))[self.area])

    def step(self) -> None:
        """Follow-up intensity, programme places, qualification programme."""
        m = self.model
        mine = m.nav_clients_by_area[self.area]
        self.clients = len(mine)
        cap = self.caseworkers * m.params["nav_caseload"]
        self.intensity = min(1.0, cap / self.clients) if self.clients else 1.0
        m.nav_intensity[self.area] = self.intensity
        self._programmes(mine)
        self._qualification(mine)

    def _programmes(self, mine: np.ndarray) -> None:
        m, pop = self.model, self.model.pop
        ended = m.streams.bernoulli(
            "nav:programme_end", self.active, 1.0 / m.params["programme_months"]
        )
        ended |= pop.activity[self.active] != Activity.PROGRAMME
        back = self.active[ended & (pop.activity[self.active] == Activity.PROGRAMME)]
        pop.activity[back] = Activity.NEET
        self.release(ended)
        st = pop.nav_status[mine]
        cand = mine[
            (pop.activity[mine] == Activity.NEET)
            & ((st == NavStatus.JOBSEEKER) | (st == NavStatus.AAP))
        ]
        go = m.streams.bernoulli(
            "nav:programme_referral", cand, m.params["nav_programme_referral_monthly"]
        )
        self.receive(cand[go])
        st = pop.nav_status[self.queue]
        self.leave_queue(
            (pop.activity[self.queue] == Activity.NEET)
            & ((st == NavStatus.JOBSEEKER) | (st == NavStatus.AAP))
        )
        pop.activity[self.admit(self.capacity - len(self.active))] = Activity.PROGRAMME

    def _qualification(self, mine: np.ndarray) -> None:
        m, pop = self.model, self.model.pop
        kvp = mine[pop.nav_status[mine] == NavStatus.QUALIFICATION]
        done = (pop.nav_months[kvp] >= m.params["qualification_months"]) | (
            pop.activity[kvp] == Activity.EMPLOYED
        )
        pop.nav_status[kvp[done]] = NavStatus.JOBSEEKER
        pop.nav_months[kvp[done]] = 0
        pop.activity[kvp[done & (pop.activity[kvp] == Activity.PROGRAMME)]] = Activity.NEET
        free = self.kvp_places - int((~done).sum())
        sa = mine[
            (pop.nav_status[mine] == NavStatus.SOCIAL_ASSISTANCE)
            & (pop.activity[mine] == Activity.NEET)
        ]
        if free > 0 and len(sa):
            order = np.argsort(m.streams.at(f"admit:kvp:{self.name}", sa), kind="stable")
            new = sa[order[:free]]
            pop.nav_status[new], pop.nav_months[new] = NavStatus.QUALIFICATION, 0
            pop.activity[new] = Activity.PROGRAMME

    def indicators(self) -> dict[str, float]:
        """Add caseload per caseworker to the base indicators."""
        out = super().indicators()
        out["caseload_per_worker"] = self.clients / self.caseworkers if self.caseworkers else 0
        return out
