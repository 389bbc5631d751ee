"""IPS team (Individual Placement and Support): employment specialists with a caseload cap.

Dose: ``ips.fte`` employment specialists county-wide, in one pooled team with one waiting
list (today's two IPS Ung sites are modelled as one small pool), each with at most
``ips.caseload`` active clients (fidelity item 1: 20). Capacity = FTE x caseload, scaled;
with ``ips.ramp_years`` > 0 it grows linearly from the baseline's FTE after the start.

Each principle of the IPS fidelity scale (IPS-25; Becker, Swanson, Bond et al. 2019) that
changes what happens to a client is a mechanism here, with its own parameter and dose metric:

- **Zero exclusion and client choice** (items 7, 12): everyone aged 16-29, NEET or in a NAV
  programme, with moderate or severe mental-health problems or on AAP, *who wants ordinary
  work* (``wants_work``, drawn at entry and seen by services) is eligible; no one else is
  referred. Entry by referral through the referral seam: NAV (``nav->ips``), a treatment team
  whose specialist is integrated (``bup->ips``, ``dps->ips``, at
  ``ips.health_referral_monthly`` x ``ips.integrated``) and the coordinator
  (``coordinator->ips``); a waiting list when full, longest-waiting first.
- **Job development with employers** (items 15-16): the team makes
  ``ips.employer_contacts_weekly`` employer contacts per full-time specialist per week on
  behalf of the clients looking for work. Job finding of a job-seeking client is x
  ``ips.job_find_rr`` when the contacts per seeker reach the fidelity standard (6 a week per
  specialist with a full caseload of 20 seekers), proportionally less below it (dose metric
  ``ips_employer_contacts``). Openings are shared with other job seekers when the labour
  market's demand constraint binds (:mod:`sim.services.labour_market`).
- **Rapid job search** (item 13): contact with employers within the first
  ``ips.rapid_search_months`` months of support, an extra job-finding multiplier
  ``ips.rapid_search_rr`` in those months (x the same contact share).
- **Work-incentives (benefits) counselling** (item 8): clients on AAP are counselled on how
  graded AAP (``nav.aap_work_share``, ``nav.aap_fulltime_share``) meets earnings, at
  admission and at each job start; it closes a share ``ips.benefits_counselling_effect`` of
  the gap between their job finding and that of other NAV clients
  (``nav.aap_job_find_rr``, the benefit and selection gap). Dose: ``ips_benefits_counselling``.
- **Time-unlimited follow-along** (item 20): after a job starts, job loss x
  ``ips.job_loss_rr``; support continues as long as the client wants it: in work a client
  ends follow-along at ``ips.followalong_end_monthly`` (steady work, their choice).
  ``ips.followalong_months`` > 0 is the option of a time limit in work (0: none, the
  model). Dose: ``ips_followalong_months`` (client-months in work with support).
- **Supported education** (IPS for young people, IPS Ung): the case stays open when the
  client starts upper-secondary school or higher education, and support lowers the monthly
  dropout hazard x ``ips.education_dropout_rr``. Dose: ``ips_education_supported``
  (client-months in education with support).
- **Integration with treatment** (items 2-3): a share ``ips.integrated`` of clients have a
  specialist who sits in their treatment team (drawn per youth). Only a client who is
  actually in BUP or DPS treatment gets the one shared plan with that team (see
  :mod:`sim.services.shared_plan`), and only integrated specialists' teams refer.
  The specialist keeps no plan of their own besides NAV's activity plan or the treatment
  plan (``holds_plan`` False), so an IPS client is never counted as one more helper in
  ``plan_conflict``; and the fidelity score ``ips.fidelity`` is the score *without* the
  integration items, which act through these mechanisms instead (never counted twice).

All job-finding and job-loss effects are x the fidelity share, (IPS-25 score - 25) / 75, at
most 1. Other case endings: the client stops coming (``ips.dropout_monthly``); an optional
time limit ``ips.max_months`` after which the job-finding advantage fades linearly over
``ips.fade_months`` (0: it ends at once; the emulated trial's ``ips_6m`` arm uses it).
"""

from __future__ import annotations

import numpy as np

from sim.core.pidsets import in_any, new_to, positions
from sim.core.states import Activity, Mh, NavStatus
from sim.services import shared_plan
from sim.services.base import EMPTY, Service, scaled_capacity
from sim.services.caseload import over_capacity, per_fte

MIN_AGE, MAX_AGE = 16, 29
CLINICS = ("bup", "dps")
WEEKS_PER_MONTH = 52 / 12
# IPS-25 item 15 (job development, frequent employer contact): at least 6 face-to-face
# employer contacts per specialist per week; item 1: at most 20 clients per specialist. The
# standard number of contacts per job seeker is their ratio (a full caseload, all seeking).
STANDARD_CONTACTS_WEEKLY, STANDARD_CASELOAD = 6.0, 20.0
IN_EDUCATION = (Activity.UPPER_SECONDARY, Activity.HIGHER_EDUCATION)
SEEKING = (Activity.NEET, Activity.PROGRAMME)


def fidelity_share(score: float) -> float:
    """Share of the full IPS effect at an IPS-25 score: (score - 25) / 75, at most 1."""
    return float(np.clip((score - 25.0) / 75.0, 0.0, 1.0))


def scaled_rr(rr: float | np.ndarray, share: float | np.ndarray) -> np.ndarray:
    """A multiplier with only ``share`` of its effect: 1 + (rr - 1) x share."""
    return 1.0 + (np.asarray(rr, dtype=float) - 1.0) * share


class IpsTeam(Service):
    """Employment specialists (IPS) with a caseload cap, a waiting list and follow-along.

    Args:
        model: the model.
        name: service name (``ips``; the emulated trial's dedicated places use ``ips_trial``).
        dedicated: trial places: capacity set by the trial, no referrals and no queue.
    """

    name = "ips"
    phase = "interventions"
    holds_plan = False  # works to NAV's activity plan or the treatment team's plan
    hazard_modifiers = {
        "job_find": "job_find_modifier",
        "job_loss": "job_loss_modifier",
        "edu_dropout": "edu_dropout_modifier",
    }

    def __init__(self, model, name: str | None = None, dedicated: bool = False):
        super().__init__(model, name=name)
        self.dedicated = dedicated
        self.fte = 0.0
        self.limit = np.empty(0, dtype=np.int32)  # per active client: support months, 0 = none
        self.job_since = np.empty(0, dtype=np.int32)  # month the current job started, -1 none
        self.integrated = np.empty(0, dtype=bool)
        self.counselled = np.empty(0, dtype=bool)  # per active client: had a counselling session
        self.faded, self.faded_at = EMPTY, np.empty(0, dtype=np.int32)
        self.excluded = EMPTY  # youth this team may not take (the emulated trial's participants)
        self.contact_share = 1.0  # this month's employer contacts per seeker / the standard

    # -- capacity -----------------------------------------------------------------------
    def configure(self) -> None:
        """Capacity from ``ips.fte`` x ``ips.caseload`` (the trial sets its own)."""
        if not self.dedicated:
            self._set_capacity()

    def target_fte(self) -> float:
        """FTE in force this month (ramping up from the baseline's FTE when asked)."""
        m, p = self.model, self.model.params
        ramp = p["ips.ramp_years"]
        if not m.started or ramp <= 0:
            return p["ips.fte"]
        base = m.definition.warmup_params["ips.fte"]
        done = min(1.0, (m.month - m.start_index + 1) / (12 * ramp))
        return base + (p["ips.fte"] - base) * done

    def _set_capacity(self) -> None:
        self.fte = self.target_fte()
        full = self.fte * self.model.params["ips.caseload"]
        self.capacity = scaled_capacity(full, self.model.scale)

    # -- the month ------------------------------------------------------------------------
    def step(self) -> None:
        """Track jobs, close cases, take referrals, admit, make employer contacts."""
        m = self.model
        if not self.dedicated and m.started and m.params["ips.ramp_years"] > 0:
            self._set_capacity()
        if not (self.capacity or len(self.active) or len(self.queue)):
            return  # zero dose: no draws, no referrals, no state
        self._track_jobs()
        self._close_cases()
        if not self.dedicated:
            self._referrals()
            self.leave_queue(self.eligible(self.queue) & (self.capacity > 0))
            self.admit(self.capacity - len(self.active))
        self._employer_contacts()
        self._record_doses()
        shared_plan.set_members(m, self.name, self.with_treatment_team())

    def eligible(self, pids: np.ndarray) -> np.ndarray:
        """IPS target group: 16-29, NEET or in a programme, MH problems or AAP, wants work."""
        m, pop = self.model, self.model.pop
        act, ages = pop.activity[pids], m.ages(pids)
        need = (pop.mh[pids] >= Mh.MODERATE) | (pop.nav_status[pids] == NavStatus.AAP)
        ok = (act == Activity.NEET) | (act == Activity.PROGRAMME)
        ok &= need & pop.wants_work[pids] & pop.alive[pids]
        ok &= (ages >= MIN_AGE) & (ages <= MAX_AGE)
        return ok & ~in_any(pids, pop.n, self.excluded) if len(self.excluded) else ok

    def receive(self, pids: np.ndarray) -> None:
        """Referred youth join the waiting list if eligible (zero exclusion otherwise)."""
        pids = np.asarray(pids, dtype=np.int64)
        taken = pids[self.eligible(pids)] if self.capacity else EMPTY
        self.refused += len(pids) - len(taken)
        super().receive(taken)

    def with_treatment_team(self) -> np.ndarray:
        """Integrated clients who are in BUP or DPS treatment now (they share its plan)."""
        m = self.model
        teams = [c.active for name in CLINICS if (c := m.module(name)) is not None]
        if not teams or not self.integrated.any():
            return EMPTY
        treated = in_any(self.active, m.pop.n, *teams)
        return self.active[self.integrated & treated]

    def _track_jobs(self) -> None:
        m, pop = self.model, self.model.pop
        employed = pop.activity[self.active] == Activity.EMPLOYED
        new = employed & (self.job_since < 0)
        self.job_since = np.where(employed, np.where(new, m.month, self.job_since), -1)
        self.job_since = self.job_since.astype(np.int32)
        k = int(new.sum())
        m.collector.add_flow("ips_job_starts", f"service:{self.name}", k, k)
        on_aap = pop.nav_status[self.active] == NavStatus.AAP
        self._counsel((new | ~self.counselled) & on_aap)

    def _close_cases(self) -> None:
        m, p = self.model, self.model.params
        months_in = m.month - self.active_since
        timed = (self.limit > 0) & (months_in >= self.limit)
        in_work = self.job_since >= 0
        limit = p["ips.followalong_months"]
        settled = in_work & (m.month - self.job_since >= limit) if limit > 0 else False
        steady = m.streams.bernoulli(
            f"{self.name}:followalong_end", self.active, p["ips.followalong_end_monthly"]
        )
        stop = m.streams.bernoulli(f"{self.name}:disengage", self.active, p["ips.dropout_monthly"])
        other = settled | (steady & in_work) | stop
        self._start_fading(self.active[timed & ~other])
        self.release(timed | other | over_capacity(self.active, self.active_since, self.capacity))

    def _referrals(self) -> None:
        m, p = self.model, self.model.params
        self._refer("nav", m.receiver("nav").active, "nav", p["ips.nav_referral_monthly"])
        rate = p["ips.health_referral_monthly"] * p["ips.integrated"]
        if rate > 0:
            for name in CLINICS:
                clinic = m.module(name)
                if clinic is not None:
                    self._refer(name, clinic.active, name, rate)

    def _refer(self, sender: str, pool: np.ndarray, key: str, rate: float) -> None:
        m = self.model
        fresh = new_to(pool[self.eligible(pool)], m.pop.n, self.queue, self.active)
        go = m.streams.bernoulli(f"{self.name}:refer:{key}", fresh, rate)
        m.referrals.send(sender, self.name, fresh[go])

    # -- the principles' doses ------------------------------------------------------------
    def seekers(self) -> np.ndarray:
        """Mask over ``active``: clients looking for work (NEET or in a NAV programme)."""
        act = self.model.pop.activity[self.active]
        return (act == SEEKING[0]) | (act == SEEKING[1])

    def _employer_contacts(self) -> None:
        """This month's employer contacts and their share of the fidelity standard."""
        m, p = self.model, self.model.params
        seekers = int(self.seekers().sum())
        team_fte = self.capacity / max(p["ips.caseload"], 1e-9)  # at the model's scale
        made = team_fte * p["ips.employer_contacts_weekly"] * WEEKS_PER_MONTH if seekers else 0.0
        needed = seekers * STANDARD_CONTACTS_WEEKLY / STANDARD_CASELOAD * WEEKS_PER_MONTH
        self.contact_share = min(1.0, made / needed) if seekers else 1.0
        m.collector.add_flow("ips_employer_contacts", f"service:{self.name}", made, seekers)

    def _counsel(self, due: np.ndarray) -> None:
        """Work-incentives counselling sessions (``due``: a mask over ``active``).

        Clients on AAP at admission, when they come onto AAP while supported, and at each job
        start.
        """
        k = int(due.sum())
        if self.model.params["ips.benefits_counselling_effect"] > 0 and k:
            self.counselled |= due
            group = f"service:{self.name}"
            self.model.collector.add_flow("ips_benefits_counselling", group, k, k)

    def _record_doses(self) -> None:
        """Client-months of follow-along in work and of supported education."""
        m, pop = self.model, self.model.pop
        act = pop.activity[self.active]
        group = f"service:{self.name}"
        k = int((act == Activity.EMPLOYED).sum())
        m.collector.add_flow("ips_followalong_months", group, k, k)
        k = int(((act == IN_EDUCATION[0]) | (act == IN_EDUCATION[1])).sum())
        m.collector.add_flow("ips_education_supported", group, k, k)

    # -- clients --------------------------------------------------------------------------
    def start_service(self, pids: np.ndarray, limit: int | None = None) -> None:
        """Begin support: time limit and integration per youth; counselling on AAP."""
        m, p = self.model, self.model.params
        pids = np.asarray(pids, dtype=np.int64)
        super().start_service(pids)
        cap = int(p["ips.max_months"]) if limit is None else int(limit)
        integrated = m.streams.at(f"{self.name}:integrated", pids) < p["ips.integrated"]
        self.limit = np.concatenate([self.limit, np.full(len(pids), cap, dtype=np.int32)])
        self.job_since = np.concatenate([self.job_since, np.full(len(pids), -1, np.int32)])
        self.integrated = np.concatenate([self.integrated, integrated])
        self.counselled = np.concatenate([self.counselled, np.zeros(len(pids), dtype=bool)])
        due = np.zeros(len(self.active), dtype=bool)
        due[len(self.active) - len(pids) :] = m.pop.nav_status[pids] == NavStatus.AAP
        self._counsel(due)

    def release(self, done: np.ndarray) -> None:
        """End support where ``done`` is True (over ``self.active``)."""
        super().release(done)
        self._keep(~done)

    def drop_departed(self) -> None:
        """Forget youth who left the population."""
        alive = self.model.pop.alive
        self._keep(alive[self.active])
        super().drop_departed()
        self.faded_at, self.faded = self.faded_at[alive[self.faded]], self.faded[alive[self.faded]]

    def _keep(self, keep: np.ndarray) -> None:
        self.limit, self.job_since = self.limit[keep], self.job_since[keep]
        self.integrated, self.counselled = self.integrated[keep], self.counselled[keep]

    def _start_fading(self, pids: np.ndarray) -> None:
        m = self.model
        months = m.params["ips.fade_months"]
        if months <= 0 or not len(pids):
            return
        keep = (m.month - self.faded_at < months) & ~np.isin(self.faded, pids)
        self.faded = np.concatenate([self.faded[keep], pids])
        now = np.full(len(pids), m.month, dtype=np.int32)
        self.faded_at = np.concatenate([self.faded_at[keep], now])

    # -- hazard modifiers -----------------------------------------------------------------
    def _lookup(self, pids: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index into ``members``, hit mask) for each pid (``active`` or ``faded``)."""
        return positions(pids, members, self.model.pop.n)

    def job_find_modifier(self, pids: np.ndarray) -> np.ndarray | float:
        """Job finding while supported (job development, rapid search, counselling), fading."""
        if not len(self.active) and not len(self.faded):
            return 1.0
        m, p = self.model, self.model.params
        share = fidelity_share(p["ips.fidelity"]) * self.contact_share
        out = np.ones(len(pids))
        idx, hit = self._lookup(pids, self.active)
        early = m.month - self.active_since[idx[hit]] < p["ips.rapid_search_months"]
        rapid = np.where(early, scaled_rr(p["ips.rapid_search_rr"], share), 1.0)
        counselled = self.counselled[idx[hit]]
        out[hit] = (
            scaled_rr(p["ips.job_find_rr"], share)
            * rapid
            * self._counselled(pids[hit], counselled)
        )
        idx, faded = self._lookup(pids, self.faded)
        faded &= ~hit
        left = 1.0 - (m.month - self.faded_at[idx[faded]]) / max(p["ips.fade_months"], 1.0)
        out[faded] = scaled_rr(p["ips.job_find_rr"], share * np.clip(left, 0.0, 1.0))
        return out

    def _counselled(self, pids: np.ndarray, counselled: np.ndarray) -> np.ndarray | float:
        """Multiplier of counselled clients on AAP: x (rr + c(1 - rr)) / rr.

        Counselling closes a share c (the effect x the fidelity share) of the AAP job-finding
        gap ``nav.aap_job_find_rr``.
        """
        p = self.model.params
        c = p["ips.benefits_counselling_effect"] * fidelity_share(p["ips.fidelity"])
        rr = p["nav.aap_job_find_rr"]
        if c <= 0 or rr <= 0:
            return 1.0
        on_aap = counselled & (self.model.pop.nav_status[pids] == NavStatus.AAP)
        return np.where(on_aap, (rr + c * (1.0 - rr)) / rr, 1.0)

    def job_loss_modifier(self, pids: np.ndarray) -> np.ndarray | float:
        """Follow-along support lowers job loss for clients in work."""
        if not len(self.active):
            return 1.0
        share = fidelity_share(self.model.params["ips.fidelity"])
        hit = in_any(pids, self.model.pop.n, self.active)
        return np.where(hit, scaled_rr(self.model.params["ips.job_loss_rr"], share), 1.0)

    def edu_dropout_modifier(self, pids: np.ndarray) -> np.ndarray | float:
        """Supported education: dropout x ``ips.education_dropout_rr`` for clients in school."""
        rr = self.model.params["ips.education_dropout_rr"]
        if not len(self.active) or rr == 1.0:
            return 1.0
        hit = in_any(pids, self.model.pop.n, self.active)
        return np.where(hit, rr, 1.0)

    def indicators(self) -> dict[str, float]:
        """Base indicators, with the caseload per full-time employment specialist."""
        return per_fte(self, self.fte, super().indicators())
