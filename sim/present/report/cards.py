"""Scenario cards (what each scenario changes) and the assumptions page."""

from __future__ import annotations

import pandas as pd

from sim.present.i18n import DASH, Lang
from sim.present.report.html import esc, para, section, table
from sim.present.report.results import Results
from sim.present.report.sections import scenario_name


def _params(res: Results, stem: str | None) -> dict:
    return (res.manifest.get("scenarios", {}).get(stem or "", {}) or {}).get("params") or {}


def _value(lang: Lang, v: object) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return DASH
    if isinstance(v, bool) or not isinstance(v, int | float):
        return str(v)
    decimals = 0 if float(v).is_integer() else min(4, len(repr(float(v)).split(".")[-1]))
    return lang.number(v, decimals)


def changes(
    res: Results, stem: str, params: pd.DataFrame | None
) -> list[tuple[str, object, object]]:
    """List what a scenario changes: (parameter, reference value, scenario value).

    Compared with the reference scenario; for the reference itself, with the package defaults.
    """
    defaults = {} if params is None else dict(zip(params["name"], params["value"], strict=True))
    ref = res.reference if stem != res.reference else None
    base = {**defaults, **_params(res, ref)}
    mine = {**base, **_params(res, stem)}
    keys = sorted(set(_params(res, stem)) | set(_params(res, ref)))
    return [(k, base.get(k), mine.get(k)) for k in keys if base.get(k) != mine.get(k)]


def _unit(params: pd.DataFrame | None, name: str, lang: Lang) -> str:
    """The unit of a parameter in the report's language (``""`` when unknown)."""
    if params is None or name not in set(params["name"]):
        return ""
    return lang.unit(str(params.loc[params["name"] == name, "unit"].iloc[0]))


def _card(res: Results, lang: Lang, stem: str, params: pd.DataFrame | None) -> str:
    scen = res.manifest.get("scenarios", {}).get(stem, {})
    desc = (scen.get("description") or {}).get(lang.code, "")
    is_ref = stem == res.reference
    rows = [
        [lang.param(k, params), _value(lang, a), _value(lang, b), _unit(params, k, lang)]
        for k, a, b in changes(res, stem, params)
    ]
    ref_name = scenario_name(res, lang, res.reference) if res.reference else ""
    head = (
        lang.t("cards.changes_defaults")
        if is_ref or not ref_name
        else lang.t("cards.changes", reference=ref_name)
    )
    cols = [
        lang.t("col.parameter"),
        lang.t("col.default" if is_ref or not ref_name else "col.reference_value"),
        lang.t("col.value"),
        lang.t("col.unit"),
    ]
    body = table(cols, rows, head, "num") if rows else para(lang.t("cards.no_changes"))
    files = ", ".join(f.get("path", "") for f in scen.get("files", []))
    tag = para(lang.t("cards.reference"), "tag") if is_ref else ""
    if stem in res.failed:
        tag = para(lang.t("cards.failed"), "tag failed")
    return (
        f'<article class="card" id="card-{esc(stem)}"><h3>{esc(scenario_name(res, lang, stem))}'
        f"</h3>{para(desc)}{tag}{body}"
        f"{_files(lang, files or DASH)}</article>"
    )


def _files(lang: Lang, files: str) -> str:
    """``Scenariofiler: <code>scenarios/x.toml</code>``: paths are machine text, in no language."""
    marker = "\x00"
    text = esc(lang.t("cards.files", files=marker))
    code = f'<code lang="und">{esc(files)}</code>'
    return f'<p class="small">{text.replace(marker, code)}</p>'


def cards_section(res: Results, lang: Lang, params: pd.DataFrame | None) -> str:
    """One card per scenario (failed ones marked): name, description, changes, scenario files."""
    cards = "".join(_card(res, lang, s, params) for s in res.stems + res.failed)
    return section("scenarios", lang.t("cards.title"), f'<div class="cards">{cards}</div>')


def is_assumption(params: pd.DataFrame) -> pd.Series:
    """Flag assumed parameters: source ``assumption`` (with or without a note) or ``calibrated``.

    A calibrated value was tuned to a target rather than taken from a published figure.
    """
    return params["source"].str.strip().str.lower().str.startswith(("assumption", "calibrated"))


def assumptions_section(res: Results, lang: Lang, params: pd.DataFrame | None) -> str:
    """Every assumed or calibrated parameter, with its range; and the scenario changes."""
    if params is None:
        parts = [para(lang.t("assumptions.no_file"), "note")]
    else:
        rows = [
            [
                lang.param(r.name, params),
                _value(lang, r.value),
                f"{_value(lang, r.lo)} {DASH} {_value(lang, r.hi)}",
                lang.unit(r.unit),
            ]
            for r in params[is_assumption(params)].itertuples()
        ]
        cols = [lang.t(c) for c in ("col.parameter", "col.value", "col.range", "col.unit")]
        parts = [para(lang.t("assumptions.intro")), table(cols, rows, cls="num")]
    rows = [
        [scenario_name(res, lang, s), lang.param(k, params), _value(lang, b)]
        for s in res.stems
        for k, _a, b in changes(res, s, params)
    ]
    cols = [lang.t(c) for c in ("col.scenario", "col.parameter", "col.value")]
    parts.append(table(cols, rows, lang.t("assumptions.scenario_params"), "num"))
    return section("assumptions", lang.t("assumptions.title"), *parts)
