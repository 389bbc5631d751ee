"""The report's dose-response figure for a sweep of one parameter.

A ``sim batch`` with ``[[variants]]`` or ``[grid]`` that moves one parameter gets one figure
more: each scenario's NEET-years averted and net public cost against the swept value, with
intervals (:func:`sim.analysis.variants.dose_response`, drawn by
:func:`sim.present.plots.sweep.dose_response`). The variants themselves are ordered and named
apart when the results are loaded (:func:`sim.analysis.variants.relabel`), so every other
figure and table shows each variant on its own.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis.variants import dose_response
from sim.present.i18n import Lang
from sim.present.report.results import Results


def dose_table(res: Results, lang: Lang) -> pd.DataFrame | None:
    """The dose-response table with each scenario's own name (None: not a one-parameter sweep)."""
    table = dose_response(res.summary, res.variants, res.reference)
    if table is None:
        return None
    scen = res.manifest.get("scenarios", {})

    def name(label: str) -> str:
        own = scen.get(label, {}).get("scenario_name") or {}
        return own.get(lang.code, label.partition("@")[0])

    return table.assign(name=table["label"].map(name))


def sweep_specs(res: Results, lang: Lang) -> list[tuple]:
    """The report's figure specs for a sweep (``[]`` when there is no dose-response)."""
    from sim.present.plots.sweep import dose_response as draw

    table = dose_table(res, lang)
    return [] if table is None else [("dose_response", draw, table, "sweep")]
