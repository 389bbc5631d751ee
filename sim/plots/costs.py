"""Costs: per year by payer, cumulative discounted net cost, cost per NEET-year averted."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.plots._base import (
    DASHES,
    NoDataError,
    PlotContext,
    legend_below,
    mark_intervention,
    new_figure,
    number_axis,
    select,
    slide_style,
    with_labels,
    year_axis,
)

MILLION = 1e6


def costs_by_payer(
    yearly: pd.DataFrame, ctx: PlotContext | None = None, metric: str = "cost_nok"
) -> Figure:
    """Public cost per year, stacked by payer, one panel per scenario (mean over replicates)."""
    import seaborn as sns

    ctx = ctx or PlotContext()
    df = select(yearly, metric)
    df = df[df["group"].str.fullmatch(r"public:[^:]+:total")]
    if df.empty:
        raise NoDataError(metric)
    df = df.assign(
        payer=df["group"].str.split(":").str[1].map(lambda p: ctx.lang.name("payer", p))
    )
    mean = df.groupby(["scenario", "period", "payer"], as_index=False)["value"].mean()
    stems = ctx.stems(mean)
    with slide_style():
        fig, axes = new_figure(len(stems), size=(5 + 4 * len(stems), 6), sharey=True)
        for ax, stem in zip(axes, stems, strict=True):
            sns.histplot(
                mean[mean["scenario"] == stem],
                x="period",
                weights="value",
                hue="payer",
                multiple="stack",
                discrete=True,
                shrink=0.8,
                palette="colorblind",
                hue_order=sorted(mean["payer"].unique()),
                ax=ax,
            )
            year_axis(ax, mean["period"])
            number_axis(ax, ctx.lang, MILLION)
            ax.set(
                title=ctx.label(stem),
                xlabel=ctx.lang.t("axis.year"),
                ylabel=ctx.lang.t("axis.nok_million_year"),
            )
        _move_hist_legend(fig, axes)
        fig.suptitle(ctx.lang.t("fig.costs_payer.title"))
    return fig


def _move_hist_legend(fig: Figure, axes) -> None:
    legend = axes[0].get_legend()
    if legend is None:
        return
    handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
    for ax in axes:
        if ax.get_legend():
            ax.get_legend().remove()
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncol=len(labels),
        frameon=False,
        fontsize="small",
    )


def _cumulative(paired: pd.DataFrame, group: str) -> pd.DataFrame:
    df = select(paired, "cost_nok_discounted", group).sort_values(
        ["scenario", "replicate", "period"]
    )
    df["value"] = df.groupby(["scenario", "replicate"])["value"].cumsum()
    return df


def cumulative_net_cost(paired: pd.DataFrame, ctx: PlotContext | None = None) -> Figure:
    """Cumulative discounted net cost against the reference (below 0: a saving), with 95 % band."""
    import seaborn as sns

    ctx = ctx or PlotContext()
    present = set(select(paired, "cost_nok_discounted")["group"])
    panels = [
        (g, _cumulative(paired, g)) for g in ("public:total", "societal:total") if g in present
    ]
    if not panels:
        raise NoDataError("cost_nok_discounted public:total")
    with slide_style():
        fig, axes = new_figure(len(panels), size=(7 * len(panels), 6), sharey=True)
        for ax, (group, df) in zip(axes, panels, strict=True):
            df = with_labels(df, ctx)
            hue = [ctx.label(s) for s in ctx.stems(df)]
            sns.lineplot(
                df,
                x="period",
                y="value",
                hue="label",
                hue_order=hue,
                style="label",
                dashes=DASHES[: len(hue)],
                markers=True,
                estimator="median",
                errorbar=("pi", 95),
                palette=ctx.palette(df),
                ax=ax,
            )
            ax.axhline(0, color="0.2", linewidth=1)
            year_axis(ax, df["period"])
            mark_intervention(ax, ctx)
            number_axis(ax, ctx.lang, MILLION)
            ax.set(
                title=ctx.lang.t(f"cost.{group.split(':')[0]}"),
                xlabel=ctx.lang.t("axis.year"),
                ylabel=ctx.lang.t("axis.nok_million"),
            )
        legend_below(fig, axes[0])
        for ax in axes[1:]:
            if ax.get_legend():
                ax.get_legend().remove()
        fig.suptitle(ctx.lang.t("fig.cumulative.title"))
    return fig


def averted_and_cost(paired: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and replicate: NEET-years averted and discounted net public cost.

    NEET-years are the yearly NEET counts (November stock) summed over the horizon.
    """
    neet = select(paired, "neet_count", "all").groupby(["scenario", "replicate"])["value"].sum()
    cost = select(paired, "cost_nok_discounted", "public:total")
    cost = cost.groupby(["scenario", "replicate"])["value"].sum()
    return pd.DataFrame({"averted": -neet, "net_cost": cost}).dropna().reset_index()


def cost_per_averted(per_rep: pd.DataFrame) -> pd.Series:
    """Ratio of the medians (net cost / NEET-years averted); NaN when the median averted <= 0."""
    med = per_rep.groupby("scenario")[["averted", "net_cost"]].median()
    return (med["net_cost"] / med["averted"]).where(med["averted"] > 0, np.nan)


def cost_per_neet_year_averted(paired: pd.DataFrame, ctx: PlotContext | None = None) -> Figure:
    """Cost-effectiveness plane (one point per replicate) and cost per NEET-year averted."""
    import seaborn as sns

    ctx = ctx or PlotContext()
    per_rep = with_labels(averted_and_cost(paired), ctx)
    ratio = cost_per_averted(per_rep)
    hue = [ctx.label(s) for s in ctx.stems(per_rep)]
    with slide_style():
        fig, (ax1, ax2) = new_figure(2, size=(14, 6))
        sns.scatterplot(
            per_rep,
            x="averted",
            y="net_cost",
            hue="label",
            hue_order=hue,
            style="label",
            palette=ctx.palette(per_rep),
            s=80,
            ax=ax1,
        )
        ax1.axhline(0, color="0.2", linewidth=1)
        ax1.axvline(0, color="0.2", linewidth=1)
        number_axis(ax1, ctx.lang, MILLION)
        number_axis(ax1, ctx.lang, 1, axis="x")
        ax1.set(
            xlabel=ctx.lang.t("axis.neet_years_averted"), ylabel=ctx.lang.t("axis.nok_million")
        )
        _ratio_bars(ax2, ratio, ctx)
        legend_below(fig, ax1)
        fig.suptitle(ctx.lang.t("fig.cost_per_averted.title"))
    return fig


def _ratio_bars(ax, ratio: pd.Series, ctx: PlotContext) -> None:
    labels = [ctx.label(s) for s in ratio.index]
    colors = [ctx.palette(pd.DataFrame({"scenario": list(ratio.index)}))[lab] for lab in labels]
    values = ratio.fillna(0).to_numpy()
    ax.barh(labels, values, color=colors)
    for i, v in enumerate(ratio):
        ax.annotate(
            ctx.lang.nok(v),
            (0 if np.isnan(v) else v, i),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize="small",
        )
    number_axis(ax, ctx.lang, 1, axis="x")
    ax.margins(x=0.35)
    ax.set(xlabel=ctx.lang.t("axis.nok_per_neet_year"), ylabel="")
