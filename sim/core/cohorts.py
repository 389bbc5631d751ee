"""Cohorts: youth who meet a definition in one month, followed month by month afterwards.

A cohort definition is a function ``select(model, pids) -> bool array`` registered by name
with :func:`cohort`; it reads the state at the start of the entry month, before that month's
step. :class:`CohortRecorder` (a recorder of the ``record`` phase) reads membership then and,
at the end of every later month, counts the members still present by main activity and NAV
status, in small arrays (months x 24 cells per cohort): nothing per youth is kept but the
members' pids.

Add a cohort by registering a function (docs/cohorts.md shows one)::

    @cohort("neet_20_24", "NEET aged 20-24 (SSB register definition)")
    def _neet_20_24(model, pids):
        ages = model.ages(pids)
        return (model.pop.activity[pids] == Activity.NEET) & (ages >= 20) & (ages <= 24)

The register definition each built-in cohort imitates is in ``docs/cohorts.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.core.module import Module
from sim.core.states import Activity, NavStatus

Select = Callable[[object, np.ndarray], np.ndarray]

# outcome cells, each in sorted (the table's row) order
ACTIVITIES = ("education", "employed", "neet", "programme")
NAV_STATUSES = ("aap", "disability", "jobseeker", "none", "qualification", "social_assistance")
# NAV status: the first that applies, in this order (DESIGN.md, "Cohorts")
NAV_PRIORITY = ("disability", "aap", "qualification", "social_assistance", "jobseeker", "none")
CELLS = len(ACTIVITIES) * len(NAV_STATUSES)
# Activity code -> its column in ACTIVITIES (school and higher education are education)
_ACTIVITY_CELL = np.zeros(len(Activity), dtype=np.int64)
for _code, _name in (
    (Activity.LOWER_SECONDARY, "education"),
    (Activity.UPPER_SECONDARY, "education"),
    (Activity.HIGHER_EDUCATION, "education"),
    (Activity.EMPLOYED, "employed"),
    (Activity.PROGRAMME, "programme"),
    (Activity.NEET, "neet"),
):
    _ACTIVITY_CELL[_code] = ACTIVITIES.index(_name)
# NavStatus code -> its column in NAV_STATUSES (a youth holds one status, so the first of
# NAV_PRIORITY that applies is the one held)
_NAV_CELL = np.array([NAV_STATUSES.index(s.name.lower()) for s in NavStatus], dtype=np.int64)


@dataclass(frozen=True)
class Definition:
    """A registered cohort: its name, what it means, and who meets it."""

    name: str
    description: str
    select: Select


COHORTS: dict[str, Definition] = {}


def cohort(name: str, description: str) -> Callable[[Select], Select]:
    """Register ``select(model, pids) -> bool array`` as the cohort ``name`` (a decorator)."""

    def register(select: Select) -> Select:
        if name in COHORTS:
            raise ValueError(f"cohort {name!r} is defined twice")
        COHORTS[name] = Definition(name, description, select)
        return select

    return register


def names() -> list[str]:
    """The registered cohort names, sorted."""
    return sorted(COHORTS)


def members(model, name: str) -> np.ndarray:
    """Pids of the youth present now who meet cohort ``name`` (ascending)."""
    pids = model.pop.live()
    return pids[np.asarray(COHORTS[name].select(model, pids), dtype=bool)]


# -- the built-in cohorts (docs/cohorts.md gives the register definitions they imitate) -----
@cohort("neet", "not in employment, education or a NAV programme (SSB register NEET)")
def _neet(model, pids: np.ndarray) -> np.ndarray:
    return model.pop.activity[pids] == Activity.NEET


@cohort("nav_jobseekers_u30", "registered with NAV as job seekers, under 30")
def _nav_jobseekers_u30(model, pids: np.ndarray) -> np.ndarray:
    return (model.pop.nav_status[pids] == NavStatus.JOBSEEKER) & ~model.aged(pids, 30)


@cohort("aap_u30", "receiving work assessment allowance (AAP), under 30")
def _aap_u30(model, pids: np.ndarray) -> np.ndarray:
    return (model.pop.nav_status[pids] == NavStatus.AAP) & ~model.aged(pids, 30)


@cohort(
    "dropouts",
    "left upper secondary without completing in the last school year (August-July) that "
    "ended before the entry month",
)
def _dropouts(model, pids: np.ndarray) -> np.ndarray:
    first, last = school_year_before(model.month)
    left = left_school(model, first, last)
    return np.isin(pids, left, assume_unique=True)


def school_year_before(month: int) -> tuple[int, int]:
    """First and last month index (August, July) of the school year ended before ``month``.

    Month indices count from a January (index 0 is January), as the model's do.
    """
    year, calendar = divmod(month, 12)
    end_year = year if calendar >= 7 else year - 1  # August or later: the year just ended
    return end_year * 12 - 5, end_year * 12 + 6  # August of the year before .. July


def left_school(model, first: int, last: int) -> np.ndarray:
    """Pids of youth who left upper secondary without completing in months first..last.

    Read from the history change log (:meth:`sim.core.population.Population.events`): an
    activity change away from upper secondary in a month other than the youth's completion
    month. A youth who left twice counts once.
    """
    ev = model.pop.events()
    ev = ev[ev["field"] == 0]  # activity, the first tracked field
    order = np.argsort(ev["pid"], kind="stable")  # by pid, then month (the log's order)
    pid, month, value = ev["pid"][order], ev["month"][order], ev["value"][order]
    same = np.zeros(len(pid), dtype=bool)
    same[1:] = pid[1:] == pid[:-1]
    previous = np.empty_like(value)
    previous[1:] = value[:-1]
    left = (
        same
        & (previous == Activity.UPPER_SECONDARY)
        & (value != Activity.UPPER_SECONDARY)
        & (month >= first)
        & (month <= last)
    )
    left &= model.pop.completed_month[pid] != month
    return np.unique(pid[left])


# -- following cohorts ---------------------------------------------------------------------
def month_index(model, period: str) -> int:
    """The model's month index of ``"YYYY-MM"``."""
    year, month = (int(x) for x in period.split("-"))
    return (year - model.origin_year) * 12 + month - 1


@dataclass
class Followed:
    """One cohort being followed: its label, entry month, members and monthly counts."""

    label: str
    name: str
    entry: int  # the model's month index of the entry month
    pids: np.ndarray | None = None  # None until the entry month
    counts: list[np.ndarray] | None = None  # one array of CELLS counts per month since entry


class CohortRecorder(Module):
    """Follows cohorts: membership at the start of the entry month, then counts every month.

    Month 0 is the state at the start of the entry month (read before any phase of that
    month, when the model resets its counters); month k is the state at the end of the k-th
    month since entry, read in the ``record`` phase. Members who left (age 30) are censored:
    each month counts only those still present.

    Args:
        model: the model.
        requests: (label, cohort name, entry ``"YYYY-MM"``) of each cohort to follow.
    """

    name = "cohorts"
    kind = "recorder"
    phase = "record"

    def __init__(self, model, requests: tuple[tuple[str, str, str], ...]):
        self.model = model
        self.followed = [Followed(lab, n, month_index(model, p)) for lab, n, p in requests]

    def reset_counters(self) -> None:
        """At the start of an entry month: read the members and count month 0."""
        for f in self.followed:
            if f.entry == self.model.month:
                f.pids = members(self.model, f.name)
                f.counts = [self._count(f.pids)]

    def step(self) -> None:
        """At the end of each month after entry: count the members still present."""
        for f in self.followed:
            if f.counts is not None:
                f.counts.append(self._count(f.pids))

    def _count(self, pids: np.ndarray) -> np.ndarray:
        pop = self.model.pop
        here = pids[pop.alive[pids]]
        cell = (
            _ACTIVITY_CELL[pop.activity[here]] * len(NAV_STATUSES)
            + _NAV_CELL[pop.nav_status[here]]
        )
        return np.bincount(cell, minlength=CELLS)

    def rows(self) -> list[tuple]:
        """``(cohort, month, activity, nav_status, value, n)`` of every month with members.

        ``value`` is the cell's share of the members still present; months when none is
        present have no rows.
        """
        out = []
        for f in sorted(self.followed, key=lambda f: f.label):
            for k, counts in enumerate(f.counts or []):
                present = int(counts.sum())
                if present == 0:
                    continue
                for i, n in enumerate(counts.tolist()):
                    act, nav = divmod(i, len(NAV_STATUSES))
                    out.append((f.label, k, ACTIVITIES[act], NAV_STATUSES[nav], n / present, n))
        return out
