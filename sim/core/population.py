"""The youth population as model-owned columnar arrays, one row per youth, indexed by ``pid``.

``pid`` is the row index: rows are appended in entry order (birth cohort, municipality, index)
and never reused, so ids are identical in every scenario. A :class:`Youth` Mesa agent is a thin
view onto its row, made through Mesa's public API when first read (:class:`YouthAgents`, the
model's ``youth``). Histories are kept as change events (month, field, value), not as a dense
month-by-youth matrix.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.core.heap import keep_freed_memory
from sim.core.history import youth_history
from sim.core.states import (  # the enums stay importable from here for earlier code
    FIELDS,
    TRACKED,
    Activity,
    Mh,
    NavStatus,
    Track,  # noqa: F401
)

if TYPE_CHECKING:
    from mesa.agentset import AbstractAgentSet


class Population:
    """Columnar youth state with a change log for histories."""

    def __init__(self, capacity: int = 1024):
        keep_freed_memory()  # the loop's temporaries reuse freed memory (see sim.core.heap)
        self.n = 0
        for name, (dtype, init) in FIELDS.items():
            setattr(self, name, np.full(capacity, init, dtype=dtype))
        self._last = {f: np.zeros(capacity, FIELDS[f][0]) for f in TRACKED}
        self._events: list[np.ndarray] = []
        self.lo = 0  # lowest live pid
        self._live: np.ndarray | None = None

    @property
    def capacity(self) -> int:
        """Rows allocated."""
        return len(self.alive)

    def _grow(self, need: int) -> None:
        new = max(need, int(self.capacity * 1.5))
        for name, (dtype, init) in FIELDS.items():
            old = getattr(self, name)
            arr = np.full(new, init, dtype=dtype)
            arr[: len(old)] = old
            setattr(self, name, arr)
        for f, old in self._last.items():
            arr = np.zeros(new, FIELDS[f][0])
            arr[: len(old)] = old
            self._last[f] = arr

    def add(self, count: int, month: int, **values: np.ndarray) -> np.ndarray:
        """Append ``count`` youth entering in ``month``; returns their pids."""
        if self.n + count > self.capacity:
            self._grow(self.n + count)
        pids = np.arange(self.n, self.n + count)
        self.n += count
        self._live = None
        self.alive[pids] = True
        self.entry_month[pids] = month
        for name, value in values.items():
            getattr(self, name)[pids] = value
        for f in TRACKED:
            self._last[f][pids] = getattr(self, f)[pids]
            self._log(month, f, pids, getattr(self, f)[pids])
        return pids

    def remove(self, pids: np.ndarray, month: int) -> None:
        """Youth leave (age 30 or emigration); their rows and history are kept."""
        self.alive[pids] = False
        self.exit_month[pids] = month
        self._live = None
        live = np.flatnonzero(self.alive[self.lo : self.n])
        self.lo = self.lo + (int(live[0]) if len(live) else self.n - self.lo)

    @property
    def rows(self) -> slice:
        """The rows that can hold youth present (``lo:n``): read columns as fast slices."""
        return slice(self.lo, self.n)

    def live_where(self, mask: np.ndarray) -> np.ndarray:
        """Pids of youth present where ``mask`` (over :attr:`rows`) holds, ascending."""
        return self.lo + np.flatnonzero(self.alive[self.lo : self.n] & mask)

    def live(self) -> np.ndarray:
        """Pids of youth present now (cached until the population changes; do not modify)."""
        if self._live is None:
            self._live = self.lo + np.flatnonzero(self.alive[self.lo : self.n])
        return self._live

    def _log(self, month: int, field: str, pids: np.ndarray, values: np.ndarray) -> None:
        ev = np.empty(len(pids), dtype=EVENT_DTYPE)
        ev["pid"], ev["month"], ev["field"], ev["value"] = (
            pids,
            month,
            TRACKED.index(field),
            values,
        )
        self._events.append(ev)

    def record_changes(self, month: int) -> None:
        """Log every tracked field that changed since last month (for live youth)."""
        sl = slice(self.lo, self.n)
        for f in TRACKED:
            now, last = getattr(self, f)[sl], self._last[f][sl]
            changed = np.flatnonzero(now != last)
            if len(changed):
                self._log(month, f, changed + self.lo, now[changed])
                last[changed] = now[changed]

    def events(self) -> np.ndarray:
        """All logged change events (pid, month, field, value)."""
        self._events = [np.concatenate(self._events)] if self._events else []
        return self._events[0] if self._events else np.empty(0, EVENT_DTYPE)

    def nbytes(self) -> int:
        """Memory held by the arrays and the event log."""
        arrays = sum(getattr(self, n).nbytes for n in FIELDS)
        return arrays + sum(a.nbytes for a in self._last.values()) + self.events().nbytes


EVENT_DTYPE = np.dtype(
    [("pid", np.int32), ("month", np.int16), ("field", np.int8), ("value", np.uint32)]
)


class Youth(mesa.Agent):
    """A young person: a readable view onto one row of the model's population arrays.

    Made through Mesa's public API only (``Agent.__init__`` registers it, gives it the model's
    next ``unique_id`` and signals ``agent_added``); read youth through ``model.youth[pid]``
    (:class:`YouthAgents`), which makes each view once, when it is first needed.
    """

    def __init__(self, model, pid: int):
        super().__init__(model)
        self.pid = int(pid)

    def _get(self, field: str):
        return getattr(self.model.pop, field)[self.pid]

    @property
    def activity(self) -> Activity:
        """Current main activity."""
        return Activity(int(self._get("activity")))

    @property
    def nav_status(self) -> NavStatus:
        """Current NAV status."""
        return NavStatus(int(self._get("nav_status")))

    @property
    def mental_health(self) -> Mh:
        """Current mental-health state."""
        return Mh(int(self._get("mh")))

    @property
    def age(self) -> int:
        """Age on 1 January of the current year (as SSB counts)."""
        return self.model.year - int(self._get("birth_year")) - 1

    @property
    def helpers(self) -> list[str]:
        """Names of the services currently engaged with this youth."""
        return self.model.helper_names(int(self._get("helpers")))

    @property
    def municipality(self) -> str:
        """Municipality name."""
        return self.model.geo.names[int(self._get("kommune"))]

    def history(self):
        """This youth's history: spells by field (see :func:`sim.core.history.youth_history`)."""
        return youth_history(self.model, self.pid)


class YouthAgents(Mapping[int, Youth]):
    """The model's live youth as :class:`Youth` agents, keyed by pid (``model.youth``).

    A youth's view is made with ``Youth(model, pid)`` the first time it is read and removed
    with ``agent.remove()`` when the youth leaves, both through Mesa's public API; a run that
    reads no youth makes no agents, so Mesa adds nothing to its time. Keys, length and
    membership come from the population: every live youth, whether its view is made or not.

    After :meth:`register_all` Mesa's registry holds exactly the live youth: every missing view
    is made at once and, from then on, each youth's view when it enters. The model calls it
    whenever Mesa's registry is read or watched (see :class:`YouthRegistry`).

    Args:
        model: the model whose ``pop`` holds the youth.
    """

    def __init__(self, model):
        self._model = model
        self._views: dict[int, Youth] = {}
        self.complete = False  # every live youth has its view (register_all was called)

    def __getitem__(self, pid: int) -> Youth:
        view = self._views.get(pid)
        if view is None:
            if pid not in self:
                raise KeyError(pid)
            view = self._views[int(pid)] = Youth(self._model, pid)
        return view

    def __contains__(self, pid: object) -> bool:
        pop = self._model.pop
        return isinstance(pid, int | np.integer) and pop.lo <= pid < pop.n and bool(pop.alive[pid])

    def __iter__(self) -> Iterator[int]:
        return iter(self._model.pop.live().tolist())

    def __len__(self) -> int:
        return len(self._model.pop.live())

    @property
    def made(self) -> int:
        """Views made so far: the youth Mesa's registry holds."""
        return len(self._views)

    def register_all(self) -> None:
        """Make every live youth's view now, and each entering youth's view when it enters."""
        if not self.complete:
            self.complete = True
            self.entered(self._model.pop.live())

    def entered(self, pids: np.ndarray) -> None:
        """Youth were added to the population: their views are made if :attr:`complete`."""
        if self.complete:
            for pid in pids.tolist():
                self[pid]

    def left(self, pids: np.ndarray) -> None:
        """Youth were removed from the population: their views leave Mesa's registry."""
        if self._views:
            for pid in pids.tolist():
                view = self._views.pop(pid, None)
                if view is not None:
                    view.remove()


class YouthRegistry:
    """Mesa's registry for a model whose youth are :class:`YouthAgents` views (mixin).

    Put it before ``mesa.Model`` in the bases and set ``self.youth``. Reading the registry
    (``agents``, ``agents_by_type``, ``agent_types``) or watching the model's agents first
    registers every live youth (:meth:`YouthAgents.register_all`), so Mesa's tools (the
    DataCollector, AgentSet operations, agent signals) see exactly the live youth, and youth
    entering and leaving afterwards; a run that does neither makes no youth agents.
    """

    youth: YouthAgents

    @property
    def agents(self) -> AbstractAgentSet:
        """Mesa's set of all the model's agents, every live youth included."""
        self.youth.register_all()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type, AbstractAgentSet]:
        """Mesa's agent sets by class, every live youth included."""
        self.youth.register_all()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """Mesa's agent classes, :class:`Youth` included once any youth is live."""
        self.youth.register_all()
        return super().agent_types

    def observe(self, observable_name, signal_type, handler) -> None:
        """Mesa's ``observe``; watching the model's agents first registers every live youth.

        The views are made before the handler subscribes, so it hears of youth entering and
        leaving from now on, not of the views made for youth already present.
        """
        if not isinstance(observable_name, str) or observable_name == "agents":
            self.youth.register_all()
        super().observe(observable_name, signal_type, handler)
