"""Draw the report's figures from a results directory and save them as PNG and SVG."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sim.errors import InputError
from sim.present.i18n import Lang
from sim.present.report.mission import Goal
from sim.present.report.results import Results

DPI = 144


@dataclass
class RenderedFigure:
    """One figure of the report: its key, PNG bytes, or the reason it is missing.

    ``suppressed`` says whether the figure left out small cells (n < 20).
    """

    key: str
    png: bytes | None = None
    missing: str | None = None
    suppressed: bool = False

    def data_uri(self) -> str:
        """The PNG as a ``data:`` URI, so the HTML needs no other file."""
        return "data:image/png;base64," + base64.b64encode(self.png or b"").decode("ascii")


def figure_specs(res: Results, goal: Goal) -> list[tuple[str, Callable, object, str]]:
    """(key, plot function, table, what is missing if absent) for every report figure."""
    from sim.present import plots

    def neet_time(table, ctx):
        return plots.neet_over_time(
            table, ctx, goal=(goal.rate, goal.year), example_goal=goal.is_example
        )

    paired = res.paired
    return [
        ("headline", plots.headline, paired, "paired"),
        ("neet_over_time", neet_time, res.yearly, "neet_rate"),
        ("paired_difference", plots.paired_difference, paired, "paired"),
        ("neet_by_group", plots.neet_by_group, res.yearly, "neet_rate"),
        ("neet_by_municipality", plots.neet_by_municipality, res.yearly, "kommune"),
        ("system_map", plots.system_map, res.yearly, "referrals"),
        ("service_indicators", plots.service_indicators, res.yearly, "services"),
        ("costs_by_payer", plots.costs_by_payer, res.yearly, "costs"),
        ("net_cost_by_payer", plots.net_cost_by_payer, paired, "costs_paired"),
        ("cumulative_net_cost", plots.cumulative_net_cost, paired, "costs_paired"),
        ("cost_per_neet_year_averted", plots.cost_per_neet_year_averted, paired, "costs_paired"),
        ("trial_result", plots.trial_result, res.trial, "trial"),
        ("ceac", plots.acceptability_curve, ceac_rows(res), "ceac"),
    ]


def ceac_rows(res: Results):
    """The acceptability curve of ``summary.json`` as a tidy table; None when there is none.

    A curve whose lists do not match its grid is a damaged file: :class:`InputError`.
    """
    from sim.present.plots import NoDataError, ceac_table

    try:
        return ceac_table(res.summary.get("ceac"))
    except NoDataError:
        return None
    except ValueError as exc:
        raise InputError(f"{res.path / 'summary.json'}: {exc}") from None


def render_figures(res: Results, goal: Goal, lang: Lang, folder: Path) -> list[RenderedFigure]:
    """Draw every figure the results allow, writing ``<key>.png`` and ``<key>.svg`` to ``folder``.

    A figure whose data are absent (e.g. costs in older results) is returned with ``missing``
    set to the dictionary key of the note the report shows instead. ``lang`` also says how
    many replicates the bands rest on (see :meth:`Lang.with_reps`).
    """
    from sim.present.plots import NoDataError, PlotContext, was_suppressed
    from sim.present.report.sweep import sweep_specs

    ctx = PlotContext.from_manifest(res.manifest, lang.code)
    ctx.lang, ctx.order = lang, res.stems
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for key, func, table, missing in figure_specs(res, goal) + sweep_specs(res, lang):
        try:
            if table is None:
                raise NoDataError(key)
            fig = func(table, ctx)
        except NoDataError:
            out.append(RenderedFigure(key, missing=missing))
            continue
        out.append(RenderedFigure(key, _save(fig, folder / key), suppressed=was_suppressed(fig)))
    return out


def _save(fig, stem: Path) -> bytes:
    """Write PNG and SVG; ``bbox_inches="tight"`` keeps anything drawn outside the axes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.15)
    stem.with_suffix(".png").write_bytes(buf.getvalue())
    fig.savefig(stem.with_suffix(".svg"), format="svg", bbox_inches="tight", pad_inches=0.15)
    return buf.getvalue()
