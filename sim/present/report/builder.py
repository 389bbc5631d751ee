"""Build the one-file HTML report (nb or en) from a results directory.

The report embeds every image and style, so it opens with no network; the figures are also
written as PNG and SVG to a folder next to it, for slides. Every input is read and checked
before anything is drawn, and nothing is written when a step fails
(:mod:`sim.present.report.output`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from string import Template

from sim.present.i18n import Lang
from sim.present.report.appendix import provenance_section, sources_section
from sim.present.report.cards import assumptions_section, cards_section
from sim.present.report.decision import decision_section
from sim.present.report.effects import effects_section
from sim.present.report.figures import render_figures
from sim.present.report.headline import headline_html, meaning, subtitle, title
from sim.present.report.html import esc, para
from sim.present.report.mission import Goal, load_goal
from sim.present.report.output import staged
from sim.present.report.results import Results, load_parameters, load_results
from sim.present.report.sections import (
    bands_note,
    figures_section,
    mission_section,
    summary_section,
)
from sim.present.report.tables import costs_per_year, neet_by_group, neet_per_year

SECTIONS = [
    "answer",  # the first screen: title, one ranked table, one figure, three sentences
    "summary",
    "mission",
    "scenarios",
    "figures",
    "tables",
    "effects",  # only when the results hold an effect sweep
    "decision",  # only when there is a reference to choose against
    "assumptions",
    "sources",
    "provenance",
]


OWN_PLACE = ("headline", "ceac")  # figures shown in their own section, not under "figures"


def default_out(results_dir: Path, lang: str) -> Path:
    """``RESULTS_DIR/report-<lang>.html``."""
    return Path(results_dir) / f"report-{lang}.html"


def figures_dir(out: Path) -> Path:
    """Folder for the PNG and SVG copies of the figures: ``<report stem>-figures``."""
    return out.with_name(f"{out.stem}-figures")


def _tables_section(res: Results, lang: Lang, has_costs: bool) -> str:
    parts = [
        neet_per_year(res, lang),
        neet_by_group(res, lang),
        f'<p class="note">{esc(lang.t("footnote.suppressed"))}</p>',
    ]
    parts.append(
        costs_per_year(res, lang)
        if has_costs
        else f'<p class="note">{esc(lang.t("summary.no_costs"))}</p>'
    )
    return (
        f'<section id="tables"><h2>{esc(lang.t("tables.title"))}</h2>'
        + "".join(parts)
        + "</section>"
    )


def answer_section(res: Results, lang: Lang, figs) -> str:
    """The first screen: the ranked table, then the headline figure and what it means.

    Nothing comes before the table but the page's title; every other section follows.
    """
    parts = [headline_html(res, lang)]
    fig = next((f for f in figs if f.key == "headline" and f.png is not None), None)
    if fig is not None:
        caption = lang.t("headline.figure_caption")
        parts.append(
            f'<figure id="fig-headline"><img src="{fig.data_uri()}" alt="{esc(caption)}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>"
        )
    parts.append(f"<h3>{esc(lang.t('headline.meaning_title'))}</h3>")
    parts += [para(x, "meaning") for x in meaning(res, lang)]
    return f'<section id="answer" class="answer">{"".join(parts)}</section>'


def _body(res: Results, lang: Lang, goal: Goal, figs, params) -> str:
    has_costs = bool((res.yearly["metric"] == "cost_nok").any())
    rest = [f for f in figs if f.key not in OWN_PLACE]
    return "\n".join(
        [
            answer_section(res, lang, figs),
            summary_section(res, lang, has_costs),
            mission_section(res, lang, goal),
            cards_section(res, lang, params),
            figures_section(rest, lang, bands_note(res, lang)),
            _tables_section(res, lang, has_costs),
            effects_section(res, lang),
            decision_section(res, lang, figs),
            assumptions_section(res, lang, params),
            sources_section(lang, params),
            provenance_section(res, lang),
        ]
    )


def build_report(
    results_dir: Path,
    lang: str = "nb",
    out: Path | None = None,
    goal: Goal | None = None,
    parameters_csv: Path | None = None,
) -> Path:
    """Write the report and its figures; return the path of the HTML file.

    Args:
        results_dir: A results directory (manifest.json, yearly.parquet, summary.json, ...).
        lang: ``"nb"`` (Norwegian bokmål) or ``"en"``.
        out: The HTML file; default ``RESULTS_DIR/report-<lang>.html``.
        goal: The mission tracker's goal; default the packaged ``goal.toml``.
        parameters_csv: Parameter metadata; default the package's ``data/parameters.csv``.
    """
    res = load_results(Path(results_dir))
    words = Lang(lang).with_reps(res.replicates.values())
    out = Path(out) if out else default_out(results_dir, lang)
    goal = goal or load_goal()
    params = load_parameters(parameters_csv)
    with staged(out, figures_dir(out)) as tmp:
        figs = render_figures(res, goal, words, tmp / "figures")
        html = _page(res, words, _body(res, words, goal, figs, params))
        (tmp / "report.html").write_text(html, encoding="utf-8")
    return out


def _page(res: Results, words: Lang, body: str) -> str:
    """The whole HTML page: the template filled with the title, navigation and body."""
    absent = {"effects": res.effects is None, "decision": res.reference is None}
    shown = [s for s in SECTIONS if not absent.get(s)]
    nav = "".join(f'<a href="#{s}">{esc(words.t(f"nav.{s}"))}</a>' for s in shown)
    page = resources.files("sim.present.report").joinpath("template.html")
    template = Template(page.read_text("utf-8"))
    return template.substitute(
        lang=words.code,
        title=esc(title(res, words)),
        nav=nav,
        body=body,
        subtitle=esc(subtitle(res, words)),
    )
