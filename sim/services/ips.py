"""IPS team (Individual Placement and Support): employment specialists with a caseload cap.

Dose: ``ips.fte`` employment specialists county-wide, in one pooled team with one waiting
list (today's two IPS Ung sites are modelled as one small pool), each with at most
``ips.caseload`` active clients (fidelity standard: 20). Capacity = FTE x caseload, scaled;
with ``ips.ramp_years`` > 0 it grows linearly from the baseline's FTE after the start.

Eligibility (zero exclusion): aged 16-29, NEET or in a NAV programme (at risk), with moderate
or severe mental-health problems or on AAP. Entry by referral through the referral seam: NAV
(``nav->ips``), a treatment team whose specialist is integrated (``bup->ips``, ``dps->ips``,
at ``ips.health_referral_monthly`` x ``ips.integrated``) and the coordinator
(``coordinator->ips``); a waiting list when full, longest-waiting first.

Mechanism while supported (all effects x the fidelity share, (IPS-25 score - 25) / 75, at
most 1):
- rapid job search: an employer contact in the first month, with an extra job-finding
  multiplier ``ips.rapid_search_rr`` that month;
- job finding x ``ips.job_find_rr`` (calibrated so the emulated trial reproduces the target
  risk ratio, the trial line of ``sim/data/targets.csv``; see :mod:`sim.analysis.trial`);
- follow-along support after a job starts: job loss x ``ips.job_loss_rr``; the case closes
  after ``ips.followalong_months`` in work, on entering education, or when the client stops
  coming (``ips.dropout_monthly``);
- optional time limit ``ips.max_months``, after which the job-finding advantage fades
  linearly over ``ips.fade_months`` (0: it ends at once);
- an integrated specialist (share ``ips.integrated`` of clients, drawn per youth) sits in the
  treatment team: the client gets one shared plan (no ``plan_conflict`` penalty).
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
    hazard_modifiers = {"job_find": "job_find_modifier", "job_loss": "job_loss_modifier"}

    def __init__(self, model, name: str | None = None, dedicated: bool = False):
        super().__init__(model, name=name)
        self.dedicated = dedicated
        self.fte = 0.0
        self.limit = np.empty(0, dtype=np.int32)  # per active client: support months, 0 = none
        self.job_since = np.empty(0, dtype=np.int32)  # month the current job started, -1 none
        self.integrated = np.empty(0, dtype=bool)
        self.faded, self.faded_at = EMPTY, np.empty(0, dtype=np.int32)
        self.excluded = EMPTY  # youth this team may not take (the emulated trial's participants)

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
        """Track jobs, close cases, take referrals, admit from the waiting list."""
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
        shared_plan.set_members(m, self.name, self.active[self.integrated])

    def eligible(self, pids: np.ndarray) -> np.ndarray:
        """IPS target group: 16-29, NEET or in a programme, mental-health problems or AAP."""
        m, pop = self.model, self.model.pop
        act, ages = pop.activity[pids], m.ages(pids)
        need = (pop.mh[pids] >= Mh.MODERATE) | (pop.nav_status[pids] == NavStatus.AAP)
        ok = (act == Activity.NEET) | (act == Activity.PROGRAMME)
        ok &= need & pop.alive[pids] & (ages >= MIN_AGE) & (ages <= MAX_AGE)
        return ok & ~in_any(pids, pop.n, self.excluded) if len(self.excluded) else ok

    def receive(self, pids: np.ndarray) -> None:
        """Referred youth join the waiting list if eligible (zero exclusion otherwise)."""
        pids = np.asarray(pids, dtype=np.int64)
        taken = pids[self.eligible(pids)] if self.capacity else EMPTY
        self.refused += len(pids) - len(taken)
        super().receive(taken)

    def _track_jobs(self) -> None:
        m, pop = self.model, self.model.pop
        employed = pop.activity[self.active] == Activity.EMPLOYED
        new = employed & (self.job_since < 0)
        self.job_since = np.where(employed, np.where(new, m.month, self.job_since), -1)
        self.job_since = self.job_since.astype(np.int32)
        k = int(new.sum())
        m.collector.add_flow("ips_job_starts", f"service:{self.name}", k, k)

    def _close_cases(self) -> None:
        m, pop, p = self.model, self.model.pop, self.model.params
        months_in = m.month - self.active_since
        timed = (self.limit > 0) & (months_in >= self.limit)
        settled = (self.job_since >= 0) & (m.month - self.job_since >= p["ips.followalong_months"])
        act = pop.activity[self.active]
        school = (act == Activity.UPPER_SECONDARY) | (act == Activity.HIGHER_EDUCATION)
        stop = m.streams.bernoulli(f"{self.name}:disengage", self.active, p["ips.dropout_monthly"])
        other = settled | school | stop
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

    # -- clients --------------------------------------------------------------------------
    def start_service(self, pids: np.ndarray, limit: int | None = None) -> None:
        """Begin support: employer contact this month; time limit and integration per youth."""
        m, p = self.model, self.model.params
        pids = np.asarray(pids, dtype=np.int64)
        super().start_service(pids)
        cap = int(p["ips.max_months"]) if limit is None else int(limit)
        integrated = m.streams.at(f"{self.name}:integrated", pids) < p["ips.integrated"]
        self.limit = np.concatenate([self.limit, np.full(len(pids), cap, dtype=np.int32)])
        self.job_since = np.concatenate([self.job_since, np.full(len(pids), -1, np.int32)])
        self.integrated = np.concatenate([self.integrated, integrated])
        m.collector.add_flow("ips_employer_contacts", f"service:{self.name}", len(pids), len(pids))

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
        self.integrated = self.integrated[keep]

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
        """Job finding while supported (x rapid search in the first month), then fading."""
        if not len(self.active) and not len(self.faded):
            return 1.0
        m, p = self.model, self.model.params
        share = fidelity_share(p["ips.fidelity"])
        out = np.ones(len(pids))
        idx, hit = self._lookup(pids, self.active)
        first = self.active_since[idx[hit]] == m.month
        rapid = np.where(first, scaled_rr(p["ips.rapid_search_rr"], share), 1.0)
        gain = scaled_rr(p["ips.job_find_rr"], share) * rapid - 1.0
        out[hit] = 1.0 + gain  # no plan_conflict: IPS-25 already scores integration gaps
        idx, faded = self._lookup(pids, self.faded)
        faded &= ~hit
        left = 1.0 - (m.month - self.faded_at[idx[faded]]) / max(p["ips.fade_months"], 1.0)
        out[faded] = scaled_rr(p["ips.job_find_rr"], share * np.clip(left, 0.0, 1.0))
        return out

    def job_loss_modifier(self, pids: np.ndarray) -> np.ndarray | float:
        """Follow-along support lowers job loss for clients in work."""
        if not len(self.active):
            return 1.0
        share = fidelity_share(self.model.params["ips.fidelity"])
        hit = in_any(pids, self.model.pop.n, self.active)
        return np.where(hit, scaled_rr(self.model.params["ips.job_loss_rr"], share), 1.0)

    def indicators(self) -> dict[str, float]:
        """Base indicators, with the caseload per full-time employment specialist."""
        return per_fte(self, self.fte, super().indicators())
