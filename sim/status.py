"""End of month bookkeeping: months in activity and NAV status, and the history log."""

from __future__ import annotations


def step(model) -> None:
    """Update spell counters for youth whose activity or NAV status did not change."""
    pop = model.pop
    sl = slice(pop.lo, pop.n)
    same_act = pop.activity[sl] == pop._last["activity"][sl]
    pop.months_in_activity[sl] = (pop.months_in_activity[sl] + 1) * same_act
    same_nav = pop.nav_status[sl] == pop._last["nav_status"][sl]
    pop.nav_months[sl] = (pop.nav_months[sl] + 1) * same_nav
    pop.record_changes(model.month)
