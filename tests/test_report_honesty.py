"""Report honesty: a scenario whose runs failed is shown as failed, intervals over fewer than
five replicates are called ranges of n replicates (report, figures, console), and a number
that rounds to zero never prints as -0.

Two small real results folders are made once per module: a ``sim compare`` of two scenarios
with two replicates, and a ``sim batch`` in which every run of one scenario fails (and one
run of another), provoked as in ``tests/test_execute.py``.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from hostile import sim
from report_fixture import make_results

from sim.cli.main import main as sim_main
from sim.present.console import percent, print_summary, stat
from sim.present.i18n import Lang
from sim.present.report.builder import build_report
from sim.present.report.results import load_results
from sim.present.report.sections import bands_note, failed_notes, summary_section
from sim.run import runner

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
COORDINATED = ROOT / "scenarios" / "coordinated_ips.toml"
QUICK = ["--years", "1", "--scale", "0.02", "--workers", "1"]


def visible(page: str) -> str:
    """The text of a report (its body) or a part of one: no tags, entities decoded."""
    body = page[page.index("<body") :] if "<body" in page else page
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def section(page: str, anchor: str) -> str:
    start = page.index(f'<section id="{anchor}"')
    return page[start : page.index("</section>", start)]


# -- two replicates: ranges, not 95 % intervals --------------------------------------------
@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> tuple[Path, str]:
    """``sim compare`` of baseline and coordinated IPS, two replicates; folder and stdout."""
    out = tmp_path_factory.mktemp("honest") / "compare"
    outcome = sim("compare", BASELINE, COORDINATED, "--reps", "2", *QUICK, "--out", out)
    assert outcome.code == 0, outcome.stderr[-2000:]
    return out, outcome.stdout


@pytest.fixture(scope="module", params=["nb", "en"])
def compared_report(compared, request, tmp_path_factory) -> tuple[Lang, str]:
    out = tmp_path_factory.mktemp(f"report-{request.param}") / "report.html"
    build_report(compared[0], request.param, out=out)
    return Lang(request.param).with_reps([2]), out.read_text(encoding="utf-8")


def test_console_summary_calls_two_replicates_a_range(compared) -> None:
    stdout = compared[1]
    assert "NEET rate 15-29 (November), median [range of 2 replicates]" in stdout
    assert "NPV, NOK million, median [range of 2 replicates]" in stdout
    assert "95 %" not in stdout


@pytest.mark.slow
def test_report_calls_every_interval_a_range_of_2_replicates(compared_report) -> None:
    lang, page = compared_report
    text = visible(page)
    bands = lang.t("bands.stochastic_range", reps="2")
    assert text.count(bands) == 2  # under the summary and above the figures
    assert not re.search(r"95\s?%", text.replace(bands, ""))  # no 95 % interval elsewhere
    for key in ("tables.neet", "caption.neet_over_time", "caption.net_cost_by_payer"):
        assert lang.t(key) in text, key
    assert lang.t("tables.groups", year=2024) in text
    summary = visible(section(page, "summary"))
    assert summary.count(f"({lang.interval_words()['interval']}:") == 4  # diff, NEET-years, NPVs
    assert lang.interval_words()["the_interval"] in summary  # the introduction


def test_figure_titles_call_the_band_a_range(compared) -> None:
    from sim.present import plots

    manifest = json.loads((compared[0] / "manifest.json").read_text(encoding="utf-8"))
    ctx = plots.PlotContext.from_manifest(manifest, "en")
    ctx.lang = ctx.lang.with_reps([2])
    fig = plots.neet_over_time(pd.read_parquet(compared[0] / "yearly.parquet"), ctx)
    assert fig.axes[0].get_title() == "NEET rate over time (median and range of 2 replicates)"


def test_replicates_are_counted_in_the_data(tmp_path: Path) -> None:
    """The manifest asked for 10 replicates, the data hold 2: the intervals are ranges of 2."""
    res = make_results(tmp_path / "res", reps=2, years=2)
    manifest = json.loads((res / "manifest.json").read_text(encoding="utf-8"))
    (res / "manifest.json").write_text(json.dumps({**manifest, "reps": 10}), encoding="utf-8")
    loaded = load_results(res)
    lang = Lang("en").with_reps(loaded.replicates.values())
    assert bands_note(loaded, lang).startswith("Intervals and bands are ranges of 2 replicates")


@pytest.mark.parametrize(("lang", "words"), [("en", "95 % interval"), ("nb", "95 %-intervall")])
def test_five_replicates_keep_95_percent_intervals(tmp_path: Path, lang: str, words: str) -> None:
    loaded = load_results(make_results(tmp_path / "res", reps=5, years=2))
    language = Lang(lang).with_reps(loaded.replicates.values())
    assert language.reps == (5, 5)
    text = visible(summary_section(loaded, language, True))
    assert f"({words}:" in text
    assert "range" not in text and "spenn" not in text


# -- never -0 ------------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["nb", "en"])
def test_report_numbers_that_round_to_zero_have_no_sign(code: str) -> None:
    lang = Lang(code)
    assert lang.number(-0.3) == "0"
    assert lang.interval(-0.3, 0.2, -0.4, lang.number) == "0 (0\u00a0\u2013\u00a00)"
    assert lang.pct(-0.00001) == lang.pct(0.0)
    assert lang.pp(-0.00001) == lang.pp(0.0)


def test_console_numbers_that_round_to_zero_have_no_sign(compared, capsys) -> None:
    assert stat({"median": -0.3, "lo": 0.2, "hi": -0.4}) == "0 [0, 0]"
    assert stat({"median": -40_000.0, "lo": -0.01, "hi": 1e6}, 1, 1e6) == "0.0 [0.0, 1.0]"
    assert percent(-0.00001) == "0.00%"
    folder = compared[0]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary["headline"]["coordinated_ips"]["neet_years_averted"] = {
        "median": -0.3, "lo": 0.2, "hi": -0.4,
    }  # fmt: skip
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    print_summary(pd.read_parquet(folder / "yearly.parquet"), summary, manifest, folder)
    out = capsys.readouterr().out
    assert "coordinated_ips: NEET-years averted vs reference 0 [0, 0]" in out
    assert not re.search(r"-0(\.0+)?(?!\d)", out), out


# -- a scenario whose runs all failed --------------------------------------------------------
@pytest.fixture(scope="module")
def failed_batch(tmp_path_factory) -> tuple[Path, str]:
    """A batch where every run of ``less_loss`` fails and replicate 1 of coordinated IPS."""
    folder = tmp_path_factory.mktemp("failed")
    (folder / "less_loss.toml").write_text(
        'name = { nb = "Mindre tap", en = "Less loss" }\n'
        'description = { nb = "Test", en = "Test" }\n'
        f'extends = "{BASELINE.as_posix()}"\n[params]\nhandover_loss = 0.05\n',
        encoding="utf-8",
    )
    scenarios = f'"{BASELINE.as_posix()}", "{COORDINATED.as_posix()}", "less_loss.toml"'
    (folder / "batch.toml").write_text(f"scenarios = [{scenarios}]\nreps = 2\nseed = 7\n")
    real = runner.run_one

    def flaky(spec, **options):
        if spec.name == "less_loss" or (spec.name == "coordinated_ips" and spec.replicate == 1):
            raise RuntimeError(f"boom in {spec.name}")
        return real(spec, **options)

    stdout = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(stdout):
        mp.setattr(runner, "run_one", flaky)
        code = sim_main(
            ["batch", str(folder / "batch.toml"), "--out", str(folder / "out"), *QUICK]
        )
    assert code == 1
    return folder / "out", stdout.getvalue()


def test_console_lists_the_failed_scenario(failed_batch) -> None:
    stdout = failed_batch[1]
    assert "less_loss: FAILED, no run finished, no results (RuntimeError: boom in less_loss)" in (
        stdout
    )
    assert "coordinated_ips: 1 of 2 runs failed (RuntimeError: boom in coordinated_ips)" in stdout
    assert "median [range of 1-2 replicates]" in stdout


@pytest.mark.slow
def test_report_shows_the_failed_scenario(failed_batch, tmp_path: Path) -> None:
    out = build_report(failed_batch[0], "en", out=tmp_path / "report.html")
    page = out.read_text(encoding="utf-8")
    summary = visible(section(page, "summary"))
    lang = Lang("en").with_reps([1, 2])
    failed = lang.t("failed.all", name="Less loss", reason="RuntimeError: boom in less_loss")
    assert failed in summary
    some = lang.t(
        "failed.some",
        name="Coordinated services with IPS",
        failed=1,
        runs=2,
        rest=1,
        reason="RuntimeError: boom in coordinated_ips",
    )
    assert some in summary
    card = page[page.index('id="card-less_loss"') :]
    assert card[: card.index("</article>")].count(lang.t("cards.failed")) == 1
    assert "ranges of 1\u20132 replicates" in summary


def test_failed_scenario_named_in_norwegian(failed_batch) -> None:
    res = load_results(failed_batch[0])
    assert res.failed == ["less_loss"]
    notes = failed_notes(res, Lang("nb"))
    assert notes[0].startswith("Koordinerte") and "1 av 2 kjøringer feilet" in notes[0]
    assert notes[1].startswith("Mindre tap: feilet.") and "boom in less_loss" in notes[1]
