"""YouthModel: one run of one scenario with one replicate seed (Mesa 3 model).

The monthly loop is declared once, in :data:`PHASES`; every module (process, service,
recorder: :mod:`sim.core.module`) names the phase it runs in, and :meth:`YouthModel.step`
runs the phases in that order.
"""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np

from sim.core.geo import load_geography
from sim.core.metrics import Collector
from sim.core.module import KINDS, Module
from sim.core.population import Population, YouthAgents, YouthRegistry
from sim.core.processes.demography import Demography
from sim.core.processes.health import Health
from sim.core.processes.status import Status
from sim.core.referrals import Referrals
from sim.core.scenario import Scenario
from sim.core.streams import Streams

PHASES = (
    "demography",
    "school",
    "health",
    "followup",
    "nav",
    "interventions",
    "labour",
    "status",
    "record",
)
# hazards that read registered modifiers
DECISIONS = ("job_find", "job_loss", "mh_recovery", "edu_dropout")


def check_declaration(module: Module | type) -> None:
    """Raise ValueError unless a module (or module class) declares a phase and modifiers we run.

    Its ``phase`` must be one of :data:`PHASES` (or None: stepped by its owner), its ``kind``
    one of the module kinds, and each ``hazard_modifiers`` entry a known decision mapped to a
    method of the module.
    """
    name = module.name
    if not hasattr(module, "phase"):
        raise ValueError(f"module {name!r} declares no phase; phases: {', '.join(PHASES)}")
    if module.phase is not None and module.phase not in PHASES:
        raise ValueError(
            f"module {name!r}: unknown phase {module.phase!r}; phases: {', '.join(PHASES)}"
            " (None: stepped by its owner)"
        )
    if module.kind not in KINDS:
        raise ValueError(f"module {name!r}: unknown kind {module.kind!r}; kinds: {KINDS}")
    for decision, method in module.hazard_modifiers.items():
        if decision not in DECISIONS:
            raise ValueError(
                f"module {name!r}: unknown decision {decision!r}; decisions: {DECISIONS}"
            )
        if not callable(getattr(module, method, None)):
            raise ValueError(f"module {name!r}: no method {method!r} for {decision!r}")


class YouthModel(YouthRegistry, mesa.Model):
    """Youth aged 15-29 in Trøndelag moving through school, NAV and health services.

    Args:
        scenario: the resolved scenario (its chain root's parameters drive the warm-up).
        seed: the replicate seed; every stochastic decision has its own stream from it.
        scale: fraction of the population simulated (service capacities scale with it).
        start: first reported month, ``"YYYY-MM"``.
        warmup_years: years simulated before ``start`` to build a consistent population.
        monthly: collect monthly rows (yearly rows are always collected).
        modules: makes the run's services and recorders for a model (the run layer hands
            :func:`sim.services.create_all`: the registered services, the cost ledger and
            every plugin); the model names no concrete service. None: no services and no
            recorders.

    Attributes:
        processes, services, recorders: the modules of each kind, in creation order.
        modifiers: decision -> the registered hazard modifiers, in module order.
        end_month: the month index after the last simulated month (set by whoever runs the
            model, e.g. :func:`sim.run.runner.simulate`; -1 until then). The cost ledger's
            lifetime view closes there.
        plan_owners: owner name -> the youth whose shared plan it holds this month
            (:mod:`sim.services.shared_plan`).
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
        modules: Callable[[YouthModel], list[Module]] | None = None,
    ):
        super().__init__(rng=np.random.default_rng(seed))
        self.definition, self.seed, self.scale = scenario, int(seed), float(scale)
        self.start_year, start_month = (int(x) for x in start.split("-"))
        self.origin_year = self.start_year - warmup_years
        self.start_index = warmup_years * 12 + start_month - 1
        self.month = 0
        self.end_month = -1
        self.params = scenario.warmup_params
        self.geo = load_geography()
        self.streams = Streams(self.seed)
        self.pop = Population(capacity=int(260_000 * max(self.scale, 0.01)))
        self.youth = YouthAgents(self)  # the live youth as Mesa agents, made when first read
        self.referrals = Referrals(self)
        self.plan_owners: dict[str, np.ndarray] = {}
        self._helper_bits: dict[str, int] = {}
        self._plan_mask = np.uint32(0)  # helper bits of the services that hold a plan
        self._routes: dict[str, int] = {}
        self.demography = Demography(self)
        self.processes: list[Module] = [self.demography, Health(self), Status(self)]
        # before the modules are made: a plugin of the earlier API adds to it in create()
        self.modifiers: dict[str, list] = {decision: [] for decision in DECISIONS}
        made = modules(self) if modules is not None else []
        self.services = [m for m in made if m.kind == "service"]
        self.recorders = [m for m in made if m.kind == "recorder"]
        if len(self.services) + len(self.recorders) != len(made):
            odd = [m.name for m in made if m.kind not in ("service", "recorder")]
            raise ValueError(f"modules {odd} are neither services nor recorders")
        self.modules = self.processes + self.services + self.recorders
        self._by_name: dict[str, Module] = {}
        self._plan: dict[str, list[Module]] = {phase: [] for phase in PHASES}
        for module in self.modules:
            self._add(module)
        self.collector = Collector(self, monthly=monthly)

    def _add(self, module: Module) -> None:
        """Check a module's declarations; index it by name and phase; register its parts."""
        check_declaration(module)
        if module.name in self._by_name:
            raise ValueError(f"two modules are named {module.name!r}")
        self._by_name[module.name] = module
        if module.phase is not None:
            self._plan[module.phase].append(module)
        for decision, method in module.hazard_modifiers.items():
            self.modifiers[decision].append(getattr(module, method))
        if module.is_helper:
            bit = self.helper_bit(module.helper_name)
            if module.holds_plan:
                self._plan_mask |= np.uint32(bit)
        module.configure()

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
        """Advance one month: begin, every phase of :data:`PHASES` in order, collect.

        In each phase its processes act first, then its services, then its recorders, each
        in the order they were created (plugins after the built-in services).

        1. begin: at the start month the scenario's parameters replace the warm-up's (the
           chain root's) and every module re-reads its capacity (``configure``); the month's
           random streams are keyed; referral and module flow counters reset.
        2. demography: in January youth aged 30 leave and the cohort aged 15 enters;
           migrants arrive every month.
        3. school: school-year start (August), in-year dropout, June exams, apprenticeships,
           higher education.
        4. health: mental-health onset, worsening and recovery (treatment raises recovery);
           then the GP detects and refers, and BUP/DPS admit from their queues.
        5. followup: OT contacts youth 15-24 outside school and work.
        6. nav: NAV registers youth and decides benefits, then steps its area offices
           (follow-up intensity, programme and qualification places).
        7. interventions: coordination, IPS (and the trial's places) and plugin services.
        8. labour: the labour market: job finding and job loss.
        9. status: months in the current activity and NAV status (reset where either
           changed); this month's changes are logged to the history.
        10. record: the recorders: the cost ledger (always present: :mod:`sim.services`
            registers it; it books from the start month) and, in trial runs, the trial
            recorder.
        11. collect: reporters write this month's aggregates.
        """
        self._begin()
        for phase in PHASES:
            for module in self._plan[phase]:
                module.step()
        self.collector.collect()
        self.month += 1

    def _begin(self) -> None:
        if self.month == self.start_index:
            self.params = self.definition.params
            for module in self.modules:
                module.configure()
        self.streams.set_month(self.month)
        self.referrals.reset_counters()
        for module in self.modules:
            module.reset_counters()

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
        for module in self.modules:
            module.drop_departed()
        self.collector.count_flow("exits", pids)

    # -- modules --------------------------------------------------------------------------
    def module(self, name: str) -> Module | None:
        """The module called ``name`` (a process, service or recorder), or None."""
        return self._by_name.get(name)

    def receiver(self, name: str) -> Module:
        """The service that takes referrals addressed to ``name``."""
        service = self._by_name.get(name)
        if service is None or service.kind != "service":
            raise KeyError(f"no service receives referrals for {name!r}")
        return service

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
        """Multiplier on a helper's effect: 1 - ``plan_conflict`` for youth in plan conflict.

        A youth is in conflict when two or more helpers that each hold a plan of their own
        (``holds_plan``: NAV, the follow-up service, BUP/DPS, IPS, the coordinator, plugin
        services by default) follow them and no one holds a shared plan for them. Helpers
        without a plan (the GP's routine contact) never count, so a patient whose only other
        helper is the GP is not in conflict. Else 1.
        """
        planners = np.bitwise_count(self.pop.helpers[pids] & self._plan_mask)
        conflicted = (planners >= 2) & ~self.pop.shared_plan[pids]
        return np.where(conflicted, 1.0 - self.params["plan_conflict"], 1.0)
