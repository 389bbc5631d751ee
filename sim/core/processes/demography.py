"""Who is in the population: cohort entry at 15, leaving at 30, net in-migration.

Ages are counted on 1 January, as SSB does: in year Y the population holds birth years
Y-30 .. Y-16 (aged 15-29 on 1 January). Each January the cohort born Y-16 enters (in the last
year of lower secondary) and the cohort born Y-31 leaves. Net in-migration arrives monthly:
students aged 19-22 to Trondheim (higher education) and immigrants aged 18-29 by population.
Pids are assigned in entry order (year, then municipality, then index): identical in every
scenario, since entry does not depend on scenario decisions.

At entry every youth also gets two traits that no service sees (:func:`draw_traits`): a
distance from the labour market (``work_distance``, a z-score: 0 is typical) and whether they
want ordinary work (``wants_work``). They are drawn from streams of their own (``traits:*``),
so no earlier stream shifts.
"""

from __future__ import annotations

import numpy as np

from sim.core.module import Process
from sim.core.states import Activity

# Persons per single year of age on 1.1.2024, by band (SSB 07459 sums in the reference facts:
# 15-17 = 97,426 - 80,164 = 17,262; 16-19 = 22,914; 16-21 = 35,025; 15-24 = 62,261; 25-29 =
# 97,426 - 62,261 = 35,165). Used only to size warm-up cohorts (the 2024 age profile).
AGE_PROFILE_2024 = {
    15: 5754,
    16: 5754,
    17: 5754,
    18: 5703,
    19: 5703,
    20: 6056,
    21: 6056,
    22: 7161,
    23: 7161,
    24: 7161,
    25: 7033,
    26: 7033,
    27: 7033,
    28: 7033,
    29: 7033,
}
STUDENT_AGES = (19, 22)
IMMIGRANT_AGES = (18, 29)
WARMUP_OVERSIZE = 1.04  # warm-up cohorts are drawn 4 % large, then thinned to observed counts


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total by weights with the largest-remainder method (deterministic)."""
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    short = total - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


def expected_migrants(age: int, params) -> float:
    """Expected migrants at a single age on 1 January (for sizing warm-up cohorts)."""
    lo_s, hi_s = STUDENT_AGES
    lo_i, hi_i = IMMIGRANT_AGES
    students = (
        params["demography.student_arrivals"] / (hi_s - lo_s + 1) * np.clip(age - lo_s, 0, 4)
    )
    immigrants = (
        params["demography.immigrant_arrivals"] / (hi_i - lo_i + 1) * np.clip(age - lo_i, 0, 12)
    )
    return float(students + immigrants)


class Demography(Process):
    """Entry, exit and migration, writing into the model's population arrays."""

    name = "demography"
    phase = "demography"

    def __init__(self, model):
        super().__init__(model)
        geo = model.geo
        self.trondheim = geo.index_of("5001")
        migrant_stock = np.zeros(geo.n_kommuner)
        # expected years in the population: from the mean arrival age to 30
        stay_s = 30 - (STUDENT_AGES[0] + STUDENT_AGES[1]) / 2
        stay_i = 30 - (IMMIGRANT_AGES[0] + IMMIGRANT_AGES[1]) / 2
        migrant_stock[self.trondheim] += model.params["demography.student_arrivals"] * stay_s
        share = geo.pop_15_29 / geo.pop_15_29.sum()
        migrant_stock += model.params["demography.immigrant_arrivals"] * stay_i * share
        self.native_weights = np.maximum(geo.pop_15_29 - migrant_stock, 1.0)
        self.pop_share = share

    def cohort_size(self, year: int) -> int:
        """Simulated size of the cohort entering at 15 in ``year``."""
        m = self.model
        if year >= m.start_year:
            full = m.params["demography.entry_cohort_size"]
        else:
            age_2024 = min(15 + (m.start_year - year), 29)  # the oldest cohort leaves at start
            full = AGE_PROFILE_2024[age_2024] - expected_migrants(age_2024, m.params)
            full *= WARMUP_OVERSIZE  # none when migrants alone fill the age (large arrivals)
        return max(int(round(full * m.scale)), 0)

    def step(self) -> None:
        """January: exits at 30 and cohort entry; every month: migrant arrivals."""
        m = self.model
        if m.calendar_month == 1:
            self._exits()
            self._enter_cohort()
        self._arrivals("student", m.params["demography.student_arrivals"], STUDENT_AGES)
        self._arrivals("immigrant", m.params["demography.immigrant_arrivals"], IMMIGRANT_AGES)
        self._school_leavers()

    def _school_leavers(self) -> None:
        """Youth who left upper secondary without completing move further from work.

        By ``demography.work_distance_noncompletion_shift``: the distance is updated with the
        school result once it is known (each exit without completion counts; returners who
        complete keep it). Runs first in the month, so it sees last month's exits.
        """
        pop = self.model.pop
        sl = pop.rows
        pupil = pop.activity[sl] == Activity.UPPER_SECONDARY
        left = pop.live_where(pop.was_pupil[sl] & ~pupil & ~pop.completed[sl])
        shift = self.model.params["demography.work_distance_noncompletion_shift"]
        pop.work_distance[left] += shift
        pop.was_pupil[sl] = pupil

    def _exits(self) -> None:
        m = self.model
        live = m.pop.live()
        leaving = live[m.pop.birth_year[live] <= m.year - 31]
        m.remove_youth(leaving)

    def _enter_cohort(self) -> None:
        m = self.model
        size = self.cohort_size(m.year)
        counts = apportion(size, self.native_weights)
        kommune = np.repeat(np.arange(len(counts)), counts).astype(np.int16)
        pids = m.add_youth(kommune, birth_year=m.year - 16, activity=Activity.LOWER_SECONDARY)
        u = m.streams.at("entry:female", pids)
        m.pop.female[pids] = u < m.params["demography.share_female"]
        u = m.streams.at("entry:immigrant", pids)
        m.pop.immigrant[pids] = u < m.params["demography.share_immigrant_native_entry"]
        draw_traits(m, pids)

    def _arrivals(self, kind: str, per_year: float, ages: tuple[int, int]) -> None:
        m = self.model
        count = self._monthly_count(kind, per_year * m.scale)
        if count == 0:
            return
        u = m.streams.one_off(f"arrival:{kind}", 3 * count).reshape(3, count)
        ages_drawn = ages[0] + np.floor(u[0] * (ages[1] - ages[0] + 1)).astype(int)
        if kind == "student":
            kommune = np.full(count, self.trondheim, dtype=np.int16)
            activity = np.full(count, Activity.HIGHER_EDUCATION, dtype=np.int8)
            completed = np.ones(count, dtype=bool)
        else:
            cum = np.cumsum(self.pop_share)
            kommune = np.searchsorted(cum, u[1] * cum[-1]).astype(np.int16)
            activity, completed = self._immigrant_start(count)
        order = np.lexsort((ages_drawn, kommune))
        pids = m.add_youth(
            kommune[order],
            flow="arrivals",
            birth_year=m.year - 1 - ages_drawn[order],
            activity=activity[order],
            immigrant=kind == "immigrant",
            completed=completed[order],
        )
        m.pop.female[pids] = u[2][order] < m.params["demography.share_female"]
        m.pop.arrival_age[pids] = ages_drawn[order]
        draw_traits(m, pids)

    def _immigrant_start(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Activity on arrival by reason: work, education, or else (family, refuge) NEET.

        Work arrivals start employed; education arrivals in higher education (upper
        secondary completed); family, refuge and other arrivals start NEET.

        One number per arrival from its own stream (``arrival:immigrant_reason``), so the
        arrivals' ages, municipalities and sexes are drawn as before.
        """
        p = self.model.params
        u = self.model.streams.one_off("arrival:immigrant_reason", count)
        work_share = p["demography.immigrant_arrival_work_share"]
        work = u < work_share
        study = ~work & (u < work_share + p["demography.immigrant_arrival_education_share"])
        activity = np.full(count, Activity.NEET, dtype=np.int8)
        activity[work] = Activity.EMPLOYED
        activity[study] = Activity.HIGHER_EDUCATION
        return activity, study

    def _monthly_count(self, kind: str, per_year: float) -> int:
        """Spread a yearly count over months without drift (cumulative rounding)."""
        k = self.model.month
        return int(round(per_year * (k + 1) / 12) - round(per_year * k / 12))

    def thin_to_observed(self) -> None:
        """After warm-up, remove extras so each municipality has its observed count.

        The warm-up ends in the December before the start; the target is the observed
        1 January count once the start month's cohort has entered and the oldest has left.
        """
        m = self.model
        live = m.pop.live()
        live = live[m.pop.birth_year[live] > m.start_year - 31]
        entering = apportion(self.cohort_size(m.start_year), self.native_weights)
        target = np.round(m.geo.pop_15_29 * m.scale).astype(np.int64) - entering
        rank = m.streams.at("warmup:thin", live)
        kom = m.pop.kommune[live]
        order = np.lexsort((rank, kom))
        live, kom = live[order], kom[order]
        first = np.searchsorted(kom, np.arange(m.geo.n_kommuner))
        pos = np.arange(len(live)) - first[kom]
        m.remove_youth(live[pos >= target[kom]])


def draw_traits(model, pids: np.ndarray) -> None:
    """Draw the unseen traits of youth entering this month (after their background is set).

    ``work_distance`` = z + the immigrant shift, z a standard normal (Box-Muller on the
    streams ``traits:radius`` and ``traits:angle``, read at pids); the shift is
    ``demography.work_distance_immigrant_adult`` for immigrants who arrive as adults
    (``arrival_age`` >= 16) and ``demography.work_distance_immigrant_child`` for immigrants
    entering with their cohort at 15. ``wants_work`` is drawn (``traits:wants_work``) with
    :func:`wants_work_probability`. Mental health and school results are not known at entry:
    they come to correlate with the distance because it raises the onset of mental-health
    problems (:mod:`sim.core.processes.health`) and lowers job finding (the labour market).
    """
    pop, p, s = model.pop, model.params, model.streams
    radius = np.sqrt(-2.0 * np.log1p(-s.at("traits:radius", pids)))
    z = radius * np.cos(2.0 * np.pi * s.at("traits:angle", pids))
    adult = pop.arrival_age[pids] >= 16
    shift = np.where(
        adult,
        p["demography.work_distance_immigrant_adult"],
        p["demography.work_distance_immigrant_child"],
    )
    distance = z + np.where(pop.immigrant[pids], shift, 0.0)
    pop.work_distance[pids] = distance
    u = s.at("traits:wants_work", pids)
    pop.wants_work[pids] = u < wants_work_probability(p, distance)


def wants_work_probability(params, distance: np.ndarray) -> np.ndarray:
    """P(wants ordinary work), logistic in the distance from the labour market.

    ``demography.wants_work_typical`` at distance 0; its odds are multiplied by
    ``demography.wants_work_odds_ratio`` per unit of distance.
    """
    p0 = params["demography.wants_work_typical"]
    if p0 <= 0.0 or p0 >= 1.0:
        return np.full(len(distance), p0)
    logit = np.log(p0 / (1.0 - p0)) + np.log(params["demography.wants_work_odds_ratio"]) * distance
    return 1.0 / (1.0 + np.exp(-logit))


def distance_factor(rate_ratio: float, distance: np.ndarray) -> np.ndarray:
    """``rate_ratio`` ** distance, scaled so its mean over a standard normal distance is 1.

    A rate ratio per unit of a z-score distance: exp(b x d - b**2 / 2) with b = ln(ratio),
    whose mean is exactly 1 when d is standard normal; ratio 1 gives exactly 1 (no spread).
    """
    b = np.log(rate_ratio)
    return np.exp(b * distance.astype(float) - 0.5 * b * b)
