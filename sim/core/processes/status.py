"""End-of-month bookkeeping: months in the current activity and NAV status, the history log."""

from __future__ import annotations

from sim.core.module import Process


class Status(Process):
    """Spell counters and the change log (phase ``status``, after every decision of the month).

    It decides nothing: it counts the months each youth has spent in the current activity and
    NAV status (reset to 0 where either changed this month) and logs this month's changes of
    activity, NAV status, helpers and mental health to the history.
    """

    name = "status"
    phase = "status"

    def step(self) -> None:
        """Update spell counters, then log this month's changes."""
        pop = self.model.pop
        sl = pop.rows
        for field, counter in (
            ("activity", pop.months_in_activity),
            ("nav_status", pop.nav_months),
        ):
            months = counter[sl]  # a view: updated in place
            months += 1
            months *= getattr(pop, field)[sl] == pop._last[field][sl]  # 0 where it changed
        pop.record_changes(self.model.month)
