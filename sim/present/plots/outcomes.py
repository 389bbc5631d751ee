"""NEET outcomes: rate over time, by group, and the paired difference against the reference."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from sim.present.plots._base import (
    PlotContext,
    legend_below,
    mark_intervention,
    mark_suppressed,
    new_figure,
    percent_axis,
    scenario_lines,
    select,
    slide_style,
    small_cells,
    with_labels,
    year_axis,
)

GROUP_SETS = {
    "age": ["15-19", "20-24", "25-29"],
    "sex": ["female", "male"],
    "background": ["immigrant", "non_immigrant"],
}


def _lines(ax, df: pd.DataFrame, ctx: PlotContext) -> None:
    scenario_lines(ax, df, ctx)
    year_axis(ax, df["period"])
    mark_intervention(ax, ctx)
    ax.set_xlabel(ctx.lang.t("axis.year"))


def neet_over_time(
    yearly: pd.DataFrame,
    ctx: PlotContext | None = None,
    group: str = "all",
    goal: tuple[float, int] | None = None,
    example_goal: bool = False,
) -> Figure:
    """NEET rate per year and scenario: the median over replicates with its 95 % band.

    Args:
        yearly: The ``yearly.parquet`` table.
        ctx: Language, scenario names and order, intervention start.
        group: Which group's rate (``all`` is ages 15–29).
        goal: Optional ``(rate, year)`` drawn as a target line and point.
        example_goal: Label the goal an example (no goal was set by the user).

    Returns:
        The figure.

    """
    ctx = ctx or PlotContext()
    df, hidden = _blank_small_cells(select(yearly, "neet_rate", group))
    with slide_style():
        fig, (ax,) = new_figure()
        mark_suppressed(fig, hidden)
        _lines(ax, df, ctx)
        if goal:
            ax.axhline(goal[0], color="0.5", linestyle="--", linewidth=1)
            ax.plot(
                [goal[1]],
                [goal[0]],
                marker="*",
                markersize=16,
                color="0.3",
                linestyle="none",
                label=ctx.lang.t("plot.goal_example" if example_goal else "plot.goal"),
            )
        percent_axis(ax, ctx.lang)
        ax.set_ylabel(ctx.lang.t("axis.neet_rate"))
        ax.set_title(ctx.lang.t("fig.neet_time.title"))
        legend_below(fig, ax)
    return fig


def paired_difference(
    paired: pd.DataFrame,
    ctx: PlotContext | None = None,
    metric: str = "neet_rate",
    group: str = "all",
) -> Figure:
    """Difference from the reference scenario (same replicate) per year, with its 95 % band."""
    ctx = ctx or PlotContext()
    df, hidden = _blank_small_cells(select(paired, metric, group))
    with slide_style():
        fig, (ax,) = new_figure()
        mark_suppressed(fig, hidden)
        _lines(ax, df, ctx)
        ax.axhline(0, color="0.2", linewidth=1)
        if metric.endswith("_rate"):
            percent_axis(ax, ctx.lang, points=True)
        ref = paired["reference"].iloc[0] if "reference" in paired else ""
        ax.set_ylabel(ctx.lang.t("axis.diff_vs", reference=ctx.label(ref)))
        ax.set_title(ctx.lang.t("fig.paired.title"))
        legend_below(fig, ax)
    return fig


def _group_bars(ax, df: pd.DataFrame, groups: list[str], ctx: PlotContext) -> bool:
    """Horizontal bars (median, 95 % band) per group and scenario; small cells shown as –.

    Returns whether any cell was hidden.
    """
    import seaborn as sns

    hidden = small_cells(df)
    shown = with_labels(df[~hidden], ctx).assign(glabel=lambda d: d["group"].map(ctx.lang.group))
    order = [ctx.lang.group(g) for g in groups]
    hue_order = [ctx.label(s) for s in ctx.stems(df)]
    if not shown.empty:
        sns.barplot(
            shown,
            x="value",
            y="glabel",
            hue="label",
            order=order,
            hue_order=hue_order,
            estimator="median",
            errorbar=("pi", 95),
            palette=ctx.palette(df),
            ax=ax,
        )
    ax.set_yticks(range(len(order)), order)
    for i, g in enumerate(groups):
        if g not in set(shown["group"]):
            ax.text(0.002, i, "\u2013", va="center", fontsize="large")
    percent_axis(ax, ctx.lang, axis="x")
    ax.set_xlabel(ctx.lang.t("axis.neet_rate"))
    ax.set_ylabel("")
    return bool(hidden.any())


def _last_period(df: pd.DataFrame, period: int | None) -> tuple[pd.DataFrame, int]:
    period = int(df["period"].max()) if period is None else period
    return df[df["period"] == period], period


def neet_by_group(
    yearly: pd.DataFrame, ctx: PlotContext | None = None, period: int | None = None
) -> Figure:
    """NEET rate by age band, sex and immigrant background in one year (the last by default)."""
    ctx = ctx or PlotContext()
    groups = [g for gs in GROUP_SETS.values() for g in gs]
    df, period = _last_period(select(yearly, "neet_rate", groups), period)
    with slide_style():
        fig, axes = new_figure(3, 1, size=(14, 5.5), sharex=True)
        for ax, (key, gs) in zip(axes, GROUP_SETS.items(), strict=True):
            mark_suppressed(fig, _group_bars(ax, df[df["group"].isin(gs)], gs, ctx))
            ax.set_title(ctx.lang.t(f"groupset.{key}"), fontsize="medium")
        legend_below(fig, axes[0])
        for ax in axes[1:]:
            if ax.get_legend():
                ax.get_legend().remove()
        fig.suptitle(ctx.lang.t("fig.neet_groups.title", year=period))
    return fig


def _blank_small_cells(df):
    """Blank values behind fewer than 20 youth; returns the table and whether any were."""
    hidden = small_cells(df)
    df.loc[hidden, "value"] = float("nan")
    return df, bool(hidden.any())
