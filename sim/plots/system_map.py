"""System map: services as nodes, referrals as arrows (width = yearly volume, label = share lost).

One panel per scenario, side by side, so the steering group sees where youth fall between
services and what coordination changes.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from sim.plots._base import NoDataError, PlotContext, new_figure, select, slide_style

# Known services placed as a left-to-right flow; unknown ones go on a circle around the middle.
LAYOUT = {
    "school": (0.0, 3.0),
    "followup": (2.4, 3.4),
    "gp": (0.0, 0.0),
    "mental_health": (2.4, -0.4),
    "nav": (3.6, 1.5),
    "coordinator": (5.4, 3.2),
    "ips": (5.4, -0.2),
    "bup": (1.4, -0.6),
    "dps": (3.2, -0.7),
    "labour_market": (7.0, 1.5),
    "work": (7.0, 1.5),
}
RAD = 0.18  # arrow curvature, so A->B and B->A do not overlap


def referral_flows(yearly: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and handover: referrals made per year (mean) and the share lost."""
    keys = ["scenario", "group"]
    made = select(yearly, "referrals_made")
    made = made[made["group"].str.contains("->", regex=False)]
    if made.empty:
        raise NoDataError("referrals_made <from>-><to>")
    lost = select(yearly, "referrals_lost").groupby(keys)["value"].sum()
    out = made.groupby(keys)["value"].agg(volume="mean", total="sum").join(lost.rename("lost"))
    out["lost_share"] = out["lost"] / out["total"].where(out["total"] > 0)
    out = out.reset_index()
    out[["source", "target"]] = out["group"].str.split("->", n=1, expand=True)
    return out


def _positions(services: list[str]) -> dict[str, tuple[float, float]]:
    pos = {s: LAYOUT[s] for s in services if s in LAYOUT}
    extra = [s for s in services if s not in LAYOUT]
    for i, s in enumerate(extra):
        angle = 2 * math.pi * i / max(1, len(extra)) + 0.3
        pos[s] = (3.6 + 3.6 * math.cos(angle), 1.5 + 2.4 * math.sin(angle))
    return pos


def _arrow(ax, a, b, width: float, color) -> tuple[float, float]:
    ax.add_patch(
        FancyArrowPatch(
            a,
            b,
            arrowstyle="-|>",
            mutation_scale=12 + 2 * width,
            linewidth=width,
            color=color,
            shrinkA=30,
            shrinkB=30,
            connectionstyle=f"arc3,rad={RAD}",
            alpha=0.85,
            zorder=1,
        )
    )
    (x1, y1), (x2, y2) = a, b
    return (x1 + x2) / 2 + RAD / 2 * (y2 - y1), (y1 + y2) / 2 - RAD / 2 * (x2 - x1)


def _panel(ax, flows: pd.DataFrame, pos: dict, scale: tuple, ctx: PlotContext) -> None:
    import seaborn as sns

    cmap = sns.color_palette("crest", as_cmap=True)
    vmax, norm = scale
    for row in flows.itertuples():
        width = 1 + 13 * row.volume / vmax
        mid = _arrow(ax, pos[row.source], pos[row.target], width, cmap(norm(row.lost_share)))
        text = ctx.lang.t("map.lost", share=ctx.lang.pct(row.lost_share, 0))
        ax.text(
            *mid,
            f"{ctx.lang.number(row.volume)}\n{text}",
            ha="center",
            va="center",
            fontsize="x-small",
            zorder=3,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
        )
    for name, (x, y) in pos.items():
        ax.text(
            x,
            y,
            ctx.lang.name("service", name),
            ha="center",
            va="center",
            zorder=4,
            fontsize="small",
            bbox={"boxstyle": "round,pad=0.5", "fc": "#f0f0f0", "ec": "0.3"},
        )
    xs, ys = np.array(list(pos.values())).T
    ax.set(xlim=(xs.min() - 0.7, xs.max() + 0.7), ylim=(ys.min() - 0.5, ys.max() + 0.5))
    ax.set_axis_off()


def system_map(yearly: pd.DataFrame, ctx: PlotContext | None = None) -> Figure:
    """Referral flows between services, one panel per scenario, on a common width scale."""
    ctx = ctx or PlotContext()
    flows = referral_flows(yearly)
    services = list(dict.fromkeys(flows["source"].tolist() + flows["target"].tolist()))
    pos = _positions(services)
    scale = (
        float(flows["volume"].max()) or 1.0,
        Normalize(0, max(0.05, flows["lost_share"].max())),
    )
    stems = ctx.stems(flows)
    with slide_style():
        fig, axes = new_figure(len(stems), size=(6.5 * len(stems), 6.5))
        for ax, stem in zip(axes, stems, strict=True):
            _panel(ax, flows[flows["scenario"] == stem], pos, scale, ctx)
            ax.set_title(ctx.label(stem))
        fig.suptitle(ctx.lang.t("fig.system_map.title"))
        fig.text(0.5, 0.01, ctx.lang.t("map.caption"), ha="center", fontsize="small")
    return fig
