"""NEET rate by municipality as small multiples: Trondheim, then the regions, one panel each.

The regions group Trøndelag's 38 municipalities by geography for display (the county's
regional councils overlap, so each municipality is placed in the one it lies in); a
municipality not listed here (a later merger, a fixture) is shown in a last panel. Every panel
has its own x axis with the same scale, and one dot per scenario at the median over replicates;
a cell behind fewer than 20 simulated youth is not drawn (–).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.present.plots._base import (
    NoDataError,
    PlotContext,
    legend_below,
    mark_suppressed,
    new_figure,
    percent_axis,
    select,
    slide_style,
    small_cells,
)

REGIONS: dict[str, tuple[str, ...]] = {  # region key (label: region.<key>) → municipality numbers
    "trondheim": ("5001",),
    "trondheim_region": ("5031", "5028", "5029", "5035", "5027", "5059"),
    "coast_fosen": ("5054", "5057", "5058", "5020", "5056", "5014", "5055"),
    "innherred": ("5006", "5037", "5038", "5053", "5036", "5041"),
    "namdal": ("5007", "5060", "5047", "5045", "5046", "5049", "5052", "5042", "5044", "5043"),
    "south_east": ("5021", "5022", "5061", "5025", "5026", "5032", "5033", "5034"),
}


def panels(groups: list[str]) -> list[tuple[str, list[str]]]:
    """(region key, its ``kommune:<nr>`` groups present) in display order; ``other`` last."""
    present = set(groups)
    out = [
        (k, [f"kommune:{n}" for n in nrs if f"kommune:{n}" in present])
        for k, nrs in REGIONS.items()
    ]
    listed = {f"kommune:{n}" for nrs in REGIONS.values() for n in nrs}
    out.append(("other", sorted(present - listed)))
    return [(k, gs) for k, gs in out if gs]


def neet_by_municipality(
    yearly: pd.DataFrame, ctx: PlotContext | None = None, period: int | None = None
) -> Figure:
    """NEET rate by municipality in one year (the last by default), one panel per region."""
    ctx = ctx or PlotContext()
    rows = select(yearly, "neet_rate")
    groups = sorted(g for g in rows["group"].unique() if g.startswith("kommune:"))
    if not groups:
        raise NoDataError("neet_by_municipality: no municipality groups")
    rows = rows[rows["group"].isin(groups)]
    period = int(rows["period"].max()) if period is None else period
    df = rows[rows["period"] == period]
    hidden = small_cells(df)
    med = df[~hidden].groupby(["group", "scenario"])["value"].median()
    parts = panels(groups)
    ncols = 3 if len(parts) > 2 else len(parts)
    nrows = -(-len(parts) // ncols)
    stems = ctx.stems(df)
    colours = ctx.palette(df)
    hi = float(med.max()) * 1.1 if len(med) else 0.2
    with slide_style():
        fig, axes = new_figure(ncols, nrows, size=(12, 3.3 * nrows), sharex=True)
        for ax, (key, gs) in zip(axes, parts, strict=False):
            _panel(ax, gs, stems, med, colours, ctx)
            ax.set_title(ctx.lang.t(f"region.{key}"), fontsize="medium", loc="left")
            ax.set_xlim(0, hi)
            ax.tick_params(labelbottom=True)
            percent_axis(ax, ctx.lang, axis="x")
            ax.xaxis.set_major_locator(MaxNLocator(4))
        for ax in axes[len(parts) :]:
            ax.set_visible(False)
        legend_below(fig, axes[0])
        fig.suptitle(ctx.lang.t("fig.neet_kommune.title", year=period))
        mark_suppressed(fig, bool(hidden.any()))
    return fig


def _panel(ax, groups: list[str], stems: list[str], med: pd.Series, colours, ctx) -> None:
    """One region: a row per municipality, a dot per scenario (– where the cell is hidden)."""
    step = 0.6 / max(1, len(stems))
    for i, g in enumerate(groups):
        drawn = False
        for j, stem in enumerate(stems):
            value = med.get((g, stem))
            if value is None:
                continue
            y = i - 0.3 + step * (j + 0.5)
            label = ctx.label(stem) if i == 0 else None
            ax.plot(value, y, "o", color=colours[ctx.label(stem)], markersize=6, label=label)
            drawn = True
        if not drawn:
            ax.text(0.002, i, "\u2013", va="center", fontsize="large")
    ax.set_yticks(range(len(groups)), [ctx.lang.group(g) for g in groups])
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.grid(axis="x", alpha=0.4)
