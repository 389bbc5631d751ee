"""A clubhouse for young people with mental-health problems: a worked example of a plugin.

Modelled on Fontenehuset, the Norwegian member of Clubhouse International: a house run
together by members and staff, with a work-ordered day, transitional employment and support
back to work or school. It is an example of how to extend the model, NOT part of the model.

What it does, month by month (phase "interventions", after NAV and before the labour market):

1. Members leave when they are no longer NEET (work, school, a NAV programme), after
   ``clubhouse.months`` months, or when they stop coming (``clubhouse.dropout_monthly``).
2. Referrals: the GP (youth whose problem it has detected) and NAV (its clients) refer NEET
   youth aged 18-29 with moderate or severe mental-health problems, each with probability
   ``clubhouse.referral_monthly`` a month, through the model's referral seam (routes
   ``gp->clubhouse`` and ``nav->clubhouse``: a referral can be lost at handover, and a
   coordinator can carry it). Self-referral, common in real clubhouses, is not modelled.
3. Admission from the waiting list up to ``clubhouse.places`` (scaled), longest-waiting first.
4. While a member: job finding x ``clubhouse.job_find_rr`` and recovery x
   ``clubhouse.recovery_rr`` (each effect weakened by ``plan_conflict`` like every helper's);
   the clubhouse counts as a helper.

With ``clubhouse.places = 0`` (the default) it draws nothing, refers nobody and changes no
state, so every baseline table is reproduced exactly.

Use it from the command line (``--plugin`` comes before the subcommand)::

    sim --plugin examples/clubhouse/clubhouse.py compare scenarios/baseline.toml \\
        examples/clubhouse/clubhouse.toml --reps 3 --years 3 --scale 0.05

or from Python: ``sim.run.plugins.load("examples/clubhouse/clubhouse.py")``.
"""

from __future__ import annotations

import csv
import io

import numpy as np

import sim.core.params
import sim.services
from sim.core.states import Activity, Mh
from sim.services.base import EMPTY, Service, scaled_capacity
from sim.services.caseload import over_capacity

MIN_AGE, MAX_AGE = 18, 29
MODEL = "model: Fontenehuset / Clubhouse International, fontenehuset.no"
REVIEW = "McKay et al. 2018, Adm Policy Ment Health 45(1):28-47"

# Every parameter on one line: name, value, unit, domain (min, max: the values the service
# runs at, which a scenario may set), plausible range (lo, hi), prior, role, source. No
# published figure fits Trøndelag's youth, so each is an assumption with its range. The role
# says what a probabilistic run (``--draw-params``) does with it: ``uncertain`` values are
# drawn from their prior (triangular on the range, its mode at the value); a ``lever`` is a
# dose that scenarios set (the places, how actively GPs and NAV refer) and is never drawn
# (prior ``none``), so a drawn baseline still has no clubhouse.
HOUSE = f"assumption ({MODEL}; 0 = no clubhouse)"
WORK = f"assumption (members work more: {REVIEW})"
LIFE = f"assumption (quality of life: {REVIEW})"
MONTHS = "assumption (active membership modelled)"
L = ("none", "lever")  # (prior, role)
U = ("triangular", "uncertain")
PARAMETERS = [
    ("clubhouse.places", 0, "places", 0, 10**6, 0, 300, *L, HOUSE),
    ("clubhouse.referral_monthly", 0.02, "probability/month", 0, 1, 0.005, 0.1, *L, "assumption"),
    ("clubhouse.job_find_rr", 1.3, "ratio", 0, 10, 1, 2, *U, WORK),
    ("clubhouse.recovery_rr", 1.2, "ratio", 0, 10, 1, 1.5, *U, LIFE),
    ("clubhouse.months", 12, "months", 0, 60, 6, 24, *U, MONTHS),
    ("clubhouse.dropout_monthly", 0.04, "probability/month", 0, 1, 0.01, 0.1, *U, "assumption"),
]
COLUMNS = ["name", "value", "unit", "min", "max", "lo", "hi", "prior", "role", "source"]


def parameter_csv() -> str:
    """The parameter lines in the columns of ``sim/data/parameters.csv``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(PARAMETERS)
    return out.getvalue()


class Clubhouse(Service):
    """Low-threshold activity and work training for NEET youth with mental-health problems."""

    name = "clubhouse"
    phase = "interventions"
    hazard_modifiers = {"job_find": "job_find_modifier", "mh_recovery": "recovery_modifier"}

    def configure(self) -> None:
        """Capacity: ``clubhouse.places``, scaled with the population."""
        self.capacity = scaled_capacity(self.model.params["clubhouse.places"], self.model.scale)

    def eligible(self, pids: np.ndarray) -> np.ndarray:
        """NEET, aged 18-29, with moderate or severe mental-health problems."""
        m, pop = self.model, self.model.pop
        ages = m.ages(pids)
        ok = (pop.activity[pids] == Activity.NEET) & (pop.mh[pids] >= Mh.MODERATE)
        return ok & pop.alive[pids] & (ages >= MIN_AGE) & (ages <= MAX_AGE)

    def step(self) -> None:
        """Close memberships, take referrals, admit from the waiting list."""
        if not (self.capacity or len(self.active) or len(self.queue)):
            return  # no places: no draws, no referrals, no state change
        self._close()
        if self.capacity:
            self._refer("gp")
            self._refer("nav")
        self.leave_queue(self.eligible(self.queue) & (self.capacity > 0))
        self.admit(self.capacity - len(self.active))

    def _close(self) -> None:
        m, p = self.model, self.model.params
        not_neet = m.pop.activity[self.active] != Activity.NEET
        expired = m.month - self.active_since >= p["clubhouse.months"]
        rate = p["clubhouse.dropout_monthly"]
        stop = m.streams.bernoulli("clubhouse:dropout", self.active, rate)
        full = over_capacity(self.active, self.active_since, self.capacity)
        self.release(not_neet | expired | stop | full)

    def _refer(self, sender: str) -> None:
        """The sender refers some of its eligible clients who are not yet here."""
        m = self.model
        pool = m.receiver(sender).active
        pool = np.setdiff1d(pool[self.eligible(pool)], np.union1d(self.queue, self.active))
        rate = m.params["clubhouse.referral_monthly"]
        go = m.streams.bernoulli(f"clubhouse:refer:{sender}", pool, rate)
        m.referrals.send(sender, self.name, pool[go])

    def receive(self, pids: np.ndarray) -> None:
        """Referred youth join the waiting list if eligible."""
        pids = np.asarray(pids, dtype=np.int64)
        super().receive(pids[self.eligible(pids)] if self.capacity else EMPTY)

    # -- hazard modifiers -----------------------------------------------------------------
    def _effect(self, pids: np.ndarray, rr: float) -> np.ndarray | float:
        """``rr`` for members (weakened by plan conflict), 1 for everyone else."""
        if not len(self.active):
            return 1.0
        gain = (rr - 1.0) * self.model.conflict_factor(pids)
        return np.where(np.isin(pids, self.active), 1.0 + gain, 1.0)

    def job_find_modifier(self, pids: np.ndarray) -> np.ndarray | float:
        """Transitional employment and job support raise members' job finding."""
        return self._effect(pids, self.model.params["clubhouse.job_find_rr"])

    def recovery_modifier(self, pids: np.ndarray) -> np.ndarray | float:
        """A work-ordered day and a community raise members' recovery."""
        return self._effect(pids, self.model.params["clubhouse.recovery_rr"])


def register() -> None:
    """Register the parameters and the service (safe to call again)."""
    sim.core.params.register_parameters(parameter_csv())
    sim.services.register(Clubhouse)


register()
