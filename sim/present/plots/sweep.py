"""A sweep's dose-response: the outcome against the swept value, one line per scenario."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from sim.present.plots._base import (
    MARKERS,
    PALETTE,
    NoDataError,
    PlotContext,
    legend_below,
    new_figure,
    number_axis,
    slide_style,
)

MILLION = 1e6
PANELS = (("neet_years_averted", 1.0), ("net_public_cost_nok", MILLION))


def dose_response(table: pd.DataFrame | None, ctx: PlotContext | None = None) -> Figure:
    """NEET-years averted and net public cost against the swept value, with intervals.

    Args:
        table: :func:`sim.analysis.variants.dose_response` (``scenario``, ``value``,
            ``outcome``, ``median``, ``lo``, ``hi``; ``name``: the scenario's display name
            when given, else ``ctx.label`` of the stem).
        ctx: Language and reference name (``ctx.names[reference label]``).

    Returns:
        Two panels side by side; each scenario is one line with markers at the swept values
        and a band for the interval (the summary's interval over replicates).
    """
    if table is None or table.empty:
        raise NoDataError("sweep")
    ctx = ctx or PlotContext()
    param = str(table["parameter"].iloc[0])
    stems = list(dict.fromkeys(table["scenario"]))
    with slide_style():
        fig, axes = new_figure(2, size=(14, 6))
        for ax, (outcome, scale) in zip(axes, PANELS, strict=True):
            rows = table[table["outcome"] == outcome]
            for i, stem in enumerate(stems):
                _line(ax, rows[rows["scenario"] == stem], scale, i, _name(table, ctx, stem))
            ax.axhline(0, color="0.2", linewidth=1)
            number_axis(ax, ctx.lang, scale)
            ax.set_xlabel(param)
            ax.set_ylabel(ctx.lang.t(f"axis.sweep_{outcome}"))
        legend_below(fig, axes[0])
        fig.suptitle(ctx.lang.t("fig.sweep.title", parameter=param))
    return fig


def _name(table: pd.DataFrame, ctx: PlotContext, stem: str) -> str:
    if "name" in table:
        return str(table.loc[table["scenario"] == stem, "name"].iloc[0])
    return ctx.label(stem)


def _line(ax, rows: pd.DataFrame, scale: float, i: int, name: str) -> None:
    """One scenario: median line with markers, the interval as a band."""
    rows = rows.sort_values("value")
    if rows.empty:
        return
    color = PALETTE[i % len(PALETTE)]
    x = rows["value"].to_numpy(dtype=float)
    ax.fill_between(x, rows["lo"], rows["hi"], color=color, alpha=0.18, linewidth=0)
    ax.plot(x, rows["median"], color=color, marker=MARKERS[i % len(MARKERS)], label=name)
