"""NAV: the county-wide rules (registration, benefits) and one office per NAV area.

:class:`Nav` takes referrals addressed to ``nav`` and applies the benefit rules to every
client (vectorized; each decision read at the youth's pid, so grouping by office does not
matter). :class:`NavOffice` holds an area's capacity: caseworkers (follow-up intensity, which
raises job finding) and labour-market programme places (a waiting list) and qualification
programme places. :meth:`Nav.create` makes NAV and its offices; NAV owns this month's clients
by area and each area's follow-up intensity, and steps the offices in its own phase.
"""

from __future__ import annotations

import itertools

import numpy as np

from sim.core.pidsets import in_any
from sim.core.processes.demography import apportion
from sim.core.states import Activity, Mh, NavStatus
from sim.services import benefit_rules as rules
from sim.services.base import (
    Service,
    admit_each,
    end_hazard,
    receive_each,
    scaled_capacity,
)

FOLLOWED = (
    NavStatus.JOBSEEKER,
    NavStatus.AAP,
    NavStatus.QUALIFICATION,
    NavStatus.SOCIAL_ASSISTANCE,
)
FOLLOWED_MASK = np.isin(np.arange(len(NavStatus)), FOLLOWED)


class Nav(Service):
    """NAV's rules for registration and benefits (AAP, disability, social assistance).

    Attributes:
        offices: one :class:`NavOffice` per NAV area (made by :meth:`create`).
        clients_by_area: this month's followed clients of each area (sorted pids).
        intensity: each area's follow-up intensity this month (read by the job-finding
            modifier).
    """

    name = "nav"
    phase = "nav"
    hazard_modifiers = {"job_find": "job_find_modifier"}

    def __init__(self, model):
        super().__init__(model)
        areas = len(model.geo.area_names)
        self.offices: list[NavOffice] = []
        self.clients_by_area = [np.empty(0, dtype=np.int64)] * areas
        self.intensity = np.ones(areas)
        self.coordinated = np.zeros(areas, dtype=np.int64)  # clients with a coordinator, by area

    @classmethod
    def create(cls, model) -> list[Service]:
        """NAV and its area offices (NAV first, then the offices in area order)."""
        nav = cls(model)
        nav.offices = [NavOffice(model, a, nav) for a in range(len(model.geo.area_names))]
        return [nav, *nav.offices]

    def county_caseload(self) -> tuple[int, float]:
        """This month's followed clients and the caseworkers (FTE, scaled) of every office."""
        clients, workers = 0, 0.0
        for office in self.offices:
            clients += office.clients
            workers += office.caseworkers
        return clients, workers

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
        """Chance contact, deregistration, benefit decisions, helper marks; then the offices."""
        m, pop = self.model, self.model.pop
        sl = pop.rows
        # NAV's rules concern youth who are NEET or have a NAV status: work on that subset
        live = pop.live_where((pop.activity[sl] == Activity.NEET) | (pop.nav_status[sl] > 0))
        ages = m.ages(live)
        self._chance_contact(live, ages)
        self._leave_on_activity(live)
        self._deregister(live)
        self._aap(live, ages)
        self._disability(live)
        self._social_assistance(live, ages)
        followed = FOLLOWED_MASK[pop.nav_status[live]]
        self.set_helper(live[followed], True)
        self.set_helper(live[~followed], False)
        self.active = live[followed]
        self.active_since = np.full(len(self.active), m.month, dtype=np.int32)
        area = m.geo.area_of[pop.kommune[self.active]]
        order = np.argsort(area, kind="stable")
        bounds = np.searchsorted(area[order], np.arange(len(m.geo.area_names) + 1))
        self.clients_by_area = [self.active[order[a:b]] for a, b in itertools.pairwise(bounds)]
        self.coordinated = self._coordinated_by_area(area)
        step_offices(m, self.offices)  # then every office, with this month's clients

    def _coordinated_by_area(self, area: np.ndarray) -> np.ndarray:
        """This month's followed clients whose plan a coordinator holds, per area.

        ``area``: each client's area. Zeros when ``coord.nav_time_saved`` is 0 or no one is
        coordinated.
        """
        m = self.model
        count = len(m.geo.area_names)
        coordinator = m.module("coordinator")
        if m.params["coord.nav_time_saved"] <= 0 or coordinator is None:
            return np.zeros(count, dtype=np.int64)
        if not len(coordinator.active) or not len(self.active):
            return np.zeros(count, dtype=np.int64)
        held = in_any(self.active, m.pop.n, coordinator.active)
        return np.bincount(area[held], minlength=count)

    def job_find_modifier(self, pids: np.ndarray) -> np.ndarray:
        """Multiplier on job finding from NAV follow-up.

        Proportional to the office's follow-up intensity (caseworker capacity / caseload,
        at most 1), weakened by plan conflict; times ``nav.aap_job_find_rr`` for AAP
        recipients (work capacity at least halved and in treatment, folketrygdloven § 11-5).
        """
        m, pop = self.model, self.model.pop
        followed = FOLLOWED_MASK[pop.nav_status[pids]]
        clients = pids[followed]
        intensity = self.intensity[m.geo.area_of[pop.kommune[clients]]]
        gain = m.params["nav.followup_boost"] * intensity * m.conflict_factor(clients)
        out = np.ones(len(pids))
        out[followed] = 1.0 + gain
        out[pop.nav_status[pids] == NavStatus.AAP] *= m.params["nav.aap_job_find_rr"]
        return out

    def _chance_contact(self, live: np.ndarray, ages: np.ndarray) -> None:
        m, pop = self.model, self.model.pop
        unknown = live[
            (pop.activity[live] == Activity.NEET)
            & (pop.nav_status[live] == NavStatus.NONE)
            & (ages >= 16)
        ]
        p = m.params["nav.chance_contact_monthly"] * np.where(
            pop.immigrant[unknown], m.params["nav.chance_contact_rr_immigrant"], 1.0
        )
        no_need = ~pop.wants_work[unknown] & (pop.mh[unknown] == Mh.NONE)  # nothing to ask NAV for
        p = p * np.where(no_need, m.params["nav.chance_contact_rr_no_need"], 1.0)
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
        gone = m.streams.bernoulli("nav:deregister", js, m.params["nav.deregister_monthly"])
        pop.nav_status[js[gone]] = NavStatus.NONE

    def _aap(self, live: np.ndarray, ages: np.ndarray) -> None:
        """Send undetected problems to the GP; AAP grants, work, exits and the time limit."""
        m, pop = self.model, self.model.pop
        st = pop.nav_status[live]
        cand = live[
            ((st == NavStatus.JOBSEEKER) | (st == NavStatus.SOCIAL_ASSISTANCE))
            & (pop.mh[live] > Mh.NONE)
            & (ages >= 18)
        ]
        undetected = cand[~pop.detected[cand]]
        to_gp = m.streams.bernoulli(
            "nav:refer_gp", undetected, m.params["nav.gp_referral_monthly"]
        )
        m.referrals.send("nav", "gp", undetected[to_gp])
        rules.aap_grant(m, cand)
        rules.aap_work_and_exit(m, live[pop.nav_status[live] == NavStatus.AAP])
        rules.aap_time_limit(m, live[pop.nav_status[live] == NavStatus.AAP])

    def _disability(self, live: np.ndarray) -> None:
        """Disability awards from AAP; full-time work stops the payment."""
        rules.disability_from_aap(self.model, live)
        rules.disability_work(self.model, live)

    def _social_assistance(self, live: np.ndarray, ages: np.ndarray) -> None:
        rules.social_assistance(self.model, live, ages)


class NavOffice(Service):
    """One NAV office: caseworkers, programme places (queue) and qualification places.

    Args:
        model: the model.
        area: the index of its NAV area.
        nav: the county's :class:`Nav`, which steps every office in one call.
    """

    name = "nav_office"
    phase = None  # stepped by its owner: :class:`Nav` steps every office in its phase
    is_helper = False  # the NAV helper mark follows NAV status (set by :class:`Nav`)

    def __init__(self, model, area: int, nav: Nav):
        super().__init__(model, name=f"nav:{model.geo.area_names[area]}")
        self.area = area
        self.nav = nav
        self.intensity = 1.0
        self.clients = 0
        self.caseworkers = 0.0

    def configure(self) -> None:
        """Capacity from the area's share of the county's youth."""
        m, p = self.model, self.model.params
        share = m.geo.area_pop()[self.area] / m.geo.pop_15_29.sum()
        self.capacity = self._places(p["nav.programme_places"])
        self.caseworkers = p["nav.caseworkers"] * share * m.scale
        self.kvp_places = self._places(p["nav.qualification_places"])

    def _places(self, county_total: float) -> int:
        """This office's part of the county's places, scaled.

        The scaled county total (never zero where positive) is split by youth population,
        largest remainder, so small scales do not inflate the county's places.
        """
        m = self.model
        total = scaled_capacity(county_total, m.scale)
        return int(apportion(total, m.geo.area_pop().astype(float))[self.area])

    def reported(self) -> bool:
        """Always: the caseload per caseworker is reported even without programme places."""
        return True

    def _follow_up_intensity(self) -> None:
        """Caseworker capacity over this month's clients' workload (at most 1).

        A client whose plan a coordinator holds takes ``coord.nav_time_saved`` less of a
        caseworker's time (the coordinator holds the meetings between services: fewer
        duplicated contacts), so the office's other clients are followed more closely. NAV
        counts those clients once a month for every office (``Nav.coordinated``).
        """
        p = self.model.params
        self.clients = len(self.nav.clients_by_area[self.area])
        load = float(self.clients)
        held = int(self.nav.coordinated[self.area])
        if held:
            load -= p["coord.nav_time_saved"] * held
        cap = self.caseworkers * p["nav.caseload"]
        self.intensity = min(1.0, cap / load) if load > 0 else 1.0
        self.nav.intensity[self.area] = self.intensity

    def indicators(self) -> dict[str, float]:
        """Add caseload per caseworker to the base indicators."""
        out = super().indicators()
        out["caseload_per_worker"] = self.clients / self.caseworkers if self.caseworkers else 0
        return out


def _seeking(pop, pids: np.ndarray) -> np.ndarray:
    """Whether youth can be referred to a programme: NEET job seekers or AAP recipients."""
    st = pop.nav_status[pids]
    return (pop.activity[pids] == Activity.NEET) & (
        (st == NavStatus.JOBSEEKER) | (st == NavStatus.AAP)
    )


def _by_office(owner: np.ndarray, count: int) -> list[slice]:
    """Slices of an array grouped by office (``owner``: ascending office index per element)."""
    bounds = np.searchsorted(owner, np.arange(count + 1))
    return [slice(a, b) for a, b in itertools.pairwise(bounds.tolist())]


def step_offices(m, offices: list[NavOffice]) -> None:
    """One month of the given NAV offices, vectorised over offices.

    Every office acts on its own area's youth only and each decision is read at the youth's
    pid (per-office admission draws keep their office's key), so stepping all offices in one
    call gives exactly what stepping them one by one gives.
    """
    if not offices:
        return
    for office in offices:
        office._follow_up_intensity()
    mine = [office.nav.clients_by_area[office.area] for office in offices]
    owner = np.repeat(np.arange(len(offices)), [len(c) for c in mine])
    mine = np.concatenate(mine)
    _end_programmes(m, offices)
    _refer_to_programmes(m, offices, mine, owner)
    _fill_places(m, offices)
    _qualification(m, offices, mine, owner)


def _end_programmes(m, offices: list[NavOffice]) -> None:
    """Programme places end at random, or when the youth is no longer in the programme."""
    pop = m.pop
    active = np.concatenate([office.active for office in offices])
    in_programme = pop.activity[active] == Activity.PROGRAMME
    p = end_hazard(m.params["nav.programme_months"])
    ended = m.streams.bernoulli("nav:programme_end", active, p)
    pop.activity[active[ended & in_programme]] = Activity.NEET
    done = ended | ~in_programme
    bounds = np.cumsum([0, *(len(office.active) for office in offices)]).tolist()
    for office, a, b in zip(offices, bounds, bounds[1:], strict=False):
        office.release(done[a:b])


def _refer_to_programmes(m, offices: list[NavOffice], mine: np.ndarray, owner: np.ndarray) -> None:
    """Caseworkers refer clients seeking work to their office's programme waiting list."""
    pop = m.pop
    seeking = _seeking(pop, mine)
    cand, owner = mine[seeking], owner[seeking]
    p = m.params["nav.programme_referral_monthly"]
    go = m.streams.bernoulli("nav:programme_referral", cand, p)
    cand, owner = cand[go], owner[go]  # sorted and unique within each office, like ``mine``
    receive_each(offices, cand, owner)


def _fill_places(m, offices: list[NavOffice]) -> None:
    """Drop queued youth no longer seeking a programme; admit to free places."""
    pop = m.pop
    seeking = _seeking(pop, np.concatenate([office.queue for office in offices]))
    owner = np.repeat(np.arange(len(offices)), [len(office.queue) for office in offices])
    for office, part in zip(offices, _by_office(owner, len(offices)), strict=True):
        office.leave_queue(seeking[part])
    free = [office.capacity - len(office.active) for office in offices]
    pop.activity[np.concatenate(admit_each(offices, free))] = Activity.PROGRAMME


def _qualification(m, offices: list[NavOffice], mine: np.ndarray, owner: np.ndarray) -> None:
    """Qualification programmes end (time or a job); free places go to social assistance."""
    pop, p = m.pop, m.params
    in_kvp = pop.nav_status[mine] == NavStatus.QUALIFICATION
    kvp = mine[in_kvp]
    done = (pop.nav_months[kvp] >= p["nav.qualification_months"]) | (
        pop.activity[kvp] == Activity.EMPLOYED
    )
    pop.nav_status[kvp[done]] = NavStatus.JOBSEEKER
    pop.nav_months[kvp[done]] = 0
    pop.activity[kvp[done & (pop.activity[kvp] == Activity.PROGRAMME)]] = Activity.NEET
    staying = np.bincount(owner[in_kvp][~done], minlength=len(offices))
    waiting = (pop.nav_status[mine] == NavStatus.SOCIAL_ASSISTANCE) & (
        pop.activity[mine] == Activity.NEET
    )
    sa, owner = mine[waiting], owner[waiting]
    free = np.array([office.kvp_places for office in offices]) - staying
    _start_qualification(m, offices, sa, owner, free)


def _start_qualification(
    m, offices: list[NavOffice], sa: np.ndarray, owner: np.ndarray, free: np.ndarray
) -> None:
    """Each office takes social-assistance clients into its free qualification places.

    ``sa``: the waiting clients, grouped by office (``owner`` ascending, pids ascending within
    an office). Each office orders its own in a random order (its draw ``admit:kvp:<office>``,
    ties in pid order) and takes the first ``free``; all offices are drawn in one call.
    """
    pop = m.pop
    sizes = np.bincount(owner, minlength=len(offices))
    taking = (free > 0) & (sizes > 0)
    sa, owner = sa[taking[owner]], owner[taking[owner]]
    if not len(sa):
        return
    names = [f"admit:kvp:{office.name}" for office in offices]
    draw = m.streams.at_each([names[i] for i in np.flatnonzero(taking)], sa, sizes[taking])
    order = np.lexsort((draw, owner))  # by office, then by draw (stable: ties in pid order)
    first = np.searchsorted(owner, np.arange(len(offices)))
    chosen = order[np.arange(len(order)) - first[owner[order]] < free[owner[order]]]
    new = sa[chosen]
    pop.nav_status[new], pop.nav_months[new] = NavStatus.QUALIFICATION, 0
    pop.activity[new] = Activity.PROGRAMME
