"""The answer on the first screen: one ranked table, one row per scenario (the reference too).

Each row says, in units a reader can hold in mind: the NEET rate in the last year; how many
fewer young people are outside work and education *at any time* (person-years averted per
year of the run: the average difference in the number outside); what the scenario costs and
saves per year, by payer (undiscounted yearly average over the run); its net public and
societal cost over each horizon (discounted totals); and how often it saves public money.

The per-year figures are read from the paired tables (scenario − reference in the same
replicate; median over replicates): *gross cost* is the change in the public staffing lines
priced per FTE (the services a scenario adds: IPS specialists, coordinators, NAV caseworkers,
follow-up advisers), *savings* are gross cost minus net cost, per payer, so that
gross − savings = net. The horizon figures come from ``summary.json``'s headline
``by_horizon`` (``5y``, ``run``, ``lifetime``); results written before it existed fall back to
the discounted paired tables (the first five years and the run; no lifetime), and the table
says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis.horizons import gross_categories
from sim.present.i18n import DASH, Lang
from sim.present.report.html import esc
from sim.present.report.results import Results
from sim.services.ledger import PAYERS

HORIZONS = ("5y", "run", "lifetime")
FIRST_YEARS = 5  # the first horizon: a municipal budget and economy plan


@dataclass
class Row:
    """One scenario's line of the headline table (medians over replicates; None: not known)."""

    stem: str
    reference: bool = False
    neet_rate: float | None = None
    fewer: float | None = None  # person-years averted per year = fewer outside at any time
    gross: float | None = None  # NOK per year, undiscounted
    savings: dict[str, float] = field(default_factory=dict)  # NOK per year by payer
    net_public: float | None = None  # NOK per year, undiscounted
    net_societal: float | None = None
    horizon: dict[str, dict] = field(default_factory=dict)  # h -> public, societal, p_public
    from_summary: bool = True  # horizon figures from by_horizon (else from the tables)


def _per_replicate(paired: pd.DataFrame, stem: str, metric: str) -> pd.DataFrame:
    """Rows of one scenario and metric as a (replicate × group) table of yearly means."""
    df = paired[(paired["scenario"] == stem) & (paired["metric"] == metric)]
    if df.empty:
        return pd.DataFrame()
    return df.pivot_table(index="replicate", columns="group", values="value", aggfunc="mean")


def _median(values: pd.Series | None) -> float | None:
    if values is None or len(values) == 0:
        return None
    return float(np.median(values.to_numpy(float)))


def _col(table: pd.DataFrame, group: str) -> pd.Series | None:
    return table[group] if group in table.columns else None


def per_year(res: Results, stem: str) -> dict:
    """Fewer outside, gross cost, savings by payer and net costs per year, from the tables."""
    paired = res.paired
    neet = _per_replicate(paired, stem, "neet_count")
    cost = _per_replicate(paired, stem, "cost_nok")
    out: dict = {"fewer": _median(-neet["all"]) if "all" in neet else None}
    if cost.empty:
        return out
    zero = pd.Series(0.0, index=cost.index)
    gross = {p: zero.copy() for p in PAYERS}
    groups = res.summary.get("gross_cost_groups") or gross_categories()  # as when it ran
    for group in set(groups) & set(cost.columns):
        gross[group.split(":")[1]] += cost[group]
    savings = {
        p: _median(gross[p] - cost[f"public:{p}:total"])
        for p in PAYERS
        if f"public:{p}:total" in cost.columns
    }
    out.update(
        gross=_median(sum(gross.values())),
        savings=savings,
        net_public=_median(_col(cost, "public:total")),
        net_societal=_median(_col(cost, "societal:total")),
    )
    return out


def _from_tables(res: Results, stem: str) -> dict[str, dict]:
    """Discounted net costs over the first five years and the run, from the paired tables."""
    df = res.paired[
        (res.paired["scenario"] == stem) & (res.paired["metric"] == "cost_nok_discounted")
    ]
    if df.empty:
        return {}
    first = int(df["period"].min())
    out = {}
    for h, keep in (("5y", df["period"] < first + FIRST_YEARS), ("run", df["period"] >= first)):
        sums = df[keep].groupby(["group", "replicate"])["value"].sum()
        public = sums.get("public:total")
        out[h] = {
            "public": _median(public),
            "societal": _median(sums.get("societal:total")),
            "p_public": float((public < 0).mean()) if public is not None else None,
            "years": int(df[keep]["period"].nunique()),
        }
    return out


def _chance_note(res: Results) -> str:
    """Which note explains the chance of saving: over drawn worlds, drawn runs, or runs.

    Read from what ``summary.json`` says each chance is over (``p_saving_over``), so a summary
    written before that key, or a table computed here from the runs, gets a note on runs
    (drawn runs when the manifest says the parameters were drawn).
    """
    entries = [
        h for head in (res.summary.get("headline") or {}).values()
        for h in (head.get("by_horizon") or {}).values()
    ]  # fmt: skip
    if any(h.get("p_saving_over") == "draws" for h in entries):
        return "note_chance_worlds"
    return "note_chance_drawn" if res.manifest.get("draw_params") else "note_chance"


def _from_summary(head: dict) -> dict[str, dict]:
    out = {}
    for h in HORIZONS:
        entry = (head.get("by_horizon") or {}).get(h) or {}
        if entry:
            out[h] = {
                "public": (entry.get("npv_public_nok") or {}).get("median"),
                "societal": (entry.get("npv_societal_nok") or {}).get("median"),
                "p_public": entry.get("p_public_saving"),
                "years": entry.get("years"),
            }
    return out


def rows(res: Results) -> list[Row]:
    """Every scenario with results, ranked by how many fewer young people are outside."""
    year = str(int(res.yearly["period"].max()))
    out = []
    for stem in res.stems:
        level = res.summary.get("scenarios", {}).get(stem, {}).get("neet_rate", {})
        row = Row(stem, neet_rate=((level.get("all") or {}).get(year) or {}).get("median"))
        if stem == res.reference or res.reference is None:
            row.reference = stem == res.reference
            row.fewer = 0.0 if row.reference else None
        else:
            head = res.summary.get("headline", {}).get(stem) or {}
            for key, value in per_year(res, stem).items():
                setattr(row, key, value)
            row.horizon = _from_summary(head)
            if not row.horizon:
                row.horizon, row.from_summary = _from_tables(res, stem), False
        out.append(row)
    return sorted(out, key=lambda r: -np.inf if r.fewer is None else -r.fewer)


def _years(res: Results) -> tuple[int, int]:
    periods = res.yearly["period"]
    return int(periods.min()), int(periods.max())


def _cell(text: str, cls: str = "") -> str:
    return f'<td class="{cls}">{esc(text)}</td>' if cls else f"<td>{esc(text)}</td>"


def _money_cells(lang: Lang, row: Row) -> list[str]:
    """Per year (one decimal) and over the horizons (whole MNOK when large)."""
    if row.reference:
        return [_cell(DASH)] * (3 + len(PAYERS) + 3 * len(HORIZONS))
    cells = [_cell(lang.mnok(row.gross))]
    cells += [_cell(lang.mnok(row.savings.get(p))) for p in PAYERS]
    cells += [_cell(lang.mnok(row.net_public), "net"), _cell(lang.mnok(row.net_societal))]
    for kind in ("public", "societal"):
        cells += [_cell(lang.mnok((row.horizon.get(h) or {}).get(kind), 0)) for h in HORIZONS]
    cells += [_cell(lang.pct((row.horizon.get(h) or {}).get("p_public"), 0)) for h in HORIZONS]
    return cells


def _head(lang: Lang, res: Results) -> str:
    first, last = _years(res)
    years = last - first + 1
    horizon = {h: lang.t(f"headline.h_{h}", years=years) for h in HORIZONS}
    top = [
        ("", 2, "rank"),
        (lang.t("headline.g_outside"), 2, "outside"),
        (lang.t("headline.g_gross"), 1, "gross"),
        (lang.t("headline.g_savings"), len(PAYERS), "savings"),
        (lang.t("headline.g_net"), 2, "net"),
        (lang.t("headline.g_public"), len(HORIZONS), "pub"),
        (lang.t("headline.g_societal"), len(HORIZONS), "soc"),
        (lang.t("headline.g_chance"), len(HORIZONS), "chance"),
    ]
    cols = [
        lang.t("headline.c_rank"),
        lang.t("col.scenario"),
        lang.t("headline.c_rate", year=last),
        lang.t("headline.c_fewer"),
        lang.t("headline.c_gross"),
        *(lang.t(f"headline.payer_{p}") for p in PAYERS),
        lang.t("headline.c_net_public"),
        lang.t("headline.c_net_societal"),
        *(horizon[h] for h in HORIZONS),
        *(horizon[h] for h in HORIZONS),
        *(horizon[h] for h in HORIZONS),
    ]
    first_row = "".join(f'<th colspan="{n}" class="grp {c}">{esc(t)}</th>' for t, n, c in top)
    second = "".join(f"<th>{esc(c)}</th>" for c in cols)
    sub = lang.t("headline.savings_by_payer")
    return (
        f"<thead><tr>{first_row}</tr><tr>{second}</tr></thead>"
        f'<tfoot><tr><td colspan="{len(cols)}">{esc(sub)}</td></tr></tfoot>'
    )


def headline_html(res: Results, lang: Lang) -> str:
    """The ranked table with its caption and footnotes (the first thing the report shows)."""
    ranked = rows(res)
    body = []
    for rank, row in enumerate(ranked, start=1):
        name = _name(res, lang, row.stem)
        ref_word = lang.t("headline.reference")
        tagged = row.reference and ref_word.lower() not in name.lower()
        label = f"{name} ({ref_word})" if tagged else name
        cells = [
            _cell(str(rank)),
            f'<th scope="row">{esc(label)}</th>',
            _cell(lang.pct(row.neet_rate)),
            _cell(lang.number(row.fewer) if not row.reference else DASH, "fewer"),
            *_money_cells(lang, row),
        ]
        cls = ' class="ref"' if row.reference else ""
        body.append(f'<tr data-key="{esc(row.stem)}"{cls}>{"".join(cells)}</tr>')
    notes = [
        lang.t("headline.note_fewer"),
        lang.t("headline.note_money"),
        lang.t(f"headline.{_chance_note(res)}"),
    ]
    if any(not r.reference and not r.from_summary for r in ranked):
        notes.append(lang.t("headline.note_fallback"))
    caption = lang.t("headline.caption", reference=_name(res, lang, res.reference or ""))
    return (
        f'<div class="headline-wrap"><table id="headline" class="headline num">'
        f"<caption>{esc(caption)}</caption>{_head(lang, res)}<tbody>{''.join(body)}</tbody>"
        f"</table></div>" + "".join(f'<p class="note small">{esc(n)}</p>' for n in notes)
    )


def _name(res: Results, lang: Lang, stem: str) -> str:
    scen = res.manifest.get("scenarios", {}).get(stem, {})
    return (scen.get("name") or {}).get(lang.code, stem)


def title(res: Results, lang: Lang) -> str:
    """What was compared: ``A og B sammenlignet med C: unge utenfor … 2024–2038``."""
    from babel.lists import format_list

    first, last = _years(res)
    ref = res.reference
    others = [_name(res, lang, s) for s in res.stems if s != ref]
    if ref is None or not others:
        names = format_list([_name(res, lang, s) for s in res.stems], locale=lang.code)
        return lang.t("headline.title_one", scenarios=names, first=first, last=last)
    return lang.t(
        "headline.title",
        scenarios=format_list(others, locale=lang.code),
        reference=_name(res, lang, ref),
        first=first,
        last=last,
    )


def subtitle(res: Results, lang: Lang) -> str:
    """When, how long, how many runs and how large a share of the population."""
    m = res.manifest
    return lang.t(
        "headline.subtitle",
        start=lang.month(m.get("start")),
        years=m.get("years", DASH),
        reps=lang.reps_text(),
        share=lang.pct(m.get("scale"), 0),
    )


def meaning(res: Results, lang: Lang) -> list[str]:
    """Three plain sentences: who does best, what it costs and saves, what it does not say."""
    ranked = [r for r in rows(res) if not r.reference and r.fewer is not None]
    first, last = _years(res)
    ref = _name(res, lang, res.reference or "")
    caveat = lang.t(
        "headline.caveat_params" if res.manifest.get("draw_params") else "headline.caveat"
    )
    if not ranked or ranked[0].fewer <= 0:
        return [lang.t("headline.none_better", reference=ref), caveat]
    best = ranked[0]
    out = [
        lang.t(
            "headline.best",
            name=_name(res, lang, best.stem),
            fewer=lang.number(best.fewer, -1 if best.fewer >= 100 else 0),
            first=first,
            last=last,
            reference=ref,
        )
    ]
    if best.net_public is not None:
        run = best.horizon.get("run") or {}
        key = "headline.cost" if best.net_public >= 0 else "headline.saves"
        out.append(
            lang.t(
                key,
                net=lang.mnok(abs(best.net_public)),
                gross=lang.mnok(best.gross),
                savings=lang.mnok(sum(v for v in best.savings.values() if v is not None)),
                years=run.get("years") or last - first + 1,
                p=lang.pct(run.get("p_public"), 0),
            )
        )
    return out + [caveat]
