"""End of month bookkeeping: months in activity and NAV status, and the history log."""

from __future__ import annotations


def step(model) -> None:
    """Update spell counters for youth whose activity or NAV status did not change."""
    pop = model.pop
    sl = pop.rows
    for field, counter in (("activity", pop.months_in_activity), ("nav_status", pop.nav_months)):
        months = counter[sl]  # a view: updated in place
        months += 1
        months *= getattr(pop, field)[sl] == pop._last[field][sl]  # 0 where it changed
    pop.record_changes(model.month)
