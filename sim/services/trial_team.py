"""The emulated trial's agents: enrolment, dedicated IPS places and the outcome recorder.

Created only in runs of a :class:`sim.analysis.trial.TrialScenario` (``sim trial``). The trial
enrols as a real trial does (Reme et al. 2019; protocol Sveinsdottir et al. 2014):

- **Who**: what services can see, never the latent state (:func:`eligible`): aged 18-29 in
  the randomisation month, not in work or education (NEET or in a NAV programme), wanting
  ordinary work (``wants_work``), and, for ``nav_mental_health``, either in specialist
  treatment (BUP/DPS) or a NAV client (job seeker, AAP, qualification programme, social
  assistance) whose need NAV or the GP has recorded (on AAP, or a detected mental-health
  problem); for ``young_neet_benefits``, on AAP or in the qualification programme.
- **When**: over an enrolment window of ``window`` months from January of the run's second
  year, each month the youth who have *newly* become eligible (eligible at the start of this
  month, not at the start of the last: incident, not a prevalent pool), until each arm
  holds ``n_max``.
- **How**: the recorder screens at the end of each month, so eligibility and the baseline
  covariates are the state the youth carry into the next month, the randomisation month,
  before its step acts on anyone. In that month's interventions phase the team randomises
  them (order by the ``trial:arm`` stream at each pid, arms in turn: equal arms, at most
  one apart), drops any the regular IPS team took earlier that month (withdrawn before
  randomisation, whatever their arm), and starts IPS for the two IPS arms in its own
  dedicated places. Follow-up months count from each participant's own randomisation.

Arms: ``ips`` (IPS without a time limit) and ``ips_6m`` (support ends after
``short_months``) get the IPS team's mechanism, with the integrated specialist's one shared
plan (share ``ips.integrated``, as in the trial, where IPS sat in the treatment team): that
plan is part of the IPS arms. ``usual`` gets the scenario's services exactly, except IPS: the
regular IPS team takes no participant (its ``excluded``), as a control arm is kept from the
intervention; the trial gives it no plan.

:class:`TrialRecorder` writes, for each arm and follow-up month k, the share employed and the
share with any job since randomisation among participants still present (youth who leave at
30 are censored): yearly rows ``trial_employed_at`` / ``trial_any_job_by`` with group
``<arm>:<k>`` and ``n`` the youth present, each written once, when every participant has
passed month k; plus ``trial_balance`` rows (``<arm>:<covariate>``) at randomisation.
"""

from __future__ import annotations

import numpy as np

from sim.core.pidsets import in_any, unique
from sim.core.states import Activity, Mh, NavStatus
from sim.services.base import EMPTY
from sim.services.ips import IpsTeam
from sim.services.recorder import Recorder

ARMS = ("ips", "usual", "ips_6m")
CLINICS = ("bup", "dps")
MIN_AGE, MAX_AGE = 18, 29
NAV_STATUSES = (
    NavStatus.JOBSEEKER,
    NavStatus.AAP,
    NavStatus.QUALIFICATION,
    NavStatus.SOCIAL_ASSISTANCE,
)
COVARIATES = (
    "age",
    "female",
    "immigrant",
    "completed",
    "severe",
    "detected",
    "in_treatment",
    "nav_client",
    "aap",
    "qualification",
    "programme",
    "spell_months",
    "work_distance",
)


POOL = ("detected", "in_treatment", "nav_client", "aap")  # how the newly eligible are known


def ages_in(model, pids: np.ndarray, month: int) -> np.ndarray:
    """Ages on 1 January of the year of model month ``month``."""
    year = model.origin_year + month // 12
    return np.subtract(year - 1, model.pop.birth_year[pids], dtype=np.int64)


def in_treatment(model, pids: np.ndarray) -> np.ndarray:
    """Whether youth are in specialist mental-health treatment (a BUP or DPS helper bit)."""
    mask = 0
    for name in CLINICS:
        if model.module(name) is not None:
            mask |= model.helper_bit(name)
    return (model.pop.helpers[pids] & np.uint32(mask)) != 0


def eligible(model, population: str, pids: np.ndarray, month: int | None = None) -> np.ndarray:
    """Mask of trial-eligible youth, from what services see (ages as in ``month``).

    Raises:
        ValueError: an unknown population.
    """
    pop = model.pop
    month = model.month if month is None else month
    ages, act, st = ages_in(model, pids, month), pop.activity[pids], pop.nav_status[pids]
    base = pop.alive[pids] & (ages >= MIN_AGE) & (ages <= MAX_AGE) & pop.wants_work[pids]
    base &= (act == Activity.NEET) | (act == Activity.PROGRAMME)
    if population == "nav_mental_health":
        client = np.isin(st, NAV_STATUSES)
        recorded = pop.detected[pids] | (st == NavStatus.AAP)
        return base & (in_treatment(model, pids) | (client & recorded))
    if population == "young_neet_benefits":
        return base & ((st == NavStatus.AAP) | (st == NavStatus.QUALIFICATION))
    raise ValueError(f"unknown trial population {population!r}")


def covariates(model, pids: np.ndarray, month: int) -> dict[str, np.ndarray]:
    """Baseline covariates of youth (the state they hold now; ages as in ``month``)."""
    pop = model.pop
    st = pop.nav_status[pids]
    return {
        "age": ages_in(model, pids, month).astype(float),
        "female": pop.female[pids].astype(float),
        "immigrant": pop.immigrant[pids].astype(float),
        "completed": pop.completed[pids].astype(float),
        "severe": (pop.mh[pids] == Mh.SEVERE).astype(float),
        "detected": pop.detected[pids].astype(float),
        "in_treatment": in_treatment(model, pids).astype(float),
        "nav_client": np.isin(st, NAV_STATUSES).astype(float),
        "aap": (st == NavStatus.AAP).astype(float),
        "qualification": (st == NavStatus.QUALIFICATION).astype(float),
        "programme": (pop.activity[pids] == Activity.PROGRAMME).astype(float),
        "spell_months": pop.months_in_activity[pids].astype(float),  # NEET or programme so far
        "work_distance": pop.work_distance[pids].astype(float),
    }


def first_month(model) -> int:
    """Month index of the first randomisation: January of the run's second year."""
    return (model.start_year + 1 - model.origin_year) * 12


randomisation_month = first_month  # the earlier name


class TrialTeam(IpsTeam):
    """Enrols and randomises the trial's participants; dedicated IPS places for two arms.

    Its hazard modifiers are the IPS team's (inherited ``hazard_modifiers``).

    Attributes:
        arms: arm -> its participants (sorted pids).
        enrolled, arm_of, randomised: every participant in enrolment order, the index of
            its arm in :data:`ARMS` and its randomisation month.
        baseline: covariate -> values per participant at randomisation (:data:`COVARIATES`).
        screened: the youth the recorder found newly eligible at the end of last month, with
            their covariates, waiting to be randomised this month (None: nobody).
    """

    name = "ips_trial"
    helper_name = "ips"  # the same helper as the regular team (a youth is never in both)

    def __init__(self, model, config):
        super().__init__(model, name="ips_trial", dedicated=True)
        self.config = config
        self.arms: dict[str, np.ndarray] = {arm: EMPTY for arm in ARMS}
        self.enrolled = EMPTY
        self.arm_of = np.empty(0, dtype=np.int8)
        self.randomised = np.empty(0, dtype=np.int32)
        self.baseline = {var: np.empty(0) for var in COVARIATES}
        self.screened: tuple[np.ndarray, dict] | None = None

    @classmethod
    def create(cls, model) -> list:
        """The trial's team and its recorder when the run is a trial (else none)."""
        config = getattr(model.definition, "trial", None)
        if config is None:
            return []
        team = cls(model, config)
        return [team, TrialRecorder(model, team)]

    @property
    def last_month(self) -> int:
        """The last month of the enrolment window."""
        return first_month(self.model) + self.config.window - 1

    def full(self) -> bool:
        """Whether every arm holds ``n_max`` participants."""
        return self.room() == 0

    def room(self) -> int | None:
        """Places left in the trial (None: no cap)."""
        cap = self.config.n_max
        return None if cap is None else max(cap * len(ARMS) - len(self.enrolled), 0)

    def step(self) -> None:
        """Randomise last month's screened youth, then support the IPS arms as IPS does."""
        if self.screened is not None:
            self.randomise(*self.screened)
            self.screened = None
        super().step()

    def randomise(self, pids: np.ndarray, cov: dict[str, np.ndarray]) -> None:
        """Allocate screened youth to the arms in turn, in the stream's random order."""
        m = self.model
        regular = m.receiver("ips")
        keep = m.pop.alive[pids] & ~in_any(pids, m.pop.n, regular.active)
        order = np.flatnonzero(keep)
        order = order[np.argsort(m.streams.at("trial:arm", pids[order]), kind="stable")]
        order = order[: self.room()]
        arm = ((len(self.enrolled) + np.arange(len(order))) % len(ARMS)).astype(np.int8)
        new = pids[order]
        self.enrolled = np.concatenate([self.enrolled, new])
        self.arm_of = np.concatenate([self.arm_of, arm])
        month = np.full(len(new), m.month, dtype=np.int32)
        self.randomised = np.concatenate([self.randomised, month])
        self.baseline = {v: np.concatenate([self.baseline[v], cov[v][order]]) for v in COVARIATES}
        for i, name in enumerate(ARMS):
            self.arms[name] = np.sort(self.enrolled[self.arm_of == i])
        regular.excluded = unique(self.enrolled)
        regular.leave_queue(~in_any(regular.queue, m.pop.n, new))
        self._treat(new[arm == ARMS.index("ips")], new[arm == ARMS.index("ips_6m")])

    def _treat(self, ips: np.ndarray, short: np.ndarray) -> None:
        """Dedicated places for the new IPS-arm participants; support starts this month."""
        self.capacity += len(ips) + len(short)
        self.start_service(ips)
        self.start_service(short, limit=self.config.short_months)


class TrialRecorder(Recorder):
    """Screens for newly eligible youth each month; writes the outcome and balance rows."""

    name = "trial_recorder"

    def __init__(self, model, team: TrialTeam):
        super().__init__(model)
        self.team = team
        self.was_eligible = EMPTY  # eligible at the last screening (sorted pids)
        self.ever = np.empty(0, dtype=bool)  # per participant: any job since randomisation
        size = (len(ARMS), team.config.months + 1)
        self.counts = {key: np.zeros(size, dtype=np.int64) for key in ("at", "by", "n")}
        self.written = np.zeros(team.config.months + 1, dtype=bool)
        self.written[0] = True
        self.balanced = False

    def step(self) -> None:
        """Screen for next month, count this month's outcomes, write the finished rows."""
        m, team = self.model, self.team
        if first_month(m) - 2 <= m.month < team.last_month and not team.full():
            self.screen()
        self.count()
        closed = m.month >= team.last_month or team.full()
        last = m.month == m.end_month - 1
        if closed or last:
            self.write(final=last)

    def screen(self) -> None:
        """Youth newly eligible for next month; hand them to the team (from the window on)."""
        m, team = self.model, self.team
        month = m.month + 1
        live = m.pop.live()
        now = live[eligible(m, team.config.population, live, month)]
        fresh = now[~in_any(now, m.pop.n, self.was_eligible, team.enrolled)]
        self.was_eligible = now
        if month < first_month(m):  # the pool already eligible when the window opens
            m.collector.add_flow("trial_eligible_prevalent", "all", len(now), len(now))
            return
        cov = covariates(m, fresh, month)
        team.screened = (fresh, cov) if len(fresh) else None
        for group in ("all", *POOL):
            k = int(cov[group].sum()) if group in cov else len(fresh)
            m.collector.add_flow("trial_eligible_new", group, k, k)

    def count(self) -> None:
        """Add this month's outcome of each participant to its (arm, follow-up month) cell."""
        m, team = self.model, self.team
        pids = team.enrolled
        self.ever = np.concatenate([self.ever, np.zeros(len(pids) - len(self.ever), bool)])
        k = m.month - team.randomised + 1
        inside = (k >= 1) & (k <= team.config.months)
        present = m.pop.alive[pids] & inside
        employed = (m.pop.activity[pids] == Activity.EMPLOYED) & present
        self.ever |= employed
        cell = (team.arm_of[present], k[present])
        np.add.at(self.counts["n"], cell, 1)
        np.add.at(self.counts["at"], (team.arm_of[employed], k[employed]), 1)
        by = self.ever & present
        np.add.at(self.counts["by"], (team.arm_of[by], k[by]), 1)

    def write(self, final: bool) -> None:
        """Rows of every follow-up month all participants have passed (all on the last step)."""
        m, team = self.model, self.team
        if not self.balanced:
            self._balance()
        last = int(team.randomised.max()) if len(team.randomised) else m.month
        done = np.arange(team.config.months + 1) <= m.month - last + 1
        for k in np.flatnonzero((done | final) & ~self.written):
            self._cells(int(k))
            self.written[k] = True

    def _cells(self, k: int) -> None:
        m, c = self.model, self.counts
        for i, arm in enumerate(ARMS):
            n = int(c["n"][i, k])
            for metric, key in (("trial_employed_at", "at"), ("trial_any_job_by", "by")):
                share = float(c[key][i, k]) / n if n else float("nan")
                m.collector.yearly.append((m.year, metric, f"{arm}:{k}", share, n))

    def _balance(self) -> None:
        """Arm size and mean covariates at randomisation (``trial_balance`` rows)."""
        m, team = self.model, self.team
        self.balanced = True
        for i, arm in enumerate(ARMS):
            members = team.arm_of == i
            size = int(members.sum())
            m.collector.yearly.append((m.year, "trial_balance", f"{arm}:size", float(size), size))
            for var in COVARIATES:
                value = float(team.baseline[var][members].mean()) if size else float("nan")
                m.collector.yearly.append((m.year, "trial_balance", f"{arm}:{var}", value, size))
