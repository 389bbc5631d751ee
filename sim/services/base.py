"""The shape every service shares: a Mesa agent with capacity, a queue and counters.

A service receives referrals into its queue (:meth:`Service.receive`), admits from the queue
within its free capacity in an order that is itself a random decision (:meth:`Service.admit`),
and keeps counters: queue length, waiting time, refusals, referrals received and lost.
A service can declare its own unit costs (``unit_costs``), which the cost ledger charges
through :meth:`Service.charged_units`.
Its lifecycle is every module's (:mod:`sim.core.module`): subclasses declare their ``phase``
and ``hazard_modifiers`` and implement :meth:`step` (and :meth:`configure`, and
:meth:`create` when the class brings more than one agent).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from sim.core.module import Module
from sim.core.pidsets import in_any, new_to

if TYPE_CHECKING:
    from sim.services.ledger import UnitCost

DAYS_PER_MONTH = 30.44
EMPTY = np.empty(0, dtype=np.int64)


def end_hazard(mean_months: float) -> float:
    """Monthly chance that a spell of mean length ``mean_months`` ends (1 / mean).

    A mean of one month or less (0 included) ends the spell at the first monthly step.
    """
    return 1.0 / max(mean_months, 1.0)


def scaled_capacity(full: float, scale: float) -> int:
    """Capacity at a population scale: rounded, never zero where the full value is positive."""
    cap = int(round(full * scale))
    return max(cap, 1) if full > 0 else 0


class Service(mesa.Agent, Module):
    """A capacity-limited service with a FIFO queue (random order within a month).

    Attributes:
        name: short name used in metric groups (``service:<name>``) and referral routes.
        phase: the phase of the monthly loop in which :meth:`step` runs (every concrete
            service declares it; see :data:`sim.core.model.PHASES`).
        hazard_modifiers: decision -> method name (see :class:`sim.core.module.Module`).
        is_helper: whether engagement with this service counts as a helper for the youth.
        holds_plan: whether, as a helper, it works to a plan of its own (counts towards
            ``plan_conflict``; see :class:`sim.core.module.Module`).
    """

    name = "service"
    kind = "service"
    is_helper = True
    holds_plan = True
    helper_name = None  # defaults to ``name``; offices of one service share one helper bit
    # Unit costs this service brings (plugins): CSV text, or the Path of a CSV file, with the
    # columns of sim/data/unit_costs.csv; see sim.services.declared_costs and charged_units.
    unit_costs: ClassVar[str | Path | None] = None

    def __init__(self, model, name: str | None = None):
        super().__init__(model)
        if name is not None:
            self.name = name
        self.helper_name = self.helper_name or self.name
        self.capacity = 0
        self.queue = EMPTY
        self.queue_since = np.empty(0, dtype=np.int32)
        self.active = EMPTY  # youth currently served
        self.active_since = np.empty(0, dtype=np.int32)
        self._served: list[np.ndarray] = []
        self.reset_counters()

    def served(self) -> np.ndarray:
        """Every pid this service has ever served (sorted, unique)."""
        return np.unique(np.concatenate(self._served)) if self._served else EMPTY

    def reported(self) -> bool:
        """Whether the reporters write this service's queue and caseload rows (a capacity)."""
        return bool(self.capacity)

    # -- counters -------------------------------------------------------------------------
    def reset_counters(self) -> None:
        """Zero this month's flow counters (called by the model at the start of a month)."""
        self.received = 0
        self.refused = 0
        self.admitted = 0
        self.wait_months_sum = 0.0

    def indicators(self) -> dict[str, float]:
        """Stock and flow indicators for the reporters."""
        wait = self.wait_months_sum / self.admitted if self.admitted else np.nan
        workers = self.workers()
        return {
            "queue_length": float(len(self.queue)),
            "wait_days_mean": wait * DAYS_PER_MONTH if self.admitted else np.nan,
            "caseload_per_worker": len(self.active) / workers if workers else np.nan,
            "capacity_used_share": len(self.active) / self.capacity if self.capacity else np.nan,
            "admitted": float(self.admitted),
        }

    def workers(self) -> float | None:
        """Staff (FTE, scaled) behind the caseload, or None where the model has no staff."""
        return None

    def charged_units(self, cost: UnitCost) -> tuple[float, int]:
        """What the cost ledger charges this month for one of this service's ``unit_costs``.

        Called once a month from the start month for each declared unit cost of a service
        that has a capacity at the start month (one without adds no cost line); the ledger
        books units x the monthly unit cost to ``public:<payer>:<category>`` and
        ``societal:<category>``.

        Args:
            cost: the declared unit cost (``cost.name``, ``cost.unit``, ...).

        Returns:
            (units at this scale, youth served behind them). By default a cost ``per FTE`` is
            charged the staff of :meth:`workers` (FTE x scale; none when it returns None) and
            any other cost one unit per youth served this month. Override it to charge
            something else (places, sessions, a building).
        """
        served = len(self.active)
        if cost.unit.endswith("per FTE"):
            return float(self.workers() or 0.0), served
        return float(served), served

    # -- queue ----------------------------------------------------------------------------
    def receive(self, pids: np.ndarray) -> None:
        """Put referred youth on the waiting list (youth already queued or served are refused)."""
        pids = np.asarray(pids)
        new = new_to(pids, self.model.pop.n, self.queue, self.active)
        self.refused += len(pids) - len(new)
        self.enqueue(new)

    def enqueue(self, pids: np.ndarray) -> None:
        """Add youth to the end of the waiting list (pids checked by :meth:`receive`)."""
        self.received += len(pids)
        self.queue = np.concatenate([self.queue, pids])
        since = np.full(len(pids), self.model.month, dtype=np.int32)
        self.queue_since = np.concatenate([self.queue_since, since])

    def leave_queue(self, keep: np.ndarray) -> None:
        """Drop youth from the queue where ``keep`` is False (recovered, aged out, left)."""
        self.queue, self.queue_since = self.queue[keep], self.queue_since[keep]

    def admit(self, free: int) -> np.ndarray:
        """Admit up to ``free`` youth: longest-waiting first, ties in a random order."""
        if free <= 0 or not len(self.queue):
            return EMPTY
        return admit_each([self], [free])[0]

    def start_service(self, pids: np.ndarray) -> None:
        """Begin serving youth (admitted, or taken on directly by services without a queue)."""
        if len(pids):
            self._served.append(np.asarray(pids, dtype=np.int64))
        self.active = np.concatenate([self.active, pids])
        since = np.full(len(pids), self.model.month, dtype=np.int32)
        self.active_since = np.concatenate([self.active_since, since])
        self.set_helper(pids, True)

    def release(self, done: np.ndarray) -> None:
        """End service for youth where ``done`` is True (over ``self.active``)."""
        self.set_helper(self.active[done], False)
        self.active, self.active_since = self.active[~done], self.active_since[~done]

    def set_helper(self, pids: np.ndarray, on: bool) -> None:
        """Mark this service as a helper of the youth (or not)."""
        if not self.is_helper or not len(pids):
            return
        bit = np.uint32(self.model.helper_bit(self.helper_name))
        if on:
            self.model.pop.helpers[pids] |= bit
        else:
            self.model.pop.helpers[pids] &= ~bit

    def drop_departed(self) -> None:
        """Forget youth who left the population."""
        alive = self.model.pop.alive
        self.leave_queue(alive[self.queue])
        gone = ~alive[self.active]
        self.active, self.active_since = self.active[~gone], self.active_since[~gone]


def admit_each(services: list[Service], free: list[int]) -> list[np.ndarray]:
    """``service.admit(places)`` for each service and its free places, in one sorting pass.

    Each queue is ordered longest-waiting first, ties by the service's own random draw
    (``admit:<name>`` at the queued pids); the first ``places`` are taken. Returns the pids
    each service took, in admission order. Services without free places or without a queue
    take no one and are left out of the sort.
    """
    out = [EMPTY] * len(services)
    admitting = [i for i, s in enumerate(services) if free[i] > 0 and len(s.queue)]
    if admitting:
        taken = _admit([services[i] for i in admitting], [free[i] for i in admitting])
        for i, pids in zip(admitting, taken, strict=True):
            out[i] = pids
    return out


def _admit(services: list[Service], free: list[int]) -> list[np.ndarray]:
    """:func:`admit_each` for services that each have free places and a queue."""
    m, count = services[0].model, len(services)
    sizes = [len(s.queue) for s in services]
    bounds = np.cumsum([0, *sizes])
    owner = np.repeat(np.arange(count), sizes)
    queue = np.concatenate([s.queue for s in services])
    since = np.concatenate([s.queue_since for s in services])
    places = np.asarray(free)
    draw = m.streams.at_each([f"admit:{s.name}" for s in services], queue, sizes)
    order = np.lexsort((draw, since, owner))  # owner ascending: each queue keeps its block
    chosen = order[np.arange(len(order)) - bounds[owner] < places[owner]]
    waits = m.month - since[chosen] + 0.5  # mid-month arrival
    wait_sums = np.bincount(owner[chosen], weights=waits, minlength=count)
    keep = np.ones(len(queue), bool)
    keep[chosen] = False
    taken_bounds = np.searchsorted(owner[chosen], np.arange(count + 1))
    out = []
    for i, service in enumerate(services):
        taken = queue[chosen[taken_bounds[i] : taken_bounds[i + 1]]]
        service.wait_months_sum += float(wait_sums[i])
        service.admitted += len(taken)
        service.leave_queue(keep[bounds[i] : bounds[i + 1]])
        service.start_service(taken)
        out.append(taken)
    return out


def receive_each(services: list[Service], pids: np.ndarray, owner: np.ndarray) -> None:
    """``services[i].receive(pids[owner == i])`` for every service, with one lookup table.

    For services whose clients never overlap (the NAV offices, each serving its own area's
    youth): a youth referred to one of them waits for or is served by no other. ``owner``
    ascends, and ``pids`` are sorted and unique within each service's part.
    """
    model = services[0].model
    taken = [s.queue for s in services] + [s.active for s in services]
    fresh = ~in_any(pids, model.pop.n, *taken)
    refused = np.bincount(owner[~fresh], minlength=len(services)).tolist()
    pids, owner = pids[fresh], owner[fresh]
    bounds = np.searchsorted(owner, np.arange(len(services) + 1)).tolist()
    for service, a, b, n in zip(services, bounds, bounds[1:], refused, strict=False):
        service.refused += n
        if b > a:
            service.enqueue(pids[a:b])
