"""YouthModel: one run of one scenario with one replicate seed (Mesa 3 model)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import mesa
import numpy as np

from sim.core.geo import load_geography
from sim.core.metrics import Collector
from sim.core.population import Population, YouthAgents, YouthRegistry
from sim.core.processes import health, status
from sim.core.processes.demography import Demography
from sim.core.referrals import Referrals
from sim.core.scenario import Scenario
from sim.core.streams import Streams

HELPER_ORDER = ["followup", "nav", "gp", "bup", "dps"]


class YouthModel(YouthRegistry, mesa.Model):
    """Youth aged 15-29 in Trøndelag moving through school, NAV and health services.

    Args:
        scenario: the resolved scenario (its chain root's parameters drive the warm-up).
        seed: the replicate seed; every stochastic decision has its own stream from it.
        scale: fraction of the population simulated (service capacities scale with it).
        start: first reported month, ``"YYYY-MM"``.
        warmup_years: years simulated before ``start`` to build a consistent population.
        services: makes the run's service agents for a model (the run layer hands
            :func:`sim.services.create_all`: today's services and every plugin); the model
            names no concrete service. None: no services.
        monthly: collect monthly rows (yearly rows are always collected).
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int = 1,
        scale: float = 1.0,
        start: str = "2024-01",
        warmup_years: int = 15,
        monthly: bool = True,
        services: Callable[[YouthModel], list] | None = None,
    ):
        super().__init__(rng=np.random.default_rng(seed))
        self.definition, self.seed, self.scale = scenario, int(seed), float(scale)
        self.start_year, start_month = (int(x) for x in start.split("-"))
        self.origin_year = self.start_year - warmup_years
        self.start_index = warmup_years * 12 + start_month - 1
        self.month = 0
        self.params = scenario.warmup_params
        self.geo = load_geography()
        self.streams = Streams(self.seed)
        self.pop = Population(capacity=int(260_000 * max(self.scale, 0.01)))
        self.youth = YouthAgents(self)  # the live youth as Mesa agents, made when first read
        self.referrals = Referrals(self)
        self._helper_bits: dict[str, int] = {n: i for i, n in enumerate(HELPER_ORDER)}
        self._routes: dict[str, int] = {}
        self.modifiers: dict[str, list] = defaultdict(list)
        self.demography = Demography(self)
        self.services = services(self) if services is not None else []
        self.collector = Collector(self, monthly=monthly)
        self.shortfall = 0

    # -- calendar -------------------------------------------------------------------------
    @property
    def year(self) -> int:
        """Calendar year of the current month."""
        return self.origin_year + self.month // 12

    @property
    def calendar_month(self) -> int:
        """Calendar month 1-12 of the current month."""
        return self.month % 12 + 1

    @property
    def period(self) -> str:
        """The current month as ``"YYYY-MM"``."""
        return f"{self.year}-{self.calendar_month:02d}"

    @property
    def started(self) -> bool:
        """True once the warm-up is over (the scenario's parameters are in force)."""
        return self.month >= self.start_index

    def ages(self, pids: np.ndarray) -> np.ndarray:
        """Ages on 1 January of the current year."""
        return np.subtract(self.year - 1, self.pop.birth_year[pids], dtype=np.int64)

    def aged(self, pids, age: int) -> np.ndarray:
        """Whether youth (pids or rows) are ``age`` or older: ``ages(pids) >= age``, no copy."""
        return self.pop.birth_year[pids] <= self.year - 1 - age

    # -- the monthly loop -----------------------------------------------------------------
    def step(self) -> None:
        """Advance one month: the phases below, in order, one call each.

        1. begin: the month's random streams are keyed; flow counters reset.
        2. demography: in January youth aged 30 leave and the cohort aged 15 enters;
           migrants arrive every month.
        3. school: school-year start (August), in-year dropout, June exams, apprenticeships,
           higher education.
        4. health: mental-health onset, worsening and recovery (treatment raises recovery).
        5. services "health": the GP detects and refers; BUP/DPS admit from their queues.
        6. services "followup": OT contacts youth 15-24 outside school and work.
        7. services "nav": NAV registers youth and decides benefits, then steps its area
           offices (follow-up intensity, programme and qualification places).
        8. services "interventions": coordination, IPS and plugin services.
        9. services "labour": the labour market: job finding and job loss.
        10. status: NEET status, spell counters, history log.
        11. services "costs": the cost ledger (when present).
        12. collect: reporters write this month's aggregates.
        """
        self._begin()
        self.demography.step()
        self._phase("school")
        health.step(self)
        self._phase("health")
        self._phase("followup")
        self._phase("nav")
        self._phase("interventions")
        self._phase("labour")
        status.step(self)
        self._phase("costs")
        self.collector.collect()
        self.month += 1

    def _begin(self) -> None:
        if self.month == self.start_index:
            self.params = self.definition.params
            for service in self.services:
                service.configure()
        self.streams.set_month(self.month)
        self.referrals.reset_counters()
        for service in self.services:
            service.reset_counters()

    def _phase(self, phase: str) -> None:
        for service in self.services:
            if service.phase == phase:
                service.step()

    def warm_up(self) -> None:
        """Run the warm-up months and thin to observed municipality counts."""
        while self.month < self.start_index:
            self.step()
        self.demography.thin_to_observed()
        self.collector.reset()

    # -- population changes ---------------------------------------------------------------
    def add_youth(self, kommune: np.ndarray, flow: str = "entries", **values) -> np.ndarray:
        """Add youth (entry or arrival)."""
        pids = self.pop.add(len(kommune), self.month, kommune=kommune, **values)
        self.youth.entered(pids)
        self.collector.count_flow(flow, pids)
        return pids

    def remove_youth(self, pids: np.ndarray) -> None:
        """Youth leave the population (age 30); histories stay."""
        self.pop.remove(pids, self.month)
        self.youth.left(pids)
        for service in self.services:
            service.drop_departed()
        self.collector.count_flow("exits", pids)

    # -- registries -----------------------------------------------------------------------
    def add_service(self, cls: type, **kwargs):
        """Add a service agent (an intervention or a plugin) to the model."""
        service = cls(self, **kwargs)
        self.services.append(service)
        service.configure()
        return service

    def receiver(self, name: str):
        """The service (or router) that takes referrals addressed to ``name``."""
        for service in self.services:
            if service.name == name or getattr(service, "route_name", None) == name:
                return service
        raise KeyError(f"no service receives referrals for {name!r}")

    def helper_bit(self, name: str) -> int:
        """The helper bitmask bit of a service (new services get the next free bit)."""
        if name not in self._helper_bits:
            self._helper_bits[name] = len(self._helper_bits)
        return 1 << self._helper_bits[name]

    def helper_names(self, mask: int) -> list[str]:
        """Service names in a helper bitmask."""
        return [n for n, b in self._helper_bits.items() if mask & (1 << b)]

    def route_id(self, route: str) -> int:
        """A small integer for a referral route (for the referral log)."""
        return self._routes.setdefault(route, len(self._routes))

    def modified(self, decision: str, pids: np.ndarray, base) -> np.ndarray:
        """A hazard times every multiplier registered for ``decision`` (e.g. ``job_find``)."""
        h = np.broadcast_to(np.asarray(base, dtype=float), pids.shape).copy()
        for modifier in self.modifiers[decision]:
            h *= modifier(pids)
        return h

    def conflict_factor(self, pids: np.ndarray) -> np.ndarray:
        """Multiplier on a helper's effect.

        It is 1 - ``plan_conflict`` where two or more helpers work without a shared plan,
        else 1.
        """
        helpers = np.bitwise_count(self.pop.helpers[pids])
        conflicted = (helpers >= 2) & ~self.pop.shared_plan[pids]
        return np.where(conflicted, 1.0 - self.params["plan_conflict"], 1.0)

    def registered(self) -> list[str]:
        """Names of the service agents this model has."""
        return sorted({service.name for service in self.services})
