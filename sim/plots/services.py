"""Service indicators (waiting, queues, caseloads, lost referrals, helpers) and the trial."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from sim.plots._base import (
    DASHES,
    NoDataError,
    PlotContext,
    legend_below,
    mark_intervention,
    new_figure,
    percent_axis,
    select,
    slide_style,
    with_labels,
    year_axis,
)

BAR_METRICS = ["wait_days_mean", "queue_length", "caseload_per_worker"]
LINE_METRICS = ["referrals_lost_share", "helpers_mean", "helpers_3plus_share"]


def lost_share(yearly: pd.DataFrame, group: str = "all") -> pd.DataFrame:
    """Share of referrals lost at handover per scenario, replicate and year."""
    keys = ["scenario", "replicate", "period"]
    made = select(yearly, "referrals_made", group).set_index(keys)["value"]
    lost = select(yearly, "referrals_lost", group).set_index(keys)["value"]
    share = (lost / made.where(made > 0)).rename("value").reset_index()
    return share.assign(metric="referrals_lost_share", group=group)


def _indicator_tables(yearly: pd.DataFrame) -> dict[str, pd.DataFrame]:
    tables = {}
    for metric in BAR_METRICS + LINE_METRICS:
        try:
            tables[metric] = (
                lost_share(yearly)
                if metric == LINE_METRICS[0]
                else select(yearly, metric, None if metric in BAR_METRICS else "all")
            )
        except NoDataError:
            continue
    if not tables:
        raise NoDataError("service indicators")
    return tables


def _bar_panel(ax, df: pd.DataFrame, ctx: PlotContext) -> None:
    import seaborn as sns

    df = with_labels(df, ctx).assign(service=lambda d: d["group"].map(ctx.lang.group))
    sns.barplot(
        df,
        x="value",
        y="service",
        hue="label",
        hue_order=[ctx.label(s) for s in ctx.stems(df)],
        estimator="mean",
        errorbar=("pi", 95),
        palette=ctx.palette(df),
        ax=ax,
    )
    ax.set(xlabel="", ylabel="")


def _line_panel(ax, df: pd.DataFrame, metric: str, ctx: PlotContext) -> None:
    import seaborn as sns

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
        estimator="median",
        errorbar=("pi", 95),
        palette=ctx.palette(df),
        ax=ax,
    )
    year_axis(ax, df["period"])
    mark_intervention(ax, ctx)
    if metric.endswith("share"):
        percent_axis(ax, ctx.lang)
    ax.set(xlabel=ctx.lang.t("axis.year"), ylabel="")


def service_indicators(yearly: pd.DataFrame, ctx: PlotContext | None = None) -> Figure:
    """Plot the service indicators found in the table, leaving out panels without data.

    Waiting times, queues and caseloads by service (mean over years, 95 % band); over time, the
    share of referrals lost and the helpers per youth.
    """
    ctx = ctx or PlotContext()
    tables = _indicator_tables(yearly)
    with slide_style():
        fig, axes = new_figure(3, 2, size=(18, 11))
        for ax, (metric, df) in zip(axes, tables.items(), strict=False):
            if metric in BAR_METRICS:
                _bar_panel(ax, df, ctx)
            else:
                _line_panel(ax, df, metric, ctx)
            ax.set_title(ctx.lang.t(f"metric.{metric}"), fontsize="medium")
        for ax in axes[len(tables) :]:
            ax.set_visible(False)
        legend_below(fig, axes[0])
        for ax in axes[1:]:
            if ax.get_legend():
                ax.get_legend().remove()
        fig.suptitle(ctx.lang.t("fig.services.title"))
    return fig


def trial_table(trial: dict) -> pd.DataFrame:
    """Flatten ``trial.json`` to rows: arm, outcome, month, share, lo, hi, n."""
    rows = []
    for arm, outcomes in trial.get("arms", {}).items():
        for outcome, by_month in outcomes.items():
            for month, v in by_month.items():
                rows.append({"arm": arm, "outcome": outcome, "month": int(month), **v})
    if not rows:
        raise NoDataError("trial arms")
    return pd.DataFrame(rows).sort_values(["outcome", "arm", "month"])


def trial_result(trial: dict, ctx: PlotContext | None = None) -> Figure:
    """Share employed at 6, 12 and 18 months (and with any job by then) per trial arm."""
    ctx = ctx or PlotContext()
    df = trial_table(trial)
    outcomes = list(dict.fromkeys(df["outcome"]))
    arms = list(dict.fromkeys(df["arm"]))
    with slide_style():
        fig, axes = new_figure(len(outcomes), size=(6.5 * len(outcomes), 6), sharey=True)
        for ax, outcome in zip(axes, outcomes, strict=True):
            for i, arm in enumerate(arms):
                d = df[(df["outcome"] == outcome) & (df["arm"] == arm)]
                x = d["month"] + (i - (len(arms) - 1) / 2) * 0.4
                ax.errorbar(
                    x,
                    d["share"],
                    yerr=[d["share"] - d["lo"], d["hi"] - d["share"]],
                    fmt="o-",
                    capsize=4,
                    label=ctx.lang.name("arm", arm),
                    color=["#0072B2", "#E69F00", "#009E73", "#CC79A7"][i % 4],
                )
            ax.set_xticks(sorted(df["month"].unique()))
            percent_axis(ax, ctx.lang)
            ax.set(
                title=ctx.lang.t(f"trial.{outcome}")
                if f"trial.{outcome}" in ctx.lang.labels
                else outcome,
                xlabel=ctx.lang.t("axis.months"),
                ylabel="",
            )
        legend_below(fig, axes[0])
        fig.suptitle(ctx.lang.t("fig.trial.title", n=trial.get("n_per_arm", "?")))
    return fig
