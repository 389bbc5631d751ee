"""The posterior's last step: each candidate world run by the model itself and kept if it fits.

History matching and ABC (:mod:`sim.analysis.posterior`) accept a world when its *emulated*
moments lie inside the targets' bands. The emulators are fitted at a small scale with one seed
per point, so part of what they learn is that scale's noise, and a queue near balance (the
waiting times) is a knife edge a quadratic follows poorly. This step runs each accepted world
once with the model at a larger scale (``sim posterior --verify``) over two years (the
school-year targets of the start year end in the next) and keeps it only when at most
``--tolerance`` (default ``TOLERANCE``) of the yearly targets of the start year fall outside
their bands: a uniform ABC kernel on the number of targets missed, now on the simulator
instead of the emulator. With the default, a kept world's own run has at least 26 of the 28
start-year checks inside (93 %). Without the refinement of the clinics' places
(:mod:`sim.analysis.refine`) almost no world of the emulators' posterior passes, because its
waiting times at BUP and DPS are mostly outside their bands at this scale (the emulators at
scale 0.1 follow them poorly).

The kept rows approximate the posterior: worlds the emulators accepted, with their clinics'
places redrawn given the rest (:mod:`sim.analysis.refine`, which gives each world its weight),
that one real run calls right; the effective sample size is Kish's over the weights (their
number when the places were not refined).

Each candidate runs with its own replicate seed, and the ``uncertain`` parameters outside the
posterior are drawn from their priors from that seed's draw stream, as ``--draw-params`` draws
them (:func:`sim.run.draws.complete_row`): a world is kept for its fitted parameters, whatever
the rest draw.

What it cannot do: one run per candidate at a finite scale still carries replicate noise, so a
world just inside a band may be kept or dropped by chance; a candidate the emulators rejected
is never run, so apart from the refined places every kept world is one of the ABC
posterior's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

TOLERANCE = 2  # start-year checks a kept world's run may have outside their bands


def keep_rule(tolerance: int) -> str:
    """The rule in words, for the record."""
    if tolerance == 0:
        return "every yearly target of the start year inside its band in one run"
    return (f"at most {tolerance} of the yearly targets of the start year outside their bands "
            "in one run")  # fmt: skip


def start_year_targets(targets: pd.DataFrame, year: int) -> pd.DataFrame:
    """The yearly target rows that apply to ``year`` (period = the year or ``*``)."""
    period = targets["period"].astype(str)
    return targets[(period == str(year)) | (period == "*")].reset_index(drop=True)


def checks(yearly: pd.DataFrame, targets: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per target of ``year``: the run's value, the band and whether it is inside.

    ``yearly`` is one run's yearly table; a target the run has no row for counts as outside
    (value NaN), so a renamed metric cannot pass unseen.
    """
    import numpy as np
    import pandas as pd

    wanted = start_year_targets(targets, year)
    at = yearly[yearly["period"] == year].groupby(["metric", "group"])["value"].mean()
    keys = list(zip(wanted["metric"], wanted["group"], strict=True))
    values = np.array([at.get(k, np.nan) for k in keys], float)
    lo, hi = wanted["lo"].to_numpy(float), wanted["hi"].to_numpy(float)
    inside = (values >= lo) & (values <= hi)  # NaN compares False: outside
    names = [f"{m} {g}" for m, g in keys]
    return pd.DataFrame({"target": names, "value": values, "lo": lo, "hi": hi, "inside": inside})


def kept(entries: list[dict], tolerance: int = TOLERANCE) -> np.ndarray:
    """The candidate rows (posterior row numbers) whose run missed at most ``tolerance``."""
    import numpy as np

    return np.array(
        sorted(e["row"] for e in entries if e["checks"] - e["inside"] <= tolerance), int
    )


def misses(entries: list[dict]) -> dict[str, float]:
    """Share of candidates outside each target's band, largest first (targets missed only)."""
    if not entries:
        return {}
    counts: dict[str, int] = {}
    for e in entries:
        for name in e["missed"]:
            counts[name] = counts.get(name, 0) + 1
    return {k: v / len(entries) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])}
