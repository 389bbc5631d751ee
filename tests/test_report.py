"""The HTML report builds from a results directory in both languages, self-contained."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_fixture import built_report, make_results

from sim.cli import main as sim_main
from sim.report.builder import figures_dir
from sim.report.i18n import DASH, load_dictionary

FIGURES = [
    "neet_over_time",
    "paired_difference",
    "neet_by_group",
    "neet_by_municipality",
    "system_map",
    "service_indicators",
    "costs_by_payer",
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


def test_every_figure_is_embedded_and_saved_for_slides(report):
    html = report.read_text(encoding="utf-8")
    for key in FIGURES:
        assert f'id="fig-{key}"><img src="data:image/png;base64,' in html
        assert (figures_dir(report) / f"{key}.png").stat().st_size > 1000
        assert (figures_dir(report) / f"{key}.svg").stat().st_size > 1000


def test_nothing_is_loaded_from_the_network(report):
    page = _page(report)
    for tag, attr, value in page.refs:
        if tag == "a":
            continue
        assert value.startswith(("data:", "#")), (tag, attr, value[:40])
    assert "<script src" not in report.read_text(encoding="utf-8")


def test_nb_has_no_english_labels(tmp_path_factory):
    text = " ".join(_page(built_report(tmp_path_factory, "nb")).text)
    nb, en = load_dictionary("nb"), load_dictionary("en")
    for key, english in en.items():
        if english == nb[key] or key.endswith(".url"):
            continue
        pieces = re.split(r"{\w+}", english)
        for piece in pieces:
            piece = piece.strip(" .,:;()")
            if len(pieces) == 1 or (" " in piece and len(piece) >= 8):
                assert not re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", text), (key, piece)


def test_small_cells_are_suppressed(report):
    rows = _page(report).rows
    for small in ("kommune:5026", "kommune:5061"):
        assert rows[small][1:] == [DASH] * 3
    assert all(cell != DASH for cell in rows["kommune:5001"][1:])
    assert "20" in " ".join(_page(report).text)


def test_report_states_what_the_bands_mean(tmp_path_factory):
    en = " ".join(_page(built_report(tmp_path_factory, "en")).text)
    assert "random (stochastic) variation only" in en
    assert "10,000" in en and "15–29" in en  # the corrected county figure


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
