"""The HTML report builds from a results directory in both languages, self-contained.

A test that builds a report (about 10 s each) is marked slow: ``make test`` runs it,
``make test-fast`` does not.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_fixture import built_report, make_results

from sim.cli.main import main as sim_main
from sim.present.i18n import DASH, Lang, load_dictionary
from sim.present.report.builder import build_report, figures_dir
from sim.present.report.html import esc
from sim.present.report.results import load_parameters

FIGURES = [
    "headline",
    "neet_over_time",
    "paired_difference",
    "neet_by_group",
    "neet_by_municipality",
    "system_map",
    "service_indicators",
    "costs_by_payer",
    "net_cost_by_payer",
    "cumulative_net_cost",
    "cost_per_neet_year_averted",
    "trial_result",
]


class _Page(HTMLParser):
    """Visible text, table rows by data-key, and every src/href."""

    def __init__(self):
        super().__init__()
        self.text, self.refs, self.rows = [], [], {}
        self._skip, self._row = False, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._skip = tag in ("style", "script", "title")
        self.refs += [(tag, k, v) for k, v in attrs if k in ("src", "href")]
        if tag == "tr" and "data-key" in a:
            self._row = self.rows.setdefault(a["data-key"], [])

    def handle_endtag(self, tag):
        self._skip = False
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)
            if self._row is not None and data.strip():
                self._row.append(data.strip())


def _page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module", params=["nb", "en"])
def report(request, tmp_path_factory):
    return built_report(tmp_path_factory, request.param)


@pytest.mark.slow
def test_every_figure_is_embedded_and_saved_for_slides(report):
    html = report.read_text(encoding="utf-8")
    for key in FIGURES:
        assert f'id="fig-{key}"><img src="data:image/png;base64,' in html
        assert (figures_dir(report) / f"{key}.png").stat().st_size > 1000
        assert (figures_dir(report) / f"{key}.svg").stat().st_size > 1000


@pytest.mark.slow
def test_nothing_is_loaded_from_the_network(report):
    page = _page(report)
    for tag, attr, value in page.refs:
        if tag == "a":
            continue
        assert value.startswith(("data:", "#")), (tag, attr, value[:40])
    assert "<script src" not in report.read_text(encoding="utf-8")


@pytest.mark.slow
def test_nb_has_no_english_labels(tmp_path_factory):
    html = built_report(tmp_path_factory, "nb").read_text(encoding="utf-8")
    html = re.sub(r'<ul lang="und">.*?</ul>', "", html, flags=re.S)  # cited literature as written
    html = re.sub(r'<code lang="und"[^>]*>.*?</code>', "", html, flags=re.S)  # options, versions
    page = _Page()
    page.feed(html)
    text = " ".join(page.text)
    nb, en = load_dictionary("nb"), load_dictionary("en")
    for key, english in en.items():
        if english == nb[key] or key.endswith(".url"):
            continue
        pieces = re.split(r"{\w+}", english)
        for piece in pieces:
            piece = piece.strip(" .,:;()")
            if len(pieces) == 1 or (" " in piece and len(piece) >= 8):
                assert not re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", text), (key, piece)


@pytest.mark.slow
def test_small_cells_are_suppressed(report):
    rows = _page(report).rows
    for small in ("kommune:5026", "kommune:5061"):
        assert rows[small][1:] == [DASH] * 3
    assert all(cell != DASH for cell in rows["kommune:5001"][1:])
    assert "20" in " ".join(_page(report).text)


@pytest.mark.slow
def test_report_states_what_the_bands_mean(tmp_path_factory):
    en = " ".join(_page(built_report(tmp_path_factory, "en")).text)
    assert "random (stochastic) variation only" in en
    assert "10,000" in en and "15–29" in en  # the corrected county figure


@pytest.mark.slow
def test_degrades_without_costs_trial_paired_or_parameters(tmp_path, capsys):
    res = make_results(
        tmp_path / "single",
        scenarios=1,
        costs=False,
        with_trial=False,
        draw_params=True,
        years=3,
        reps=2,
    )
    out = tmp_path / "r.html"
    code = sim_main(
        [
            "report",
            str(res),
            "--lang",
            "en",
            "--out",
            str(out),
            "--goal",
            "0.09",
            "--goal-year",
            "2025",
        ]
    )
    assert code == 0 and capsys.readouterr().out.strip() == str(out)
    text = " ".join(_page(out).text)
    assert "contain no costs" in text and "No simulated trial" in text
    assert "parameter uncertainty together" in text
    assert "9.0%" in text


@pytest.mark.parametrize(
    "argv",
    [
        ["--goal", "8.5"],
        ["--goal-year", "1800"],
        ["--lang", "de"],
    ],
)
def test_bad_options_exit_2_and_write_nothing(tmp_path, argv):
    res = tmp_path / "res"
    res.mkdir()
    out = tmp_path / "r.html"
    assert sim_main(["report", str(res), "--out", str(out), *argv]) == 2
    assert not out.exists()


def test_missing_results_exit_2(tmp_path):
    assert sim_main(["report", str(tmp_path / "nope")]) == 2
    (tmp_path / "empty").mkdir()
    assert sim_main(["report", str(tmp_path / "empty")]) == 2


@pytest.fixture(scope="module")
def nb_with_package_parameters(tmp_path_factory):
    """The nb report of the synthetic results, with the package's real parameters.csv."""
    res = make_results(tmp_path_factory.mktemp("real-params") / "compare")
    return build_report(res, "nb", out=res / "report-nb.html")


def _section(html: str, anchor: str) -> str:
    start = html.index(f'<section id="{anchor}"')
    return html[start : html.index("</section>", start)]


@pytest.mark.slow
def test_sources_list_literature_only_once(nb_with_package_parameters):
    html = nb_with_package_parameters.read_text(encoding="utf-8")
    assert "assumption (" not in html and "calibrated (" not in html
    sources = _section(html, "sources")
    assert sources.count("R-109") == 1  # the dictionary's own entry, not the parameter file's
    assert "Reme et al. 2019" in sources
    assert esc(load_dictionary("nb")["sources.cited_title"]) in sources


@pytest.mark.slow
def test_nb_units_are_translated(nb_with_package_parameters):
    html = nb_with_package_parameters.read_text(encoding="utf-8")
    assumptions = _section(html, "assumptions")
    nb = Lang("nb")
    units = set(load_parameters()["unit"]) - {""}
    assert all(f"unit.{u}" in nb.labels for u in units), units - {
        k[5:] for k in nb.labels if k.startswith("unit.")
    }
    for unit in units:
        if nb.unit(unit) != unit:
            assert f"<td>{esc(unit)}</td>" not in html, unit
    assert f"<td>{esc(nb.unit('probability/month'))}</td>" in assumptions


@pytest.mark.slow
def test_money_in_the_summary_is_in_millions(report):
    html = report.read_text(encoding="utf-8")
    summary = _section(html, "summary")
    assert not re.search(r"NOK.\d{1,3}([\u00a0,]\d{3}){2,}", summary)
    million = "mill." if 'lang="nb"' in html else "million"
    assert million in summary
    payer = Lang("nb" if 'lang="nb"' in html else "en").name("payer", "municipality")
    assert re.search(rf"{payer} (NOK.)?[−-]?\d", summary)  # who pays, per payer
    tables = _section(html, "tables")
    assert not re.search(r"\d{1,3}([\u00a0,]\d{3}){2,}", tables)  # no whole kroner
    assert Lang("nb" if 'lang="nb"' in html else "en").t("tables.costs") in tables


@pytest.mark.slow
def test_mission_rows_follow_the_scenario_order(report):
    text = _section(report.read_text(encoding="utf-8"), "mission")
    names = ["Current practice", "Coordinated IPS follow-up", "Named coordinator"]
    if "Dagens praksis" in text:
        names = ["Dagens praksis", "Koordinert IPS-oppfølging", "Fast koordinator"]
    positions = [text.index(f"<th>{n}</th>") for n in names]
    assert positions == sorted(positions)


@pytest.mark.slow
def test_bands_note_once_and_footnote_only_where_cells_are_hidden(report):
    html = report.read_text(encoding="utf-8")
    figures = _section(html, "figures")
    lang = Lang("nb" if 'lang="nb"' in html else "en")
    bands = esc(lang.t("bands.stochastic_range", reps=4))  # the fixture has 4 replicates
    footnote = esc(lang.t("footnote.suppressed"))
    assert figures.count(bands) == 1
    captions = dict(
        re.findall(r'<figure id="fig-(\w+)">.*?<figcaption>(.*?)</figcaption>', figures)
    )
    assert footnote in captions["neet_by_municipality"] and footnote in captions["system_map"]
    assert footnote not in captions["neet_over_time"] and footnote not in captions["trial_result"]


@pytest.fixture(scope="module")
def real_compare(tmp_path_factory):
    """A real (small) ``sim compare`` run: two scenarios, two replicates, two years."""
    out = tmp_path_factory.mktemp("real") / "compare"
    root = Path(__file__).resolve().parents[1]
    argv = [
        "compare",
        str(root / "scenarios/baseline.toml"),
        str(root / "scenarios/coordinated_ips.toml"),
        "--reps",
        "2",
        "--years",
        "2",
        "--scale",
        "0.02",
        "--workers",
        "1",
        "--out",
        str(out),
    ]
    assert sim_main(argv) == 0
    return out


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_report_builds_from_a_real_compare_run(real_compare, tmp_path, lang):
    out = build_report(real_compare, lang, out=tmp_path / f"report-{lang}.html")
    html = out.read_text(encoding="utf-8")
    missing = [k for k in FIGURES if f'id="fig-{k}"><img src="data:image/png;base64,' not in html]
    assert missing == ["trial_result"]  # compare runs no trial; the report says so instead
    assert esc(Lang(lang).t("missing.trial")) in html
    for key in FIGURES[:-1]:
        assert (figures_dir(out) / f"{key}.png").stat().st_size > 1000
    assert "assumption (" not in html and "calibrated (" not in html


def test_headline_table_puts_the_use_of_places_next_to_the_cost():
    """Each scenario's cost with its places and the share in use; none without ``places``."""
    from types import SimpleNamespace

    from sim.present.i18n import Lang
    from sim.present.report.sections import headline_table

    stat = lambda m: {"median": m, "lo": m, "hi": m}  # noqa: E731
    ips = {"mean": stat(2000.0), "used_share": stat(0.49)}
    summary = {
        "headline": {
            "ips_only": {
                "neet_years_averted": stat(2083.0),
                "npv_public_nok": stat(6.44e8),
                "cost_per_neet_year_averted_nok": 309221.8,
                "places": {"ips": ips},
            }
        },
        "places": {"baseline": {"ips": {"mean": stat(80.0), "used_share": stat(1.0)}}},
    }
    summary["places"]["ips_only"] = {"ips": ips}
    names = {"baseline": {"en": "Baseline"}, "ips_only": {"en": "IPS alone"}}
    res = SimpleNamespace(
        summary=summary,
        stems=["baseline", "ips_only"],
        manifest={"scenarios": {k: {"name": v} for k, v in names.items()}},
    )
    html = headline_table(res, Lang("en")).replace("\u00a0", " ")
    assert "<td>2,000 (49%)</td><td>0</td>" in html  # IPS places in use; no coordinators
    assert "<td>NOK 644.0 million</td><td>NOK 309,200</td>" in html
    assert "<td>80 (100%)</td>" in html
    res.summary = {"headline": summary["headline"]}  # results of an older version
    assert headline_table(res, Lang("en")) == ""
