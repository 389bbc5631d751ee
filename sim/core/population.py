"""The youth population as model-owned columnar arrays, one row per youth, indexed by ``pid``.

``pid`` is the row index: rows are appended in entry order (birth cohort, municipality, index)
and never reused, so ids are identical in every scenario. A :class:`Youth` Mesa agent is a thin
view onto its row. Histories are kept as change events (month, field, value), not as a dense
month-by-youth matrix.
"""

from __future__ import annotations

import logging
from enum import IntEnum

import mesa
import numpy as np
from mesa.experimental.mesa_signals import ModelSignals


class Activity(IntEnum):
    """Main activity (SSB register NEET definition: programmes are not NEET)."""

    LOWER_SECONDARY = 0
    UPPER_SECONDARY = 1  # including apprenticeship
    HIGHER_EDUCATION = 2
    EMPLOYED = 3
    PROGRAMME = 4  # NAV labour-market programme or qualification programme
    NEET = 5


class NavStatus(IntEnum):
    """NAV registration or benefit, separate from activity."""

    NONE = 0
    JOBSEEKER = 1
    AAP = 2
    QUALIFICATION = 3
    SOCIAL_ASSISTANCE = 4
    DISABILITY = 5


class Track(IntEnum):
    """Upper-secondary track."""

    NONE = 0
    ACADEMIC = 1
    VOCATIONAL = 2


class Mh(IntEnum):
    """Mental-health state."""

    NONE = 0
    MODERATE = 1
    SEVERE = 2


FIELDS = {  # name: dtype, initial value
    "alive": (np.bool_, False),
    "birth_year": (np.int16, 0),
    "entry_month": (np.int32, -1),
    "exit_month": (np.int32, -1),
    "female": (np.bool_, False),
    "immigrant": (np.bool_, False),
    "kommune": (np.int16, 0),  # index into the municipality table
    "track": (np.int8, 0),
    "grade": (np.int8, 0),  # 0 none; 1-3 Vg1-Vg3; 4-5 apprenticeship years 1-2
    "vg1_year": (np.int16, -1),
    "completed": (np.bool_, False),
    "completed_month": (np.int32, -1),
    "left_grade": (np.int8, 0),  # grade to return to after leaving school early
    "mh": (np.int8, 0),
    "detected": (np.bool_, False),
    "activity": (np.int8, 0),
    "nav_status": (np.int8, 0),
    "nav_months": (np.int16, 0),  # months in current NAV status
    "months_in_activity": (np.int16, 0),
    "helpers": (np.uint32, 0),  # bitmask of services engaged with the youth
    "shared_plan": (np.bool_, False),  # one coordinated plan (no plan_conflict penalty)
    "he_months": (np.int16, 0),
    "reenrol": (np.bool_, False),  # accepted a re-enrolment offer; returns in August
}
TRACKED = ("activity", "nav_status", "helpers", "mh")  # fields whose changes are logged


class Population:
    """Columnar youth state with a change log for histories."""

    def __init__(self, capacity: int = 1024):
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


_MESA_LOG = logging.getLogger("MESA.mesa.model")  # the logger of mesa.model

EVENT_DTYPE = np.dtype(
    [("pid", np.int32), ("month", np.int16), ("field", np.int8), ("value", np.uint32)]
)


_FAST_MESA = "3.5.1"  # the Mesa whose agent registration the bulk path mirrors


def _quiet(model, cls: type, signal: ModelSignals) -> bool:
    """True when no one would see the per-agent work Mesa does for ``signal``.

    That is: the pinned Mesa version (the bulk path mirrors its private registration), no
    observer of the model's agents, no batched signals, no dataset tracking ``cls``, no debug
    logging by Mesa, and the class keeps :class:`Youth`'s ``__init__`` and Mesa's ``remove``.
    """
    return (
        mesa.__version__ == _FAST_MESA
        and cls.__init__ is Youth.__init__
        and model._batch_context is None
        and not model._has_subscribers("agents", signal)
        and not cls._datasets
        and not _MESA_LOG.isEnabledFor(logging.DEBUG)
        and cls.remove is mesa.Agent.remove
    )


class Youth(mesa.Agent):
    """A young person: a readable view onto one row of the model's population arrays."""

    def __init__(self, model, pid: int):
        super().__init__(model)
        self.pid = int(pid)

    @classmethod
    def create_many(cls, model, pids: np.ndarray) -> dict[int, Youth]:
        """Agents for many pids (pid -> agent), registered with the model in pid order.

        The result is what ``Youth(model, pid)`` for each pid gives (same unique ids, same
        registry order) without Mesa's per-agent signal and log call; when anything observes
        the model's agents the agents are created one by one instead.
        """
        pids = np.asarray(pids, dtype=np.int64).tolist()
        agents: dict[int, Youth] = {}
        if not pids:  # e.g. an empty population at a tiny scale: Mesa has no set for the type
            return agents
        if cls not in model.agents_by_type:  # Mesa creates the type's set
            first = pids.pop(0)
            agents[first] = cls(model, first)
        if not _quiet(model, cls, ModelSignals.AGENT_ADDED):
            agents.update((pid, cls(model, pid)) for pid in pids)
            return agents
        add_to_all, add_to_type = model.agents.add, model.agents_by_type[cls].add
        new, uid = cls.__new__, model.agent_id_counter
        for pid in pids:
            agent = new(cls)
            agent.model, agent.unique_id, agent.pos, agent.pid = model, uid, None, pid
            add_to_all(agent)
            add_to_type(agent)
            agents[pid] = agent
            uid += 1
        model.agent_id_counter = uid
        return agents

    @classmethod
    def remove_many(cls, model, agents: list[Youth]) -> None:
        """``agent.remove()`` for each agent, without Mesa's per-agent signal and log call."""
        if not _quiet(model, cls, ModelSignals.AGENT_REMOVED):
            for agent in agents:
                agent.remove()
            return
        everyone, same_type = model.agents, model.agents_by_type.get(cls, ())
        for agent in agents:
            if agent in same_type:  # as Agent.remove: an unregistered agent is skipped
                same_type.remove(agent)
                everyone.remove(agent)

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
        from sim.core.history import youth_history

        return youth_history(self.model, self.pid)
