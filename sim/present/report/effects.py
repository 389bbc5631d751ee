"""The report's section on weak effects: each scenario's NEET-years averted per effect size.

Shown when the results folder holds ``effects/`` (a ``sim batch`` of
``studies/effect_sweeps.toml``, written by ``make run``): one row per variant (no effect, the
central value, the upper end of the range, ...), one column per scenario.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis.effects import effect_table
from sim.present.i18n import Lang
from sim.present.report.html import para, section, table
from sim.present.report.results import Results
from sim.present.report.sections import scenario_name


def _row_label(lang: Lang, parameter: str, value: float) -> str:
    """``NAV follow-up's effect on job finding = 0`` or the central variant's words."""
    if not parameter:
        return lang.t("effects.central")
    name = lang.labels.get(f"effect.{parameter}", parameter)
    return f"{name} = {lang.number(value, 2 if value % 1 else 0)}"


def effects_section(res: Results, lang: Lang) -> str:
    """The section, or ``""`` when the results hold no effect sweep."""
    if res.effects is None or res.reference is None:
        return ""
    t = effect_table(res.effects, res.reference)
    words = lang.with_reps(t["reps"])
    stems = [s for s in res.stems if s in set(t["scenario"])]
    order = t.drop_duplicates("variant").sort_values(["parameter", "value"], na_position="first")
    rows = []
    for v in order.itertuples():
        cells = t[t["variant"] == v.variant].set_index("scenario")
        rows.append(
            [_row_label(words, v.parameter, v.value)]
            + [_cell(words, cells.loc[s]) if s in cells.index else "" for s in stems]
        )
    years = res.effects["period"].nunique()
    headers = [words.t("effects.col")] + [scenario_name(res, lang, s) for s in stems]
    caption = words.t(
        "effects.caption", years=years, reference=scenario_name(res, lang, res.reference)
    )
    return section(
        "effects",
        words.t("effects.title"),
        para(words.t("effects.intro")),
        table(headers, rows, caption, "num"),
        para(words.t("effects.note", scale=lang.number(res.effects_scale, 2)), "note"),
    )


def _cell(lang: Lang, row: pd.Series) -> str:
    return lang.interval(row["median"], row["lo"], row["hi"], lang.number)
