"""Who is in the population: cohort entry at 15, leaving at 30, net in-migration.

Ages are counted on 1 January, as SSB does: in year Y the population holds birth years
Y-30 .. Y-16 (aged 15-29 on 1 January). Each January the cohort born Y-16 enters (in the last
year of lower secondary) and the cohort born Y-31 leaves. Net in-migration arrives monthly:
students aged 19-22 to Trondheim (higher education) and immigrants aged 18-29 by population.
Pids are assigned in entry order (year, then municipality, then index): identical in every
scenario, since entry does not depend on scenario decisions.
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

    def _arrivals(self, kind: str, per_year: float, ages: tuple[int, int]) -> None:
        m = self.model
        count = self._monthly_count(kind, per_year * m.scale)
        if count == 0:
            return
        u = m.streams.one_off(f"arrival:{kind}", 3 * count).reshape(3, count)
        ages_drawn = ages[0] + np.floor(u[0] * (ages[1] - ages[0] + 1)).astype(int)
        if kind == "student":
            kommune = np.full(count, self.trondheim, dtype=np.int16)
            activity = Activity.HIGHER_EDUCATION
        else:
            cum = np.cumsum(self.pop_share)
            kommune = np.searchsorted(cum, u[1] * cum[-1]).astype(np.int16)
            activity = Activity.NEET
        order = np.lexsort((ages_drawn, kommune))
        pids = m.add_youth(
            kommune[order],
            flow="arrivals",
            birth_year=m.year - 1 - ages_drawn[order],
            activity=activity,
            immigrant=kind == "immigrant",
            completed=kind == "student",
        )
        m.pop.female[pids] = u[2][order] < m.params["demography.share_female"]

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
