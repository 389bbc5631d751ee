"""The emulated trial's agents: dedicated IPS places and the outcome recorder.

Created only in runs of a :class:`sim.analysis.trial.TrialScenario` (``sim trial``). In January of
the run's second year :class:`TrialTeam` takes the eligible youth, randomises them in equal
thirds (order by the ``trial:arm`` stream at each pid) to ``ips``, ``usual`` and ``ips_6m``,
and starts IPS for two arms in its own dedicated places (outside the regular team's caseload,
so the regular cap holds). Trial youth are excluded from the regular IPS team from then on
(its ``excluded``; the usual arm gets usual services). :class:`TrialRecorder`, a recorder
(:mod:`sim.services.recorder`), writes, at the end of each
follow-up month, the share employed and the share with any job so far among those still
present (censoring youth who leave at 30), as yearly rows ``trial_employed_at`` /
``trial_any_job_by`` with group ``<arm>:<month>``, value the share and ``n`` the youth present,
plus ``trial_balance`` rows describing the arms at randomisation.
"""

from __future__ import annotations

import numpy as np

from sim.core.states import Activity, Mh, NavStatus
from sim.services.base import EMPTY
from sim.services.ips import IpsTeam
from sim.services.recorder import Recorder

ARMS = ("ips", "usual", "ips_6m")
NAV_STATUSES = (
    NavStatus.JOBSEEKER,
    NavStatus.AAP,
    NavStatus.QUALIFICATION,
    NavStatus.SOCIAL_ASSISTANCE,
)


def eligible(model, population: str, pids: np.ndarray) -> np.ndarray:
    """Mask of trial-eligible youth (NEET, 18-29, and the population's own criteria)."""
    pop = model.pop
    ages, st = model.ages(pids), pop.nav_status[pids]
    base = (pop.activity[pids] == Activity.NEET) & (ages >= 18) & (ages <= 29)
    if population == "nav_mental_health":
        return base & (pop.mh[pids] >= Mh.MODERATE) & np.isin(st, NAV_STATUSES)
    if population == "young_neet_benefits":
        return base & ((st == NavStatus.AAP) | (st == NavStatus.QUALIFICATION))
    raise ValueError(f"unknown trial population {population!r}")


def randomisation_month(model) -> int:
    """Month index of January of the run's second year."""
    return (model.start_year + 1 - model.origin_year) * 12


class TrialTeam(IpsTeam):
    """Dedicated IPS places for the trial's two IPS arms; randomises in its first month.

    Its hazard modifiers are the IPS team's (inherited ``hazard_modifiers``).
    """

    name = "ips_trial"
    helper_name = "ips"  # the same helper as the regular team (a youth is never in both)

    def __init__(self, model, config):
        super().__init__(model, name="ips_trial", dedicated=True)
        self.config = config
        self.arms: dict[str, np.ndarray] = {arm: EMPTY for arm in ARMS}

    @classmethod
    def create(cls, model) -> list:
        """The trial's places and its recorder when the run is a trial (else none)."""
        config = getattr(model.definition, "trial", None)
        if config is None:
            return []
        team = cls(model, config)
        return [team, TrialRecorder(model, team)]

    def step(self) -> None:
        """Randomise in the trial month, then support the IPS arms like the regular team."""
        if self.model.month == randomisation_month(self.model):
            self.randomise()
        super().step()

    def randomise(self) -> None:
        """Draw the arms from the eligible youth and start IPS for the two IPS arms."""
        m, cfg = self.model, self.config
        regular = m.receiver("ips")
        live = np.setdiff1d(m.pop.live(), regular.active)
        pool = live[eligible(m, cfg.population, live)]
        order = pool[np.argsort(m.streams.at("trial:arm", pool), kind="stable")]
        n = len(order) // len(ARMS)
        if cfg.n_max:
            n = min(n, cfg.n_max)
        for i, arm in enumerate(ARMS):
            self.arms[arm] = np.sort(order[i * n : (i + 1) * n])
        chosen = np.sort(order[: n * len(ARMS)])
        regular.excluded = chosen
        regular.leave_queue(~np.isin(regular.queue, chosen))
        self.capacity = 2 * n
        self.start_service(self.arms["ips"])
        self.start_service(self.arms["ips_6m"], limit=cfg.short_months)


class TrialRecorder(Recorder):
    """Writes the trial's outcome rows at the end of each follow-up month (a recorder)."""

    name = "trial_recorder"

    def __init__(self, model, team: TrialTeam):
        super().__init__(model)
        self.team = team
        self.ever: dict[str, np.ndarray] = {}

    def step(self) -> None:
        """Record month k of the follow-up (k = 1 in the randomisation month)."""
        m = self.model
        k = m.month - randomisation_month(m) + 1
        if not 1 <= k <= self.team.config.months:
            return
        if k == 1:
            self._balance()
        for arm, pids in self.team.arms.items():
            present = m.pop.alive[pids]
            employed = m.pop.activity[pids] == Activity.EMPLOYED
            ever = self.ever.setdefault(arm, np.zeros(len(pids), dtype=bool))
            ever |= employed & present
            n = int(present.sum())
            for metric, hit in (("trial_employed_at", employed), ("trial_any_job_by", ever)):
                share = float((hit & present).sum()) / n if n else float("nan")
                m.collector.yearly.append((m.year, metric, f"{arm}:{k}", share, n))

    def _balance(self) -> None:
        m, pop = self.model, self.model.pop
        for arm, pids in self.team.arms.items():
            values = {
                "size": float(len(pids)),
                "age": m.ages(pids).mean() if len(pids) else np.nan,
                "female": pop.female[pids].mean() if len(pids) else np.nan,
                "immigrant": pop.immigrant[pids].mean() if len(pids) else np.nan,
                "severe": (pop.mh[pids] == Mh.SEVERE).mean() if len(pids) else np.nan,
                "aap": (pop.nav_status[pids] == NavStatus.AAP).mean() if len(pids) else np.nan,
                "completed": pop.completed[pids].mean() if len(pids) else np.nan,
            }
            for var, value in values.items():
                m.collector.yearly.append(
                    (m.year, "trial_balance", f"{arm}:{var}", float(value), len(pids))
                )
