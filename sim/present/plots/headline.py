"""The report's headline figure: fewer young people outside, and the net public cost per year.

Both panels are per-replicate averages over the run's years of the paired differences
(scenario − reference, same replicate): the NEET count (``neet_count``/``all``, sign turned so
that fewer outside is positive) and the undiscounted public cost (``cost_nok``/``public:total``),
shown as the median with the interval over replicates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.intervals import stats
from sim.present.plots._base import NoDataError, PlotContext, new_figure, number_axis, slide_style

PANELS = (
    ("neet_count", "all", -1.0, "axis.fewer_outside"),
    ("cost_nok", "public:total", 1e-6, "axis.net_public_year"),
)


def _per_scenario(paired: pd.DataFrame, metric: str, group: str, factor: float) -> dict:
    """Scenario → median/lo/hi of the yearly mean of ``factor`` × the paired value."""
    df = paired[(paired["metric"] == metric) & (paired["group"] == group)]
    means = df.groupby(["scenario", "replicate"])["value"].mean() * factor
    return {s: stats(v.to_numpy()) for s, v in means.groupby(level="scenario")}


def headline(paired: pd.DataFrame, ctx: PlotContext | None = None) -> Figure:
    """Two panels of horizontal bars, one bar per compared scenario, in the report's order."""
    ctx = ctx or PlotContext()
    if paired is None or paired.empty or not (paired["metric"] == "neet_count").any():
        raise NoDataError("headline: no paired NEET counts")
    stems = [s for s in ctx.stems(paired) if s in set(paired["scenario"])]
    colours = ctx.palette(pd.DataFrame({"scenario": ctx.order or stems}))
    with slide_style():
        fig, axes = new_figure(ncols=2, size=(11, 1.4 + 0.55 * len(stems)), sharey=True)
        for ax, (metric, group, factor, label) in zip(axes, PANELS, strict=True):
            values = _per_scenario(paired, metric, group, factor)
            _bars(ax, stems, values, colours, ctx)
            ax.set_xlabel(ctx.lang.t(label))
            ax.axvline(0, color="0.2", linewidth=1)
            number_axis(ax, ctx.lang, axis="x")
        axes[0].set_yticks(range(len(stems)), [ctx.label(s) for s in stems])
        axes[0].invert_yaxis()
    return fig


def _bars(ax, stems: list[str], values: dict, colours: dict, ctx: PlotContext) -> None:
    for i, stem in enumerate(stems):
        v = values.get(stem) or {}
        mid = v.get("median")
        if mid is None:
            continue
        ax.barh(i, mid, color=colours.get(ctx.label(stem), "0.5"), height=0.6)
        lo, hi = v.get("lo"), v.get("hi")
        if lo is not None and hi is not None:
            err = np.array([[max(mid - lo, 0.0)], [max(hi - mid, 0.0)]])
            ax.errorbar(mid, i, xerr=err, fmt="none", color="0.15", capsize=4)
