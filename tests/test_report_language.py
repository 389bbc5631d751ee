"""Norwegian that reads as written in Norwegian: one glossary, no English left in the nb report.

The glossary (``sim/present/i18n/glossary.toml``) names each domain term as NAV, SSB, Udir and
the county write it, and the words that must not stand in for it (translations from English,
code names). Every Norwegian text of the catalogue is checked against it, and the visible text
of a built nb report is scanned for common English words (machine values such as commands and
versions, marked ``lang="und"``, and literature cited in its own language are left out).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from report_fixture import built_report

from sim.core.params import package_specs
from sim.present.i18n import glossary, load_dictionary

ENGLISH = (
    "the", "and", "of", "with", "replicate", "replicates", "seed", "summary", "results",
    "default", "discounted", "commit", "timing", "packages", "lifetime", "savings", "gross",
    "horizon", "assumption", "assumptions", "cost", "costs", "share", "youth", "months",
    "years", "lost", "goal", "reached", "never", "yes", "no", "figure", "table", "scenarios",
    "public", "societal", "per year", "reference", "runs",
)  # fmt: skip


def _avoided(text: str, word: str) -> bool:
    return re.search(rf"(?<![\wæøå.]){re.escape(word)}(?![\wæøå])", text.lower()) is not None


def test_every_glossary_term_has_both_languages():
    for key, term in glossary().items():
        assert term["nb"].strip() and term["en"].strip(), key
        assert not any(_avoided(term["nb"], w) for w in term.get("avoid_nb", [])), key


def test_norwegian_catalogue_uses_the_glossary_terms():
    bad = [
        (key, word)
        for key, text in load_dictionary("nb").items()
        for term in glossary().values()
        for word in term.get("avoid_nb", [])
        if _avoided(text, word)
    ]
    assert bad == []


@pytest.mark.parametrize(
    "phrase", ["replikat", "frø (seed)", "oppsummert", "endres andelen", "resultater: "]
)
def test_translated_sounding_phrases_are_gone(phrase):
    texts = [t.lower() for t in load_dictionary("nb").values()]
    assert not any(phrase in t for t in texts), phrase


def test_every_parameter_has_labels_in_both_languages():
    for spec in package_specs().values():
        assert spec.label_nb.strip() and spec.label_en.strip(), spec.name
        assert spec.label("nb") != spec.name and "." not in spec.label("en").split()[0]


class _Visible(HTMLParser):
    """Visible text outside ``<style>``, ``<title>`` and elements in another language."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("style", "script", "title") or a.get("lang", "nb") != "nb" or self._skip:
            self._skip.append(tag)

    def handle_endtag(self, tag):
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


@pytest.mark.slow
def test_nb_report_has_no_english_words(tmp_path_factory):
    from sim.present.report.builder import build_report

    folder = built_report(tmp_path_factory, "nb").parent
    html = build_report(folder, "nb", out=folder / "package-params-nb.html")
    page = _Visible()
    page.feed(html.read_text(encoding="utf-8"))
    text = " ".join(page.text)
    found = sorted({w for w in ENGLISH if _avoided(text, w)})
    assert found == [], [
        text[max(0, m.start() - 40) : m.end() + 40]
        for w in found
        for m in [re.search(rf"(?<![\wæøå]){re.escape(w)}(?![\wæøå])", text, re.I)]
    ]
    assert "ips.fte" not in text and "handover_loss" not in text  # labels, not code names
