"""Who holds a shared plan: the union of the members named by every plan owner.

A coordinator's caseload and the clients of an IPS specialist who works inside their
treatment team each get one shared plan (``model.pop.shared_plan``, which removes the
``plan_conflict`` penalty); the model's ``plan_owners`` says who holds which. Several
services may own a youth's plan at once, so an owner that lets a youth go clears the flag only
when no other owner still holds that youth. Youth that no owner ever named are never touched,
so an owner with no members changes nothing.
"""

from __future__ import annotations

import numpy as np

from sim.core.pidsets import in_any, unique

EMPTY = np.empty(0, dtype=np.int64)


def set_members(model, owner: str, members: np.ndarray) -> None:
    """Make ``members`` the youth whose shared plan ``owner`` holds this month.

    Args:
        model: the model (its population's ``shared_plan`` flags are updated).
        owner: a stable name for the owner (e.g. ``"coordinator"``).
        members: pids whose plan the owner holds now.
    """
    owners = model.plan_owners
    previous = owners.get(owner, EMPTY)
    members = unique(members)
    owners[owner] = members
    if not len(previous) and not len(members):
        return
    others = [pids for name, pids in owners.items() if name != owner]
    dropped = previous[~in_any(previous, model.pop.n, members, *others)]
    model.pop.shared_plan[dropped] = False
    model.pop.shared_plan[members] = True
