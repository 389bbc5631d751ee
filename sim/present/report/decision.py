"""How certain is the choice: acceptability curve, value of information and thresholds.

Everything here is read from the results folder, never recomputed: the acceptability curve
and the value of information from ``summary.json`` (``ceac``, ``voi``; see
:mod:`sim.analysis.decision`) and the thresholds from ``thresholds.csv`` when ``sim
thresholds`` wrote it (:mod:`sim.present.report.thresholds`). The sentence under the curve
is read from the curve: which option is most often best at the lowest and the highest
willingness to pay of the grid, and from which willingness to pay another option leads.
"""

from __future__ import annotations

import pandas as pd

from sim.errors import InputError
from sim.present.i18n import Lang
from sim.present.report.figures import RenderedFigure, ceac_rows
from sim.present.report.html import esc, para, section, table, with_code
from sim.present.report.results import Results
from sim.present.report.sections import draws_params, scenario_name
from sim.present.report.thresholds import param_label, thresholds_part

NOISE_FACTOR = 2  # partial values below this many noise floors are not told apart from noise


def leaders(curve: pd.DataFrame) -> pd.DataFrame:
    """The option most often best at each willingness to pay, and its share of replicates.

    Args:
        curve: :func:`sim.present.plots.decision.ceac_table` rows (options in their order).

    Returns:
        One row per ``wtp_nok`` (ascending) with ``leader`` and ``share``; a tie goes to the
        option listed first (the reference), as in :func:`sim.analysis.decision.ceac`.
    """
    order = list(dict.fromkeys(curve["scenario"]))
    wide = curve.pivot(index="wtp_nok", columns="scenario", values="value")[order].sort_index()
    return pd.DataFrame({"leader": wide.idxmax(axis=1), "share": wide.max(axis=1)})


def changes(lead: pd.DataFrame) -> list[tuple[float, str]]:
    """(willingness to pay, new leader) at each point where the leading option changes."""
    prev = lead["leader"].shift()
    moved = lead[prev.notna() & (lead["leader"] != prev)]
    return [(float(w), str(s)) for w, s in moved["leader"].items()]


def units(res: Results, lang: Lang) -> dict[str, str]:
    """What the curve's shares are of: drawn worlds (their runs averaged) or runs."""
    kind = "worlds" if (res.summary.get("ceac") or {}).get("over") == "draws" else "runs"
    return {"unit": lang.t(f"decision.unit_{kind}"), "units": lang.t(f"decision.units_{kind}")}


def ceac_sentence(res: Results, lang: Lang, curve: pd.DataFrame) -> str:
    """Who is most often best at low and high willingness to pay, and where that changes."""
    lead = leaders(curve)
    low, high = lead.iloc[0], lead.iloc[-1]
    values = {
        **units(res, lang),
        "low": scenario_name(res, lang, low["leader"]),
        "high": scenario_name(res, lang, high["leader"]),
        "low_wtp": lang.nok(lead.index[0]),
        "high_wtp": lang.nok(lead.index[-1]),
        "low_share": lang.pct(low["share"], 0),
        "high_share": lang.pct(high["share"], 0),
    }
    moves = changes(lead)
    if not moves:
        return lang.t("decision.ceac_same", **values)
    items = [
        lang.t("decision.ceac_change", wtp=lang.nok(w), name=scenario_name(res, lang, s))
        for w, s in moves
    ]
    return lang.t("decision.ceac_changes", changes=", ".join(items), **values)


def ceac_part(res: Results, lang: Lang, fig: RenderedFigure | None) -> list[str]:
    """The curve's explanation, the figure, the sentence read from it and what it rests on."""
    curve = ceac_rows(res)
    if curve is None or fig is None or fig.png is None:
        return [para(lang.t("decision.no_ceac"), "note")]
    ceac = res.summary["ceac"]
    years = res.manifest.get("years") or res.yearly["period"].nunique()
    reference = scenario_name(res, lang, res.reference or curve["scenario"].iloc[0])
    caption = lang.t("caption.ceac", **units(res, lang))
    kind = "params" if draws_params(res) else "stochastic"
    if kind == "params" and ceac.get("over") == "draws":
        kind = "params_draws"
    return [
        para(lang.t("decision.ceac_intro", years=years, reference=reference, **units(res, lang))),
        f'<figure id="fig-ceac"><img src="{fig.data_uri()}" alt="{esc(caption)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>",
        para(ceac_sentence(res, lang, curve), "meaning"),
        para(lang.t(f"decision.reps_{kind}", n=ceac.get("n", ceac.get("replicates"))), "note"),
    ]


def money(lang: Lang, x: float) -> str:
    """NOK million from a million up, whole thousands of kroner below."""
    return lang.nok_million(x) if abs(x) >= 1e6 else lang.nok(round(x, -3))


def voi_part(res: Results, lang: Lang) -> list[str]:
    """EVPI and the leading partial values, or one sentence when there were no draws."""
    parts = [f"<h3>{esc(lang.t('decision.voi_title'))}</h3>"]
    voi = res.summary.get("voi")
    if not voi:
        return [*parts, f"<p>{with_code(lang.t('decision.no_voi'), '--draw-params')}</p>"]
    missing = [k for k in ("evpi_nok", "wtp_nok", "draws") if k not in voi]
    if missing:
        raise InputError(f"{res.path / 'summary.json'}: voi.{missing[0]}: missing")
    values = {"evpi": money(lang, voi["evpi_nok"]), "wtp": lang.nok(voi["wtp_nok"])}
    parts.append(para(lang.t("decision.evpi", draws=voi["draws"], **values)))
    return parts + partial_table(
        lang, voi.get("partial") or {}, voi.get("partial_noise_floor_nok")
    )


def partial_table(lang: Lang, partial: dict[str, float], floor: float | None) -> list[str]:
    """The leading partial values, largest first, each marked against the noise floor.

    A value below ``NOISE_FACTOR`` × the floor is marked as not told apart from noise; without
    a floor (not written) the column and the note are left out rather than guessed.
    """
    if not partial:
        return []
    ranked = sorted(partial.items(), key=lambda kv: -kv[1])
    columns = ["parameter", "evppi"] + (["signal"] if floor is not None else [])
    rows = []
    for name, value in ranked:
        row = [param_label(lang, name), money(lang, value)]
        if floor is not None:
            clear = value >= NOISE_FACTOR * floor
            row.append(lang.t("word.yes") if clear else lang.t("decision.noise"))
        rows.append(row)
    headers = [lang.t(f"decision.col_{c}") for c in columns]
    caption = lang.t("decision.partial_caption", n=len(rows))
    out = [table(headers, rows, caption, "num", row_keys=[n for n, _ in ranked])]
    if floor is not None:
        floors = {"floor": money(lang, floor), "twice": money(lang, NOISE_FACTOR * floor)}
        out.append(para(lang.t("decision.noise_note", **floors), "note"))
    return out


def decision_section(res: Results, lang: Lang, figs: list[RenderedFigure]) -> str:
    """Section "how certain is the choice": the curve, the value of information, thresholds.

    Empty when the results hold no comparison with a reference (nothing to choose between).
    """
    if res.reference is None:
        return ""
    fig = next((f for f in figs if f.key == "ceac"), None)
    parts = ceac_part(res, lang, fig) + voi_part(res, lang) + thresholds_part(res, lang)
    return section("decision", lang.t("decision.title"), *parts)
