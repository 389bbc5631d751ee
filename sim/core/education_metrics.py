"""Reporters by education: NEET by completed upper secondary, the Vg2 transition rate.

Used by :mod:`sim.core.metrics` (a stock reporter and school-year rows of the collector).
"""

from __future__ import annotations

from sim.core.states import Activity, Track

EDUCATION_GROUPS = ("no_upper_secondary", "upper_secondary")


def neet_by_education(s):
    """NEET rate of youth without (``no_upper_secondary``) and with completed upper secondary.

    ``s`` is a :class:`sim.core.metrics.Snapshot`. Completed means a diploma or a trade
    certificate (the ``completed`` column; youth in or after higher education count as
    completed), as in SSB's comparison of the two groups (2019: 14 % vs 8 %).
    """
    for done, group in enumerate(EDUCATION_GROUPS):
        n = s.trait_count(completed=done)
        k = s.trait_count(completed=done, activity=Activity.NEET)
        yield "neet_rate", group, k / n if n else float("nan"), n


TRACK_GROUPS = {
    "academic": (Track.ACADEMIC,),
    "vocational": (Track.VOCATIONAL,),
    "all": (Track.ACADEMIC, Track.VOCATIONAL),
}


def vg2_transition_rows(school_years: dict) -> list[tuple]:
    """Direct transition from Vg2 to the next level, per school year (at its start year).

    The school records in each school year's record the Vg2 pupils by track at its start
    (``vg2_start``) and, the next August, how many of them went straight on to Vg3, påbygg,
    Vg3 in school or an apprenticeship (``vg2_on``), as Udir measures it: pupils in Vg2 one
    autumn who are at the next level the next autumn. Years without both are skipped.
    """
    rows = []
    for year, rec in sorted(school_years.items()):
        if "vg2_start" not in rec or "vg2_on" not in rec:
            continue
        for group, tracks in TRACK_GROUPS.items():
            n = sum(rec["vg2_start"].get(t, 0) for t in tracks)
            k = sum(rec["vg2_on"].get(t, 0) for t in tracks)
            rows.append((year, "vg2_transition_rate", group, k / n if n else float("nan"), n))
    return rows
