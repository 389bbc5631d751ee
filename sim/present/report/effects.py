"""The report's section on weak effects: each scenario's NEET-years averted per effect size.

Shown when the results folder holds ``effects/`` (a ``sim batch`` of
``studies/effect_sweeps.toml``, written by ``make run``): one row per variant (no effect, the
central value, the upper end of the range, ...), one column per scenario.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis.effects import effect_table
from sim.present.i18n import DASH, Lang
from sim.present.report.html import para, section, table
from sim.present.report.results import Results
from sim.present.report.sections import scenario_name


def _value(lang: Lang, value: float) -> str:
    """An effect size with the decimals it has (``0``, ``0,15``, ``0,4``)."""
    return lang.number(value, len(f"{value:g}".partition(".")[2]))


def _row_label(lang: Lang, parameter: str, value: float) -> str:
    """``Effect of NAV follow-up ... (0 = no effect): 0,4`` or the central variant's words."""
    if not parameter:
        return lang.t("effects.central")
    name = lang.labels.get(f"effect.{parameter}", parameter)
    return name if pd.isna(value) else f"{name}: {_value(lang, value)}"  # NaN: several set


def _central(lang: Lang, values: dict[str, float]) -> str:
    """The central value of every swept effect, named as in the rows."""
    return "; ".join(
        f"{lang.labels.get(f'effect.{n}', n)}: {_value(lang, v)}" for n, v in values.items()
    )


def effects_section(res: Results, lang: Lang) -> str:
    """The section, or ``""`` when the results hold no effect sweep."""
    if res.effects is None or res.reference is None:
        return ""
    t = effect_table(res.effects, res.reference, res.effects_variants)
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
        para(words.t("effects.note", **_note_values(words, t, res)), "note"),
    )


def _note_values(lang: Lang, t: pd.DataFrame, res: Results) -> dict[str, str]:
    """Replicates, share of the population and the central values, for the note."""
    central = t.loc[t["parameter"] == "", "values"]
    return {
        "reps": lang.reps_text(),
        "share": lang.pct(res.effects_scale, 0),
        "central": _central(lang, central.iloc[0]) if len(central) else DASH,
    }


def _cell(lang: Lang, row: pd.Series) -> str:
    return lang.interval(row["median"], row["lo"], row["hi"], lang.number)
