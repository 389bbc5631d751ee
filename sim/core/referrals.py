"""One mechanism for "service A sends youth to service B".

The sending service calls :meth:`Referrals.send`; each referral is lost with probability
``handover_loss`` (its own random stream per route), unless a carrier (such as a coordinator
doing a warm handover) carries it. Carriers plug in from outside the core
(:meth:`Referrals.add_carrier`), so coordination needs no edit here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import numpy as np

Carrier = Callable[[np.ndarray, str, str], np.ndarray]  # (pids, from, to) -> carried mask


class Referrals:
    """Referral routing with handover loss, carriers, counters and a per-youth log."""

    def __init__(self, model):
        self.model = model
        self.carriers: list[Carrier] = []
        self.made: dict[str, int] = defaultdict(int)
        self.lost: dict[str, int] = defaultdict(int)
        self._log: list[np.ndarray] = []

    def add_carrier(self, carrier: Carrier) -> None:
        """Register a function that marks referrals it carries (never lost)."""
        self.carriers.append(carrier)

    def reset_counters(self) -> None:
        """Zero this month's counters."""
        self.made.clear()
        self.lost.clear()

    def send(self, sender: str, receiver: str, pids: np.ndarray) -> np.ndarray:
        """Refer youth from ``sender`` to ``receiver``; returns the pids that arrived."""
        pids = np.asarray(pids, dtype=np.int64)
        if not len(pids):
            return pids
        route = f"{sender}->{receiver}"
        carried = np.zeros(len(pids), bool)
        for carrier in self.carriers:
            carried |= carrier(pids, sender, receiver)
        draw = self.model.streams.at(f"handover:{route}", pids)
        lost = (draw < self.model.params["handover_loss"]) & ~carried
        self.made[route] += len(pids)
        self.lost[route] += int(lost.sum())
        self._record(route, pids, lost)
        arrived = pids[~lost]
        self.model.receiver(receiver).receive(arrived)
        return arrived

    def _record(self, route: str, pids: np.ndarray, lost: np.ndarray) -> None:
        ev = np.empty(len(pids), dtype=REFERRAL_DTYPE)
        ev["pid"], ev["month"], ev["lost"] = pids, self.model.month, lost
        ev["route"] = self.model.route_id(route)
        self._log.append(ev)

    def log(self) -> np.ndarray:
        """Every referral made: (pid, month, route id, lost)."""
        self._log = [np.concatenate(self._log)] if self._log else []
        return self._log[0] if self._log else np.empty(0, REFERRAL_DTYPE)


REFERRAL_DTYPE = np.dtype(
    [("pid", np.int32), ("month", np.int16), ("route", np.int16), ("lost", np.bool_)]
)
