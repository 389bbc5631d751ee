"""Sources, the NEET definition, corrections to the county's figures, and provenance."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from sim.analysis.targets import load_targets
from sim.present.i18n import DASH, Lang
from sim.present.report.html import esc, link, para, section, table
from sim.present.report.results import Results


def _keys(lang: Lang, prefix: str, leaf: str) -> list[str]:
    """Item names under ``prefix`` that have ``leaf`` (e.g. ``source.<item>.text``), in order."""
    out = []
    for key in lang.labels:
        if key.startswith(prefix) and key.endswith(f".{leaf}"):
            out.append(key[len(prefix) : -len(leaf) - 1])
    return out


NOT_CITED = ("assumption", "calibrated")  # parameter-file notes, not literature


def _digits(text: str) -> set[str]:
    """Tokens holding a digit (``R-109/2021``, ``3:9``), dashes normalised, for deduplication."""
    words = text.replace("\u2013", "-").replace(";", " ").replace(",", " ").split()
    return {w.strip("().:") for w in words if any(c.isdigit() for c in w)}


def cited_sources(lang: Lang, params: pd.DataFrame | None) -> list[str]:
    """Literature the parameter file and the trial target cite beyond the report's own sources.

    The trial target (``sim/data/targets.csv``, table ``trial``) is the published IPS effect
    that the model's IPS mechanism is set to reproduce.

    Notes that start with ``assumption`` or ``calibrated`` are not sources (they belong to the
    assumptions page) and are left out, as is a citation whose every number (circular,
    table, year) already appears in the dictionary's sources, such as R-109/2021.
    """
    if params is None:
        return []
    known = set()
    for code in ("nb", "en"):
        words = Lang(code)
        known |= {
            t
            for item in _keys(words, "source.", "text")
            for t in _digits(words.t(f"source.{item}.text"))
        }
    cited = {_literature(s) for s in params["source"] if s.strip()}
    cited |= {s.strip() for s in load_targets(table="trial")["source"] if s.strip()}
    return sorted(
        c
        for c in cited
        if not c.lower().startswith(NOT_CITED) and not (_digits(c) and _digits(c) <= known)
    )


def _literature(source: str) -> str:
    """A source without its clauses that are assumption notes (``…; hi: assumption (…)``)."""
    parts = [p for p in source.strip().split("; ") if "assumption" not in p.lower()]
    return "; ".join(parts) if parts else source.strip()


def _sources(lang: Lang, params: pd.DataFrame | None) -> str:
    items = []
    for item in _keys(lang, "source.", "text"):
        text, url = lang.t(f"source.{item}.text"), lang.labels.get(f"source.{item}.url", "")
        items.append(f"<li>{link(text, url) if url else esc(text)}</li>")
    out = f"<ul>{''.join(items)}</ul>"
    cited = cited_sources(lang, params)
    if cited:
        out += f"<h4>{esc(lang.t('sources.cited_title'))}</h4>"
        out += f'<ul lang="und">{"".join(f"<li>{esc(c)}</li>" for c in cited)}</ul>'
    return out


def _corrections(lang: Lang) -> str:
    rows = [
        [lang.t(f"correction.{k}.report"), lang.t(f"correction.{k}.sources")]
        for k in _keys(lang, "correction.", "report")
    ]
    return table([lang.t("col.report_says"), lang.t("col.sources_show")], rows)


def sources_section(lang: Lang, params: pd.DataFrame | None) -> str:
    """Data sources, the NEET definition used, and where the county's figures were corrected."""
    return section(
        "sources",
        lang.t("sources.title"),
        f"<h3>{esc(lang.t('sources.neet_def_title'))}</h3>",
        para(lang.t("sources.neet_def")),
        f"<h3>{esc(lang.t('sources.data_title'))}</h3>",
        _sources(lang, params),
        f"<h3>{esc(lang.t('sources.corrections_title'))}</h3>",
        para(lang.t("sources.corrections_intro")),
        _corrections(lang),
    )


def _yes_no(lang: Lang, value: object) -> str:
    return DASH if value is None else lang.t("word.yes" if value else "word.no")


def provenance_items(res: Results, lang: Lang) -> list[tuple[str, str]]:
    """(label, value) pairs: version, commit, dates, seeds, replications, scale, timing."""
    m = res.manifest
    timing = m.get("timing") or {}
    seeds = m.get("replicate_seeds") or []
    seed_text = ", ".join(str(s) for s in seeds[:20]) + (" …" if len(seeds) > 20 else "")
    return [
        ("prov.version", str(m.get("package_version", DASH))),
        (
            "prov.commit",
            f"{m.get('git_commit', DASH)} ({lang.t('prov.dirty')}: "
            f"{_yes_no(lang, m.get('git_dirty'))})",
        ),
        ("prov.created", _when(lang, m.get("created"))),
        ("prov.report_created", _when(lang, datetime.now(UTC).isoformat(timespec="seconds"))),
        ("prov.command", " ".join(m.get("command") or [])),
        ("prov.seed", str(m.get("seed", DASH))),
        ("prov.replicate_seeds", seed_text or DASH),
        ("prov.reps", str(m.get("reps", DASH))),
        ("prov.scale", lang.number(m.get("scale"), 2)),
        ("prov.period", f"{lang.month(m.get('start'))}, {m.get('years', DASH)}"),
        ("prov.intervention_start", str(m.get("intervention_start") or DASH)),
        ("prov.draw_params", _yes_no(lang, m.get("draw_params"))),
        ("prov.discount_rate", lang.pct(m.get("discount_rate"), 1)),
        ("prov.python", str(m.get("python", DASH))),
        ("prov.packages", ", ".join(f"{k} {v}" for k, v in (m.get("packages") or {}).items())),
        ("prov.timing", ", ".join(f"{k} {lang.number(v, 1)} s" for k, v in timing.items())),
        ("prov.youth_months", lang.number(m.get("youth_months"))),
        ("prov.results_dir", str(res.path)),
    ]


# values that are machine text (commands, versions, paths): shown as code, in no language
MACHINE = ("prov.version", "prov.commit", "prov.command", "prov.python", "prov.packages")
MACHINE += ("prov.results_dir", "prov.replicate_seeds", "prov.seed")


def _when(lang: Lang, iso: object) -> str:
    """An ISO time as the language writes it (``7. desember 2026 18:40 UTC``)."""
    from babel.dates import format_datetime

    try:
        when = datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso or DASH)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return format_datetime(when.astimezone(UTC), "d. MMMM y HH:mm 'UTC'", locale=lang.code)


def provenance_section(res: Results, lang: Lang) -> str:
    """Everything needed to reproduce the results behind the report."""
    rows = []
    for key, value in provenance_items(res, lang):
        shown = (
            f'<code lang="und" translate="no">{esc(value)}</code>'
            if key in MACHINE
            else esc(value)
        )
        rows.append(f"<dt>{esc(lang.t(key))}</dt><dd>{shown}</dd>")
    return section("provenance", lang.t("prov.title"), f"<dl>{''.join(rows)}</dl>")
