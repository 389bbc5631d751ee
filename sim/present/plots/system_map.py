"""System map: services as nodes, referrals as arrows (width = yearly volume, label = share lost).

One panel per scenario, in a grid of at most three columns, so the steering group sees where
youth fall between services and what coordination changes.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from sim.present.i18n import DASH
from sim.present.plots._base import (
    MIN_N,
    NoDataError,
    PlotContext,
    mark_suppressed,
    new_figure,
    panel_grid,
    percent_axis,
    select,
    slide_style,
)

# Known services placed as a left-to-right flow (school, then NAV and health, then IPS and
# work), spread so that the labels on the arrows do not sit under the boxes; unknown services
# go on a circle around the middle.
LAYOUT = {
    "school": (0.0, 2.6),
    "followup": (2.6, 4.6),
    "gp": (2.2, 0.6),
    "nav": (5.0, 2.6),
    "bup": (1.0, -1.8),
    "mental_health": (3.6, -0.6),
    "dps": (4.8, -1.8),
    "coordinator": (7.6, 4.6),
    "ips": (7.6, 0.2),
    "labour_market": (9.6, 2.6),
    "work": (9.6, 2.6),
}
RAD = 0.18  # arrow curvature, so A->B and B->A do not overlap
HIDDEN = "0.75"  # colour of a handover too small to show (n < 20)


def referral_flows(yearly: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and handover: referrals made per year (mean) and the share lost.

    ``small`` flags handovers resting on fewer than 20 simulated referrals in some replicate
    and year (small-cell suppression).
    """
    keys = ["scenario", "group"]
    made = select(yearly, "referrals_made")
    made = made[made["group"].str.contains("->", regex=False)]
    if made.empty:
        raise NoDataError("referrals_made <from>-><to>")
    lost = select(yearly, "referrals_lost").groupby(keys)["value"].sum()
    g = made.groupby(keys)
    out = g["value"].agg(volume="mean", total="sum").join(lost.rename("lost"))
    out["lost_share"] = out["lost"] / out["total"].where(out["total"] > 0)
    out["small"] = g["n"].min() < MIN_N
    out = out.reset_index()
    out[["source", "target"]] = out["group"].str.split("->", n=1, expand=True)
    return out


def _positions(services: list[str]) -> dict[str, tuple[float, float]]:
    pos = {s: LAYOUT[s] for s in services if s in LAYOUT}
    extra = [s for s in services if s not in LAYOUT]
    for i, s in enumerate(extra):
        angle = 2 * math.pi * i / max(1, len(extra)) + 0.3
        pos[s] = (4.8 + 4.8 * math.cos(angle), 1.4 + 3.2 * math.sin(angle))
    return pos


def _arrow(ax, a, b, width: float, color, dashed: bool = False) -> tuple[float, float]:
    ax.add_patch(
        FancyArrowPatch(
            a,
            b,
            arrowstyle="-|>",
            mutation_scale=12 + 2 * width,
            linewidth=width,
            linestyle="--" if dashed else "-",
            color=color,
            shrinkA=34,
            shrinkB=34,
            connectionstyle=f"arc3,rad={RAD}",
            alpha=0.85,
            zorder=1,
        )
    )
    (x1, y1), (x2, y2) = a, b
    return (x1 + x2) / 2 + RAD / 2 * (y2 - y1), (y1 + y2) / 2 - RAD / 2 * (x2 - x1)


def _panel(ax, flows: pd.DataFrame, pos: dict, scale: tuple, ctx: PlotContext) -> None:
    """Draw arrows, then the service boxes, then the arrow labels on top (white boxes)."""
    cmap, vmax, norm = scale
    labels = []
    for row in flows.itertuples():
        if row.small:
            mid = _arrow(ax, pos[row.source], pos[row.target], 1.0, HIDDEN, dashed=True)
            labels.append((mid, DASH))
            continue
        width = 1 + 11 * row.volume / vmax
        mid = _arrow(ax, pos[row.source], pos[row.target], width, cmap(norm(row.lost_share)))
        text = ctx.lang.t("map.lost", share=ctx.lang.pct(row.lost_share, 0))
        labels.append((mid, f"{ctx.lang.number(row.volume)}\n{text}"))
    for name, (x, y) in pos.items():
        ax.text(
            x,
            y,
            ctx.lang.name("service", name),
            ha="center",
            va="center",
            zorder=4,
            fontsize="small",
            bbox={"boxstyle": "round,pad=0.45", "fc": "#f0f0f0", "ec": "0.3"},
        )
    for (x, y), text in labels:
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize="x-small",
            zorder=5,
            linespacing=1.1,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "0.8", "alpha": 0.95},
        )
    xs, ys = np.array(list(pos.values())).T
    ax.set(xlim=(xs.min() - 1.0, xs.max() + 1.0), ylim=(ys.min() - 0.6, ys.max() + 0.6))
    ax.set_axis_off()


def system_map(yearly: pd.DataFrame, ctx: PlotContext | None = None) -> Figure:
    """Referral flows between services, one panel per scenario, on a common width scale.

    Handovers resting on fewer than 20 simulated referrals are drawn as thin grey dashed
    arrows marked – (small-cell suppression).
    """
    import seaborn as sns

    ctx = ctx or PlotContext()
    flows = referral_flows(yearly)
    services = list(dict.fromkeys(flows["source"].tolist() + flows["target"].tolist()))
    pos = _positions(services)
    shown = flows[~flows["small"]]
    norm = Normalize(0, max(0.05, float(shown["lost_share"].max() if len(shown) else 0)))
    cmap = sns.color_palette("crest", as_cmap=True)
    scale = (cmap, float(shown["volume"].max() if len(shown) else 0) or 1.0, norm)
    stems = ctx.stems(flows)
    ncols, nrows = panel_grid(len(stems))
    with slide_style():
        fig, axes = new_figure(ncols, nrows, size=(7.2 * ncols, 5.6 * nrows + 1.2))
        for ax, stem in zip(axes, stems, strict=False):
            _panel(ax, flows[flows["scenario"] == stem], pos, scale, ctx)
            ax.set_title(ctx.label(stem), fontsize="medium", pad=10)
        for ax in axes[len(stems) :]:
            ax.set_axis_off()
        bar = fig.colorbar(
            ScalarMappable(norm, cmap), ax=list(axes), shrink=0.5, aspect=30, pad=0.01
        )
        bar.set_label(ctx.lang.t("map.lost_share"))
        percent_axis(bar.ax, ctx.lang)
        mark_suppressed(fig, bool(flows["small"].any()))
        fig.suptitle(ctx.lang.t("fig.system_map.title"), fontsize="x-large")
        fig.supxlabel(ctx.lang.t("map.caption"), fontsize="small")
    return fig
