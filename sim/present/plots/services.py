"""Service indicators (waiting, queues, caseloads, lost referrals, helpers) and the trial."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from sim.present.plots._base import (
    MIN_N,
    NoDataError,
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

BAR_METRICS = ["wait_days_mean", "queue_length", "caseload_per_worker"]
LINE_METRICS = ["referrals_lost_share", "helpers_mean", "helpers_3plus_share"]


def lost_share(yearly: pd.DataFrame, group: str = "all") -> pd.DataFrame:
    """Share of referrals lost at handover per scenario, replicate and year.

    ``n`` is that of the referrals made (the youth behind the share).
    """
    keys = ["scenario", "replicate", "period"]
    made = select(yearly, "referrals_made", group).set_index(keys)
    lost = select(yearly, "referrals_lost", group).set_index(keys)["value"]
    share = (lost / made["value"].where(made["value"] > 0)).rename("value")
    out = pd.concat([share, made["n"]], axis=1).reset_index()
    return out.assign(metric="referrals_lost_share", group=group)


def _service(group: str) -> str:
    """``service:nav:<office>`` -> ``nav``; other ``service:<name>`` groups -> ``<name>``."""
    return group.split(":")[1] if group.startswith("service:") else group


def pool_offices(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per service: NAV offices (``service:nav:<office>``) pooled into ``nav``.

    Waiting days are averaged weighted by the youth each office admitted (``n``), queues
    summed; for caseloads the model's own pooled ``service:nav`` row is used when present,
    else the offices' mean weighted by ``n``. ``n`` of a pooled row is the offices' sum.
    """
    keys = ["scenario", "replicate", "period", "metric"]
    metric = rows["metric"].iloc[0]
    if metric == "caseload_per_worker" and (rows["group"] == "service:nav").any():
        rows = rows[~rows["group"].str.startswith("service:nav:")]
    rows = rows.assign(service=rows["group"].map(_service), weighted=rows["value"] * rows["n"])
    g = rows.groupby(keys + ["service"])
    out = g[["value", "weighted", "n"]].sum()
    if metric != "queue_length":
        mean = out["weighted"] / out["n"].where(out["n"] > 0)
        single = g["value"].count() == 1
        out["value"] = mean.where(~single, g["value"].first())
    return out.drop(columns="weighted").reset_index().rename(columns={"service": "group"})


def _indicator_tables(yearly: pd.DataFrame) -> dict[str, pd.DataFrame]:
    tables = {}
    for metric in BAR_METRICS + LINE_METRICS:
        try:
            if metric == "referrals_lost_share":
                tables[metric] = lost_share(yearly)
            elif metric in BAR_METRICS:
                tables[metric] = pool_offices(select(yearly, metric))
            else:
                tables[metric] = select(yearly, metric, "all")
        except NoDataError:
            continue
    if not tables:
        raise NoDataError("service indicators")
    return tables


def _bar_hidden(df: pd.DataFrame) -> pd.Series:
    """Flag (scenario, service) bars resting on fewer than ``MIN_N`` simulated youth.

    A bar is the mean over the years, so the youth behind it are summed over the years; the
    smallest replicate decides.
    """
    per_rep = df.groupby(["scenario", "group", "replicate"])["n"].transform("sum")
    return per_rep.groupby([df["scenario"], df["group"]]).transform("min") < MIN_N


def _bar_panel(ax, df: pd.DataFrame, ctx: PlotContext) -> bool:
    """Mean over years per service and scenario (95 % band); small cells shown as –."""
    import seaborn as sns

    hidden = _bar_hidden(df)
    services = sorted(df["group"].unique(), key=lambda g: ctx.lang.group(f"service:{g}"))
    order = [ctx.lang.group(f"service:{g}") for g in services]
    label = {g: ctx.lang.group(f"service:{g}") for g in services}
    shown = with_labels(df[~hidden], ctx).assign(service=lambda d: d["group"].map(label))
    hue_order = [ctx.label(s) for s in ctx.stems(df)]
    sns.barplot(
        shown,
        x="value",
        y="service",
        hue="label",
        order=order,
        hue_order=hue_order,
        estimator="mean",
        errorbar=("pi", 95),
        palette=ctx.palette(df),
        ax=ax,
    )
    _dash_hidden(ax, df[hidden], services, hue_order, ctx)
    ax.set(xlabel="", ylabel="")
    return bool(hidden.any())


def _dash_hidden(ax, hidden: pd.DataFrame, services: list[str], hue_order: list[str], ctx):
    """Write – where a (service, scenario) bar is suppressed."""
    width = 0.8 / max(1, len(hue_order))
    for scenario, group in hidden[["scenario", "group"]].drop_duplicates().itertuples(index=False):
        i, j = services.index(group), hue_order.index(ctx.label(scenario))
        y = i - 0.4 + width * (j + 0.5)
        ax.text(0, y, " –", va="center", ha="left", fontsize="small")


def _line_panel(ax, df: pd.DataFrame, metric: str, ctx: PlotContext) -> bool:
    hidden = small_cells(df)
    df = df.assign(value=df["value"].mask(hidden))
    scenario_lines(ax, df, ctx, markers=False)
    year_axis(ax, df["period"], max_ticks=5)
    mark_intervention(ax, ctx)
    if metric.endswith("share"):
        percent_axis(ax, ctx.lang)
    ax.set(xlabel=ctx.lang.t("axis.year"), ylabel="")
    return bool(hidden.any())


def service_indicators(yearly: pd.DataFrame, ctx: PlotContext | None = None) -> Figure:
    """Plot the service indicators found in the table, leaving out panels without data.

    Waiting times, queues and caseloads by service (mean over years, 95 % band), with the NAV
    offices pooled into one NAV row (see :func:`pool_offices`); over time, the share of
    referrals lost and the helpers per youth. Values resting on fewer than 20 simulated youth
    are not drawn (–).
    """
    ctx = ctx or PlotContext()
    tables = _indicator_tables(yearly)
    with slide_style():
        fig, axes = new_figure(3, 2, size=(18, 11))
        for ax, (metric, df) in zip(axes, tables.items(), strict=False):
            if metric in BAR_METRICS:
                hidden = _bar_panel(ax, df, ctx)
            else:
                hidden = _line_panel(ax, df, metric, ctx)
            mark_suppressed(fig, hidden)
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
