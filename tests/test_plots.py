"""Plots are functions of saved tables: each returns a Figure, in either language."""

import json
import re

import pandas as pd
import pytest
from matplotlib.figure import Figure
from report_fixture import make_results

from sim.errors import InputError
from sim.present import plots
from sim.present.i18n import NBSP, Lang, load_dictionary
from sim.present.report.mission import Goal, check_goal, load_goal, track


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    d = make_results(tmp_path_factory.mktemp("plots"), reps=3, years=4)
    return {
        "yearly": pd.read_parquet(d / "yearly.parquet"),
        "paired": pd.read_parquet(d / "paired.parquet"),
        "trial": json.loads((d / "trial.json").read_text()),
        "manifest": json.loads((d / "manifest.json").read_text()),
    }


CASES = [
    ("neet_over_time", "yearly"),
    ("paired_difference", "paired"),
    ("neet_by_group", "yearly"),
    ("neet_by_municipality", "yearly"),
    ("costs_by_payer", "yearly"),
    ("net_cost_by_payer", "paired"),
    ("cumulative_net_cost", "paired"),
    ("cost_per_neet_year_averted", "paired"),
    ("service_indicators", "yearly"),
    ("trial_result", "trial"),
    ("system_map", "yearly"),
]


@pytest.mark.parametrize(("name", "table"), CASES)
def test_every_plot_returns_a_figure(saved, name, table):
    ctx = plots.PlotContext.from_manifest(saved["manifest"], "en")
    fig = getattr(plots, name)(saved[table], ctx)
    assert isinstance(fig, Figure)
    assert fig.axes


def _texts(fig: Figure) -> str:
    parts = [fig.get_suptitle()] + [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        parts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        parts += [t.get_text() for t in ax.texts + ax.get_yticklabels()]
    return " ".join(parts)


def test_titles_follow_the_language(saved):
    nb = plots.PlotContext.from_manifest(saved["manifest"], "nb")
    text = _texts(plots.neet_over_time(saved["yearly"], nb))
    assert "Andel unge utenfor" in text and "Year" not in text


def test_small_municipalities_are_not_drawn(saved):
    fig = plots.neet_by_municipality(saved["yearly"], plots.PlotContext())
    hidden = []
    for ax in fig.axes:  # one panel per region, municipalities by name
        labels = [t.get_text() for t in ax.get_yticklabels()]
        hidden += [
            labels[round(t.get_position()[1])] for t in ax.texts if t.get_text() == "\u2013"
        ]
    assert sorted(hidden) == ["Holtålen", "Rindal"]  # kommune 5026 (n=14) and 5061 (n=9)
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()]
    assert titles[0] == "Trondheim" and len(titles) == 3  # Trondheim, then the regions


def test_missing_costs_raise_no_data(saved):
    no_costs = saved["yearly"][~saved["yearly"]["metric"].str.startswith("cost")]
    with pytest.raises(plots.NoDataError):
        plots.costs_by_payer(no_costs)
    with pytest.raises(plots.NoDataError):
        plots.trial_result({"arms": {}})


def test_referral_flows_volume_and_lost_share(saved):
    flows = plots.referral_flows(saved["yearly"]).set_index(["scenario", "group"])
    y = saved["yearly"]
    pick = (y.scenario == "baseline") & (y.group == "followup->nav")
    made = y[pick & (y.metric == "referrals_made")]["value"]
    lost = y[pick & (y.metric == "referrals_lost")]["value"]
    row = flows.loc[("baseline", "followup->nav")]
    assert row["volume"] == pytest.approx(made.mean())
    assert row["lost_share"] == pytest.approx(lost.sum() / made.sum())


def test_mission_tracker_share_and_median_year():
    rows = [
        ("a", r, p, v)
        for r, vals in enumerate([[0.10, 0.08], [0.09, 0.07], [0.1, 0.09]])
        for p, v in zip([2024, 2025], vals, strict=True)
    ]
    df = pd.DataFrame(rows, columns=["scenario", "replicate", "period", "value"])
    df = df.assign(metric="neet_rate", group="all")
    out = track(df, Goal(0.085, 2025)).iloc[0]
    assert out["share_reached"] == pytest.approx(2 / 3)
    assert out["median_year"] == 2025
    assert track(df, Goal(0.05, 2030)).iloc[0]["median_year"] is None


def test_goal_validation(tmp_path):
    assert load_goal().rate < 1
    with pytest.raises(InputError, match="rate"):
        check_goal(8.5, 2030, "--goal")
    bad = tmp_path / "goal.toml"
    bad.write_text("rate = 0.08\nyear = 2030\nlevel = 1\n")
    with pytest.raises(InputError, match=r"goal.toml: level: unknown key"):
        load_goal(bad)


def test_number_formats():
    nb, en = Lang("nb"), Lang("en")
    assert nb.nok(1234567) == f"1{NBSP}234{NBSP}567{NBSP}kr"
    assert nb.mnok(1234567) == "1,2" and nb.mnok(2.5e9) == f"2{NBSP}500"
    assert nb.month("2024-01") == "januar 2024" and en.month("2024-01") == "January 2024"
    assert en.nok(1234567) == f"NOK{NBSP}1,234,567"
    assert nb.pct(0.103) == f"10,3{NBSP}%"
    assert en.pct(0.103) == "10.3%"
    assert nb.number(-1.5, 1) == "\u22121,5"
    assert nb.number(None) == "\u2013"


def test_dictionaries_have_the_same_keys_and_no_empty_text():
    nb, en = load_dictionary("nb"), load_dictionary("en")
    assert set(nb) == set(en)
    assert all(v.strip() for v in list(nb.values()) + list(en.values()))
    fields = {k: set(re.findall(r"{(\w+)}", v)) for k, v in en.items()}
    assert {k: set(re.findall(r"{(\w+)}", v)) for k, v in nb.items()} == fields


def _long_names(saved) -> plots.PlotContext:
    ctx = plots.PlotContext.from_manifest(saved["manifest"], "nb")
    ctx.names = {s: f"{name} med et langt navn på scenariet" for s, name in ctx.names.items()}
    return ctx


@pytest.mark.parametrize("name", ["paired_difference", "neet_over_time", "service_indicators"])
def test_legend_lies_inside_the_figure(saved, name):
    table = saved["paired" if name == "paired_difference" else "yearly"]
    fig = getattr(plots, name)(table, _long_names(saved))
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    box, legend = fig.bbox, fig.legends[0].get_window_extent(renderer)
    assert box.x0 <= legend.x0 and legend.x1 <= box.x1, (legend, box)
    assert box.y0 <= legend.y0 and legend.y1 <= box.y1, (legend, box)


def test_nav_offices_are_pooled_into_one_row(saved):
    from sim.present.plots.services import pool_offices

    waits = pool_offices(saved["yearly"][saved["yearly"]["metric"] == "wait_days_mean"])
    assert not waits["group"].str.contains(":").any()
    one = saved["yearly"][
        (saved["yearly"]["metric"] == "wait_days_mean")
        & (saved["yearly"]["scenario"] == "baseline")
        & (saved["yearly"]["replicate"] == 0)
        & (saved["yearly"]["period"] == 2024)
        & saved["yearly"]["group"].str.startswith("service:nav:")
    ]
    nav = waits[
        (waits.group == "nav")
        & (waits.scenario == "baseline")
        & (waits.replicate == 0)
        & (waits.period == 2024)
    ].iloc[0]
    weighted = (one["value"] * one["n"]).sum() / one["n"].sum()
    assert nav["value"] == pytest.approx(weighted) and nav["n"] == 65
    fig = plots.service_indicators(saved["yearly"], plots.PlotContext())
    labels = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    assert "NAV" in labels and not any("trondheim" in lab for lab in labels)


def test_service_indicators_and_system_map_suppress_small_cells(saved):
    yearly = saved["yearly"]
    assert not plots.was_suppressed(plots.neet_over_time(yearly))
    assert plots.was_suppressed(plots.neet_by_municipality(yearly))
    small = yearly.assign(n=yearly["n"].where(~yearly["group"].eq("service:ips"), 1))
    fig = plots.service_indicators(small)
    assert plots.was_suppressed(fig)
    assert "\u2013" in {t.get_text().strip() for t in fig.axes[0].texts}
    flows = plots.referral_flows(yearly)
    assert flows.set_index("group").loc["nav->ips", "small"].all()  # 150/20 = 7 referrals
    fig = plots.system_map(yearly)
    assert plots.was_suppressed(fig)
    assert "\u2013" in {t.get_text() for ax in fig.axes for t in ax.texts}


def test_system_map_uses_at_most_three_columns(saved):
    y = saved["yearly"]
    five = pd.concat(
        [y] + [y[y.scenario == "coordinator"].assign(scenario=f"x{i}") for i in (1, 2)]
    )
    fig = plots.system_map(five, plots.PlotContext())
    nrows, ncols = fig.axes[0].get_subplotspec().get_geometry()[:2]
    assert (nrows, ncols) == (2, 3)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["baseline", "coordinated_ips", "coordinator", "x1", "x2"]


def _legend_styles(fig: Figure) -> dict[str, tuple]:
    handles = fig.legends[0].legend_handles
    return {h.get_label(): (h.get_marker(), h.get_linestyle(), h.get_color()) for h in handles}


def test_scenario_keeps_its_line_style_whatever_the_table_holds(saved):
    ctx = plots.PlotContext.from_manifest(saved["manifest"], "en")
    only = saved["yearly"][saved["yearly"]["scenario"] != "coordinated_ips"]
    full = _legend_styles(plots.neet_over_time(saved["yearly"], ctx))
    part = _legend_styles(plots.neet_over_time(only, ctx))
    named = ctx.label("coordinator")
    assert full[named] == part[named]


def test_narrow_panels_get_few_year_ticks(saved):
    from sim.present.plots._base import year_axis

    fig = plots.service_indicators(saved["yearly"], plots.PlotContext())
    assert all(len(ax.get_xticks()) <= 5 for ax in fig.axes if ax.get_xlabel())
    ax = Figure().subplots()
    year_axis(ax, range(2024, 2039), max_ticks=5)
    assert len(ax.get_xticks()) <= 5


def test_payer_net_cost_sums_the_payers(saved):
    from sim.present.plots.costs import payer_net_cost

    per = payer_net_cost(saved["paired"])
    assert set(per["payer"]) == {"state", "municipality", "county", "health_trust"}
    p = saved["paired"]
    state = p[
        (p.metric == "cost_nok_discounted")
        & (p.group == "public:state:total")
        & (p.scenario == "coordinator")
        & (p.replicate == 0)
    ]["value"].sum()
    got = per[(per.scenario == "coordinator") & (per.replicate == 0) & (per.payer == "state")]
    assert got["value"].iloc[0] == pytest.approx(state)
