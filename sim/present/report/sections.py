"""The report's main sections: summary in plain words, mission tracker, scenario cards, figures."""

from __future__ import annotations

import re

import pandas as pd

from sim.present.i18n import DASH, Lang
from sim.present.report.figures import RenderedFigure
from sim.present.report.html import esc, para, section, table
from sim.present.report.mission import Goal, track
from sim.present.report.results import Results


def scenario_name(res: Results, lang: Lang, stem: str) -> str:
    """The scenario's name in the report's language (its stem when the manifest lacks it)."""
    scen = res.manifest.get("scenarios", {}).get(stem, {})
    return (scen.get("name") or {}).get(lang.code, stem)


def draws_params(res: Results) -> bool:
    """Whether each replicate drew the uncertain parameters (``--draw-params``)."""
    return bool(res.manifest.get("draw_params"))


def bands_note(res: Results, lang: Lang) -> str:
    """What the intervals mean: replicate variation only, or with parameter uncertainty.

    The replicates are counted in the results; with fewer than five the intervals are
    called ranges of that many replicates.
    """
    key = "bands.params" if draws_params(res) else "bands.stochastic"
    return lang.t(key + ("_range" if lang.few_reps else ""), reps=lang.reps_text())


def failure_reason(failures: list[dict]) -> str | None:
    """The last line of the first failure's traceback (the exception), on one line."""
    for f in failures:
        lines = [x.strip() for x in (f.get("traceback") or "").splitlines() if x.strip()]
        if lines:
            return lines[-1][:300]
    return None


def failed_notes(res: Results, lang: Lang) -> list[str]:
    """One sentence per scenario with failed runs: every run failed, or some did."""
    out = []
    for stem in res.manifest.get("scenarios", {}):
        failures = res.failures(stem)
        reason = failure_reason(failures) or lang.t("failed.no_reason")
        name = scenario_name(res, lang, stem)
        if stem in res.failed:
            out.append(lang.t("failed.all", name=name, reason=reason))
        elif failures:
            rest = res.replicates.get(stem, 0)
            runs = rest + len(failures)
            counts = {"failed": len(failures), "runs": runs, "rest": rest}
            out.append(lang.t("failed.some", name=name, reason=reason, **counts))
    return out


def _stat(d: dict | None, fmt) -> dict[str, str]:
    d = d or {}
    return {k: fmt(d.get(k)) for k in ("median", "lo", "hi")}


def _summary_scenario(res: Results, lang: Lang, stem: str, year: str) -> list[str]:
    ref, s = res.reference, res.summary
    name = scenario_name(res, lang, stem)
    level = (
        s.get("scenarios", {}).get(stem, {}).get("neet_rate", {}).get("all", {}).get(year) or {}
    )
    value = lang.interval(level.get("median"), level.get("lo"), level.get("hi"), lang.pct)
    out = [lang.t("summary.level", name=name, year=year, value=value)]
    if ref is None or stem == ref:
        return out
    diff = s.get("paired", {}).get(stem, {}).get("neet_rate", {}).get("all", {}).get(year)
    out.append(
        lang.t(
            "summary.diff",
            reference=scenario_name(res, lang, ref),
            year=year,
            **_stat(diff, lang.pp),
        )
    )
    return out + _headline(res, lang, stem)


def _headline(res: Results, lang: Lang, stem: str) -> list[str]:
    head = res.summary.get("headline", {}).get(stem)
    if not head:
        return []
    averted = head.get("neet_years_averted") or {}
    years = res.manifest.get("years") or res.yearly["period"].nunique()
    per_year = None if averted.get("median") is None else averted["median"] / years
    out = [
        lang.t(
            "summary.averted",
            per_year=lang.number(per_year),
            **_stat(averted, lang.number),
        )
    ]
    if (head.get("npv_public_nok") or {}).get("median") is None:
        return out  # results without costs
    rate = lang.pct(res.manifest.get("discount_rate"), 0)
    money = lang.nok_million
    out.append(
        lang.t(
            "summary.npv_public", rate=rate, years=years, **_stat(head["npv_public_nok"], money)
        )
    )
    out += _by_payer(lang, head.get("npv_public_by_payer_nok"))
    out.append(
        lang.t("summary.npv_societal", years=years, **_stat(head.get("npv_societal_nok"), money))
    )
    cpa = head.get("cost_per_neet_year_averted_nok")
    if head.get("dominant"):
        out.append(lang.t("summary.cpa_dominant"))
    else:
        out.append(
            lang.t("summary.cpa", value=lang.nok(round(cpa, -2)))
            if cpa is not None
            else lang.t("summary.cpa_none")
        )
    return out


PAYERS = ("state", "municipality", "county", "health_trust")


def _by_payer(lang: Lang, by_payer: dict | None) -> list[str]:
    """One sentence: each payer's discounted net cost (median), e.g. ``Staten NOK −88,2 mill.``."""
    if not by_payer:
        return []
    payers = [p for p in PAYERS if p in by_payer] + sorted(set(by_payer) - set(PAYERS))
    items = [
        f"{lang.name('payer', p)} {lang.nok_million((by_payer[p] or {}).get('median'))}"
        for p in payers
    ]
    return [lang.t("summary.by_payer", items="; ".join(items))]


PLACE_SERVICES = ("ips", "coordinator")


def _places_cell(lang: Lang, entry: dict | None) -> str:
    """``2 000 (48 %)``: mean places over the horizon and the share in use (medians)."""
    if not entry:
        return "0"
    count = (entry.get("mean") or {}).get("median")
    used = (entry.get("used_share") or {}).get("median")
    if count is None:
        return DASH
    return f"{lang.number(count)} ({lang.pct(used, 0)})"


def headline_table(res: Results, lang: Lang) -> str:
    """Each scenario's effect and cost next to its use of places (IPS and coordinators).

    A scenario that buys places nobody fills shows it here: the places and the share in use
    come from ``summary.json``'s ``places`` (mean over the horizon's Novembers, median over
    replicates). Empty when the summary has no ``places`` (results of an older version).
    """
    s = res.summary
    places = s.get("places")
    if not places:
        return ""
    rows = []
    for stem in res.stems:
        head = s.get("headline", {}).get(stem) or {}
        averted = (head.get("neet_years_averted") or {}).get("median")
        cost = (head.get("npv_public_nok") or {}).get("median")
        cpa = head.get("cost_per_neet_year_averted_nok")
        mine = places.get(stem) or {}
        rows.append(
            [
                scenario_name(res, lang, stem),
                lang.number(averted) if head else DASH,
                lang.nok_million(cost) if head else DASH,
                lang.t("summary.dominant_cell")
                if head.get("dominant")
                else lang.nok(round(cpa, -2))
                if cpa is not None
                else DASH,
                *(_places_cell(lang, mine.get(name)) for name in PLACE_SERVICES),
            ]
        )
    headers = [lang.t(f"col.{c}") for c in ("scenario", "averted", "npv_public", "cpa")]
    headers += [lang.t(f"col.places_{name}") for name in PLACE_SERVICES]
    return table(headers, rows, lang.t("summary.places_table"), "num") + para(
        lang.t("summary.places_note"), "note"
    )


def summary_section(res: Results, lang: Lang, has_costs: bool) -> str:
    """Key numbers with their intervals, in plain sentences."""
    m = res.manifest
    year = str(int(res.yearly["period"].max()))
    parts = [
        para(
            lang.t(
                "summary.intro",
                start=lang.month(m.get("start")),
                years=m.get("years", DASH),
                reps=m.get("reps", DASH),
                scale=lang.pct(m.get("scale"), 0),
            )
        )
    ]
    for stem in res.stems:
        sentences = _summary_scenario(res, lang, stem, year)
        parts.append(f'<div class="keynum"><p>{"<br>".join(esc(x) for x in sentences)}</p></div>')
    parts += [f'<div class="keynum failed">{para(x)}</div>' for x in failed_notes(res, lang)]
    parts.append(headline_table(res, lang))
    if not has_costs:
        parts.append(para(lang.t("summary.no_costs"), "note"))
    parts.append(para(bands_note(res, lang), "note"))
    return section("summary", lang.t("summary.title"), *parts)


def mission_section(res: Results, lang: Lang, goal: Goal) -> str:
    """Share of runs reaching the goal, and the year the median first reaches it.

    The packaged goal is an example: the section says so and how to set one, and gives no
    verdict ("not reached") against it; a goal the user set is shown with its source.
    """
    result = track(res.yearly, goal)
    rank = {stem: i for i, stem in enumerate(res.stems)}
    result = result.sort_values("scenario", key=lambda s: s.map(rank), kind="stable")
    last = int(res.yearly["period"].max())
    kind = "example" if goal.is_example else "set"
    rows = [
        [
            scenario_name(res, lang, r.scenario),
            lang.pct(r.share_reached, 0),
            str(r.median_year)
            if not pd.isna(r.median_year)
            else lang.t(f"mission.never_{kind}", last=last),
        ]
        for r in result.itertuples()
    ]
    headers = [
        lang.t("col.scenario"),
        lang.t(f"col.share_reached_{kind}", year=goal.year),
        lang.t(f"col.median_year_{kind}"),
    ]
    text = lang.t(f"mission.goal_{kind}", rate=lang.pct(goal.rate), year=goal.year)
    if not goal.is_example:
        text += " " + lang.t("mission.source", source=goal.source)
    options = re.sub(r"(--goal(?:-year|-file)?)", r'<code lang="und">\1</code>', esc(text))
    parts = [f"<p>{options}</p>", table(headers, rows, cls="num")]
    if goal.year > last or goal.year < int(res.yearly["period"].min()):
        parts.append(para(lang.t("mission.outside", last=last), "note"))
    return section("mission", lang.t("mission.title"), *parts)


def figures_section(figs: list[RenderedFigure], lang: Lang, bands: str) -> str:
    """Every figure embedded as a PNG data URI, or a note saying why it is missing.

    ``bands`` (what the intervals mean) is said once, above the figures; the small-cell
    footnote is added to the caption of each figure that left something out.
    """
    parts = [para(bands, "note")]
    for f in figs:
        if f.png is None:
            parts.append(para(lang.t(f"missing.{f.missing}"), "note"))
            continue
        caption = lang.t(f"caption.{f.key}")
        if f.suppressed:
            caption += f" {lang.t('footnote.suppressed')}"
        parts.append(
            f'<figure id="fig-{f.key}"><img src="{f.data_uri()}" alt="{esc(caption)}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>"
        )
    return section("figures", lang.t("figures.title"), *parts)
