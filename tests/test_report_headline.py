"""The report's first screen: one ranked table that answers the question, in plain units.

Rows are computed from the synthetic results of ``report_fixture`` (with and without the
summary's ``by_horizon``); the decomposition gross − savings = net is checked per scenario.
"""

from __future__ import annotations

import json
import re

import pytest
from report_fixture import make_results

from sim.present.i18n import Lang
from sim.present.report.headline import HORIZONS, headline_html, meaning, rows, subtitle, title
from sim.present.report.results import load_results


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return load_results(make_results(tmp_path_factory.mktemp("h") / "compare"))


@pytest.fixture(scope="module")
def older(tmp_path_factory):
    return load_results(make_results(tmp_path_factory.mktemp("o") / "compare", horizons=False))


def test_one_row_per_scenario_ranked_by_fewer_outside(results):
    ranked = rows(results)
    assert [r.stem for r in ranked] == ["coordinated_ips", "coordinator", "baseline"]
    assert ranked[-1].reference and ranked[-1].fewer == 0
    assert ranked[0].fewer > ranked[1].fewer > 0


def test_fewer_outside_is_person_years_averted_per_year(results):
    years = results.manifest["years"]
    for row in rows(results)[:-1]:
        total = results.summary["headline"][row.stem]["neet_years_averted"]["median"]
        assert row.fewer == pytest.approx(total / years, rel=1e-9)


def test_gross_minus_savings_is_net_public_cost(results):
    for row in rows(results)[:-1]:
        assert row.gross > 0  # the fixture's staffing line grows with the effect
        assert sum(row.savings.values()) > 0
        assert row.gross - sum(row.savings.values()) == pytest.approx(row.net_public, rel=0.02)


def test_horizons_come_from_the_summary(results):
    for row in rows(results)[:-1]:
        entry = results.summary["headline"][row.stem]["by_horizon"]
        assert row.from_summary
        for h in HORIZONS:
            assert row.horizon[h]["public"] == entry[h]["npv_public_nok"]["median"]
            assert row.horizon[h]["p_public"] == entry[h]["p_public_saving"]


def test_older_results_fall_back_to_the_tables_and_say_so(results, older):
    new = {r.stem: r for r in rows(results)}
    for row in rows(older)[:-1]:
        assert not row.from_summary
        for h in ("5y", "run"):  # the same sums the summary holds
            assert row.horizon[h]["public"] == pytest.approx(new[row.stem].horizon[h]["public"])
        assert "lifetime" not in row.horizon
    lang = Lang("nb").with_reps([4])
    assert lang.t("headline.note_fallback") in headline_html(older, lang)
    assert lang.t("headline.note_fallback") not in headline_html(results, lang)


@pytest.mark.parametrize("code", ["nb", "en"])
def test_money_is_in_millions_never_whole_kroner(results, code):
    html = headline_html(results, Lang(code).with_reps([4]))
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    digits = [c for c in cells if re.search(r"\d", c)]
    assert digits
    assert not any(len(re.sub(r"\D", "", c)) > 6 for c in digits), digits  # no 1 234 567 890


def test_title_names_what_was_compared_and_the_subtitle_the_run(results):
    nb = Lang("nb").with_reps([4])
    head = title(results, nb)
    assert "Koordinert IPS-oppfølging og Fast koordinator sammenlignet med Dagens praksis" in head
    sub = subtitle(results, nb)
    assert "januar 2024" in sub and "Resultater" not in sub
    assert "January 2024" in subtitle(results, Lang("en").with_reps([4]))


def test_three_plain_sentences(results):
    nb = Lang("nb").with_reps([4])
    said = meaning(results, nb)
    assert len(said) == 3
    assert said[0].startswith("Koordinert IPS-oppfølging gir flest færre unge utenfor")
    assert "mill. kr per år" in said[1]
    assert "ikke en prognose" in said[2]


def test_a_damaged_by_horizon_is_refused(tmp_path):
    from sim.errors import InputError

    folder = make_results(tmp_path / "compare")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary["headline"]["coordinator"]["by_horizon"]["run"]["npv_public_nok"] = "lots"
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    with pytest.raises(InputError, match="by_horizon.run.npv_public_nok"):
        load_results(folder)
