"""Reporters: named functions of the model's arrays that return aggregates (never per youth).

Each stock reporter returns rows ``(metric, group, value, n)``; ``n`` is the number of
simulated youth behind the value (for small-cell suppression) and counts are reported for the
represented population (simulated count / scale). Stocks are collected every month (monthly
table) and in November (yearly table, the SSB register month); flows are summed per month
and per calendar year; school-flow rates are per school year (reported at its start year).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from sim.core.benefit_metrics import benefits
from sim.core.education_metrics import neet_by_education, vg2_transition_rows
from sim.core.snapshot import AGE_BANDS, Snapshot
from sim.core.states import Activity, NavStatus, Track

NOVEMBER = 11
ACTIVITY_GROUPS = {
    Activity.LOWER_SECONDARY: "lower_secondary",
    Activity.UPPER_SECONDARY: "upper_secondary",
    Activity.HIGHER_EDUCATION: "higher_education",
    Activity.EMPLOYED: "employed",
    Activity.PROGRAMME: "programme",
    Activity.NEET: "neet",
}
STATUS_GROUPS = {
    NavStatus.JOBSEEKER: "registered_jobseeker",
    NavStatus.AAP: "aap",
    NavStatus.QUALIFICATION: "qualification_programme",
    NavStatus.SOCIAL_ASSISTANCE: "social_assistance",
    NavStatus.DISABILITY: "disability",
    NavStatus.NONE: "unknown",
}


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else float("nan")


def population(s: Snapshot):
    """Youth aged 15-29 present."""
    yield "population", "all", s.n / s.scale, s.n


def neet(s: Snapshot):
    """NEET rate and count by group (SSB register definition: programmes are not NEET)."""
    for group, n, k in s.groups():
        yield "neet_rate", group, _ratio(k, n), n
        yield "neet_count", group, k / s.scale, k
        if group == "immigrant":  # immigrants' share of all NEET youth
            yield "neet_group_share", group, _ratio(k, s.n_neet), s.n_neet


def activity_share(s: Snapshot):
    """Share of youth in each main activity."""
    counts = s.counts("activity")
    for act, group in ACTIVITY_GROUPS.items():
        yield "activity_share", group, _ratio(counts[act], s.n), s.n


def neet_status_share(s: Snapshot):
    """NAV status of NEET youth (``unknown``: no NAV registration or benefit)."""
    total = s.n_neet
    for status, group in STATUS_GROUPS.items():
        k = s.trait_count(activity=Activity.NEET, status=status)
        yield "neet_status_share", group, _ratio(k, total), total


def employment(s: Snapshot):
    """Share employed, overall and by age band."""
    by_band = s.counts("band", "activity")
    n_band, employed = by_band.sum(axis=1).tolist(), by_band[:, Activity.EMPLOYED].tolist()
    yield "employment_rate", "all", _ratio(sum(employed), s.n), s.n
    for band, n, k in zip(AGE_BANDS, n_band, employed, strict=True):
        yield "employment_rate", band, _ratio(k, n), n


def school_counts(s: Snapshot):
    """Upper-secondary pupils (Vg1-Vg3) and apprentices."""
    pupils = s.trait_count(activity=Activity.UPPER_SECONDARY, apprentice=0)
    appr = s.trait_count(activity=Activity.UPPER_SECONDARY, apprentice=1)
    yield "upper_secondary_count", "pupils", pupils / s.scale, pupils
    yield "upper_secondary_count", "apprentices", appr / s.scale, appr


def neet_spells(s: Snapshot):
    """Length of current NEET spells: mean months, and the share at 12 months or more."""
    k, months, long_spells = s.neet_spells  # the months' sum is exact: the same mean
    yield "neet_spell_mean_months", "all", months / k if k else float("nan"), k
    yield "neet_12m_share", "all", _ratio(long_spells, k), k


def helpers(s: Snapshot):
    """Helpers per youth among youth with at least one helper."""
    by_count = s.helper_counts  # youth present by number of helpers
    k = int(by_count[1:].sum())
    total = int((by_count * np.arange(len(by_count))).sum())  # helpers summed over youth
    yield "helpers_mean", "all", total / k if k else float("nan"), k
    yield "helpers_3plus_share", "all", _ratio(int(by_count[3:].sum()), k), k


def mental_health(s: Snapshot):
    """Prevalence of moderate or severe mental-health problems."""
    yield "mental_health_prevalence", "all", _ratio(s.trait_count(unwell=1), s.n), s.n


def services(s: Snapshot):
    """Queue length, waiting time and caseload of each service that reports them.

    A service reports when it says so (:meth:`~sim.services.base.Service.reported`: one with
    a capacity, and every NAV office); NAV's county caseload per caseworker sums its offices.
    """
    for service in s.model.services:
        if not service.reported():
            continue
        ind = service.indicators()
        group = f"service:{service.name}"
        yield "queue_length", group, ind["queue_length"] / s.scale, int(ind["queue_length"])
        if not np.isnan(ind["caseload_per_worker"]):
            yield "caseload_per_worker", group, ind["caseload_per_worker"], len(service.active)
        if service.capacity:
            yield "active_count", group, len(service.active) / s.scale, len(service.active)
            used = ind["capacity_used_share"]
            yield "capacity_used_share", group, used, len(service.active)
    nav = s.model.module("nav")
    nav_clients, nav_workers = nav.county_caseload() if nav is not None else (0, 0.0)
    if nav_workers:  # no caseworkers: no caseload per worker (as for every other service)
        yield "caseload_per_worker", "service:nav", _ratio(nav_clients, nav_workers), nav_clients


STOCK_REPORTERS = [
    population,
    neet,
    neet_by_education,
    activity_share,
    neet_status_share,
    employment,
    school_counts,
    benefits,
    neet_spells,
    helpers,
    mental_health,
    services,
]


def _zero_cell() -> list:
    return [0.0, 0]


def _flow_table() -> defaultdict:
    return defaultdict(_zero_cell)


def _float_table() -> defaultdict:
    return defaultdict(float)


class Collector:
    """Collects monthly and yearly rows while the model runs (after the warm-up)."""

    def __init__(self, model, monthly: bool = True):
        self.model, self.monthly_on = model, monthly
        self.reset()

    def reset(self) -> None:
        """Forget everything collected so far (called when the warm-up ends)."""
        self.monthly: list[tuple] = []
        self.yearly: list[tuple] = []
        self.flows: dict[tuple[str, str], list] = defaultdict(_zero_cell)
        self.year_flows: dict[int, dict] = defaultdict(_flow_table)
        self.school_years: dict[int, dict] = {}
        self.waits: dict[int, dict] = defaultdict(_float_table)

    def count_flow(self, metric: str, pids: np.ndarray, group: str = "all") -> None:
        """Add youth to a flow counter for this month (entries, exits, job starts, ...)."""
        self.add_flow(metric, group, len(pids), len(pids))

    def add_flow(self, metric: str, group: str, amount: float, n: int) -> None:
        """Add to a flow for this month.

        Args:
            metric: metric name (summed per calendar year in the yearly table).
            group: group name.
            amount: amount for the simulated youth (counts, NOK); reported divided by scale.
            n: simulated youth behind the amount.
        """
        cell = self.flows[(metric, group)]
        cell[0] += amount
        cell[1] += n

    def school_year_start(self, pupils: dict) -> None:
        """Called by the school in August with the pupils at the start of the year."""
        self.school_years[self.model.year] = {"start": dict(pupils), "dropouts": {}}

    def count_dropouts(self, dropouts: dict) -> None:
        """Called by the school with this month's in-year dropouts by track.

        They count towards the school year under way (August to July) once the run has
        started; a school year that started before the run is not reported.
        """
        m = self.model
        year = m.year if m.calendar_month >= 8 else m.year - 1
        record = self.school_years.get(year)
        if not m.started or record is None:
            return
        for track, count in dropouts.items():
            record["dropouts"][track] = record["dropouts"].get(track, 0) + count

    def collect(self) -> None:
        """End of month: stocks, flows, school years."""
        m = self.model
        if not m.started:
            self.flows.clear()
            return
        self._referral_and_service_flows()
        november = m.calendar_month == NOVEMBER
        stocks = self._stock_rows() if (self.monthly_on or november) else []
        if self.monthly_on:
            period = m.period
            self.monthly.extend([(period, *row) for row in stocks + self._month_flow_rows()])
        year = self.year_flows[m.year]
        for key, (value, n) in self.flows.items():
            year[key][0] += value
            year[key][1] += n
        if november:  # yearly stocks are November's; yearly flows come from year_flows
            self.yearly.extend((m.year, *r) for r in stocks)
            self.yearly.extend((m.year, *r) for r in self._completion_rows())
        self.flows.clear()

    def _month_flow_rows(self) -> list[tuple]:
        """This month's flows, and this month's mean wait of each service that admitted."""
        flows = [
            (metric, group, v / self.model.scale, int(n))
            for (metric, group), (v, n) in sorted(self.flows.items())
        ]
        for service in self.model.services:
            if service.admitted:
                days = service.indicators()["wait_days_mean"]
                flows.append(("wait_days_mean", f"service:{service.name}", days, service.admitted))
        return flows

    def _stock_rows(self) -> list[tuple]:
        snap = Snapshot(self.model)
        return [row for reporter in STOCK_REPORTERS for row in reporter(snap)]

    def _referral_and_service_flows(self) -> None:
        refs = self.model.referrals
        for route, made in refs.made.items():
            for group in (route, "all"):
                self.add_flow("referrals_made", group, made, made)
                self.add_flow("referrals_lost", group, refs.lost[route], refs.lost[route])
        for service in self.model.services:
            group = f"service:{service.name}"
            if service.received:
                self.add_flow("referrals_received", group, service.received, service.received)
            if service.refused:
                self.add_flow("refusals", group, service.refused, service.refused)
            if service.admitted:
                w = self.waits[self.model.year]
                w[(service.name, "sum")] += service.wait_months_sum
                w[(service.name, "n")] += service.admitted

    def _completion_rows(self) -> list[tuple]:
        """Completion within 5 (academic) / 6 (vocational) years for the cohort 6 years back."""
        m, pop = self.model, self.model.pop
        cohort = m.year - 6
        pids = np.flatnonzero(pop.vg1_year[: pop.n] == cohort)
        if not len(pids):
            return []
        deadline_month = lambda years: (cohort + years - m.origin_year) * 12 + 5  # noqa: E731
        limit = np.where(pop.track[pids] == Track.VOCATIONAL, deadline_month(6), deadline_month(5))
        done = pop.completed[pids] & (pop.completed_month[pids] <= limit)
        return [("upper_secondary_completion_5_6y", f"cohort:{cohort}", done.mean(), len(pids))]

    def yearly_rows(self) -> list[tuple]:
        """Yearly rows: November stocks, calendar-year flows, school-year rates, waits."""
        rows = list(self.yearly)
        scale = self.model.scale
        for year, flows in self.year_flows.items():
            rows.extend(
                (year, metric, group, v / scale, int(n))
                for (metric, group), (v, n) in flows.items()
            )
        rows.extend(self._dropout_rows())
        rows.extend(vg2_transition_rows(self.school_years))
        rows.extend(self._wait_rows())
        return rows

    def _dropout_rows(self) -> list[tuple]:
        rows = []
        for year, rec in self.school_years.items():
            if (year + 1, 6) > (self.model.year, self.model.calendar_month - 1) and not (
                self.model.year > year + 1
            ):
                continue  # the school year has not ended inside the horizon
            start, drop = rec["start"], rec["dropouts"]
            tracks = {
                "academic": [Track.ACADEMIC],
                "vocational": [Track.VOCATIONAL],
                "all": [Track.ACADEMIC, Track.VOCATIONAL],
            }
            for group, ts in tracks.items():
                n = sum(start.get(t, 0) for t in ts)
                k = sum(drop.get(t, 0) for t in ts)
                rows.append((year, "dropout_rate", group, _ratio(k, n), n))
        return rows

    def _wait_rows(self) -> list[tuple]:
        rows = []
        for year, w in self.waits.items():
            for name in sorted({k[0] for k in w}):
                n = int(w[(name, "n")])
                days = _ratio(w[(name, "sum")], n) * 30.44
                rows.append((year, "wait_days_mean", f"service:{name}", days, n))
        return rows
