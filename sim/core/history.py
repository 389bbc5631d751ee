"""One youth's history, rebuilt from the change log: spells by field, and referrals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.core.states import TRACKED, Activity, Mh, NavStatus

_DECODE = {
    "activity": lambda v: Activity(int(v)).name.lower(),
    "nav_status": lambda v: NavStatus(int(v)).name.lower(),
    "mh": lambda v: Mh(int(v)).name.lower(),
}


def _period(model, month: int) -> str:
    year, m = divmod(int(month), 12)
    return f"{model.origin_year + year}-{m + 1:02d}"


def youth_history(model, pid: int) -> pd.DataFrame:
    """Spells of one youth: field, state, first and last month (``YYYY-MM``), months.

    Fields: activity, nav_status, helpers (names joined by ``+``), mh (mental health).
    """
    ev = model.pop.events()
    ev = ev[ev["pid"] == pid]
    end = int(model.pop.exit_month[pid]) if not model.pop.alive[pid] else model.month
    rows = []
    for code, field in enumerate(TRACKED):
        sel = ev[ev["field"] == code]
        starts, values = sel["month"].astype(int), sel["value"]
        stops = np.append(starts[1:], end)
        for s, e, v in zip(starts, stops, values, strict=True):
            rows.append(
                {
                    "field": field,
                    "state": _decode(model, field, v),
                    "start": _period(model, s),
                    "end": _period(model, max(e - 1, s)),
                    "months": int(e - s),
                }
            )
    return pd.DataFrame(rows, columns=["field", "state", "start", "end", "months"])


def _decode(model, field: str, value) -> str:
    if field == "helpers":
        return "+".join(model.helper_names(int(value))) or "none"
    return _DECODE[field](value)


def youth_referrals(model, pid: int) -> pd.DataFrame:
    """Every referral of one youth: month, route and whether it was lost."""
    log = model.referrals.log()
    log = log[log["pid"] == pid]
    names = {v: k for k, v in model._routes.items()}
    return pd.DataFrame(
        {
            "period": [_period(model, m) for m in log["month"]],
            "route": [names[int(r)] for r in log["route"]],
            "lost": log["lost"].astype(bool),
        }
    )
