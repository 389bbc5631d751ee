"""The acceptability curve: how often each option is best, by willingness to pay.

The table is ``summary.json``'s ``ceac`` in tidy form (:func:`ceac_table`): one row per option
and willingness to pay (NOK per NEET person-year averted) with the share of replicates in
which that option has the highest net benefit (:mod:`sim.analysis.decision`). The reference
is an option of its own; at each willingness to pay the shares add up to 1.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from sim.present.plots._base import (
    NoDataError,
    PlotContext,
    legend_below,
    new_figure,
    number_axis,
    percent_axis,
    slide_style,
    with_labels,
)

THOUSAND = 1e3
NOT_OPTIONS = ("wtp_nok", "horizon", "replicates")


def ceac_table(ceac: dict | None) -> pd.DataFrame:
    """``summary.json["ceac"]`` as rows of ``scenario``, ``wtp_nok``, ``value`` (share best).

    The options keep the summary's order (the reference first). Raises :class:`NoDataError`
    when there is no curve, and ValueError when an option's list does not match the grid.
    """
    if not ceac or not ceac.get("wtp_nok"):
        raise NoDataError("ceac")
    wtp = [float(w) for w in ceac["wtp_nok"]]
    frames = []
    for option, shares in ceac.items():
        if option in NOT_OPTIONS or not isinstance(shares, list):
            continue
        if len(shares) != len(wtp):
            raise ValueError(f"ceac.{option}: {len(shares)} shares for {len(wtp)} grid values")
        frames.append(pd.DataFrame({"scenario": option, "wtp_nok": wtp, "value": shares}))
    if not frames:
        raise NoDataError("ceac: no options")
    return pd.concat(frames, ignore_index=True)


def acceptability_curve(table: pd.DataFrame, ctx: PlotContext | None = None) -> Figure:
    """One line per option: the share of replicates in which it is best, against the WTP.

    Colours and line styles follow ``ctx.order`` as in every other figure; the x axis is in
    thousand NOK per NEET person-year averted, the y axis a percentage of replicates.
    """
    import seaborn as sns

    if table is None or table.empty:
        raise NoDataError("ceac")
    ctx = ctx or PlotContext()
    df = with_labels(table, ctx)
    hue = [ctx.label(s) for s in ctx.stems(df)]
    dashes = ctx.dashes(df)
    with slide_style():
        fig, (ax,) = new_figure(size=(11, 6))
        sns.lineplot(
            df,
            x="wtp_nok",
            y="value",
            hue="label",
            hue_order=hue,
            style="label",
            style_order=hue,
            dashes={k: dashes[k] for k in hue},
            palette=ctx.palette(df),
            linewidth=2.5,
            ax=ax,
        )
        ax.set_ylim(-0.03, 1.03)
        percent_axis(ax, ctx.lang)
        number_axis(ax, ctx.lang, THOUSAND, axis="x")
        ax.set(xlabel=ctx.lang.t("axis.wtp_thousand"), ylabel=ctx.lang.t("axis.share_best"))
        legend_below(fig, ax)
        fig.suptitle(ctx.lang.t("fig.ceac.title"))
    return fig
