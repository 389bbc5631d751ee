"""The dashboard's panels: matplotlib figures of the panel data, and the Solara components.

:func:`figure` draws one panel from the tidy monthly table (no live model needed), so it is
tested without a browser; :func:`components` wraps every panel for SolaraViz, which redraws
them after each step or reset.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import solara
from matplotlib.dates import DateFormatter, MonthLocator, YearLocator
from matplotlib.figure import Figure

from sim.present.dashboard import data
from sim.present.dashboard.model import available_controls
from sim.present.i18n import MONTH_FORMAT, YEAR_FORMAT, name, t

# Okabe-Ito, as in sim.present.plots: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#000000", "#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442"]
SIZE = (6.4, 3.6)
DPI = 80
PERCENT = 100.0
HALF_MONTH = pd.Timedelta(days=15)
MARGINS = {"left": 0.1, "right": 0.66, "top": 0.9, "bottom": 0.15}  # legend right of the axes


def _month_axis(ax, lang: str, months: int) -> None:
    """Ticks on the first of a month, labelled like the periods (years on long runs)."""
    if months > 48:
        locator, label = YearLocator(base=max(1, months // 72)), YEAR_FORMAT
    else:
        locator, label = (
            MonthLocator(bymonthday=1, interval=max(1, math.ceil(months / 4))),
            MONTH_FORMAT,
        )
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(DateFormatter(label))
    ax.set_xlabel(t(lang, "dashboard.axis.month"))
    ax.grid(alpha=0.3)


def _legend(ax) -> None:
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)


def _lines(ax, wide: pd.DataFrame, labels: list[str], factor: float = 1.0) -> None:
    """One line per column; markers where a line has gaps or too few months to draw."""
    for i, (col, label) in enumerate(zip(wide.columns, labels, strict=True)):
        sparse = wide[col].isna().any() or len(wide) < 3
        style = {"marker": "o", "markersize": 3} if sparse else {}
        ax.plot(wide.index, wide[col] * factor, label=label, color=PALETTE[i % 8], **style)
    if len(wide) == 1:
        ax.set_xlim(wide.index[0] - HALF_MONTH, wide.index[0] + HALF_MONTH)


def _stack(ax, wide: pd.DataFrame, labels: list[str], factor: float = 1.0) -> None:
    """Stacked areas; a single month is drawn as a block one month wide."""
    if len(wide) == 1:
        month = wide.index[0]
        wide = pd.concat([wide, wide]).set_axis([month - HALF_MONTH, month + HALF_MONTH])
    colors = [PALETTE[i % 8] for i in range(wide.shape[1])]
    ax.stackplot(
        wide.index, (wide * factor).T.to_numpy(), labels=labels, colors=colors, alpha=0.85
    )


def _draw(key: str, ax, wide: pd.DataFrame, lang: str) -> None:
    cols = list(wide.columns)
    if key == "neet_age":
        _lines(ax, wide, [t(lang, f"dashboard.group.{c}") for c in cols], PERCENT)
        ax.set_ylabel(t(lang, "dashboard.axis.share"))
    elif key in ("activity", "status"):
        section = "activity" if key == "activity" else "status"
        _stack(ax, wide, [t(lang, f"dashboard.{section}.{c}") for c in cols], PERCENT)
        ax.set(ylabel=t(lang, "dashboard.axis.share"), ylim=(0, 100))
    elif key in ("queues", "waits"):
        _lines(ax, wide, [name(lang, "dashboard.service", c) for c in cols])
        ax.set_ylabel(
            t(lang, "dashboard.axis.youth" if key == "queues" else "dashboard.axis.days")
        )
    elif key == "referrals":
        _stack(ax, wide, [name(lang, "dashboard.route", c) for c in cols])
        ax.set_ylabel(t(lang, "dashboard.axis.referrals"))
    elif key == "costs":
        _stack(ax, wide, [name(lang, "dashboard.payer", c) for c in cols], 1e-6)
        ax.set_ylabel(t(lang, "dashboard.axis.mnok"))


def _draw_helpers(ax, wide: pd.DataFrame, lang: str) -> None:
    ax.plot(
        wide.index,
        wide["helpers_mean"],
        color=PALETTE[0],
        label=t(lang, "dashboard.helpers.helpers_mean"),
    )
    ax.set_ylabel(t(lang, "dashboard.axis.helpers"))
    right = ax.twinx()
    share = wide["helpers_3plus_share"] * PERCENT
    label = t(lang, "dashboard.helpers.helpers_3plus_share")
    right.plot(wide.index, share, color=PALETTE[1], linestyle="--", label=label)
    right.set_ylabel(t(lang, "dashboard.axis.share"))
    lines = ax.get_lines() + right.get_lines()
    ax.legend(lines, [ln.get_label() for ln in lines], fontsize=7, loc="lower left", frameon=False)


def _message(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])


def figure(key: str, table: pd.DataFrame, lang: str) -> Figure:
    """Draw one panel (a key of :data:`~sim.present.dashboard.data.PANELS`) of a month table."""
    fig = Figure(figsize=SIZE, dpi=DPI)
    fig.subplots_adjust(**{**MARGINS, "right": 0.86 if key == "helpers" else MARGINS["right"]})
    ax = fig.add_subplot()
    ax.set_title(t(lang, f"dashboard.panel.{key}"), fontsize=11, loc="left")
    wide = data.PANELS[key](table)
    if table.empty or wide.dropna(how="all").empty:
        _message(
            ax,
            t(
                lang,
                "dashboard.no_costs" if key == "costs" and not table.empty else "dashboard.empty",
            ),
        )
        return fig
    if key == "helpers":
        _draw_helpers(ax, wide, lang)
    else:
        _draw(key, ax, wide, lang)
        _legend(ax)
    _month_axis(ax, lang, len(wide))
    return fig


def info_lines(model, lang: str) -> list[str]:
    """The status card's lines after its heading: scenario, run, parameters in force."""
    yt = model.youth_model
    params = model.definition.params
    lines = [
        f"{t(lang, 'dashboard.info.scenario')}: {model.definition.name[lang]}",
        f"{t(lang, 'dashboard.info.start')}: {model.start}; "
        f"{t(lang, 'dashboard.info.months')}: {model.months}",
        t(lang, "dashboard.info.seed_scale", seed=yt.seed, scale=yt.scale),
    ]
    for control in available_controls():
        mark = " *" if control.param in model.overrides else ""
        lines.append(f"{control.param} = {params[control.param]:g}{mark}")
    return [*lines, t(lang, "dashboard.info.note")]


def _info_component(lang: str) -> Callable:
    def InfoPanel(model):  # noqa: N802 (a Solara component)
        heading = (
            f"{t(lang, 'dashboard.info.month')}: {model.period or t(lang, 'dashboard.info.none')}"
        )
        with solara.Column(gap="2px") as main:
            solara.Text(heading, classes=["sim-period"], style={"font-weight": "bold"})
            for line in info_lines(model, lang):
                solara.Text(line)
        return main

    return InfoPanel


def _panel_component(key: str, lang: str) -> Callable:
    def Panel(model):  # noqa: N802 (a Solara component)
        fig = figure(key, model.table(), lang)
        return solara.FigureMatplotlib(fig, format="png")

    Panel.__name__ = f"Panel_{key}"
    return Panel


def components(lang: str) -> list[Callable]:
    """The SolaraViz components: the status card, then one per panel."""
    return [_info_component(lang)] + [_panel_component(key, lang) for key in data.PANELS]
