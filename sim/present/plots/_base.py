"""Shared pieces of the plots: context (language, scenario names, order), style and helpers."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.present.i18n import Lang
from sim.present.suppression import MIN_N

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#000000", "#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442"]
# Payers have colours of their own, far from every scenario colour (CIE76 ΔE ≥ 20, checked in
# tests/test_report_layout.py), so a bar coloured by payer is never read as a scenario.
PAYER_PALETTE = {
    "state": "#332288",  # indigo
    "municipality": "#999933",  # olive
    "county": "#882255",  # wine
    "health_trust": "#8C564B",  # brown
}
PAYER_OTHER = "#7F7F7F"  # a payer outside the four (a plugin's)
DASHES = ["", (5, 2), (1, 1.5), (6, 2, 1, 2), (3, 3), (8, 2, 2, 2, 2, 2)]
MARKERS = ["o", "X", "s", "P", "D", "^", "v", "*"]


class NoDataError(ValueError):
    """The table holds none of the rows a figure needs (e.g. costs in older results)."""


@dataclass
class PlotContext:
    """What every plot needs besides the table.

    Attributes:
        lang: Language of titles, axes and legends.
        names: Display name of each scenario stem.
        order: Scenario stems in display order (the reference first); colours follow it.
        intervention_start: ``"YYYY-MM"``, marked on time plots when given.

    """

    lang: Lang = field(default_factory=Lang)
    names: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    intervention_start: str | None = None

    @classmethod
    def from_manifest(cls, manifest: dict, lang: str = "en") -> PlotContext:
        """Build the context from a results directory's ``manifest.json`` content."""
        scen = manifest.get("scenarios", {})
        names = {stem: (s.get("name") or {}).get(lang, stem) for stem, s in scen.items()}
        start = manifest.get("intervention_start") or manifest.get("start")
        return cls(Lang(lang), names, list(scen), start)

    def stems(self, df: pd.DataFrame) -> list[str]:
        """Scenarios present in ``df``, in display order."""
        present = list(dict.fromkeys(df["scenario"]))
        return [s for s in self.order if s in present] + [
            s for s in present if s not in self.order
        ]

    def label(self, stem: str) -> str:
        """Display name of a scenario."""
        return self.names.get(stem, stem)

    def _by_order(self, df: pd.DataFrame, styles: list) -> dict:
        full = self.order + [s for s in self.stems(df) if s not in self.order]
        return {self.label(s): styles[i % len(styles)] for i, s in enumerate(full)}

    def palette(self, df: pd.DataFrame) -> dict[str, str]:
        """Colour of each scenario label, stable across figures (it follows ``order``)."""
        return self._by_order(df, PALETTE)

    def dashes(self, df: pd.DataFrame) -> dict[str, object]:
        """Line style of each scenario label, keyed like :meth:`palette`."""
        return self._by_order(df, DASHES)

    def markers(self, df: pd.DataFrame) -> dict[str, str]:
        """Marker of each scenario label, keyed like :meth:`palette`."""
        return self._by_order(df, MARKERS)


def select(df: pd.DataFrame | None, metric: str, groups: list[str] | str | None = None):
    """Rows of one metric (and groups); raises :class:`NoDataError` when there are none."""
    if df is None or df.empty:
        raise NoDataError(metric)
    rows = df[df["metric"] == metric]
    if groups is not None:
        rows = rows[rows["group"].isin([groups] if isinstance(groups, str) else groups)]
    if rows.empty:
        raise NoDataError(f"{metric} {groups or ''}".strip())
    return rows.copy()


def small_cells(df: pd.DataFrame, keys=("scenario", "period", "group")) -> pd.Series:
    """Flag rows resting on fewer than ``MIN_N`` simulated youth in some replicate."""
    return df.groupby(list(keys))["n"].transform("min") < MIN_N


def mark_suppressed(fig: Figure, hidden: bool = True) -> None:
    """Record on ``fig`` that small cells were left out (the report then adds the footnote)."""
    fig.sim_suppressed = bool(getattr(fig, "sim_suppressed", False) or hidden)


def was_suppressed(fig: Figure) -> bool:
    """Whether a figure left out small cells (see :func:`mark_suppressed`)."""
    return bool(getattr(fig, "sim_suppressed", False))


def with_labels(df: pd.DataFrame, ctx: PlotContext) -> pd.DataFrame:
    """Add a ``label`` column (scenario display name)."""
    return df.assign(label=df["scenario"].map(ctx.label))


@contextmanager
def slide_style():
    """Seaborn style readable on a slide (large fonts, light grid)."""
    import seaborn as sns

    with sns.axes_style("whitegrid"), sns.plotting_context("talk", font_scale=0.75):
        yield


def new_figure(ncols: int = 1, nrows: int = 1, size=(11, 6), **kw) -> tuple[Figure, np.ndarray]:
    """Create a figure (no pyplot state) and return it with its axes as a flat array."""
    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes.ravel()


def panel_grid(n: int) -> tuple[int, int]:
    """Columns and rows for ``n`` panels: at most three columns (2×2 for four)."""
    ncols = n if n <= 3 else 2 if n == 4 else 3
    return ncols, -(-n // ncols)


def percent_axis(ax, lang: Lang, axis: str = "y", points: bool = False) -> None:
    """Show shares (0.1) as percentages, or differences as percentage points."""

    def fmt(v, _pos):
        pct = 100 * v
        decimals = next(d for d in (0, 1, 2, 3) if abs(pct - round(pct, d)) < 1e-9)
        return lang.pp(v, decimals) if points else lang.pct(v, decimals)

    getattr(ax, f"{axis}axis").set_major_formatter(FuncFormatter(fmt))


def number_axis(ax, lang: Lang, scale: float = 1.0, axis: str = "y") -> None:
    """Format tick labels with the language's separators, after dividing by ``scale``."""

    def fmt(v, _pos):
        return lang.number(v / scale, 0 if abs(v / scale) >= 10 or v == 0 else 1)

    getattr(ax, f"{axis}axis").set_major_formatter(FuncFormatter(fmt))


def mark_intervention(ax, ctx: PlotContext) -> None:
    """Draw a vertical line where the intervention starts (a year axis)."""
    if not ctx.intervention_start:
        return
    year, month = (int(x) for x in ctx.intervention_start.split("-")[:2])
    x = year + (month - 1) / 12
    ax.axvline(x, color="0.4", linestyle=":", linewidth=1.5)
    label = ctx.lang.t("plot.intervention_start")
    ax.annotate(
        label,
        (x, 1),
        xycoords=("data", "axes fraction"),
        xytext=(4, -4),
        textcoords="offset points",
        va="top",
        fontsize="x-small",
        color="0.3",
    )


def year_axis(ax, periods, max_ticks: int = 8) -> None:
    """Integer year ticks without thousands separators, at most ``max_ticks`` of them.

    Pass a smaller ``max_ticks`` (about 5) for narrow panels, so the labels do not overlap.
    """
    years = sorted({int(p) for p in periods})
    step = max(1, -(-len(years) // max_ticks))
    ax.set_xticks(years[::step])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{int(v)}"))


def legend_columns(labels: list[str], most: int = 4) -> int:
    """Legend columns that fit the labels: fewer columns when a label is long."""
    longest = max((len(label) for label in labels), default=0)
    fits = 2 if longest > 25 else 3 if longest > 16 else most
    return max(1, min(most, fits, len(labels)))


def legend_below(fig: Figure, ax, ncol: int | None = None) -> None:
    """Move the legend of ``ax`` under the figure (or drop it when there is nothing to show).

    The number of columns follows the label lengths (see :func:`legend_columns`), so a legend
    of long scenario names stays inside the figure.
    """
    handles, labels = ax.get_legend_handles_labels()
    if ax.get_legend():
        ax.get_legend().remove()
    if handles:
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncol=ncol or legend_columns(labels),
            frameon=False,
            fontsize="small",
        )


def scenario_lines(ax, df: pd.DataFrame, ctx: PlotContext, markers: bool = True) -> None:
    """Median line and 95 % band per scenario over ``period``.

    Colour, dash and marker of a scenario follow ``ctx.order``, so they are the same in every
    figure whichever scenarios the table holds.
    """
    import seaborn as sns

    df = with_labels(df, ctx)
    hue_order = [ctx.label(s) for s in ctx.stems(df)]
    dashes, marks = ctx.dashes(df), ctx.markers(df)
    sns.lineplot(
        df,
        x="period",
        y="value",
        hue="label",
        hue_order=hue_order,
        style="label",
        style_order=hue_order,
        dashes={k: dashes[k] for k in hue_order},
        markers={k: marks[k] for k in hue_order} if markers else False,
        estimator="median",
        errorbar=("pi", 95),
        palette=ctx.palette(df),
        ax=ax,
    )
