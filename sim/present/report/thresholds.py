"""The threshold table of ``sim thresholds`` in words a steering group reads.

``RESULTS_DIR/thresholds.csv`` (:mod:`sim.analysis.thresholds`) has one row per change: a
scenario's outcome changes sign (``sign``) or its order against another scenario (``rank``)
at ``threshold`` of a factor whose value in the results is ``central``, searched over
``lo``–``hi``; ``none`` rows say that nothing changes inside that range. The factors are the
discount rate (``cost.discount_rate``), the horizon (``horizon``: years counted, ``inf`` for
the lifetime view) and each parameter a sweep varied alone. The report lists the changes in
a table and sums up the rest in one sentence; without the file it says how to make it.
"""

from __future__ import annotations

import math

import pandas as pd

from sim.core.params import specs
from sim.present.i18n import DASH, NBSP, Lang
from sim.present.report.html import esc, para, table, with_code
from sim.present.report.results import Results
from sim.present.report.sections import scenario_name

COMMAND = r"sim thresholds \S*[^\s.,;)]"  # the command in the hint, marked as code
SPECIAL = {"cost.discount_rate": "discount_rate", "horizon": "horizon"}


def param_label(lang: Lang, name: str) -> str:
    """A parameter's label in the report's language (its name when it has none)."""
    spec = specs().get(name)
    return spec.label(lang.code) if spec is not None else name


def factor_label(lang: Lang, factor: str) -> str:
    """The discount rate and the horizon in words; a parameter by its label."""
    if factor in SPECIAL:
        return lang.t(f"decision.factor_{SPECIAL[factor]}")
    return param_label(lang, factor)


def significant(lang: Lang, x: float, digits: int = 3) -> str:
    """``x`` with about ``digits`` significant digits (at most four decimals)."""
    if x == 0:
        return lang.number(0)
    decimals = min(4, max(0, digits - 1 - math.floor(math.log10(abs(x)))))
    return lang.number(x, decimals)


def factor_value(lang: Lang, factor: str, x: float) -> str:
    """A value of a factor: a percentage, a number of years (the lifetime), or a number."""
    if pd.isna(x):
        return DASH
    if math.isinf(x):
        return lang.t("decision.lifetime")
    if factor == "cost.discount_rate":
        return lang.pct(x, 1)
    if factor == "horizon":
        key = "decision.year_one" if x == 1 else "decision.years"
        return lang.t(key, n=lang.number(x, 0 if float(x).is_integer() else 1))
    return significant(lang, x)


def threshold_value(lang: Lang, factor: str, x: float) -> str:
    """Where a change happens; ``inf`` (a horizon) means only once the lifetime is counted."""
    if not pd.isna(x) and math.isinf(x):
        return lang.t("decision.only_lifetime")
    return factor_value(lang, factor, x)


def outcome_name(lang: Lang, outcome: str) -> str:
    """An outcome of the table in words (its code when unknown)."""
    return lang.name("decision.outcome", outcome)


def what_changes(res: Results, lang: Lang, row) -> str:
    """A sign change in words, or the other scenario whose order changes."""
    if row.kind == "sign":
        return lang.name("decision.sign", row.outcome)
    other = scenario_name(res, lang, str(row.other))
    return lang.t("decision.rank", outcome=outcome_name(lang, row.outcome), other=other)


def _row(res: Results, lang: Lang, row) -> list[str]:
    span = f"{factor_value(lang, row.factor, row.lo)}{NBSP}{DASH}{NBSP}"
    return [
        factor_label(lang, row.factor),
        scenario_name(res, lang, str(row.scenario)),
        what_changes(res, lang, row),
        threshold_value(lang, row.factor, row.threshold),
        factor_value(lang, row.factor, row.central),
        span + factor_value(lang, row.factor, row.hi),
    ]


def _key(row) -> str:
    other = "" if pd.isna(row.other) else str(row.other)
    return "|".join([row.factor, str(row.scenario), row.outcome, row.kind, other])


def _steady(lang: Lang, rows: pd.DataFrame) -> str:
    """The factors that change nothing inside their range, with the range, in one sentence."""
    quiet = [f for f, g in rows.groupby("factor", sort=False) if (g["kind"] == "none").all()]
    if not quiet:
        return ""
    items = []
    for factor in quiet:
        first = rows[rows["factor"] == factor].iloc[0]
        lo, hi = (factor_value(lang, factor, first[k]) for k in ("lo", "hi"))
        items.append(f"{factor_label(lang, factor)} ({lo}{NBSP}{DASH}{NBSP}{hi})")
    return para(lang.t("decision.thr_steady", factors="; ".join(items)))


def thresholds_part(res: Results, lang: Lang) -> list[str]:
    """The changes as a table and the rest in one sentence; a hint when there is no file."""
    parts = [f"<h3>{esc(lang.t('decision.thr_title'))}</h3>"]
    rows = res.thresholds
    if rows is None:
        text = lang.t("decision.thr_missing", results=res.path)
        return [*parts, f"<p>{with_code(text, COMMAND)}</p>"]
    parts.append(para(lang.t("decision.thr_intro")))
    moves = rows[rows["kind"] != "none"]
    if len(moves):
        headers = [
            lang.t(f"decision.col_{c}")
            for c in ("factor", "scenario", "what", "threshold", "central", "range")
        ]
        body = [_row(res, lang, r) for r in moves.itertuples()]
        keys = [_key(r) for r in moves.itertuples()]
        parts.append(table(headers, body, lang.t("decision.thr_caption"), row_keys=keys))
        parts.append(para(lang.t("decision.thr_rest"), "note"))
    parts.append(_steady(lang, rows))
    return parts
