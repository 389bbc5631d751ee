"""The report's section "how certain is the choice": acceptability curve, value of
information and thresholds, each read from the results folder (never recomputed).

The results are the synthetic ones of ``report_fixture``, with a ``ceac`` and a ``voi``
written in by hand where a test needs to know the answer (which option leads where, which
partial value stands out from the noise floor).
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from matplotlib.colors import to_hex
from report_fixture import make_results

from sim.analysis.thresholds import COLUMNS
from sim.errors import InputError
from sim.present.i18n import Lang
from sim.present.plots import PlotContext, acceptability_curve, ceac_table
from sim.present.plots._base import PALETTE
from sim.present.report.builder import _body, answer_section
from sim.present.report.decision import (
    ceac_sentence,
    changes,
    decision_section,
    leaders,
    partial_table,
)
from sim.present.report.figures import RenderedFigure, ceac_rows
from sim.present.report.headline import title
from sim.present.report.html import esc
from sim.present.report.mission import load_goal
from sim.present.report.results import load_parameters, load_results

# baseline leads up to 100 000, coordinator at 150 000 and 200 000, coordinated_ips from 250 000
CEAC = {
    "wtp_nok": [0.0, 50e3, 100e3, 150e3, 200e3, 250e3, 300e3],
    "horizon": "run",
    "baseline": [0.9, 0.6, 0.4, 0.2, 0.1, 0.0, 0.0],
    "coordinated_ips": [0.1, 0.2, 0.3, 0.3, 0.4, 0.6, 0.8],
    "coordinator": [0.0, 0.2, 0.3, 0.5, 0.5, 0.4, 0.2],
    "replicates": 10,
}
FLOOR = 2e6
VOI = {
    "wtp_nok": 150e3,
    "evpi_nok": 48.2e6,
    "partial": {"handover_loss": 3.5 * FLOOR, "plan_conflict": 1.5 * FLOOR},
    "partial_noise_floor_nok": FLOOR,
    "draws": 60,
}
FIG = RenderedFigure("ceac", b"\x89PNG fake")  # the section embeds what it is given


def _results(tmp_path, *, ceac=CEAC, voi=None, thresholds=None, **kw):
    out = make_results(tmp_path / "compare", **kw)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    summary.pop("ceac", None)
    if ceac is not None:
        summary["ceac"] = ceac
    if voi is not None:
        summary["voi"] = voi
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    if thresholds is not None:
        pd.DataFrame(thresholds, columns=COLUMNS).to_csv(out / "thresholds.csv", index=False)
    return load_results(out)


def _para(html: str, cls: str) -> str:
    return re.search(rf'<p class="{cls}">(.*?)</p>', html, re.S).group(1)


def test_the_leader_is_read_from_the_curve(tmp_path):
    res = _results(tmp_path)
    lead = leaders(ceac_rows(res))
    assert list(lead["leader"]) == ["baseline"] * 3 + ["coordinator"] * 2 + ["coordinated_ips"] * 2
    assert changes(lead) == [(150e3, "coordinator"), (250e3, "coordinated_ips")]


@pytest.mark.parametrize("code", ["nb", "en"])
def test_the_sentence_names_the_leaders_and_where_they_change(tmp_path, code):
    res = _results(tmp_path)
    lang = Lang(code)
    html = decision_section(res, lang, [FIG])
    assert html.startswith('<section id="decision"><h2>' + esc(lang.t("decision.title")))
    assert '<figure id="fig-ceac"><img src="data:image/png;base64,' in html
    sentence = _para(html, "meaning")
    names = res.manifest["scenarios"]
    low, mid, high = (
        names[s]["name"][code] for s in ("baseline", "coordinator", "coordinated_ips")
    )
    assert sentence.index(esc(low)) < sentence.index(esc(high))  # low WTP first, then high
    for amount in (0, 150e3, 250e3, 300e3):
        assert esc(lang.nok(amount)) in sentence
    assert esc(mid) in sentence and esc(lang.pct(0.9, 0)) in sentence
    assert esc(lang.t("decision.reps_stochastic", n=10)) in html


def test_one_leader_throughout_is_said_so(tmp_path):
    flat = {**CEAC, "baseline": [1.0] * 7, "coordinated_ips": [0.0] * 7, "coordinator": [0.0] * 7}
    res = _results(tmp_path, ceac=flat)
    lang = Lang("en")
    sentence = ceac_sentence(res, lang, ceac_rows(res))
    assert sentence.startswith("Current practice is most often best at every willingness")
    assert lang.nok(300e3) in sentence


def test_the_curve_from_the_fixture_sums_to_one_and_keeps_the_colours(tmp_path):
    res = load_results(make_results(tmp_path / "plain"))  # the fixture's own curve
    curve = ceac_rows(res)
    assert curve.groupby("wtp_nok")["value"].sum().round(9).eq(1.0).all()
    ctx = PlotContext.from_manifest(res.manifest, "nb")
    fig = acceptability_curve(curve, ctx)
    legend = fig.legends[0]
    colours = {
        text.get_text(): to_hex(handle.get_color())
        for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True)
    }
    assert colours[ctx.label("baseline")] == PALETTE[0].lower()
    assert colours[ctx.label("coordinated_ips")] == PALETTE[1].lower()


def test_a_curve_that_does_not_match_its_grid_is_refused(tmp_path):
    res = _results(tmp_path, ceac={**CEAC, "coordinator": [0.5]})
    with pytest.raises(InputError, match=r"summary\.json: ceac\.coordinator: 1 shares"):
        ceac_rows(res)
    with pytest.raises(ValueError):
        ceac_table({**CEAC, "baseline": [1.0]})


@pytest.mark.parametrize("code", ["nb", "en"])
def test_value_of_information_with_the_noise_marked(tmp_path, code):
    res = _results(tmp_path, voi=VOI, draw_params=True)
    lang = Lang(code)
    html = decision_section(res, lang, [FIG])
    assert esc(lang.nok_million(48.2e6)) in html and esc(lang.nok(150e3)) in html
    assert " 60 " in html  # the draws
    rows = dict(re.findall(r'<tr data-key="([^"|]+)">(.*?)</tr>', html))
    assert esc(lang.t("word.yes")) in rows["handover_loss"]  # 3.5 × the floor
    assert esc(lang.t("decision.noise")) in rows["plan_conflict"]  # 1.5 × the floor
    assert "Andel henvisninger" in rows["handover_loss"] or "referrals" in rows["handover_loss"]
    assert esc(lang.nok_million(FLOOR)) in html and esc(lang.nok_million(2 * FLOOR)) in html
    assert esc(lang.t("decision.reps_params", n=10)) in html
    assert esc(lang.t("decision.no_voi").split("(")[0]) not in html


def test_without_draws_one_sentence_and_no_table(tmp_path):
    res = _results(tmp_path)
    lang = Lang("nb")
    html = decision_section(res, lang, [FIG])
    assert '<code lang="und">--draw-params</code>' in html
    assert esc(lang.t("decision.no_voi").split("(")[0]) in html
    assert lang.t("decision.col_evppi") not in html


THRESHOLDS = [
    ["cost.discount_rate", "coordinated_ips", "net_public_nok", "rank", "coordinator"]
    + [0.0123, 0.04, 0.0, 0.1],
    ["cost.discount_rate", "coordinator", "net_public_nok", "none", None] + [None, 0.04, 0.0, 0.1],
    ["horizon", "coordinated_ips", "net_public_nok", "sign", None, 4.31, 6.0, 1.0, float("inf")],
    ["horizon", "coordinator", "net_societal_nok", "sign", None]
    + [float("inf"), 6.0, 1.0, float("inf")],
    ["handover_loss", "coordinator", "neet_years_averted", "none", None, None, 0.2, 0.05, 0.4],
]


@pytest.mark.parametrize("code", ["nb", "en"])
def test_thresholds_are_shown_in_words(tmp_path, code):
    res = _results(tmp_path, thresholds=THRESHOLDS)
    lang = Lang(code)
    html = decision_section(res, lang, [FIG])
    rows = dict(re.findall(r'<tr data-key="([^"]+\|[^"]*)">(.*?)</tr>', html))
    assert len(rows) == 3  # the changes; "none" rows are summed up in a sentence
    rank = rows["cost.discount_rate|coordinated_ips|net_public_nok|rank|coordinator"]
    coordinator = res.manifest["scenarios"]["coordinator"]["name"][code]
    assert lang.t("decision.factor_discount_rate") in rank and esc(coordinator) in rank
    assert all(esc(lang.pct(x, 1)) in rank for x in (0.0123, 0.04, 0.1))
    sign = rows["horizon|coordinated_ips|net_public_nok|sign|"]
    assert esc(lang.t("decision.sign.net_public_nok")) in sign
    assert esc(lang.t("decision.years", n=lang.number(4.31, 1))) in sign
    assert esc(lang.t("decision.lifetime")) in sign  # the range ends with the lifetime
    lifetime = rows["horizon|coordinator|net_societal_nok|sign|"]
    assert esc(lang.t("decision.only_lifetime")) in lifetime
    steady = re.search(r"<p>([^<]*)</p>\s*</section>", html).group(1)
    assert "Andel henvisninger" in steady or "referrals" in steady  # handover_loss: no change
    assert esc(lang.t("decision.factor_discount_rate")) not in steady  # it has a change


def test_without_the_threshold_file_the_report_says_how_to_make_it(tmp_path):
    res = _results(tmp_path)
    html = decision_section(res, Lang("en"), [FIG])
    assert f'<code lang="und">sim thresholds {esc(res.path)}</code> and build' in html
    assert "data-key" not in html


def test_a_damaged_threshold_file_is_named(tmp_path):
    out = make_results(tmp_path / "compare")
    (out / "thresholds.csv").write_text("factor,scenario\nhorizon,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"thresholds\.csv: outcome: missing column"):
        load_results(out)


def test_the_section_comes_before_the_appendix_and_the_first_screen_is_unchanged(tmp_path):
    res = _results(tmp_path, voi=VOI)
    bare = _results(tmp_path / "bare", ceac=None)
    lang = Lang("nb").with_reps([4])
    params = load_parameters(res.path / "parameters.csv")
    body = _body(res, lang, load_goal(), [FIG], params)
    ids = re.findall(r'<section id="(\w+)"', body)
    assert ids.index("tables") < ids.index("decision") < ids.index("assumptions")
    assert body.count('id="fig-ceac"') == 1  # in its section, not again under "figures"
    assert answer_section(res, lang, [FIG]) == answer_section(bare, lang, [])
    assert title(res, lang) == title(bare, lang)


def test_no_section_without_a_reference(tmp_path):
    res = _results(tmp_path, ceac=None, scenarios=1)
    assert decision_section(res, Lang("nb"), []) == ""


def test_a_value_of_information_without_its_estimate_is_refused(tmp_path):
    res = _results(tmp_path, voi={k: v for k, v in VOI.items() if k != "evpi_nok"})
    with pytest.raises(InputError, match=r"summary\.json: voi\.evpi_nok: missing"):
        decision_section(res, Lang("nb"), [FIG])


def test_without_a_noise_floor_nothing_is_marked_as_noise():
    lang = Lang("en")
    html = "".join(partial_table(lang, VOI["partial"], None))
    assert lang.t("decision.col_signal") not in html and lang.t("decision.noise") not in html
    assert html.index("handover_loss") < html.index("plan_conflict")  # largest first
