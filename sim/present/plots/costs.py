"""Costs: per year by payer, cumulative discounted net cost, cost per NEET-year averted."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.present.plots._base import (
    PAYER_OTHER,
    PAYER_PALETTE,
    NoDataError,
    PlotContext,
    legend_below,
    mark_intervention,
    new_figure,
    number_axis,
    panel_grid,
    scenario_lines,
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
    codes = df["group"].str.split(":").str[1]
    palette = _payer_colours(ctx, sorted(codes.unique()), by_label=True)
    df = df.assign(payer=codes.map(lambda p: ctx.lang.name("payer", p)))
    mean = df.groupby(["scenario", "period", "payer"], as_index=False)["value"].mean()
    stems = ctx.stems(mean)
    with slide_style():
        ncols, nrows = panel_grid(len(stems))
        fig, axes = new_figure(ncols, nrows, size=(1 + 5.5 * ncols, 1 + 4.6 * nrows), sharey=True)
        for ax in axes[len(stems) :]:
            ax.set_visible(False)
        for ax, stem in zip(axes, stems, strict=False):
            sns.histplot(
                mean[mean["scenario"] == stem],
                x="period",
                weights="value",
                hue="payer",
                multiple="stack",
                discrete=True,
                shrink=0.8,
                palette=palette,
                hue_order=sorted(mean["payer"].unique()),
                ax=ax,
            )
            year_axis(ax, mean["period"], max_ticks=5)
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
            scenario_lines(ax, df, ctx)
            ax.axhline(0, color="0.2", linewidth=1)
            year_axis(ax, df["period"], max_ticks=6 if len(panels) > 1 else 8)
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
    """Per scenario and replicate: NEET-years averted and net public cost, both discounted.

    NEET-years are the yearly NEET counts (November stock), each year discounted by the factor
    the ledger used for that year's costs (``cost_nok_discounted`` / ``cost_nok``), so the two
    are discounted alike, as in ``summary.json``.
    """
    neet = select(paired, "neet_count", "all")
    factor = _discount_factors(paired)
    weights = neet["period"].map(factor).fillna(1.0)
    neet = (neet.assign(value=neet["value"] * weights)
            .groupby(["scenario", "replicate"])["value"].sum())  # fmt: skip
    cost = select(paired, "cost_nok_discounted", "public:total")
    cost = cost.groupby(["scenario", "replicate"])["value"].sum()
    return pd.DataFrame({"averted": -neet, "net_cost": cost}).dropna().reset_index()


def _discount_factors(paired: pd.DataFrame) -> pd.Series:
    """Period -> the ledger's discount factor, read off the public totals."""
    plain = select(paired, "cost_nok", "public:total").set_index(
        ["scenario", "replicate", "period"]
    )
    disc = select(paired, "cost_nok_discounted", "public:total")
    disc = disc.set_index(["scenario", "replicate", "period"])["value"]
    ratio = (disc / plain["value"]).where(plain["value"].abs() > 0).dropna()
    return ratio.groupby(level="period").median()


def cost_per_averted(per_rep: pd.DataFrame) -> pd.Series:
    """Ratio of the means (net cost / NEET-years averted, both discounted).

    NaN when the mean averted is not above 0, or when the mean net cost is below 0 (the
    scenario saves money: no cost per NEET-year).
    """
    mean = per_rep.groupby("scenario")[["averted", "net_cost"]].mean()
    ok = (mean["averted"] > 0) & (mean["net_cost"] >= 0)
    return (mean["net_cost"] / mean["averted"]).where(ok, np.nan)


def cost_per_neet_year_averted(paired: pd.DataFrame, ctx: PlotContext | None = None) -> Figure:
    """Cost-effectiveness plane (one point per replicate) and cost per NEET-year averted."""
    import seaborn as sns

    ctx = ctx or PlotContext()
    per_rep = with_labels(averted_and_cost(paired), ctx)
    ratio = cost_per_averted(per_rep)
    hue = [ctx.label(s) for s in ctx.stems(per_rep)]
    with slide_style():
        fig, (ax1, ax2) = new_figure(2, size=(14, 6))
        marks = ctx.markers(per_rep)
        sns.scatterplot(
            per_rep,
            x="averted",
            y="net_cost",
            hue="label",
            hue_order=hue,
            style="label",
            style_order=hue,
            markers={k: marks[k] for k in hue},
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
    from matplotlib.ticker import MaxNLocator

    ratio = ratio.reindex(ctx.stems(pd.DataFrame({"scenario": list(ratio.index)})))
    labels = [ctx.label(s) for s in ratio.index]
    colors = [ctx.palette(pd.DataFrame({"scenario": list(ratio.index)}))[lab] for lab in labels]
    values = ratio.fillna(0).to_numpy()
    ax.barh(labels, values, color=colors)
    for i, v in enumerate(ratio):
        ax.annotate(
            ctx.lang.nok(v if np.isnan(v) else round(v, -2)),
            (0 if np.isnan(v) else v, i),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize="small",
        )
    number_axis(ax, ctx.lang, 1, axis="x")
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.invert_yaxis()
    ax.margins(x=0.35)
    ax.set(xlabel=ctx.lang.t("axis.nok_per_neet_year"), ylabel="")


PAYER_TOTAL = r"public:([^:]+):total"


def payer_net_cost(paired: pd.DataFrame) -> pd.DataFrame:
    """Net cost against the reference by payer over the horizon, per scenario and replicate.

    Discounted (``cost_nok_discounted``) when the table has it, else undiscounted. Columns
    ``scenario``, ``replicate``, ``payer`` and ``value`` (NOK; below 0: the payer saves).
    """
    metric = (
        "cost_nok_discounted" if (paired["metric"] == "cost_nok_discounted").any() else "cost_nok"
    )
    df = select(paired, metric)
    df = df[df["group"].str.fullmatch(PAYER_TOTAL)]
    if df.empty:
        raise NoDataError(f"{metric} public:<payer>:total")
    df = df.assign(payer=df["group"].str.extract(PAYER_TOTAL, expand=False))
    return df.groupby(["scenario", "replicate", "payer"], as_index=False)["value"].sum()


def _payer_colours(ctx: PlotContext, payers: list[str], by_label: bool = False) -> dict:
    """Each payer's colour (:data:`PAYER_PALETTE`, never a scenario colour)."""
    return {
        (ctx.lang.name("payer", p) if by_label else p): PAYER_PALETTE.get(p, PAYER_OTHER)
        for p in payers
    }


def _stack(ax, y: float, values: pd.Series, colours: dict, span: float, lang) -> None:
    """Draw one diverging stacked bar: costs to the right of 0, savings to the left."""
    right = left = 0.0
    for payer, v in values.items():
        start = right if v >= 0 else left + v
        ax.barh(y, v, left=right if v >= 0 else left, color=colours[payer], height=0.6)
        if abs(v) > 0.09 * span:
            ax.text(
                start + abs(v) / 2,
                y,
                lang.number(v / MILLION, 0 if abs(v) >= 10 * MILLION else 1),
                ha="center",
                va="center",
                fontsize="x-small",
                color="white",
            )
        right, left = (right + v, left) if v >= 0 else (right, left + v)


def net_cost_by_payer(paired: pd.DataFrame, ctx: PlotContext | None = None) -> Figure:
    """Who pays: each scenario's net cost against the reference, split by payer.

    One diverging stacked bar per scenario (median over replicates of each payer's net cost
    over the horizon; costs right of 0, savings left) and a diamond at the median net public
    cost with its 95 % interval.
    """
    ctx = ctx or PlotContext()
    per_rep = payer_net_cost(paired)
    med = per_rep.groupby(["scenario", "payer"])["value"].median().unstack("payer")
    total = per_rep.groupby(["scenario", "replicate"])["value"].sum().groupby("scenario")
    total = total.quantile([0.5, 0.025, 0.975]).unstack()
    stems = ctx.stems(per_rep)
    payers = sorted(med.columns, key=lambda p: ctx.lang.name("payer", p))
    colours = _payer_colours(ctx, payers)
    span = float(max(med.clip(lower=0).sum(axis=1).max(), -med.clip(upper=0).sum(axis=1).min()))
    with slide_style():
        fig, (ax,) = new_figure(size=(12, 2.4 + 1.1 * len(stems)))
        for i, stem in enumerate(stems):
            _stack(ax, i, med.loc[stem, payers], colours, span or 1.0, ctx.lang)
            mid, lo, hi = total.loc[stem, [0.5, 0.025, 0.975]]
            ax.errorbar(mid, i, xerr=[[mid - lo], [hi - mid]], fmt="D", color="black", capsize=5)
            end = max(hi, float(med.loc[stem, payers].clip(lower=0).sum()))
            ax.annotate(
                ctx.lang.nok_million(mid),
                (end, i),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize="small",
            )
        for p in payers:
            ax.barh(0, 0, color=colours[p], label=ctx.lang.name("payer", p))
        ax.plot([], [], "D", color="black", label=ctx.lang.t("plot.net_public"))
        ax.axvline(0, color="0.2", linewidth=1)
        ax.set_yticks(range(len(stems)), [ctx.label(s) for s in stems])
        ax.invert_yaxis()
        ax.margins(x=0.2)
        number_axis(ax, ctx.lang, MILLION, axis="x")
        ref = paired["reference"].iloc[0] if "reference" in paired else ""
        ax.set(xlabel=ctx.lang.t("axis.nok_million_vs", reference=ctx.label(ref)), ylabel="")
        legend_below(fig, ax, ncol=len(payers) + 1)
        fig.suptitle(ctx.lang.t("fig.payer_net.title"))
    return fig
