"""The dashboard's panels: matplotlib figures of the panel data, and the Solara components.

:func:`figure` draws one panel from the tidy monthly table (no live model needed), so it is
tested without a browser; :func:`image` turns it into SVG, sharp at any zoom and screen
density; :func:`PanelGrid` and :func:`InfoCard` show a session's model after each step or reset.
"""

from __future__ import annotations

import io
import math

import pandas as pd
import solara
from matplotlib.dates import DateFormatter, MonthLocator, YearLocator
from matplotlib.figure import Figure

from sim.present.dashboard import data
from sim.present.dashboard.model import available_controls
from sim.present.i18n import MONTH_FORMAT, YEAR_FORMAT, name, t
from sim.present.i18n.numbers import number

# Okabe-Ito, as in sim.present.plots: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#000000", "#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442"]
SIZE = (6.4, 3.6)  # inches; the SVG scales to the width of its column
IMAGE_FORMAT = "svg"  # vector: sharp at any zoom, smaller and faster to draw than 160-dpi PNG
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
    fig = Figure(figsize=SIZE)
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


def image(key: str, table: pd.DataFrame, lang: str) -> bytes:
    """One panel as an SVG document (see :func:`figure`)."""
    out = io.BytesIO()
    figure(key, table, lang).savefig(out, format=IMAGE_FORMAT)
    return out.getvalue()


def month_name(period: str, lang: str) -> str:
    """A ``YYYY-MM`` month in words: ``januar 2024`` (nb), ``January 2024`` (en)."""
    year, month = period.split("-")
    return f"{t(lang, f'dashboard.month_name.{month}')} {year}"


def value_text(value: float, lang: str) -> str:
    """A parameter value in the language's number format, with as many decimals as it needs."""
    decimals = next((d for d in range(4) if abs(value - round(value, d)) < 1e-9), 4)
    return number(value, decimals, lang)


def heading(model, lang: str) -> str:
    """The status card's first line: the last month simulated, in words."""
    if model.period is None:
        month = t(lang, "dashboard.info.none", month=month_name(model.start, lang))
    else:
        month = month_name(model.period, lang)
    return f"{t(lang, 'dashboard.info.month')}: {month}"


def info_lines(model, lang: str) -> list[str]:
    """The status card's lines after its heading: scenario, run, parameters in force."""
    yt = model.youth_model
    params = model.definition.params
    scale = value_text(yt.scale, lang)
    lines = [
        f"{t(lang, 'dashboard.info.scenario')}: {model.definition.name[lang]}",
        f"{t(lang, 'dashboard.info.start')}: {month_name(model.start, lang)}; "
        f"{t(lang, 'dashboard.info.months')}: {model.months}",
        t(lang, "dashboard.info.seed_scale", seed=yt.seed, scale=scale),
    ]
    for control in available_controls():
        mark = " *" if control.param in model.overrides else ""
        lines.append(f"{control.param} = {value_text(params[control.param], lang)}{mark}")
    return [*lines, t(lang, "dashboard.info.note")]


@solara.component
def InfoCard(model, months: int, lang: str):  # noqa: N802 (a Solara component)
    """The status card: month simulated (``.sim-period``), scenario, run and parameters.

    ``months`` is the number of months simulated; a new value redraws the card.
    """
    with solara.Card(t(lang, "dashboard.info.title")), solara.Column(gap="2px"):
        solara.Text(heading(model, lang), classes=["sim-period"], style={"font-weight": "bold"})
        for line in info_lines(model, lang):
            solara.Text(line)


@solara.component
def Panel(key: str, model, months: int, lang: str):  # noqa: N802 (a Solara component)
    """One panel as an SVG image as wide as its column, redrawn when ``months`` changes."""
    svg = solara.use_memo(lambda: image(key, model.table(), lang), [key, model, months, lang])
    return solara.Image(svg, width="100%", format="svg+xml", classes=["sim-panel"])


@solara.component
def PanelGrid(model, months: int, lang: str):  # noqa: N802 (a Solara component)
    """Every panel of :data:`~sim.present.dashboard.data.PANELS`, two per row."""
    keys = list(data.PANELS)
    with solara.Column():
        for i in range(0, len(keys), 2):
            with solara.Columns([1, 1]):
                for key in keys[i : i + 2]:
                    Panel(key, model, months, lang)
